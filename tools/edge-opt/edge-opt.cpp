//===- edge-opt.cpp - mlir-opt with the edge dialect and passes -----------===//

#include "edge/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

/// MLIR 22's parser dereferences a null float type on a dense array of
/// `index` elements (`array<index: 1>`, which is not a valid attribute) and
/// dies of SIGSEGV. The text is checked for it, outside comments and
/// strings, before the parser sees it; the error says what to write instead.
static bool hasIndexDenseArray(const llvm::MemoryBuffer &buffer) {
  llvm::StringRef text = buffer.getBuffer();
  auto skipSpace = [&](size_t i) {
    while (i < text.size() && llvm::isSpace(text[i]))
      ++i;
    return i;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i).starts_with("//")) {
      i = text.find('\n', i);
      if (i == llvm::StringRef::npos)
        return false;
      continue;
    }
    if (text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      continue;
    }
    if (!text.substr(i).starts_with("array") ||
        (i > 0 && (llvm::isAlnum(text[i - 1]) || text[i - 1] == '_')))
      continue;
    size_t j = skipSpace(i + 5);
    if (j >= text.size() || text[j] != '<')
      continue;
    j = skipSpace(j + 1);
    if (!text.substr(j).starts_with("index"))
      continue;
    size_t end = j + 5;
    if (end < text.size() && (llvm::isAlnum(text[end]) || text[end] == '_'))
      continue;
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBuffer(buffer.getMemBufferRef()),
        llvm::SMLoc());
    sourceMgr.PrintMessage(
        llvm::SMLoc::getFromPointer(text.data() + i),
        llvm::SourceMgr::DK_Error,
        "dense arrays of 'index' elements are not valid attributes (and "
        "crash MLIR 22's parser); write array<i64: ...>");
    return true;
  }
  return false;
}

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::edge::registerAllEdgePasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to NVVM/ROCDL LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::edge::registerAllEdgeDialects(registry);

  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "edge optimizer driver\n", registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  // Listing dialects or passes reads no input.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(mlir::MlirOptMain(
        argc, argv, inputFilename, outputFilename, registry));
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (hasIndexDenseArray(*input))
    return 1;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
