//===- CompileAndLoad.cpp - Compile a model in memory and load it ---------===//

#include "edge/Compiler/CompileAndLoad.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::edge;

llvm::Expected<std::unique_ptr<::edge::LoadedModel>>
mlir::edge::compileAndLoad(llvm::StringRef source, llvm::StringRef extension,
                           llvm::StringRef dir, llvm::StringRef name,
                           CompileOptions options) {
  SmallString<256> sourcePath(dir), libraryPath(dir);
  llvm::sys::path::append(sourcePath, name + extension);
  llvm::sys::path::append(libraryPath, name + ".so");
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(sourcePath, ec);
    if (ec)
      return llvm::createStringError("cannot write " + sourcePath.str() +
                                     ": " + ec.message());
    file << source << "\n";
  }
  options.inputPath = sourcePath.str().str();
  options.outputPath = libraryPath.str().str();
  options.emit = EmitKind::SharedLib;
  std::string error;
  std::vector<CompileDiagnostic> diagnostics;
  if (failed(compileModelCollectingDiagnostics(options, diagnostics, error))) {
    for (const CompileDiagnostic &diagnostic : diagnostics)
      if (error.empty() && diagnostic.severity == "error")
        error = diagnostic.message;
    return llvm::createStringError("compiling " + name + " failed" +
                                   (error.empty() ? "" : ": " + error));
  }
  std::unique_ptr<::edge::LoadedModel> model =
      ::edge::LoadedModel::load(libraryPath.str().str(), error);
  if (!model)
    return llvm::createStringError(error);
  return model;
}
