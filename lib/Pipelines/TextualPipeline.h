//===- TextualPipeline.h - Pieces shared by the CPU and GPU pipelines -----===//

#ifndef EDGE_LIB_PIPELINES_TEXTUALPIPELINE_H
#define EDGE_LIB_PIPELINES_TEXTUALPIPELINE_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class OpPassManager;
namespace edge {

/// Appends upstream passes written in the textual pipeline syntax: the
/// options of upstream passes are easiest to read (and to copy into an
/// edge-opt command line) in this form.
void addTextualPipeline(OpPassManager &pm, StringRef pipeline);

/// linalg on tensors -> linalg on memrefs, for every target. Function
/// boundaries are bufferized with identity layouts so that the model
/// function can use the bare-pointer calling convention; results become
/// out-parameters written in place (hoist-static-allocs), so the caller's
/// output buffers receive the data without a copy; the intermediates are
/// placed in one arena by the memory plan.
inline constexpr const char *kBufferizePipeline =
    "func.func(edge-distinct-results,edge-pad-in-place),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs=true "
    "modify-public-functions=true},"
    "canonicalize,buffer-deallocation-pipeline,"
    "func.func(edge-empty-argument-buffers,edge-plan-memory),"
    "edge-memref-copy-to-linalg";

} // namespace edge
} // namespace mlir

#endif // EDGE_LIB_PIPELINES_TEXTUALPIPELINE_H
