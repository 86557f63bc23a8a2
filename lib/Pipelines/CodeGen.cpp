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
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;
using namespace mlir::edge;

std::unique_ptr<llvm::TargetMachine>
mlir::edge::createHostTargetMachine(const HostCodeGenOptions &options,
                                    std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;

  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty()) {
    // The widest vector features of the compiling machine: without them the
    // generated loops are several times slower (no AVX-512/AVX2).
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty()) {
      llvm::SubtargetFeatures list;
      for (const auto &feature : llvm::sys::getHostCPUFeatures())
        list.AddFeature(feature.first(), feature.second);
      features = list.getString();
    }
  }
  llvm::CodeGenOptLevel level = options.optLevel >= 3
                                    ? llvm::CodeGenOptLevel::Aggressive
                                : options.optLevel == 0
                                    ? llvm::CodeGenOptLevel::None
                                    : llvm::CodeGenOptLevel::Default;
  // Constructors (a GPU model loads its kernels in one) go to .init_array:
  // the C runtime no longer runs the legacy .ctors section.
  llvm::TargetOptions targetOptions;
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for " + triple.str();
  return machine;
}

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

LogicalResult mlir::edge::linkSharedLibrary(StringRef objectPath,
                                            StringRef outputPath,
                                            std::string &error) {
  std::string linker = locateToolchainPath("EDGE_CLANG", EDGE_CLANG_PATH);
  std::string runtime =
      locateToolchainPath("EDGE_RUNTIME_ARCHIVE", EDGE_RUNTIME_ARCHIVE);
  std::string exports =
      locateToolchainPath("EDGE_RUNTIME_EXPORTS", EDGE_RUNTIME_EXPORTS);
  for (const std::string &path : {linker, runtime, exports}) {
    if (!llvm::sys::fs::exists(path)) {
      error = "cannot link: '" + path +
              "' does not exist (set EDGE_CLANG, EDGE_RUNTIME_ARCHIVE or "
              "EDGE_RUNTIME_EXPORTS)";
      return failure();
    }
  }
  std::string versionScript = "-Wl,--version-script=" + exports;
  // The runtime defines the entry's callers (the C ABI) besides what the
  // model object calls (allocation, edge_parallel_for): the whole archive
  // goes in, and the version script keeps only the ABI exported.
  SmallVector<StringRef> args = {linker,
                                 "-shared",
                                 "-fuse-ld=lld",
                                 "-o",
                                 outputPath,
                                 objectPath,
                                 "-Wl,--whole-archive",
                                 runtime,
                                 "-Wl,--no-whole-archive",
                                 versionScript,
                                 // Every symbol the model calls must be
                                 // resolved now, not when it is loaded.
                                 "-Wl,-z,defs",
                                 "-lm",
                                 "-ldl",
                                 "-lpthread"};
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
