//===- FlattenImageLoops.h - One pixel loop for pointwise kernels -*- C++
//-*-===//
//
// Part of edge-tile-and-vectorize. A pointwise (1x1, stride 1) convolution
// reads its image rows exactly where it writes them, so the rows and
// columns of its output are one contiguous pixel loop in every operand.
// Where an image row does not fill whole vectors (56 or 28 pixels for 16
// lanes) but the image does (3136, 784), the kernel, the op initializing
// its output (a bias) and its epilogue ops (activation, residual add) are
// collapsed to that one loop: the register tile then takes vectors of
// pixels, contiguous in the NCHW output, where it would otherwise take
// vectors of output channels and transpose every tile to store it.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_FLATTENIMAGELOOPS_H
#define EDGE_LIB_TRANSFORMS_FLATTENIMAGELOOPS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

/// Collapses the output's two innermost loops of the multiply-accumulate
/// `kernel`, with its initializer and epilogue, when they index every
/// operand as one contiguous run (after dropping its unit window loops from
/// compound indices), the innermost one does not fill vectors of
/// `vectorWidth` and the two together do, or, when the kernel's tile would
/// not be `blocked` along its output channels, at least two vectors; not
/// when the result is padded (edge-pad-in-place writes it into a padded
/// image's strided interior, which one pixel loop cannot view). Returns
/// whether it did; the collapsed ops' reshapes are left for the caller's
/// canonicalization.
bool flattenImageLoops(linalg::GenericOp kernel, int64_t vectorWidth,
                       bool blocked, RewriterBase &rewriter);

/// Replaces `op` by its copy with the consecutive loops `loops` collapsed
/// into one (linalg::collapseOpIterationDims); returns the copy, or null
/// when they cannot collapse (nothing changed).
linalg::GenericOp collapseLoops(linalg::GenericOp op,
                                const ReassociationIndices &loops,
                                RewriterBase &rewriter);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_FLATTENIMAGELOOPS_H
