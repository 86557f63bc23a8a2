//===- CodeGen.cpp - LLVM dialect to object file and shared library -------===//

#include "edge/Pipelines/CodeGen.h"
#include "edge/Pipelines/ToolchainPaths.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::edge;

std::unique_ptr<llvm::Module>
mlir::edge::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                                 llvm::TargetMachine &machine,
                                 unsigned optLevel) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // gpu.binary ops become globals holding the device code, loaded by the
  // runtime when the library is.
  registerGPUDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "edge_model");
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());

  if (optLevel == 0)
    return llvmModule;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O1;
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(level);
  passes.run(*llvmModule, mam);
  return llvmModule;
}

LogicalResult mlir::edge::emitNativeCode(llvm::Module &module,
                                         llvm::TargetMachine &machine,
                                         bool assembly,
                                         llvm::raw_pwrite_stream &os,
                                         std::string &error) {
  llvm::legacy::PassManager passes;
  auto fileType = assembly ? llvm::CodeGenFileType::AssemblyFile
                           : llvm::CodeGenFileType::ObjectFile;
  if (machine.addPassesToEmitFile(passes, os, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  passes.run(module);
  return success();
}

/// The runtime archive for `triple`: the one this build made for the host,
/// or the cross-built one in lib/<arch>-linux-gnu/ (EDGE_RUNTIME_ARCHIVE_
/// <ARCH> overrides it).
static std::string locateRuntimeArchive(const llvm::Triple &triple) {
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (triple.getArch() == host.getArch())
    return locateToolchainPath("EDGE_RUNTIME_ARCHIVE", EDGE_RUNTIME_ARCHIVE);
  std::string arch = triple.getArchName().str();
  std::string variable =
      "EDGE_RUNTIME_ARCHIVE_" + llvm::StringRef(arch).upper();
  SmallString<256> path(EDGE_RUNTIME_LIBRARY_DIR);
  llvm::sys::path::append(path, arch + "-linux-gnu", "libedge_runtime.a");
  return locateToolchainPath(variable.c_str(), path.c_str());
}

LogicalResult mlir::edge::linkSharedLibrary(StringRef objectPath,
                                            StringRef outputPath,
                                            StringRef tripleName,
                                            std::string &error) {
  llvm::Triple triple(tripleName);
  std::string linker = locateToolchainPath("EDGE_CLANG", EDGE_CLANG_PATH);
  std::string runtime = locateRuntimeArchive(triple);
  std::string exports =
      locateToolchainPath("EDGE_RUNTIME_EXPORTS", EDGE_RUNTIME_EXPORTS);
  for (const std::string &path : {linker, exports}) {
    if (!llvm::sys::fs::exists(path)) {
      error = "cannot link: '" + path +
              "' does not exist (set EDGE_CLANG or EDGE_RUNTIME_EXPORTS)";
      return failure();
    }
  }
  if (!llvm::sys::fs::exists(runtime)) {
    error = "cannot link for " + triple.getArchName().str() + ": '" + runtime +
            "' does not exist; this build of edge has no runtime for that "
            "architecture (docs/targets.md: install its C library, e.g. "
            "libc6-dev-arm64-cross, and rebuild)";
    return failure();
  }
  // Debian's cross C libraries live under <arch>-linux-gnu.
  std::string targetFlag =
      "--target=" + triple.getArchName().str() + "-linux-gnu";
  std::string versionScript = "-Wl,--version-script=" + exports;
  // The runtime defines the entry's callers (the C ABI) besides what the
  // model object calls (allocation, edge_parallel_for): the whole archive
  // goes in, and the version script keeps only the ABI exported.
  SmallVector<StringRef> args = {linker, targetFlag, "-shared", "-fuse-ld=lld",
                                 "-o", outputPath, objectPath,
                                 "-Wl,--whole-archive", runtime,
                                 "-Wl,--no-whole-archive", versionScript,
                                 "-lm", "-ldl", "-lpthread"};
  // Every symbol the model calls must be resolved now, not when it is
  // loaded; a sanitized runtime's hooks come from the loading process.
  std::string sanitizers =
      std::string("-fsanitize=") + EDGE_RUNTIME_SANITIZERS;
  bool sanitized = StringRef(EDGE_RUNTIME_SANITIZERS).size() != 0 &&
                   triple.getArch() ==
                       llvm::Triple(llvm::sys::getProcessTriple()).getArch();
  if (sanitized)
    args.push_back(sanitizers);
  else
    args.push_back("-Wl,-z,defs");
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    error = "linking " + outputPath.str() + " failed" +
            (message.empty() ? "" : ": " + message);
    return failure();
  }
  return success();
}

LogicalResult mlir::edge::writeModelHeader(StringRef libraryPath,
                                           std::string &error) {
  std::string source =
      locateToolchainPath("EDGE_MODEL_HEADER", EDGE_MODEL_HEADER);
  SmallString<256> header(libraryPath);
  llvm::sys::path::replace_extension(header, ".h");
  if (std::error_code ec = llvm::sys::fs::copy_file(source, header)) {
    error = "cannot write " + header.str().str() + ": " + ec.message();
    return failure();
  }
  return success();
}
