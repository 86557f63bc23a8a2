//===- TilePlan.cpp - How edge-tile-and-vectorize tiles a kernel ----------===//
//
// See TilePlan.h.
//
//===----------------------------------------------------------------------===//

#include "TilePlan.h"

#include "KernelMatchers.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::edge;

/// Most vectors side by side in a blocked kernel's tile of a peeled row
/// loop (a dynamic or prime image width): its remainder tiles have few
/// rows, and the vectors keep enough independent accumulators to hide the
/// multiply-add latency.
static constexpr int64_t kPeeledVectors = 2;

/// The same for a product's tile of a peeled dynamic row loop (a batch, a
/// sequence): a decoder's step multiplies one row, whose tile of four
/// vectors keeps four accumulators, and full tiles of a quarter of the
/// rows load four vectors and as many broadcasts per 16 multiply-adds.
/// gpt2's decode (one thread, alternating, medians of three): 346 -> 423
/// tokens/s in f32, 675 -> 907 with int8 weights, whose stream the two
/// accumulators of two vectors had left latency-bound.
static constexpr int64_t kPeeledProductVectors = 4;

/// Whether the body of `op` converts integer weights and scales them (an
/// integer input beside at least two others: the input and the scales).
/// Its full tiles of rows then read the weights converted once per output
/// tile (hoistWeightConversion): a 4-bit Llama's 128-token prefill (one
/// thread, edge-run --bench 20, medians of four) took 36.4 ms converting
/// in every tile of 4 rows of 4 vectors, 33.4 in every tile of 8 rows of 2
/// (taller tiles convert less), 31.0 converted once (f32 weights: 30.8);
/// two threads 23.4, 21.9, 20.4 (f32 18.3).
static bool scalesWeightsInKernel(linalg::GenericOp op) {
  return op.getNumDpsInputs() > 2 &&
         llvm::any_of(op.getDpsInputOperands(), [](OpOperand *input) {
           return isa<IntegerType>(
               getElementTypeOrSelf(input->get().getType()));
         });
}

/// Fewest multiply-adds per output element (taps x input channels) for
/// which a strided window's tile takes half the pixels and two vectors of
/// channels. Its taps are cheaper (8 broadcast pixels for 16 multiply-adds
/// rather than 16), but its epilogue is not: transposed, its 32 rows of 8
/// pixels take more shuffles and twice the stores of 16 rows of 16. A 7x7
/// first layer (147) measured 12% faster with two vectors, a 3x3 one (27)
/// 25% slower.
static constexpr int64_t kLongStridedWindow = 64;

/// An odd pixel loop of a pointwise kernel at least this many times `rows`
/// long is peeled into tiles of half the rows of two vectors: almost all of
/// them full tiles, the remainder one short tile.
static constexpr int64_t kLongOddRow = 8;

/// The largest divisor of `size` that is at most `limit`; 1 for a dynamic
/// size, whose tiles must all be whole.
static int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  if (ShapedType::isDynamic(size))
    return 1;
  for (int64_t candidate = std::min(size, limit); candidate > 1; --candidate)
    if (size % candidate == 0)
      return candidate;
  return 1;
}

/// `range` rounded up to a multiple of `multiple`, or 0 when that pads it
/// (with `allowPadding` only) by more than an eighth: the work a kernel
/// padded with zero weights may add to fill whole vectors or tiles.
static int64_t alignWithinEighth(int64_t range, int64_t multiple,
                                 bool allowPadding) {
  int64_t aligned = llvm::alignTo(range, multiple);
  if (aligned != range && (!allowPadding || 8 * (aligned - range) > range))
    return 0;
  return aligned;
}

/// Whether the static loop `size` has no divisor near `limit` rows (a
/// 109-wide image: tiles of one row, each with one accumulator): then its
/// rows are peeled like a dynamic loop's, full tiles of `limit` and a
/// remainder of halving tiles.
static bool hasPoorDivisors(int64_t size, int64_t limit) {
  return !ShapedType::isDynamic(size) &&
         2 * largestDivisorAtMost(size, limit) <= std::min(size, limit);
}

/// The loop unrolled into accumulator rows for `vectorDim`: an output loop
/// that no input reading along the vector dimension uses, so each row
/// multiplies the same vector by a broadcast scalar. The largest wins.
static std::optional<unsigned> chooseRowDim(linalg::GenericOp op,
                                            unsigned vectorDim) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  llvm::SmallBitVector usedWithVector(ranges.size());
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isFunctionOfDim(vectorDim))
      continue;
    for (unsigned d = 0; d < ranges.size(); ++d)
      if (map.isFunctionOfDim(d))
        usedWithVector.set(d);
  }
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> rowDim;
  for (unsigned r = 0; r < outMap.getNumResults(); ++r) {
    unsigned d = outMap.getDimPosition(r);
    // Ties go to the inner loop, whose rows are nearer in memory; a
    // dynamic loop (one row per tile) only when no other is left.
    if (d != vectorDim && !usedWithVector.test(d) &&
        (!rowDim || ShapedType::isDynamic(ranges[*rowDim]) ||
         (!ShapedType::isDynamic(ranges[d]) && ranges[d] >= ranges[*rowDim])))
      rowDim = d;
  }
  return rowDim;
}

/// For a kernel without a row loop (every output loop indexes the input
/// read along `vectorDim`: a depthwise convolution), the output loop
/// other than `vectorDim` that becomes its rows instead, each reading its
/// own input vectors (`oh * stride + kh`): independent accumulators
/// that hide the multiply-add latency and share the broadcast weight. The
/// inner one, as its rows are nearer in memory; none when every other
/// output loop has a single iteration.
static std::optional<unsigned> chooseSlidingRowDim(linalg::GenericOp op,
                                                   unsigned vectorDim) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  for (unsigned r = outMap.getNumResults(); r-- > 0;) {
    unsigned d = outMap.getDimPosition(r);
    if (d != vectorDim && ranges[d] > 1)
      return d;
  }
  return std::nullopt;
}

arith::ConstantOp mlir::edge::getReshapedConstant(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
      break;
    value = def->getOperand(0);
  }
  return value.getDefiningOp<arith::ConstantOp>();
}

bool mlir::edge::isPackableConstant(Value value) {
  arith::ConstantOp constant = getReshapedConstant(value);
  return constant && (isReadableF32Elements(constant.getValue()) ||
                      isReadableI8Elements(constant.getValue()));
}

/// Whether every operand of `op` that uses loop `dim` indexes one
/// dimension by exactly `dim` (and nothing else by it), and every input
/// among them is a constant: then `dim` can be blocked (blockLoop).
static bool canBlockLoop(linalg::GenericOp op, unsigned dim) {
  AffineExpr expr = getAffineDimExpr(dim, op.getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isFunctionOfDim(dim))
      continue;
    if (llvm::count(map.getResults(), expr) != 1 ||
        llvm::count_if(map.getResults(), [&](AffineExpr result) {
          return result.isFunctionOfDim(dim);
        }) != 1)
      return false;
    if (op.isDpsInput(&operand) && !isPackableConstant(operand.get()))
      return false;
  }
  return true;
}

/// Whether loop `dim` of `op` can be blocked (canBlockLoop) with its
/// constants packed into panels: each constant input reading it reads it
/// as its last dimension (weights [K, N] along N).
static bool canPackPanels(linalg::GenericOp op, unsigned dim) {
  if (!canBlockLoop(op, dim))
    return false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isFunctionOfDim(dim) &&
        map.getDimPosition(map.getNumResults() - 1) != dim)
      return false;
  }
  return true;
}

/// A kernel whose output's contiguous loop is dynamic but whose one
/// reduction is static and contiguous in every input (attention scores
/// q·kᵀ over a run-time number of keys): one dot product per output
/// element, its reduction in whole vectors. Failure for any other kernel.
static FailureOr<TilePlan> chooseDotProductPlan(linalg::GenericOp op,
                                                int64_t vectorWidth) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (op.getNumReductionLoops() != 1)
    return failure();
  unsigned reduction = 0;
  for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
    if (linalg::isReductionIterator(iterator))
      reduction = d;
  if (ShapedType::isDynamic(ranges[reduction]) ||
      ranges[reduction] % vectorWidth != 0 ||
      ranges[reduction] > kMaxDotProductLength)
    return failure();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() == 0 ||
        map.getDimPosition(map.getNumResults() - 1) != reduction)
      return failure();
  }
  TilePlan plan;
  plan.sizes.assign(ranges.size(), 1);
  plan.sizes[reduction] = ranges[reduction];
  plan.vectorDim = reduction;
  return plan;
}

/// A kernel whose output is one row (a matrix-vector product: a
/// classifier's at batch 1) has no rows to unroll into accumulators: a
/// tile of one vector chains every multiply-add of its reduction on the
/// last (512 in a row, each waiting for the one before), reading its
/// weights a row of N apart. Its tiles take `kPeeledVectorTile` vectors
/// side by side instead, that many independent accumulators, over weights
/// packed in panels ([N / width, K, width]): one contiguous stream per
/// vector. The output columns are padded up to whole tiles (1000 to 1024)
/// when that adds at most an eighth, or else tiles take the largest
/// divisor of their vectors up to that many. Failure when the kernel is no
/// such product or its weights are not constants. (ResNet-18's classifier,
/// 512 -> 1000 alone: 41 -> 28 µs at one thread, ORT 30.)
static FailureOr<TilePlan> chooseMatrixVectorPlan(linalg::GenericOp op,
                                                  unsigned contiguousDim,
                                                  int64_t vectorWidth,
                                                  bool allowPadding) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  int64_t columns = ranges[contiguousDim];
  bool oneRow = llvm::all_of(outMap.getResults(), [&](AffineExpr result) {
    unsigned d = cast<AffineDimExpr>(result).getPosition();
    return d == contiguousDim || ranges[d] == 1;
  });
  if (!oneRow || ShapedType::isDynamic(columns) || columns < 2 * vectorWidth ||
      !canBlockLoop(op, contiguousDim))
    return failure();
  TilePlan plan;
  plan.sizes.assign(ranges.size() + 1, 1);
  if (int64_t padded = alignWithinEighth(
          columns, kPeeledVectorTile * vectorWidth, allowPadding)) {
    plan.sizes[contiguousDim] = kPeeledVectorTile;
    plan.paddedSize = padded == columns ? 0 : padded;
  } else {
    int64_t vectors =
        columns % vectorWidth == 0
            ? largestDivisorAtMost(columns / vectorWidth, kPeeledVectorTile)
            : 1;
    if (vectors == 1)
      return failure();
    plan.sizes[contiguousDim] = vectors;
  }
  plan.sizes.back() = vectorWidth;
  plan.vectorDim = ranges.size();
  plan.blockedDim = contiguousDim;
  plan.panels = true;
  return plan;
}

TilePlan mlir::edge::chooseReductionPlan(linalg::GenericOp op,
                                         int64_t maxLength, int64_t chunk) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  TilePlan plan;
  plan.sizes.assign(ranges.size(), 1);
  plan.vectorDim = ranges.size() - 1;
  plan.sizes.back() = ranges.back() <= maxLength ? ranges.back() : chunk;
  return plan;
}

FailureOr<TilePlan> mlir::edge::chooseTilePlan(linalg::GenericOp op,
                                               int64_t vectorWidth,
                                               int64_t rows,
                                               int64_t slidingRows,
                                               bool allowPadding) {
  if (!isAccumulation(op) || !op.hasPureTensorSemantics())
    return failure();
  // f32, but for int8 inputs, which the body converts.
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type || !(type.getElementType().isF32() ||
                   (op.isDpsInput(&operand) &&
                    type.getElementType().isSignlessInteger(8))))
      return failure();
  }
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0 || !outMap.isProjectedPermutation() ||
      llvm::none_of(iterators, linalg::isReductionIterator))
    return failure();
  unsigned contiguousDim = outMap.getDimPosition(outMap.getNumResults() - 1);
  std::optional<unsigned> rowDim = chooseRowDim(op, contiguousDim);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Dynamic loops are tiled by one, so that every tile has a static shape
  // the vectorizer takes. A dynamic contiguous loop (an image's width) is
  // no vector loop: only the blocked kernel (vectors of output channels)
  // vectorizes it.
  bool dynamicVector = ShapedType::isDynamic(ranges[contiguousDim]);
  TilePlan plan;
  plan.sizes.assign(ranges.size(), 1);
  plan.vectorDim = contiguousDim;
  plan.sizes[contiguousDim] =
      largestDivisorAtMost(ranges[contiguousDim], vectorWidth);
  if (rowDim)
    plan.sizes[*rowDim] = largestDivisorAtMost(ranges[*rowDim], rows);
  unsigned reducedLoops = 0;
  // Multiply-adds per output element (a dynamic loop counts as long).
  int64_t multiplyAdds = 1;
  for (auto [range, iterator] : llvm::zip_equal(ranges, iterators)) {
    if (!linalg::isReductionIterator(iterator))
      continue;
    reducedLoops += range != 1;
    multiplyAdds *= ShapedType::isDynamic(range) ? kLongStridedWindow : range;
  }
  bool pointwise = reducedLoops == 1;
  // Pixels read at stride 2 (a stride-2 convolution's columns) make poor
  // vectors: two loads and a shuffle each. The blocked kernel broadcasts
  // them one by one, where the stride costs nothing.
  bool stridedVector = getContiguousReadStride(op, contiguousDim) == 2;
  // The blocked loop's iterations, whole vectors (`vectors` at a time),
  // padded up to them when that is allowed and adds little work.
  auto alignBlockedRange = [&](int64_t vectors) {
    return alignWithinEighth(ranges[*rowDim], vectors * vectorWidth,
                             allowPadding);
  };
  int64_t blockedRange = 0;
  // An odd row of a pointwise kernel has no half to take two vectors each.
  // A long one (a 13x13 image as one loop of 169 pixels), or one without a
  // divisor near `rows` (13 pixels for AVX2's 8 rows), which is peeled all
  // the same, is peeled into tiles of half the rows of two vectors, where
  // the channels make pairs of vectors (SqueezeNet's classifier: 1000
  // channels padded to 1024, 8 pixels of 32 channels, 6% faster than 13 of
  // 16). A short one with a divisor (a 55- or 27-wide image row: 11 or 9)
  // keeps it: remainder tiles of 4, 2 and 1 pixels measured 10-25% slower.
  bool oddPointwiseRows = false;
  if (rowDim && !ShapedType::isDynamic(ranges[*rowDim])) {
    int64_t width = ranges[contiguousDim];
    if (pointwise && !stridedVector && !ShapedType::isDynamic(width) &&
        width % 2 == 1 &&
        (width >= kLongOddRow * rows || hasPoorDivisors(width, rows)))
      if (int64_t pairs = alignBlockedRange(2)) {
        blockedRange = pairs;
        oddPointwiseRows = true;
      }
    if (!blockedRange)
      blockedRange = alignBlockedRange(1);
  }
  if ((plan.sizes[contiguousDim] != vectorWidth || dynamicVector ||
       stridedVector) &&
      blockedRange && canBlockLoop(op, *rowDim)) {
    // The blocked kernel: the row loop split in two, its inner part (one
    // vector) the new last loop; the contiguous output loop gives rows.
    TilePlan blocked;
    blocked.sizes.assign(ranges.size() + 1, 1);
    blocked.vectorDim = ranges.size();
    blocked.blockedDim = *rowDim;
    if (blockedRange != ranges[*rowDim])
      blocked.paddedSize = blockedRange;
    bool peeled = rows > 1 && (dynamicVector || oddPointwiseRows ||
                               hasPoorDivisors(ranges[contiguousDim], rows));
    blocked.sizes[contiguousDim] =
        peeled ? 1 : largestDivisorAtMost(ranges[contiguousDim], rows);
    // A pointwise kernel's rows of one vector (a 14-wide image: 14 rows)
    // become half as many rows of two vectors: each broadcast input
    // element then feeds two multiply-adds, 9 loads for 14 of them rather
    // than 15. So do a strided window's when it is long (a 7x7 stride-2
    // first layer: 8 pixels of 32 channels measured 20% faster than 16 of
    // 16; kLongStridedWindow); a stride-1 window's rows keep one vector
    // (measured slower so).
    bool shortStridedWindow =
        stridedVector && multiplyAdds < kLongStridedWindow;
    if (!peeled && (pointwise || (stridedVector && !shortStridedWindow)) &&
        blocked.sizes[contiguousDim] * 2 > rows &&
        blocked.sizes[contiguousDim] % 2 == 0 &&
        blockedRange % (2 * vectorWidth) == 0)
      blocked.sizes[contiguousDim] /= 2;
    // Few rows (a 7-wide image) take two vectors per row, so that enough
    // independent accumulators hide the multiply-add latency: up to a
    // quarter more than `rows`, which leaves the two weight vectors and a
    // broadcast pixel their registers (AVX2's 5 pixels of a 55-wide image
    // take 10 accumulators in its 16 registers: 34% faster than 5).
    bool twoVectors = !peeled &&
                      blocked.sizes[contiguousDim] * 2 <= rows + rows / 4 &&
                      blockedRange % (2 * vectorWidth) == 0;
    blocked.sizes.back() = twoVectors ? 2 * vectorWidth : vectorWidth;
    // A dynamic image width, or one without a divisor near `rows`, gives
    // the rows in full tiles and a remainder, each tile several vectors of
    // output channels wide (one for a short strided window, as above).
    if (peeled) {
      int64_t vectors = largestDivisorAtMost(
          blockedRange / vectorWidth, shortStridedWindow ? 1 : kPeeledVectors);
      blocked.sizes[*rowDim] = vectors;
      blocked.peeledDim = contiguousDim;
      blocked.peeledRows = std::max<int64_t>(1, rows / vectors);
    }
    if (blocked.sizes[contiguousDim] > 1 || peeled)
      return blocked;
  }
  if (dynamicVector)
    return chooseDotProductPlan(op, vectorWidth);
  if (FailureOr<TilePlan> product =
          chooseMatrixVectorPlan(op, contiguousDim, vectorWidth, allowPadding);
      succeeded(product))
    return product;
  // Nothing to gain from a scalar kernel.
  if (plan.sizes[contiguousDim] == 1)
    return failure();
  // A dynamic row loop (a batch, a sequence), or one without a divisor
  // near `rows`: full tiles of rows and a remainder, each tile several
  // vectors wide.
  if (rowDim && rows > 1 &&
      (ShapedType::isDynamic(ranges[*rowDim]) ||
       hasPoorDivisors(ranges[*rowDim], rows))) {
    plan.sizes[*rowDim] = 1;
    int64_t vectors =
        plan.sizes[contiguousDim] == vectorWidth
            ? largestDivisorAtMost(ranges[contiguousDim] / vectorWidth,
                                   kPeeledProductVectors)
            : 1;
    plan.peeledDim = *rowDim;
    plan.peeledRows = std::max<int64_t>(1, rows / vectors);
    // Constant weights read along the vector loop (a projection's [K, N])
    // are packed into panels of one vector's width: a tile's weights,
    // otherwise a column strip read one row of N apart (a page apart for
    // N = 1024), become one contiguous stream, which the prefetchers
    // follow and the cache keeps across the tiles of rows.
    if (plan.sizes[contiguousDim] == vectorWidth &&
        canPackPanels(op, contiguousDim)) {
      TilePlan panels = plan;
      panels.sizes.push_back(vectorWidth);
      panels.sizes[contiguousDim] = vectors;
      panels.vectorDim = ranges.size();
      panels.blockedDim = contiguousDim;
      panels.panels = true;
      panels.hoistWeightConversion = scalesWeightsInKernel(op);
      return panels;
    }
    plan.sizes[contiguousDim] *= vectors;
    plan.hoistWeightConversion = scalesWeightsInKernel(op);
  }
  // A static tile of one vector and `rows` rows loads its input vector and
  // `rows` broadcast scalars for `rows` multiply-adds: more loads than a
  // core issues beside two multiply-adds a cycle. Two vectors of half as
  // many rows keep the accumulators but load 2 + rows / 2 operands (a
  // pointwise convolution over 3136 pixels measured 16% faster so). An odd
  // number of vectors (784 pixels: 49) is peeled: output tiles of a few
  // vectors, each in full tiles of two and one of one.
  if (!plan.peeledDim && rowDim && !ShapedType::isDynamic(ranges[*rowDim]) &&
      plan.sizes[*rowDim] > 1 && plan.sizes[contiguousDim] == vectorWidth &&
      ranges[contiguousDim] >= 2 * vectorWidth) {
    int64_t vectors = ranges[contiguousDim] / vectorWidth;
    plan.sizes[*rowDim] = largestDivisorAtMost(ranges[*rowDim], rows / 2);
    if (vectors % 2 == 0) {
      plan.sizes[contiguousDim] = 2 * vectorWidth;
      return plan;
    }
    plan.sizes[contiguousDim] = 1;
    plan.peeledDim = contiguousDim;
    plan.peeledRows = 2 * vectorWidth;
    // Output tiles of a whole number of vectors (7 of 49) peel into static
    // tiles; without such a divisor the loop stays whole in each tile.
    int64_t tileVectors = largestDivisorAtMost(vectors, 2 * kPeeledVectorTile);
    plan.peeledTile = tileVectors > 1 ? tileVectors * vectorWidth : 0;
    return plan;
  }
  // A vector loop whose largest divisor up to the vector width leaves lanes
  // empty or is no power of two (1000 output columns: 10 lanes, a 169-pixel
  // image: 13) is peeled like rows: full vectors, then halving vectors for
  // the remainder. Its output tiles each hold a few vectors, so a single
  // row (a matrix-vector product over weights computed at run time) still
  // splits over the threads. A kernel
  // without accumulator rows (a depthwise convolution, a pooling window,
  // its rows sliding) is peeled from anything above one vector: a 27-wide
  // pooled row takes 16, 8, 2 and 1 lanes rather than three vectors of 9.
  if (!plan.peeledDim && !ShapedType::isDynamic(ranges[contiguousDim]) &&
      ranges[contiguousDim] > (rowDim ? 2 : 1) * vectorWidth &&
      !llvm::isPowerOf2_64(plan.sizes[contiguousDim])) {
    plan.sizes[contiguousDim] = 1;
    plan.peeledDim = contiguousDim;
    plan.peeledRows = vectorWidth;
    plan.peeledTile = kPeeledVectorTile * vectorWidth;
  }
  if (!rowDim)
    if (std::optional<unsigned> slidingDim =
            chooseSlidingRowDim(op, contiguousDim)) {
      plan.sizes[*slidingDim] =
          largestDivisorAtMost(ranges[*slidingDim], slidingRows);
      plan.slidingRows = true;
    }
  return plan;
}

/// The byte size of `value`'s static shape, nullopt when dynamic.
static std::optional<int64_t> getStaticBytes(Value value) {
  auto type = dyn_cast<ShapedType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

bool mlir::edge::isMultiTripTileLoop(ArrayRef<int64_t> ranges,
                                     ArrayRef<int64_t> sizes, unsigned d) {
  return sizes[d] > 0 &&
         (ShapedType::isDynamic(ranges[d]) || ranges[d] > sizes[d]);
}

TileLoopOrder mlir::edge::getTileLoopOrder(linalg::GenericOp op,
                                           ArrayRef<int64_t> sizes,
                                           int64_t cacheBytes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // The loops `isInner` selects moved innermost; nothing when no loop of
  // the scf.forall changes place.
  auto partition = [&](llvm::function_ref<bool(unsigned)> isInner,
                       std::string reason) {
    SmallVector<int64_t> order, inner;
    for (unsigned d = 0; d < ranges.size(); ++d)
      (isInner(d) ? inner : order).push_back(d);
    order.append(inner);
    SmallVector<int64_t> tiled = llvm::filter_to_vector(order, [&](int64_t d) {
      return isMultiTripTileLoop(ranges, sizes, d);
    });
    if (llvm::is_sorted(tiled))
      return TileLoopOrder();
    return TileLoopOrder{std::move(order), std::move(reason)};
  };
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return partition(
        [&](unsigned d) { return ShapedType::isDynamic(ranges[d]); },
        "dynamic loops innermost");
  if (op.getNumDpsInputs() != 2)
    return {};
  OpOperand *first = op.getDpsInputOperand(0);
  OpOperand *second = op.getDpsInputOperand(1);
  std::optional<int64_t> firstBytes = getStaticBytes(first->get());
  std::optional<int64_t> secondBytes = getStaticBytes(second->get());
  if (!firstBytes || !secondBytes || *firstBytes == *secondBytes ||
      std::max(*firstBytes, *secondBytes) <= cacheBytes)
    return {};
  bool firstSmaller = *firstBytes < *secondBytes;
  AffineMap smaller = op.getMatchingIndexingMap(firstSmaller ? first : second);
  AffineMap larger = op.getMatchingIndexingMap(firstSmaller ? second : first);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return partition(
      [&](unsigned d) {
        return linalg::isParallelIterator(iterators[d]) &&
               isMultiTripTileLoop(ranges, sizes, d) &&
               smaller.isFunctionOfDim(d) && !larger.isFunctionOfDim(d);
      },
      llvm::formatv("input {0} of {1} bytes streams once: over cache-bytes "
                    "{2}",
                    firstSmaller ? 1 : 0, std::max(*firstBytes, *secondBytes),
                    cacheBytes)
          .str());
}
