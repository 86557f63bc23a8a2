//===- TilePlan.h - How edge-tile-and-vectorize tiles a kernel -*- C++ -*-===//
//
// Part of edge-tile-and-vectorize: the register tile of each kernel (its
// vector and row loops, blocked, peeled or sliding rows) chosen from the
// target's vector width and registers, and the order of its output tiles
// chosen from its inputs' sizes against the cache. The rewrites that
// carry a plan out stay in TileAndVectorize.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_TILEPLAN_H
#define EDGE_LIB_TRANSFORMS_TILEPLAN_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>
#include <string>

namespace mlir::edge {

/// Vectors per output tile of a peeled vector loop: enough to amortize the
/// tile's epilogue, few enough that a matrix-vector product's 1000 columns
/// make 16 tiles for the threads.
inline constexpr int64_t kPeeledVectorTile = 4;

/// The longest reduction a dot-product kernel keeps in registers whole
/// (attention heads are 64 or 128 wide).
inline constexpr int64_t kMaxDotProductLength = 256;

/// How a multiply-accumulate kernel is tiled.
struct TilePlan {
  /// One per loop: the register tile.
  SmallVector<int64_t> sizes;
  /// The loop along which the accumulators are vectors.
  unsigned vectorDim = 0;
  /// When set, the kernel is first rewritten to block this loop (see
  /// blockLoop) into `sizes`-wide vectors; `sizes` and `vectorDim` then
  /// describe the blocked kernel's loops.
  std::optional<unsigned> blockedDim;
  /// With `blockedDim`, when nonzero: the blocked loop runs over this many
  /// iterations, its own rounded up to whole vectors (padKernelLoop: its
  /// constants padded with zeros, its output sliced back), which `sizes`
  /// then describe.
  int64_t paddedSize = 0;
  /// With `blockedDim`: the constants are packed with the outer block index
  /// first (panels: [N / width, K, width] for weights [K, N]), so that an
  /// output tile's weights are one contiguous stream.
  bool panels = false;
  /// Whether the accumulator rows each read their own input vectors (a
  /// depthwise convolution's output rows) rather than share one.
  bool slidingRows = false;
  /// A dynamic loop that gives the rows: tiled in full tiles of
  /// `peeledRows` rows (static, register-blocked like the static kernels)
  /// and a remainder of one row per tile. Its entry in `sizes` is 1, the
  /// remainder's.
  std::optional<unsigned> peeledDim;
  int64_t peeledRows = 1;
  /// The output tiles' extent along `peeledDim`, which peelRows then splits;
  /// 0 keeps the loop whole in each output tile (a dynamic row loop).
  int64_t peeledTile = 0;
  /// With `peeledDim`: the kernel converts and scales integer weights in
  /// its body, which its full tiles of rows read converted once per output
  /// tile instead (hoistWeightConversion).
  bool hoistWeightConversion = false;
};

/// The order in which a kernel's output tiles run.
struct TileLoopOrder {
  /// An interchange of the kernel's loops; empty: each op's own order.
  SmallVector<int64_t> loops;
  /// Why, for the remark.
  std::string reason;
};

/// The constant `value` reshapes (a reshape keeps the row-major order of
/// the data: the grouped-convolution lowering expands weights so), or null.
arith::ConstantOp getReshapedConstant(Value value);

/// Whether `value` is a constant whose data the compiler can rearrange:
/// f32 weights, or int8 ones (edge.quantized_matmul's).
bool isPackableConstant(Value value);

/// The plan of a contiguous reduction (isContiguousReduction) whose reduced
/// loops are collapsed into its last loop: one output element per tile,
/// its run reduced as one vector up to `maxLength` elements, in `chunk`s
/// beyond.
TilePlan chooseReductionPlan(linalg::GenericOp op, int64_t maxLength,
                             int64_t chunk);

/// The tile plan for `op`, or failure when it is not a statically shaped
/// f32 multiply-accumulate with a vectorizable output.
///
/// The vector runs along the output's contiguous dimension when that
/// fills whole vectors. When it does not (a convolution's 7-, 14- or
/// 56-wide rows leave lanes empty) and the row loop does (output channels,
/// a multiple of 16), the two swap: the accumulators are vectors of output
/// channels, one per output column, the input is broadcast, and the
/// weights, constants, are stored with the output channel innermost.
/// Output channels that are no whole number of vectors (1000 classes) are
/// padded up to one (`paddedSize`), with `allowPadding`, when that adds at
/// most an eighth to the work; a pointwise kernel's long odd pixel loop
/// (169 pixels) takes peeled tiles of pairs of vectors, padded up to them
/// likewise. A static tile whose vector loop holds two vectors or more
/// takes two per row and half the rows (the same accumulators, fewer loads
/// per multiply-add). A kernel of one output row over constant weights (a
/// matrix-vector product) takes tiles of several vectors of columns over
/// weights packed in panels, its columns padded like the channels.
FailureOr<TilePlan> chooseTilePlan(linalg::GenericOp op, int64_t vectorWidth,
                                   int64_t rows, int64_t slidingRows,
                                   bool allowPadding);

/// Whether loop `d` of a kernel tiled by `sizes` is a loop of its output
/// tiles' scf.forall with more than one iteration.
bool isMultiTripTileLoop(ArrayRef<int64_t> ranges, ArrayRef<int64_t> sizes,
                         unsigned d);

/// The order of the output tile loops of the kernel `op` tiled by `sizes`.
///
/// The tiles re-read one input per step of the loops that only the other
/// indexes: with a convolution's output channels outermost, every block
/// of channels sweeps the whole image again; with its pixels outermost,
/// every block of pixels reads all the weights again. The smaller input
/// is the one to re-read, from a nearer cache: the loops that only it
/// indexes go innermost, so the larger input streams once. The threads
/// then split the outer loops, each reading its share of the larger
/// input. Inputs that fit in a core's cache (`cacheBytes`), or of equal
/// size, cost little to re-read: the loops keep their order, and the
/// threads split the output as the next kernel reads it. A kernel with
/// dynamic loops (a batch, a sequence) runs them innermost instead, so
/// that a tile of its static operand (a weight strip) stays in cache
/// while the rows sweep past it.
TileLoopOrder getTileLoopOrder(linalg::GenericOp op, ArrayRef<int64_t> sizes,
                               int64_t cacheBytes);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_TILEPLAN_H
