//===- PadKernelLoop.h - A kernel's output channels padded -----*- C++ -*-===//
//
// Part of edge-tile-and-vectorize: a kernel whose output channels are no
// whole number of vectors (a classifier's 1000 classes) computed over a
// few more, zero-weighted channels, so that it takes the blocked tile
// (vectors of output channels), then sliced back.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_PADKERNELLOOP_H
#define EDGE_LIB_TRANSFORMS_PADKERNELLOOP_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

/// Rewrites the kernel `op` (of static shape), the op that initializes its
/// output (a fill, or a bias broadcast) and its epilogue (getEpilogue) to
/// run loop `dim` of `op`, a parallel loop its output indexes, over `size`
/// iterations, more than its own: the constants that loop indexes get zeros
/// appended, and the epilogue's result is sliced back to its original shape.
/// Every input that reads the loop must be a constant (weights, a bias, an
/// activation's bounds) and the initializer one of those forms; otherwise
/// nothing changes and the result is null. Returns the padded kernel.
linalg::GenericOp padKernelLoop(linalg::GenericOp op, unsigned dim,
                                int64_t size, RewriterBase &rewriter);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_PADKERNELLOOP_H
