//===- Pipelines.h - edge compilation pipelines -----------------*- C++ -*-===//

#ifndef EDGE_PIPELINES_PIPELINES_H
#define EDGE_PIPELINES_PIPELINES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace edge {

/// Graph-level rewrites on the edge dialect (canonicalization, batch norms
/// folded into convolutions) and fusion groups: the graph the cost report
/// and the placement start from.
void buildEdgeGraphPipeline(OpPassManager &pm);

/// Places the model's fusion groups and ops on `devices` (a description
/// file or presets, as `edge-compile --devices`) with `pins` (NODE=DEVICE)
/// and partitions it into per-device functions and a host schedule.
void buildPartitionPipeline(OpPassManager &pm, llvm::StringRef devices,
                            llvm::ArrayRef<std::string> pins);

/// edge dialect -> linalg/tensor/arith/math on tensors, with the ABI
/// metadata emitted and the model function (or the partitions) tagged.
/// Starts by inlining fusion groups and repeating the graph rewrites, so
/// it accepts imported, grouped or partitioned IR.
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
