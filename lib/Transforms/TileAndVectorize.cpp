//===- TileAndVectorize.cpp - Register-tile multiply-accumulate kernels ---===//
//
// The lowering turns matmul, gemm, einsum and convolution into linalg.generic
// ops whose body is `out + a * b`. Run as scalar loops they reach a few
// GFLOP/s; tiled so that each step multiplies one vector of the operand
// read along the output's contiguous dimension by up to `rows` broadcast
// scalars of the other operand, into `rows` vector accumulators, they run
// at the rate of the machine's FMA units. See the pass description in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "FlattenImageLoops.h"
#include "HoistWeightConversion.h"
#include "KernelMatchers.h"
#include "PadKernelLoop.h"
#include "TilePlan.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/Debug.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "edge-tile-and-vectorize"

namespace mlir::edge {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// Rewrites allowed when moving kernel views (propagateKernelViews).
static constexpr int64_t kMaxViewRewrites = 10000;

/// The fewest full tiles of rows over which a kernel converts its weights
/// once before them rather than in each tile. A 4-bit Llama's prefill of
/// 4, 8 and 12 tokens (one full tile of 4 rows, two, three) took 48%,
/// 11% and 3% longer with the conversion hoisted, 128 tokens 10% less.
static constexpr int64_t kMinTilesToHoistConversion = 4;

/// The most converted weights of one output tile, in `cache-bytes`, that a
/// kernel converts before its tiles: each full tile of rows reads them
/// all, which must come from the core's own cache. 128-row products over
/// int4 weights with K of 2048, 4096 and 8192 (512 KiB, 1 MiB and 2 MiB
/// converted per tile of 64 columns) took 20% less, as long and 17% longer
/// with the conversion hoisted (one thread; AMD EPYC znver5, whose L2 is
/// 1 MiB; LLVM gives every x86 CPU 256 KiB).
static constexpr int64_t kHoistedConversionCaches = 2;

static constexpr remark::RemarkOpts kPlanRemark =
    remark::RemarkOpts::name("TilePlan").category("edge-tile-and-vectorize");

/// Marks the max or min of the window reduction `op` as free to return
/// either zero when -0 meets +0 (`nsz`), as a max pool of ONNX Runtime
/// does: x86 then keeps one compare and blend for NaNs, not the extra
/// sign tests that order the zeros (a 3x3 pool took 1.6x the time).
static void ignoreSignOfZero(linalg::GenericOp op, RewriterBase &rewriter) {
  Operation *combine = getYieldedOp(op);
  auto fastMath = dyn_cast<arith::ArithFastMathInterface>(combine);
  if (!fastMath || isa<arith::AddFOp>(combine))
    return;
  rewriter.modifyOpInPlace(combine, [&] {
    combine->setAttr(
        fastMath.getFastMathAttrName(),
        arith::FastMathFlagsAttr::get(
            op.getContext(), fastMath.getFastMathFlagsAttr().getValue() |
                                 arith::FastMathFlags::nsz));
  });
}

/// Builds a constant of `shape` (row-major) whose element at each index is
/// the element of `source` at `sourceOffset(index)`.
template <typename T>
static SmallVector<T>
relayout(ArrayRef<T> source, ArrayRef<int64_t> shape,
         llvm::function_ref<int64_t(ArrayRef<int64_t>)> sourceOffset) {
  SmallVector<int64_t> strides = computeStrides(shape);
  SmallVector<T> result(source.size());
  for (auto [position, value] : llvm::enumerate(result))
    value = source[sourceOffset(delinearize(position, strides))];
  return result;
}

/// The dimensions of a constant of rank `rank` packed with `dim` blocked,
/// before the block: in place, or for panels `dim`'s blocks first.
static SmallVector<unsigned> getPackedOrder(unsigned rank, unsigned dim,
                                            bool panels) {
  SmallVector<unsigned> order;
  if (panels)
    order.push_back(dim);
  for (unsigned i = 0; i < rank; ++i)
    if (!panels || i != dim)
      order.push_back(i);
  return order;
}

/// Copies `source` (of `shape`) into `packedShape`: the dimensions of
/// `order` (getPackedOrder), `dim` divided into blocks, then the block
/// (`block` consecutive elements of `dim`) innermost: the layout in which a
/// kernel reads a block per step, and each tile's data in one stream.
template <typename T>
static SmallVector<T> packBlocked(ArrayRef<T> source, ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> packedShape,
                                  ArrayRef<unsigned> order, unsigned dim,
                                  int64_t block) {
  SmallVector<int64_t> strides = computeStrides(shape);
  return relayout<T>(source, packedShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (auto [position, i] : llvm::enumerate(order))
      offset += (i == dim ? index[position] * block + index.back()
                          : index[position]) *
                strides[i];
    return offset;
  });
}

/// Replaces `op` by the same computation over `inputs` read through
/// `maps` (inputs, then the output's); returns the new op.
static linalg::GenericOp replaceInputs(linalg::GenericOp op, ValueRange inputs,
                                       ArrayRef<AffineMap> maps,
                                       RewriterBase &rewriter) {
  rewriter.setInsertionPoint(op);
  auto replacement = linalg::GenericOp::create(
      rewriter, op.getLoc(), op.getResultTypes(), inputs, op.getDpsInits(),
      maps, op.getIteratorTypesArray());
  rewriter.inlineRegionBefore(op.getRegion(), replacement.getRegion(),
                              replacement.getRegion().begin());
  rewriter.replaceOp(op, replacement.getResults());
  return replacement;
}

/// Copies `source` (of `shape`, row-major) into the row-major layout whose
/// dimension i is dimension `order[i]` of `source`.
static SmallVector<float> transposeData(ArrayRef<float> source,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<unsigned> order) {
  SmallVector<int64_t> transposedShape;
  for (unsigned dim : order)
    transposedShape.push_back(shape[dim]);
  SmallVector<int64_t> strides = computeStrides(shape);
  return relayout<float>(source, transposedShape, [&](ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (unsigned i = 0; i < order.size(); ++i)
      offset += index[i] * strides[order[i]];
    return offset;
  });
}

/// Stores each constant input of `op` that the vector loop `vectorDim`
/// reads along another dimension than its last (a fully connected layer's
/// [N, K] weight read along N) transposed at compile time, that dimension
/// last: each step then loads one contiguous vector instead of gathering
/// its lanes from as many rows. Returns the op that replaced `op`, or
/// `op`.
static linalg::GenericOp makeVectorReadsContiguous(linalg::GenericOp op,
                                                   unsigned vectorDim,
                                                   RewriterBase &rewriter) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<Value> inputs = op.getDpsInputs();
  bool changed = false;
  for (auto [index, input] : llvm::enumerate(inputs)) {
    AffineMap map = maps[index];
    std::optional<unsigned> position =
        map.getResultPosition(getAffineDimExpr(vectorDim, op.getContext()));
    if (!position || *position + 1 == map.getNumResults() ||
        !map.isProjectedPermutation() || !isPackableConstant(input))
      continue;
    std::optional<SmallVector<float>> data =
        readF32Constant(getReshapedConstant(input));
    if (!data)
      continue;
    SmallVector<unsigned> order;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      if (r != *position)
        order.push_back(r);
    order.push_back(*position);
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> results;
    for (unsigned r : order) {
      shape.push_back(type.getDimSize(r));
      results.push_back(map.getResult(r));
    }
    rewriter.setInsertionPoint(op);
    input = arith::ConstantOp::create(
        rewriter, op.getLoc(),
        makeF32ElementsAttr(RankedTensorType::get(shape, type.getElementType()),
                            transposeData(*data, type.getShape(), order),
                            "edge_transposed_weight"));
    maps[index] = AffineMap::get(map.getNumDims(), 0, results, op.getContext());
    changed = true;
  }
  return changed ? replaceInputs(op, inputs, maps, rewriter) : op;
}

/// Rewrites `op` with loop `dim` split into `dim` / `block` (in its place)
/// and `block` (a new last loop): the output is viewed with that dimension
/// split (a reshape, no copy), and each constant input reading `dim` is
/// packed at compile time with the block innermost (packBlocked). A
/// convolution's output channels blocked by 16 become a loop whose
/// vectors fill every lane and whose weights stream contiguously, however
/// narrow the image. Returns the new op (null when a constant cannot be
/// read); `op` is replaced.
static linalg::GenericOp blockLoop(linalg::GenericOp op, unsigned dim,
                                   int64_t block, bool panels,
                                   RewriterBase &rewriter) {
  MLIRContext *ctx = op.getContext();
  unsigned numLoops = op.getNumLoops();
  AffineExpr outer = getAffineDimExpr(dim, ctx);
  AffineExpr inner = getAffineDimExpr(numLoops, ctx);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    SmallVector<AffineExpr> results(map.getResults());
    Value value = input->get();
    if (map.isFunctionOfDim(dim)) {
      auto type = cast<RankedTensorType>(value.getType());
      unsigned position = *map.getResultPosition(outer);
      SmallVector<unsigned> order =
          getPackedOrder(type.getRank(), position, panels);
      SmallVector<int64_t> packedShape;
      SmallVector<AffineExpr> packedResults;
      for (unsigned i : order) {
        packedShape.push_back(type.getDimSize(i) / (i == position ? block : 1));
        packedResults.push_back(results[i]);
      }
      packedShape.push_back(block);
      results = std::move(packedResults);
      auto packedType =
          RankedTensorType::get(packedShape, type.getElementType());
      arith::ConstantOp source = getReshapedConstant(value);
      if (!source)
        return nullptr;
      Value constant = source.getResult();
      ElementsAttr packed;
      if (std::optional<SmallVector<float>> data = readF32Constant(constant))
        packed = makeF32ElementsAttr(
            packedType,
            packBlocked<float>(*data, type.getShape(), packedShape, order,
                               position, block),
            "edge_packed_weight");
      else if (std::optional<SmallVector<int8_t>> data =
                   readI8Constant(constant))
        packed =
            makeI8ElementsAttr(packedType,
                               packBlocked<int8_t>(*data, type.getShape(),
                                                   packedShape, order,
                                                   position, block),
                               "edge_packed_weight");
      else
        return nullptr;
      value = arith::ConstantOp::create(rewriter, loc, packed);
      results.push_back(inner);
    }
    inputs.push_back(value);
    maps.push_back(AffineMap::get(numLoops + 1, 0, results, ctx));
  }

  // The output, viewed with the blocked dimension split in two.
  Value init = op.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  unsigned position = *outMap.getResultPosition(outer);
  SmallVector<AffineExpr> outResults;
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<int64_t> blockedShape;
  for (unsigned r = 0; r < outMap.getNumResults(); ++r) {
    ReassociationIndices group{static_cast<int64_t>(blockedShape.size())};
    outResults.push_back(outMap.getResult(r));
    if (r == position) {
      blockedShape.push_back(initType.getDimSize(r) / block);
      group.push_back(blockedShape.size());
      outResults.push_back(inner);
      blockedShape.push_back(block);
    } else {
      blockedShape.push_back(initType.getDimSize(r));
    }
    reassociation.push_back(group);
  }
  auto blockedType =
      RankedTensorType::get(blockedShape, initType.getElementType());
  Value blockedInit = tensor::ExpandShapeOp::create(rewriter, loc, blockedType,
                                                    init, reassociation);
  maps.push_back(AffineMap::get(numLoops + 1, 0, outResults, ctx));

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.push_back(utils::IteratorType::parallel);
  auto blocked =
      linalg::GenericOp::create(rewriter, loc, TypeRange{blockedType}, inputs,
                                ValueRange{blockedInit}, maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), blocked.getRegion(),
                              blocked.getRegion().begin());
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, initType, blocked.getResult(0), reassociation);
  rewriter.replaceOp(op, result);
  return blocked;
}

/// The defining op of `value` looking through a single-use reshape (the
/// vectorizer drops the unit reduction dimension so), when of type `OpTy`
/// and used once.
template <typename OpTy> static OpTy getSingleUseSource(Value value) {
  if (auto cast = value.getDefiningOp<vector::ShapeCastOp>()) {
    if (!cast->hasOneUse())
      return nullptr;
    value = cast.getSource();
  }
  auto op = value.getDefiningOp<OpTy>();
  return op && op->hasOneUse() ? op : nullptr;
}

/// The factors of `mul`, reshaped to `type`.
static std::pair<Value, Value> getFactors(arith::MulFOp mul, Type type,
                                          RewriterBase &rewriter) {
  auto fit = [&](Value value) -> Value {
    if (value.getType() == type)
      return value;
    return vector::ShapeCastOp::create(rewriter, mul.getLoc(), type, value);
  };
  return {fit(mul.getLhs()), fit(mul.getRhs())};
}

/// Rewrites the vectorized `acc + (a * b + c * d)` (the two rows of an int4
/// pair, see edge.quantized_matmul's lowering) into two `vector.fma`s
/// accumulated in turn; returns the adds it erased.
static llvm::SmallPtrSet<Operation *, 8>
fusePairsOfProducts(ArrayRef<arith::AddFOp> adds, RewriterBase &rewriter) {
  llvm::SmallPtrSet<Operation *, 8> erased;
  for (arith::AddFOp add : adds) {
    if (erased.contains(add))
      continue;
    Type type = add.getType();
    for (unsigned side = 0; side < 2; ++side) {
      Value product = add->getOperand(side);
      auto pair = getSingleUseSource<arith::AddFOp>(product);
      auto first =
          pair ? getSingleUseSource<arith::MulFOp>(pair.getLhs()) : nullptr;
      auto second =
          pair ? getSingleUseSource<arith::MulFOp>(pair.getRhs()) : nullptr;
      if (!first || !second)
        continue;
      rewriter.setInsertionPoint(add);
      auto [a, b] = getFactors(first, type, rewriter);
      auto [c, d] = getFactors(second, type, rewriter);
      Value partial = vector::FMAOp::create(rewriter, add.getLoc(), a, b,
                                            add->getOperand(1 - side));
      rewriter.replaceOpWithNewOp<vector::FMAOp>(add, c, d, partial);
      erased.insert(add);
      Operation *pairCast = product.getDefiningOp<vector::ShapeCastOp>();
      for (Operation *dead : {pairCast, pair.getOperation(),
                              first.getOperation(), second.getOperation()}) {
        if (!dead || !dead->use_empty())
          continue;
        erased.insert(dead);
        rewriter.eraseOp(dead);
      }
      break;
    }
  }
  return erased;
}

/// Rewrites the vectorized `acc + a * b` into `vector.fma`: one
/// instruction and one rounding per step, as BLAS libraries and ONNX
/// Runtime compute it; pairs of products first (fusePairsOfProducts).
static void fuseMultiplyAdds(Operation *root, RewriterBase &rewriter) {
  SmallVector<arith::AddFOp> adds;
  root->walk([&](arith::AddFOp add) {
    if (isa<VectorType>(add.getType()))
      adds.push_back(add);
  });
  llvm::SmallPtrSet<Operation *, 8> erased =
      fusePairsOfProducts(adds, rewriter);
  for (arith::AddFOp add : adds) {
    if (erased.contains(add))
      continue;
    for (unsigned side = 0; side < 2; ++side) {
      auto mul = getSingleUseSource<arith::MulFOp>(add->getOperand(side));
      if (!mul)
        continue;
      rewriter.setInsertionPoint(add);
      auto [lhs, rhs] = getFactors(mul, add.getType(), rewriter);
      rewriter.replaceOpWithNewOp<vector::FMAOp>(add, lhs, rhs,
                                                 add->getOperand(1 - side));
      break;
    }
  }
}

/// The one loop along which a tile of `tileSizes` reads `map` with a
/// stride in its contiguous dimension, when nothing else read varies
/// within the tile: what deinterleaveStridedInputs reads without a
/// gathered copy. Along the vector loop (a strided first layer's pixels as
/// vectors) the stride must be 2, which a deinterleave takes; along a
/// blocked tile's rows (its pixels broadcast one by one) any stride.
static std::optional<unsigned> getStridedTileLoop(AffineMap map,
                                                  ArrayRef<int64_t> tileSizes,
                                                  unsigned vectorDim) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  unsigned last = map.getNumResults() - 1;
  std::optional<unsigned> strided;
  for (auto [position, result] : llvm::enumerate(map.getResults()))
    for (unsigned d = 0; d < map.getNumDims(); ++d) {
      if (!result.isFunctionOfDim(d) || tileSizes[d] == 1)
        continue;
      int64_t stride = getCoefficient(result, d);
      if (position != last || stride < 2 || (d == vectorDim && stride != 2) ||
          strided)
        return std::nullopt;
      strided = d;
    }
  return strided;
}

/// Whether `map` reads along a loop with a stride or dilation (`oh * 2 +
/// kh`): after tiling, such an access is no permutation the vectorizer
/// takes, and the tile would stay scalar.
static bool hasScaledAccess(AffineMap map) {
  bool scaled = false;
  for (AffineExpr expr : map.getResults())
    expr.walk([&](AffineExpr sub) {
      if (sub.getKind() == AffineExprKind::Mul)
        scaled = true;
    });
  return scaled;
}

/// Copies each input of `op` that is read with a stride or dilation into a
/// tensor indexed by the loops it uses, `vectorDim` (or, for an input the
/// tile broadcasts, the output loop along the input's contiguous
/// dimension) last (an im2col-like
/// gather: one copy per input element an output channel reads, a small
/// fraction of the multiply-adds), so that `op` reads it at a plain
/// projection of its loops.
static linalg::GenericOp materializeScaledInputs(linalg::GenericOp op,
                                                 ArrayRef<int64_t> tileSizes,
                                                 unsigned vectorDim,
                                                 RewriterBase &rewriter) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<Value> inputs = op.getDpsInputs();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  bool changed = false;
  for (auto [index, input] : llvm::enumerate(inputs)) {
    AffineMap map = maps[index];
    // A gather sized by dynamic loops would need its sizes at run time;
    // such tiles read the input in place.
    std::optional<unsigned> strided =
        getStridedTileLoop(map, tileSizes, vectorDim);
    if (!hasScaledAccess(map) || strided == vectorDim ||
        llvm::any_of(llvm::seq<unsigned>(0, map.getNumDims()), [&](unsigned d) {
          return map.isFunctionOfDim(d) && ShapedType::isDynamic(ranges[d]);
        }))
      continue;
    // The vector dimension goes last, so the tile reads it contiguously.
    // A tile that broadcasts the input (vectors of output channels) reads
    // it along its rows instead: the output loop that walks the input's
    // contiguous dimension (an image column) goes last, so that the gather
    // reads and writes runs of it (a strided first layer's columns, a
    // downsampling convolution's) rather than one element per channel
    // plane.
    unsigned last = vectorDim;
    if (!map.isFunctionOfDim(vectorDim)) {
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      for (unsigned d = 0; d < map.getNumDims(); ++d)
        if (linalg::isParallelIterator(iterators[d]) &&
            getCoefficient(map.getResults().back(), d) != 0)
          last = d;
    }
    SmallVector<unsigned> dims;
    for (unsigned d = 0; d < map.getNumDims(); ++d)
      if (map.isFunctionOfDim(d) && d != last)
        dims.push_back(d);
    if (map.isFunctionOfDim(last))
      dims.push_back(last);
    SmallVector<int64_t> shape;
    for (unsigned d : dims)
      shape.push_back(ranges[d]);
    // A tile that broadcasts its pixels from a strided row reads them in
    // place too, unless the gather is smaller than the input: a 1x1
    // stride-2 convolution's gather holds the quarter of the image it
    // reads, packed. Overlapping windows (7x7 at stride 2, 11x11 at 4)
    // would copy each element many times, through memory, for reads that
    // broadcast from any address at the same cost.
    auto inputType = cast<RankedTensorType>(input.getType());
    if (strided && inputType.hasStaticShape() &&
        ShapedType::getNumElements(shape) >= inputType.getNumElements())
      continue;
    // The gather iterates over `dims`; the original map, renumbered.
    SmallVector<AffineExpr> renumber(map.getNumDims(),
                                     rewriter.getAffineConstantExpr(0));
    for (auto [position, d] : llvm::enumerate(dims))
      renumber[d] = rewriter.getAffineDimExpr(position);
    AffineMap gatherRead =
        map.replaceDimsAndSymbols(renumber, {}, dims.size(), 0);
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value empty = tensor::EmptyOp::create(rewriter, loc, shape,
                                          inputType.getElementType());
    auto gather = linalg::GenericOp::create(
        rewriter, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{gatherRead,
                            rewriter.getMultiDimIdentityMap(dims.size())},
        SmallVector<utils::IteratorType>(dims.size(),
                                         utils::IteratorType::parallel),
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    inputs[index] = gather.getResult(0);
    SmallVector<AffineExpr> projection;
    for (unsigned d : dims)
      projection.push_back(rewriter.getAffineDimExpr(d));
    maps[index] =
        AffineMap::get(map.getNumDims(), 0, projection, rewriter.getContext());
    changed = true;
  }
  return changed ? replaceInputs(op, inputs, maps, rewriter) : op;
}

/// Tiles `op` by `sizes` (0: not tiled) into loops of `loopType`, in the
/// order `interchange` (empty: the op's).
static FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, linalg::GenericOp op, ArrayRef<int64_t> sizes,
     scf::SCFTilingOptions::LoopType loopType,
     ArrayRef<int64_t> interchange = {}) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op.getContext(), sizes));
  options.setLoopType(loopType);
  options.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  return scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()),
                           options);
}

/// Tiles `root` by `tiling` and fuses into each tile the producers of its
/// operands that are in `members` (a kernel, the op that initializes its
/// output, its epilogue); the uses of `root` take the tiled result.
static FailureOr<scf::SCFTileAndFuseResult>
tileAndFuseChain(RewriterBase &rewriter, linalg::GenericOp root,
                 const llvm::SmallPtrSetImpl<Operation *> &members,
                 const scf::SCFTilingOptions &tiling) {
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer, bool)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (members.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root.getOperation()), options);
  if (failed(fused))
    return failure();
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  return fused;
}

/// Whether `value` is a kernel's result (an op with reduction loops), or an
/// elementwise op's that reads such a result, that only feeds on to one
/// user: a step of the kernel's epilogue, which a reshape must not split
/// from it. A result with several users (a pooled image that a
/// convolution and a residual add both read) has no epilogue (getEpilogue)
/// and can take a view.
static bool isKernelOrEpilogueResult(Value value) {
  auto producer = value.getDefiningOp<linalg::GenericOp>();
  if (!producer || !value.hasOneUse())
    return false;
  return producer.getNumReductionLoops() != 0 ||
         llvm::any_of(producer.getDpsInputs(), isKernelOrEpilogueResult);
}

namespace {
/// An access whose results are distinct loops in increasing order, each
/// scaled by a constant: `(d0 * 2, d1 * 2)`, or `(d1 * 2)` in two loops.
struct StridedAccess {
  SmallVector<unsigned> loops;
  SmallVector<int64_t> strides;
};
} // namespace

static std::optional<StridedAccess> getStridedAccess(AffineMap map) {
  StridedAccess access;
  for (AffineExpr result : map.getResults()) {
    std::optional<unsigned> loop;
    for (unsigned d = 0; d < map.getNumDims(); ++d)
      if (result.isFunctionOfDim(d))
        loop = loop ? std::optional<unsigned>() : d;
    if (!loop || (!access.loops.empty() && *loop <= access.loops.back()))
      return std::nullopt;
    int64_t stride = getCoefficient(result, *loop);
    if (stride < 1 ||
        result != getAffineDimExpr(*loop, map.getContext()) * stride)
      return std::nullopt;
    access.loops.push_back(*loop);
    access.strides.push_back(stride);
  }
  return access;
}

/// Gives `kernel` (a tile with its unit loops dropped) each input it
/// reads with a stride (`(d0 * 2, d1 * 2)`: a stride-2 convolution) in at
/// most two dimensions as vectors. Each row of the input is one
/// contiguous read, of twice the lanes when its contiguous dimension has
/// stride 2, deinterleaved to its even elements; the rows are staged in a
/// tensor whose read by the vectorized kernel folds away. The vectorizer
/// takes no strided access; gathering the elements one by one would cost
/// more than the multiply-adds, unless the kernel broadcasts them anyway.
static void deinterleaveStridedInputs(linalg::GenericOp kernel,
                                      RewriterBase &rewriter) {
  SmallVector<int64_t> ranges = kernel.getStaticLoopRanges();
  MLIRContext *ctx = kernel.getContext();
  SmallVector<AffineMap> maps = kernel.getIndexingMapsArray();
  bool changed = false;
  for (OpOperand *input : kernel.getDpsInputOperands()) {
    AffineMap &map = maps[input->getOperandNumber()];
    std::optional<StridedAccess> access = getStridedAccess(map);
    if (!access || access->loops.empty() || access->loops.size() > 2 ||
        llvm::all_of(access->strides,
                     [](int64_t stride) { return stride == 1; }))
      continue;
    unsigned rank = access->loops.size();
    // A row the kernel broadcasts element by element along its vector
    // loop (a blocked tile's pixels), at any stride; one it reads as
    // vectors, at stride 2 at most.
    bool broadcastRow =
        rank == 1 && access->loops.back() + 1 != kernel.getNumLoops();
    if (!broadcastRow && access->strides.back() > 2)
      continue;
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> unitStrided;
    for (unsigned loop : access->loops) {
      shape.push_back(ranges[loop]);
      unitStrided.push_back(getAffineDimExpr(loop, ctx));
    }
    int64_t lanes = shape.back(), rows = rank == 2 ? shape.front() : 1;
    int64_t laneStride = access->strides.back();
    auto type = cast<RankedTensorType>(input->get().getType());
    Type element = type.getElementType();
    Location loc = kernel.getLoc();
    rewriter.setInsertionPoint(kernel);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value padding =
        arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(element));
    auto rowType = VectorType::get({laneStride * lanes}, element);
    // A row that ends at the input's last element is read masked; the
    // alternative, one element fewer and a shuffle of the even lanes,
    // measured slower (an odd-length vector is split and the shuffle
    // scalarized).
    bool inBounds = type.getShape().back() >= laneStride * lanes;
    auto stagedType = VectorType::get(shape, element);
    Value staged;
    // A broadcast row is read as its scalars: each folds into the
    // broadcast's load, where a deinterleaved vector would be taken apart
    // by a shuffle per element.
    if (broadcastRow) {
      SmallVector<Value> elements;
      for (int64_t lane = 0; lane < lanes; ++lane)
        elements.push_back(
            tensor::ExtractOp::create(rewriter, loc, input->get(),
                                      ValueRange{arith::ConstantIndexOp::create(
                                          rewriter, loc, lane * laneStride)}));
      staged =
          vector::FromElementsOp::create(rewriter, loc, stagedType, elements);
    } else {
      // The first row broadcast, the others inserted: a chain of inserts
      // that covers the whole vector would canonicalize into scalars.
      for (int64_t row = 0; row < rows; ++row) {
        SmallVector<Value> indices(rank, zero);
        if (rank == 2)
          indices.front() = arith::ConstantIndexOp::create(
              rewriter, loc, row * access->strides.front());
        Value vector = vector::TransferReadOp::create(
            rewriter, loc, rowType, input->get(), indices, padding,
            ArrayRef<bool>{inBounds});
        if (laneStride == 2)
          vector =
              vector::DeinterleaveOp::create(rewriter, loc, vector).getRes1();
        staged =
            row == 0
                ? vector::BroadcastOp::create(rewriter, loc, stagedType, vector)
                      .getResult()
                : vector::InsertOp::create(rewriter, loc, vector, staged, row)
                      .getResult();
      }
    }
    Value empty = tensor::EmptyOp::create(rewriter, loc, shape, element);
    Value stagedTensor =
        vector::TransferWriteOp::create(
            rewriter, loc, staged, empty, SmallVector<Value>(rank, zero),
            AffineMapAttr::get(AffineMap::getMultiDimIdentityMap(rank, ctx)),
            Value(), rewriter.getBoolArrayAttr(SmallVector<bool>(rank, true)))
            .getResult();
    rewriter.modifyOpInPlace(kernel, [&] { input->set(stagedTensor); });
    map = AffineMap::get(map.getNumDims(), 0, unitStrided, ctx);
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(kernel, [&] {
      kernel.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
}

/// Vectorizes one tile. A convolution tile still indexes its input by
/// `oh + kh`; with the unit loops dropped its maps are plain permutations,
/// which the vectorizer takes.
static void vectorizeTile(linalg::GenericOp tile, RewriterBase &rewriter) {
  Operation *kernel = tile;
  rewriter.setInsertionPoint(tile);
  linalg::ControlDropUnitDims control;
  control.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  FailureOr<linalg::DropUnitDimsResult> reduced =
      linalg::dropUnitDims(rewriter, tile, control);
  if (succeeded(reduced)) {
    rewriter.replaceOp(tile, reduced->replacements);
    kernel = reduced->resultOp;
  }
  if (auto generic = dyn_cast<linalg::GenericOp>(kernel))
    deinterleaveStridedInputs(generic, rewriter);
  rewriter.setInsertionPoint(kernel);
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, kernel);
  if (succeeded(vectorized))
    rewriter.replaceOp(kernel, vectorized->replacements);
}

namespace {
struct TileAndVectorizePass final
    : edge::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using Base::Base;

  /// The patterns that fold a peeled tile's sizes into its types, built
  /// once rather than per peeled loop.
  FrozenRewritePatternSet tilingCanonicalization;

  LogicalResult initialize(MLIRContext *context) override {
    tilingCanonicalization =
        linalg::getLinalgTilingCanonicalizationPatterns(context);
    return success();
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    unshareInitializers(rewriter);
    // The views of the grouped convolution form ([N, G, C/G, H, W]) move
    // past the elementwise ops after each kernel, which then read the
    // kernel's result directly: its epilogue.
    if (failed(propagateKernelViews()))
      return signalPassFailure();
    if (failed(flattenPointwiseKernels(rewriter)))
      return signalPassFailure();
    padBlockedLoops(rewriter);
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk(
        [&](linalg::GenericOp op) { candidates.push_back(op); });
    SmallVector<std::pair<linalg::GenericOp, TilePlan>> kernels;
    // A long contiguous reduction's step: as many vectors as a peeled tile.
    int64_t chunk = kPeeledVectorTile * vectorWidth;
    for (linalg::GenericOp op : candidates) {
      FailureOr<TilePlan> plan =
          chooseTilePlan(op, vectorWidth, rows, slidingRows,
                         /*allowPadding=*/false);
      if (failed(plan) &&
          isContiguousReduction(op, vectorWidth, kMaxDotProductLength, chunk)) {
        op = collapseReducedLoops(op, rewriter);
        if (!op)
          continue;
        TilePlan reduction =
            chooseReductionPlan(op, kMaxDotProductLength, chunk);
        remarkPlan(op, reduction);
        kernels.emplace_back(op, std::move(reduction));
        continue;
      }
      if (failed(plan)) {
        if (isMultiplyAccumulate(op))
          remark::missed(op.getLoc(), kPlanRemark)
              << "multiply-accumulate left to the loop lowering: not an f32 "
                 "kernel whose output's static last loop or row loop fills "
                 "vectors";
        continue;
      }
      remarkPlan(op, *plan);
      if (plan->blockedDim) {
        op = blockLoop(op, *plan->blockedDim, plan->sizes.back(),
                       plan->panels, rewriter);
        if (!op)
          continue;
      }
      // The gather pays off when several accumulator rows (output
      // channels) share each gathered element; a depthwise convolution
      // would copy as many elements as it multiplies.
      bool hasRows =
          !plan->slidingRows &&
          llvm::any_of(llvm::seq<unsigned>(0, plan->sizes.size()),
                       [&](unsigned d) {
                         return d != plan->vectorDim && plan->sizes[d] > 1;
                       });
      if (hasRows) {
        // A peeled loop's tiles read like its full tiles (a 111-wide
        // strided image in tiles of 8 pixels, then 4, 2 and 1).
        SmallVector<int64_t> tileSizes = plan->sizes;
        if (plan->peeledDim)
          tileSizes[*plan->peeledDim] = plan->peeledRows;
        op = materializeScaledInputs(op, tileSizes, plan->vectorDim, rewriter);
      } else if (getContiguousReadStride(op, plan->vectorDim) > 2) {
        // Such a tile would stay scalar (deinterleaveStridedInputs takes
        // stride 2), and a fused epilogue would keep its accumulators in
        // memory.
        remark::missed(op.getLoc(), kPlanRemark)
            << "kernel without rows reads its vector loop at a stride above "
               "2: left to the loop lowering";
        continue;
      }
      op = makeVectorReadsContiguous(op, plan->vectorDim, rewriter);
      if (isWindowReduction(op))
        ignoreSignOfZero(op, rewriter);
      kernels.emplace_back(op, std::move(*plan));
    }
    bool blocked = llvm::any_of(kernels, [](const auto &kernel) {
      return kernel.second.blockedDim.has_value();
    });
    if (blocked && failed(propagateKernelViews()))
      return signalPassFailure();
    // Each kernel's tile order, computed once: the pools' orders then
    // follow their producers' splits.
    SmallVector<TileLoopOrder> orders;
    for (auto &[op, plan] : kernels)
      orders.push_back(
          getTileLoopOrder(op, getOutputTileSizes(op, plan), cacheBytes));
    matchProducerSplits(kernels, orders);
    for (auto [kernel, order] : llvm::zip_equal(kernels, orders))
      tileKernel(kernel.first, kernel.second, order, rewriter);
    // The unit reduction dimension's multi_reduction folds into an add,
    // which then fuses with its multiply.
    RewritePatternSet patterns(&getContext());
    vector::MultiDimReductionOp::getCanonicalizationPatterns(patterns,
                                                             &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (fuseMultiplyAdd)
      fuseMultiplyAdds(getOperation(), rewriter);
  }

  /// Gives each kernel its own copy of an initializer (a fill, a bias
  /// broadcast) that several kernels share: CSE merges those of equal
  /// values (the zero biases of a freshly initialized model, the zero fills
  /// of same-shaped products). A shared one would be computed whole in
  /// memory and read back by every tile; a copy fuses into the tiles of
  /// its kernel, where it only sets the accumulators' start.
  void unshareInitializers(RewriterBase &rewriter) {
    SmallVector<linalg::GenericOp> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isAccumulation(op) && op.hasPureTensorSemantics())
        kernels.push_back(op);
    });
    for (linalg::GenericOp op : kernels) {
      OpOperand &init = op.getDpsInitsMutable()[0];
      Operation *initializer = init.get().getDefiningOp();
      auto generic = dyn_cast_or_null<linalg::GenericOp>(initializer);
      bool elementwise = isa_and_nonnull<linalg::FillOp>(initializer) ||
                         (generic && generic.getNumReductionLoops() == 0 &&
                          generic.hasPureTensorSemantics());
      if (!elementwise || initializer->hasOneUse())
        continue;
      rewriter.setInsertionPoint(op);
      Operation *copy = rewriter.clone(*initializer);
      rewriter.modifyOpInPlace(op, [&] { init.set(copy->getResult(0)); });
    }
  }

  /// Gives pointwise convolutions whose image rows do not fill vectors, but
  /// whose images do, one pixel loop (FlattenImageLoops.h), and folds the
  /// reshapes that leaves between each kernel, its initializer and its
  /// epilogue.
  LogicalResult flattenPointwiseKernels(RewriterBase &rewriter) {
    SmallVector<linalg::GenericOp> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isMultiplyAccumulate(op))
        kernels.push_back(op);
    });
    bool flattened = false;
    for (linalg::GenericOp op : kernels) {
      Location loc = op.getLoc();
      // Whether the tile as it stands would vectorize output channels: the
      // planner's own decision, not a guess at it.
      FailureOr<TilePlan> plan =
          chooseTilePlan(op, vectorWidth, rows, slidingRows,
                         /*allowPadding=*/false);
      bool blocked = succeeded(plan) && plan->blockedDim.has_value();
      if (!flattenImageLoops(op, vectorWidth, blocked, rewriter))
        continue;
      flattened = true;
      remark::analysis(loc, kPlanRemark)
          << StringRef(llvm::formatv("image rows do not fill vectors of {0} "
                                     "lanes: one pixel loop over the image",
                                     int64_t(vectorWidth))
                           .str());
    }
    if (!flattened)
      return success();
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }

  /// Pads the output channels of the kernels that would take blocked tiles
  /// but for their number (a classifier's 1000 classes) up to whole
  /// vectors (padKernelLoop): a few zero-weighted channels cost less than
  /// the tile that vectorizes a 13-pixel image row instead.
  void padBlockedLoops(RewriterBase &rewriter) {
    SmallVector<linalg::GenericOp> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isAccumulation(op))
        kernels.push_back(op);
    });
    for (linalg::GenericOp op : kernels) {
      FailureOr<TilePlan> plan =
          chooseTilePlan(op, vectorWidth, rows, slidingRows,
                         /*allowPadding=*/true);
      if (failed(plan) || !plan->paddedSize)
        continue;
      unsigned dim = *plan->blockedDim;
      int64_t range = op.getStaticLoopRanges()[dim];
      Location loc = op.getLoc();
      if (!padKernelLoop(op, dim, plan->paddedSize, rewriter)) {
        remark::missed(loc, kPlanRemark) << StringRef(
            llvm::formatv("output loop d{0} of {1} iterations not padded "
                          "to whole vectors: an input reading it is no "
                          "constant, or its initializer no fill or "
                          "broadcast",
                          dim, range)
                .str());
        continue;
      }
      remark::analysis(loc, kPlanRemark) << StringRef(
          llvm::formatv("output loop d{0} padded from {1} to {2} "
                        "iterations (zero weights): whole "
                        "vectors of {3} lanes",
                        dim, range, plan->paddedSize, int64_t(vectorWidth))
              .str());
    }
  }

  /// Says how `op` is tiled, for a user asking why a kernel is fast or
  /// slow on a target (the tile follows vector-width and rows).
  void remarkPlan(linalg::GenericOp op, const TilePlan &plan) {
    // Formatted only when remarks are on (the remark is empty otherwise).
    remark::detail::InFlightRemark remark =
        remark::analysis(op.getLoc(), kPlanRemark);
    if (!remark)
      return;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "register tile ";
    llvm::interleave(plan.sizes, os, "x");
    // A blocked plan's vector loop is the one blockLoop is about to add,
    // past the op's own loops.
    if (!plan.blockedDim && linalg::isReductionIterator(
                                op.getIteratorTypesArray()[plan.vectorDim])) {
      os << (isMultiplyAccumulate(op) ? ": one dot product" : ": one reduction")
         << " per output element, reduced along d" << plan.vectorDim << " ("
         << plan.sizes[plan.vectorDim] << " elements, vector-width "
         << vectorWidth << ")";
      remark << StringRef(text);
      return;
    }
    bool peeledLanes = plan.peeledDim == plan.vectorDim;
    os << ": " << (plan.blockedDim ? "blocked " : "") << "vector loop d"
       << plan.vectorDim << " ("
       << (peeledLanes ? plan.peeledRows : plan.sizes[plan.vectorDim])
       << " lanes, vector-width " << vectorWidth << "), "
       << (plan.slidingRows ? "sliding rows (at most " : "rows (at most ")
       << (plan.slidingRows ? slidingRows : rows) << "), "
       << (fuseMultiplyAdd ? "fused multiply-adds" : "multiply then add");
    if (plan.peeledDim)
      os << ", peeled " << (peeledLanes ? "lanes" : "rows") << " d"
         << *plan.peeledDim << " in full tiles of " << plan.peeledRows
         << " and a remainder";
    remark << StringRef(text);
  }

  /// Says in which order the output tiles of `op` (tiled by `sizes`) run,
  /// when it is not the op's own: which input the tiles re-read is what
  /// makes a kernel memory-bound or not.
  void remarkTileOrder(linalg::GenericOp op, ArrayRef<int64_t> sizes,
                       const TileLoopOrder &order) {
    if (order.loops.empty())
      return;
    remark::detail::InFlightRemark remark =
        remark::analysis(op.getLoc(), kPlanRemark);
    if (!remark)
      return;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "output tile loops in the order ";
    llvm::interleave(
        llvm::make_filter_range(
            order.loops,
            [&](int64_t d) { return isMultiTripTileLoop(ranges, sizes, d); }),
        os, [&](int64_t d) { os << "d" << d; }, ", ");
    os << " (" << order.reason << ")";
    remark << StringRef(text);
  }

  /// Moves the reshapes around a kernel's output (the grouped convolution
  /// form's, and those blockLoop adds) past the elementwise ops around it
  /// (by expanding those ops), so that the bias that initializes the output
  /// and the activations and residual adds that follow it see the kernel's
  /// layout and fuse into its tiles.
  LogicalResult propagateKernelViews() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateFoldReshapeOpsByExpansionPatterns(
        patterns, [](OpOperand *fused) {
          // The generic on either side of the reshape: only all-parallel
          // ops with plain projections are expanded.
          Operation *reshape = fused->get().getDefiningOp();
          auto generic = dyn_cast<linalg::GenericOp>(fused->getOwner());
          if (!generic && reshape)
            generic = dyn_cast<linalg::GenericOp>(reshape);
          if (!generic || !generic.hasPureTensorSemantics() ||
              generic.getNumReductionLoops() != 0)
            return false;
          // Expanding an op to match the reshape of its result, or of one
          // of its inputs, moves reshapes onto its other inputs: not
          // between a kernel and its epilogue, which could then not be
          // fused (a residual add of a flattened kernel's result).
          if (llvm::any_of(generic.getDpsInputs(), isKernelOrEpilogueResult))
            return false;
          // A view that splits the innermost dimension (a kernel over
          // weight panels) stays where it is when it has several users (a
          // product feeding a GELU's terms): those users cannot all join
          // the kernel's epilogue, and expanded, each would loop over
          // blocks of one vector instead of the whole contiguous row.
          if (auto collapse =
                  dyn_cast_if_present<tensor::CollapseShapeOp>(reshape))
            if (!collapse->hasOneUse() &&
                collapse.getReassociationIndices().back().size() > 1)
              return false;
          return llvm::all_of(
              generic.getIndexingMapsArray(),
              [](AffineMap map) { return map.isProjectedPermutation(); });
        });
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    // A moved view of a dynamic size reads it with tensor.dim of the
    // kernel's result, a second use that would keep the epilogue from
    // fusing: the size is read from the kernel's operands instead.
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    // Expansion and reshape folding can undo each other around some ops;
    // every step keeps the IR valid, so a bounded rewrite only leaves some
    // views unmoved.
    GreedyRewriteConfig config;
    config.setMaxNumRewrites(kMaxViewRewrites);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      LLVM_DEBUG(llvm::dbgs() << "blocked views: stopped after "
                              << kMaxViewRewrites << " rewrites\n");
    return success();
  }

  /// The sizes of `op`'s output tiles under `plan` (0: a reduction loop).
  /// A peeled loop stays whole in the output tiles, or in tiles of
  /// `peeledTile`; peelRows splits it.
  static SmallVector<int64_t> getOutputTileSizes(linalg::GenericOp op,
                                                 const TilePlan &plan) {
    SmallVector<int64_t> sizes = plan.sizes;
    for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
      if (linalg::isReductionIterator(iterator))
        sizes[d] = 0;
    if (plan.peeledDim)
      sizes[*plan.peeledDim] = plan.peeledTile;
    return sizes;
  }

  /// The loop whose tiles the threads split: the outermost output tile
  /// loop of more than one iteration, in `order`.
  static std::optional<unsigned> getSplitLoop(linalg::GenericOp op,
                                              ArrayRef<int64_t> sizes,
                                              const TileLoopOrder &order) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> loops(order.loops);
    if (loops.empty())
      loops = llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
    for (int64_t d : loops)
      if (isMultiTripTileLoop(ranges, sizes, d))
        return d;
    return std::nullopt;
  }

  /// Orders the tiles of each pooling window whose input a kernel writes
  /// (`orders`, one per kernel, left alone where the cache chose one) with
  /// its loop that reads the dimension that producer's threads split
  /// outermost, so that its threads split the image alike and each reads
  /// what its own core wrote: a max pool after a convolution split by image
  /// rows reads its rows, not its channels, half of which the other core
  /// wrote (ResNet-50's and SqueezeNet's first pools: 15-30% faster at two
  /// threads). The producer's dimension is followed through its epilogue,
  /// reshapes and the pad between them. (Depthwise convolutions measured
  /// mixed, some faster, some slower: the pointwise convolution after them
  /// reads their channels.)
  void
  matchProducerSplits(ArrayRef<std::pair<linalg::GenericOp, TilePlan>> kernels,
                      MutableArrayRef<TileLoopOrder> orders) {
    DenseMap<Operation *, unsigned> pools;
    for (auto [index, kernel] : llvm::enumerate(kernels))
      if (kernel.second.slidingRows && isWindowReduction(kernel.first))
        pools[kernel.first] = index;
    for (auto [producer, order] : llvm::zip_equal(kernels, orders)) {
      auto [op, plan] = producer;
      std::optional<unsigned> split =
          getSplitLoop(op, getOutputTileSizes(op, plan), order);
      if (!split)
        continue;
      AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
      std::optional<unsigned> position =
          outMap.getResultPosition(getAffineDimExpr(*split, op.getContext()));
      Value value = op->getResult(0);
      while (position && value.hasOneUse()) {
        OpOperand &use = *value.getUses().begin();
        Operation *user = use.getOwner();
        if (auto pool = pools.find(user); pool != pools.end()) {
          orderPoolLike(kernels[pool->second], use, *position,
                        orders[pool->second]);
          break;
        }
        if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(user)) {
          SmallVector<ReassociationIndices> groups =
              collapse.getReassociationIndices();
          position =
              llvm::find_if(groups,
                            [&](const ReassociationIndices &group) {
                              return llvm::is_contained(group, *position);
                            }) -
              groups.begin();
        } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
          position = expand.getReassociationIndices()[*position].front();
        } else if (auto elementwise = dyn_cast<linalg::GenericOp>(user)) {
          if (!isEpilogueOf(elementwise, use))
            break;
        } else if (!isa<tensor::PadOp>(user)) {
          break;
        }
        value = user->getResult(0);
      }
    }
  }

  /// Runs the parallel loop of the pool `kernel` that reads dimension
  /// `position` of its input `use` outermost in `order`, unless the cache
  /// chose an order or that loop already comes first.
  static void
  orderPoolLike(const std::pair<linalg::GenericOp, TilePlan> &kernel,
                OpOperand &use, unsigned position, TileLoopOrder &order) {
    auto [pool, plan] = kernel;
    if (!order.loops.empty())
      return;
    AffineExpr read = pool.getMatchingIndexingMap(&use).getResult(position);
    SmallVector<utils::IteratorType> iterators = pool.getIteratorTypesArray();
    SmallVector<int64_t> sizes = getOutputTileSizes(pool, plan);
    for (unsigned d = 0; d < pool.getNumLoops(); ++d) {
      if (!linalg::isParallelIterator(iterators[d]) ||
          getCoefficient(read, d) == 0)
        continue;
      if (!isMultiTripTileLoop(pool.getStaticLoopRanges(), sizes, d) ||
          getSplitLoop(pool, sizes, order) == d)
        return;
      order.loops.push_back(d);
      for (unsigned other = 0; other < pool.getNumLoops(); ++other)
        if (other != d)
          order.loops.push_back(other);
      order.reason = "the threads split it as its input's producer does";
      return;
    }
  }

  /// Tiles the multiply-accumulate `op` by `plan`: output tiles in an
  /// scf.forall, together with the elementwise ops that consume its result
  /// (bias, activation, residual add) and the op that initializes it, so
  /// that one tile computes the epilogue on its accumulators and writes
  /// only the final values; then each tile's reductions are tiled and
  /// everything in the tile vectorized, its output tiles in `order`.
  void tileKernel(linalg::GenericOp op, const TilePlan &plan,
                  const TileLoopOrder &order, RewriterBase &rewriter) {
    SmallVector<int64_t> outputSizes = getOutputTileSizes(op, plan);
    SmallVector<int64_t> reductionSizes = plan.sizes;
    for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
      if (!linalg::isReductionIterator(iterator))
        reductionSizes[d] = 0;
    std::optional<unsigned> peeledOutput;
    if (plan.peeledDim) {
      AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
      peeledOutput = *outMap.getResultPosition(
          getAffineDimExpr(*plan.peeledDim, op.getContext()));
    }
    remarkTileOrder(op, outputSizes, order);
    SmallVector<Operation *> tiles;
    if (!fuseEpilogue(op, outputSizes, order.loops, rewriter, tiles)) {
      FailureOr<scf::SCFTilingResult> outputTiles =
          tile(rewriter, op, outputSizes,
               scf::SCFTilingOptions::LoopType::ForallOp, order.loops);
      if (failed(outputTiles))
        return;
      rewriter.replaceOp(op, outputTiles->replacements);
      tiles.assign(outputTiles->tiledOps.begin(), outputTiles->tiledOps.end());
    }
    if (plan.peeledDim)
      tiles = peelRows(tiles, plan, *peeledOutput, rewriter);
    for (Operation *tiled : tiles) {
      auto generic = dyn_cast<linalg::GenericOp>(tiled);
      if (!generic)
        continue;
      // The initializer and epilogue tiles; the kernel's (a
      // multiply-accumulate, a window or a contiguous reduction) are first
      // tiled along their reductions.
      if (generic.getNumReductionLoops() == 0) {
        vectorizeTile(generic, rewriter);
        continue;
      }
      FailureOr<scf::SCFTilingResult> reductionTiles =
          tile(rewriter, generic, reductionSizes,
               scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(reductionTiles))
        continue;
      rewriter.replaceOp(generic, reductionTiles->replacements);
      for (Operation *kernel : reductionTiles->tiledOps)
        vectorizeTile(cast<linalg::GenericOp>(kernel), rewriter);
    }
  }

  /// Splits the dynamic row loop of the output tile made of `tiles` (the
  /// kernel, its initializer and epilogue, as fused) into full tiles of
  /// `plan.peeledRows` rows, whose sizes then fold to static ones, and a
  /// remainder in smaller full tiles down to one row: every tile has a
  /// static shape for the vectorizer, and gets the register-blocked kernel
  /// of a static shape. With `plan.hoistWeightConversion`, the full tiles
  /// read weights converted before them (hoistConversion).
  /// `outputDim` is the output dimension the peeled loop indexes (the
  /// epilogue's loop). Returns the new tiles.
  SmallVector<Operation *> peelRows(ArrayRef<Operation *> tiles,
                                    const TilePlan &plan, unsigned outputDim,
                                    RewriterBase &rewriter) {
    unsigned kernelDim = *plan.peeledDim;
    int64_t rows = plan.peeledRows;
    auto tileRows = [&](ArrayRef<Operation *> chain, int64_t size)
        -> std::optional<scf::ForOp> {
      linalg::GenericOp root = getChainRoot(chain);
      if (!root)
        return std::nullopt;
      unsigned dim = root.getNumReductionLoops() != 0 ? kernelDim : outputDim;
      SmallVector<int64_t> sizes(root.getNumLoops(), 0);
      sizes[dim] = size;
      llvm::SmallPtrSet<Operation *, 8> members(chain.begin(), chain.end());
      FailureOr<scf::SCFTileAndFuseResult> fused = tileAndFuseChain(
          rewriter, root, members,
          scf::SCFTilingOptions()
              .setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes))
              .setLoopType(scf::SCFTilingOptions::LoopType::ForOp));
      if (failed(fused) || fused->loops.empty())
        return std::nullopt;
      for (Operation *op : llvm::reverse(chain))
        if (op->use_empty())
          rewriter.eraseOp(op);
      return cast<scf::ForOp>(fused->loops.front().getOperation());
    };
    // The sizes that became constants fold into the types.
    auto canonicalize = [&](scf::ForOp loop) {
      (void)applyPatternsGreedily(loop, tilingCanonicalization);
      return llvm::to_vector(llvm::map_range(
          loop.getBody()->getOps<linalg::GenericOp>(),
          [](linalg::GenericOp op) { return op.getOperation(); }));
    };

    // Full tiles of `rows`, then of half as many in what remains, and so
    // on: a remainder of 7 rows runs as tiles of 4, 2 and 1, each with as
    // many independent accumulators, not as 7 tiles of one row.
    // The full tiles of `rows` read their weights converted once
    // (hoistConversion); the remainder's convert them as they go.
    auto fullTiles = [&](scf::ForOp loop, int64_t size) {
      SmallVector<Operation *> ops = canonicalize(loop);
      if (size == rows && plan.hoistWeightConversion)
        return hoistConversion(loop, plan, ops, rewriter);
      return ops;
    };
    SmallVector<Operation *> result, rest(tiles);
    for (int64_t size = rows; size >= 1 && !rest.empty(); size /= 2) {
      std::optional<scf::ForOp> loop = tileRows(rest, size);
      if (!loop)
        return result.empty() ? SmallVector<Operation *>(tiles) : result;
      scf::ForOp remainder;
      if (size == 1 || failed(scf::peelForLoopAndSimplifyBounds(
                           rewriter, *loop, remainder))) {
        llvm::append_range(result, fullTiles(*loop, size));
        break;
      }
      setFullTileSizes(*loop, size, rewriter);
      llvm::append_range(result, fullTiles(*loop, size));
      rest = canonicalize(remainder);
    }
    return result;
  }

  /// The tiles `ops` of the loop `loop` over a kernel's full tiles of rows,
  /// its kernel rewritten to read its weights converted before the loop
  /// when it runs kMinTilesToHoistConversion times or more and they take
  /// at most kHoistedConversionCaches times `cache-bytes`
  /// (hoistWeightConversion): the tiles of both versions of the loop, and
  /// the conversion's, tiled one vector row per step. `ops` when nothing is
  /// hoisted. Remarks say which.
  SmallVector<Operation *> hoistConversion(scf::ForOp loop,
                                           const TilePlan &plan,
                                           ArrayRef<Operation *> ops,
                                           RewriterBase &rewriter) {
    Location loc = loop.getLoc();
    int64_t maxBytes = kHoistedConversionCaches * cacheBytes;
    auto [conversion, bytes] = hoistWeightConversion(
        loop, *plan.peeledDim, kMinTilesToHoistConversion, maxBytes, rewriter);
    if (!conversion) {
      if (bytes != 0)
        remark::missed(loc, kPlanRemark) << StringRef(
            llvm::formatv("weights converted in every tile of rows: converted "
                          "once, an output tile's would take {0} KiB, more "
                          "than {1} KiB ({2} x cache-bytes)",
                          bytes / 1024, maxBytes / 1024,
                          kHoistedConversionCaches)
                .str());
      return SmallVector<Operation *>(ops);
    }
    remark::analysis(loc, kPlanRemark) << StringRef(
        llvm::formatv("full tiles of rows read weights converted once per "
                      "output tile ({0} KiB), from {1} full tiles on",
                      bytes / 1024, kMinTilesToHoistConversion)
            .str());
    SmallVector<Operation *> result;
    auto guard = cast<scf::IfOp>(loop->getParentOp());
    guard.walk([&](linalg::GenericOp op) {
      if (op != conversion)
        result.push_back(op);
    });
    // One step converts a vector's row, or the few vectors of the tile's
    // panels ([vectors, ..., lanes]) at once.
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(conversion.getResultTypes()[0]).getShape();
    SmallVector<int64_t> sizes(shape.size(), 1);
    sizes.back() = 0;
    if (shape.size() > 2 &&
        shape.front() * shape.back() <= kPeeledVectorTile * vectorWidth)
      sizes.front() = 0;
    FailureOr<scf::SCFTilingResult> tiled = tile(
        rewriter, conversion, sizes, scf::SCFTilingOptions::LoopType::ForOp);
    if (succeeded(tiled)) {
      rewriter.replaceOp(conversion, tiled->replacements);
      llvm::append_range(result, tiled->tiledOps);
    }
    return result;
  }

  /// Replaces the tile sizes `min(size, extent - iv)` in the body of
  /// `loop`, the full tiles of a peeled loop, by `size`. Peeling simplifies
  /// them itself where the extent is the loop's bound as it reads it; a
  /// remainder's extent (`dim - offset`) composed into the min hides that.
  static void setFullTileSizes(scf::ForOp loop, int64_t size,
                               RewriterBase &rewriter) {
    Value iv = loop.getInductionVar();
    for (auto min : llvm::make_early_inc_range(
             loop.getBody()->getOps<affine::AffineMinOp>())) {
      bool isTileSize =
          llvm::is_contained(min.getOperands(), iv) &&
          llvm::any_of(min.getMap().getResults(), [&](AffineExpr result) {
            auto constant = dyn_cast<AffineConstantExpr>(result);
            return constant && constant.getValue() == size;
          });
      if (!isTileSize)
        continue;
      rewriter.setInsertionPoint(min);
      rewriter.replaceOpWithNewOp<arith::ConstantIndexOp>(min, size);
    }
  }

  /// The op of `chain` whose result no other op of it uses: the end of a
  /// kernel's epilogue.
  static linalg::GenericOp getChainRoot(ArrayRef<Operation *> chain) {
    llvm::SmallPtrSet<Operation *, 8> members(chain.begin(), chain.end());
    for (Operation *op : chain)
      if (isa<linalg::GenericOp>(op) &&
          llvm::none_of(op->getUsers(), [&](Operation *user) {
            return members.contains(user);
          }))
        return cast<linalg::GenericOp>(op);
    return nullptr;
  }

  /// Tiles the chain `op` -> elementwise consumers (each the only user of
  /// the previous result, same shape) at the consumers' end, fusing `op`,
  /// the chain and the all-parallel op that initializes `op`'s output,
  /// the output tiles in the order `kernelOrder` (of `op`'s loops; empty:
  /// the root's own order, as the output's dimensions). False (nothing
  /// changed) when `op` has neither.
  bool fuseEpilogue(linalg::GenericOp op, ArrayRef<int64_t> outputSizes,
                    ArrayRef<int64_t> kernelOrder, RewriterBase &rewriter,
                    SmallVector<Operation *> &tiles) {
    llvm::SmallPtrSet<Operation *, 8> fusable{op};
    linalg::GenericOp root = op;
    for (linalg::GenericOp step : getEpilogue(op)) {
      fusable.insert(step);
      root = step;
    }
    // The initial value: a bias broadcast, or a fill (zero, a pooling
    // window's -inf), generalized so that its tile vectorizes like the
    // others' and folds into the accumulators' start.
    if (auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
        fill && fill->hasOneUse()) {
      rewriter.setInsertionPoint(fill);
      (void)linalg::generalizeNamedOp(rewriter, fill);
    }
    if (auto init = op.getDpsInits()[0].getDefiningOp<linalg::GenericOp>())
      if (init.getNumReductionLoops() == 0 && init->hasOneUse())
        fusable.insert(init);
    if (fusable.size() == 1)
      return false;

    // The consumers' loops are the output's dimensions: the kernel's tile
    // sizes and order (`kernelOrder`, on its loops) carry over through its
    // output map.
    SmallVector<int64_t> rootSizes(outputSizes), order(kernelOrder);
    if (root != op) {
      AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
      rootSizes.clear();
      for (unsigned r = 0; r < outMap.getNumResults(); ++r)
        rootSizes.push_back(outputSizes[outMap.getDimPosition(r)]);
      order.clear();
      for (int64_t d : kernelOrder)
        if (std::optional<unsigned> r =
                outMap.getResultPosition(getAffineDimExpr(d, op.getContext())))
          order.push_back(*r);
    }
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(&getContext(), rootSizes));
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    tiling.setInterchange(order);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        tileAndFuseChain(rewriter, root, fusable, tiling);
    if (failed(fused))
      return false;
    tiles.assign(fused->tiledAndFusedOps.begin(),
                 fused->tiledAndFusedOps.end());
    return true;
  }
};
} // namespace
