//===- Pipelines.h - edge compilation pipelines -----------------*- C++ -*-===//

#ifndef EDGE_PIPELINES_PIPELINES_H
#define EDGE_PIPELINES_PIPELINES_H

namespace mlir {
class OpPassManager;
namespace edge {

/// edge dialect -> linalg/tensor/arith/math on tensors, with the ABI
/// metadata emitted and the model function tagged.
void buildEdgeToLinalgPipeline(OpPassManager &pm);

/// linalg on tensors -> LLVM dialect with the runtime entry point:
/// bufferization (weights stay read-only globals, results become
/// out-parameters), loops, then LLVM.
void buildLinalgToLLVMPipeline(OpPassManager &pm);

/// Registers `edge-to-linalg`, `edge-linalg-to-llvm` and `edge-cpu`
/// (both in sequence) as pass pipelines for edge-opt.
void registerEdgePipelines();

} // namespace edge
} // namespace mlir

#endif // EDGE_PIPELINES_PIPELINES_H
