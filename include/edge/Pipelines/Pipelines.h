//===- Pipelines.h - edge compilation pipelines -----------------*- C++ -*-===//

#ifndef EDGE_PIPELINES_PIPELINES_H
#define EDGE_PIPELINES_PIPELINES_H

namespace mlir {
class OpPassManager;
namespace edge {

/// Graph-level rewrites on the edge dialect (canonicalization, batch norms
/// folded into convolutions): the graph the cost report and the lowering
/// start from.
void buildEdgeGraphPipeline(OpPassManager &pm);

/// edge dialect -> linalg/tensor/arith/math on tensors, with the ABI
/// metadata emitted and the model function tagged (starts with the graph
/// pipeline).
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
