//===- CodeGen.h - LLVM dialect to native code ------------------*- C++ -*-===//

#ifndef EDGE_PIPELINES_CODEGEN_H
#define EDGE_PIPELINES_CODEGEN_H

#include "mlir/Support/LLVM.h"

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class ModuleOp;
namespace edge {

/// Translates an LLVM-dialect module to LLVM IR for `machine` and runs the
/// LLVM optimization pipeline on it.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   unsigned optLevel);

/// Writes an object file (or assembly) of `module` to `os`.
LogicalResult emitNativeCode(llvm::Module &module, llvm::TargetMachine &machine,
                             bool assembly, llvm::raw_pwrite_stream &os,
                             std::string &error);

/// Links `objectPath` with the edge runtime built for `triple` into the
/// shared library `outputPath`, exporting only the ABI of edge-c/Model.h.
LogicalResult linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                                StringRef triple, std::string &error);

/// Writes the ABI header (edge-c/Model.h) beside `libraryPath`, named after
/// it: model.so -> model.h.
LogicalResult writeModelHeader(StringRef libraryPath, std::string &error);

} // namespace edge
} // namespace mlir

#endif // EDGE_PIPELINES_CODEGEN_H
