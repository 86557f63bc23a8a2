//===- HoistWeightConversion.h - Weights converted once per tile -*- C++
//-*-===//
//
// Part of edge-tile-and-vectorize: a kernel over int4 or block-scaled int8
// weights converts and scales each weight in its body, once per register
// tile of rows, which costs a prompt's tokens as much as the multiply-adds
// they share it with. Where an output tile runs full tiles of rows, the
// converted weights are computed once, before those tiles, into f32
// tensors that the tiles read as they read f32 weights.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_HOISTWEIGHTCONVERSION_H
#define EDGE_LIB_TRANSFORMS_HOISTWEIGHTCONVERSION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

/// What hoistWeightConversion did.
struct HoistedConversion {
  /// The op that converts the weights, null when nothing changed.
  linalg::GenericOp conversion;
  /// The bytes of converted weights per output tile (0 when the kernel
  /// converts nothing the rows do not change).
  int64_t bytes = 0;
};

/// Rewrites the kernel in `rowLoop` (the loop over full tiles of rows,
/// loop `rowDim` of the kernel) to read, instead of its integer weights
/// and scales, the values its body computes from them alone (what no row
/// changes): those are computed by a new all-parallel op over the
/// weights' loops before the loop, whose outputs are laid out like the
/// weights (the caller tiles and vectorizes it). Both run only when the
/// loop runs at least `minIterations` times (an scf.if); otherwise a copy
/// of the loop as it was runs, whose ops the caller vectorizes too.
/// Nothing changes when the kernel converts no integer input, or when the
/// converted values would take more than `maxBytes`.
HoistedConversion hoistWeightConversion(scf::ForOp rowLoop, unsigned rowDim,
                                        int64_t minIterations, int64_t maxBytes,
                                        RewriterBase &rewriter);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_HOISTWEIGHTCONVERSION_H
