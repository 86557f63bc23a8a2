//===- PipelineParts.h - Pieces shared by the CPU and GPU pipelines -------===//

#ifndef EDGE_LIB_PIPELINES_PIPELINEPARTS_H
#define EDGE_LIB_PIPELINES_PIPELINEPARTS_H

namespace mlir {
class OpPassManager;
namespace edge {

/// linalg on tensors -> linalg on memrefs, for every target. Function
/// boundaries are bufferized with identity layouts so that the model
/// function can use the bare-pointer calling convention; results become
/// out-parameters written in place (hoisted static allocations), so the
/// caller's output buffers receive the data without a copy; the
/// intermediates are placed in one arena by the memory plan.
void addBufferizePipeline(OpPassManager &pm);

/// Loops and strided memref metadata -> index arithmetic and a CFG, the
/// part of the lowering that host code and GPU kernels share.
void addLoopsToControlFlowPipeline(OpPassManager &pm);

/// arith, index, func (bare pointers), cf and ub -> LLVM, then the casts
/// between the type systems reconciled: the end of every pipeline.
void addFinalLLVMConversions(OpPassManager &pm);

} // namespace edge
} // namespace mlir

#endif // EDGE_LIB_PIPELINES_PIPELINEPARTS_H
