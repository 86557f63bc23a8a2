//===- QuantizedMatMul.cpp - Lower edge.quantized_matmul to linalg --------===//
//
// Products over int8 or int4 weights accumulate in float, each weight
// converted as it is read, so that the weights keep their bytes in memory:
// one per weight for int8, one per pair of weights for int4.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Per-column scales: the product's sums, then an elementwise consumer
/// that the kernel's tiles apply to their accumulators as an epilogue,
/// once per column rather than once per weight.
Value lowerColumnScaled(QuantizedMatMulOp op, Value lhs, Value weights,
                        Value scales, ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getType());
  unsigned resultRank = resultType.getRank();
  // Loops: the result's, then k. lhs is [..., M, K] (or [K]): the
  // result's loops but the last, then k.
  AffineExpr k = getAffineDimExpr(resultRank, context);
  AffineExpr n = getAffineDimExpr(resultRank - 1, context);
  SmallVector<AffineExpr> lhsExprs;
  for (unsigned d = 0; d + 1 < resultRank; ++d)
    lhsExprs.push_back(getAffineDimExpr(d, context));
  lhsExprs.push_back(k);
  SmallVector<AffineMap> maps = {
      AffineMap::get(resultRank + 1, 0, lhsExprs, context),
      AffineMap::get(resultRank + 1, 0, {k, n}, context),
      AffineMap::getMultiDimIdentityMap(resultRank + 1, context)
          .getMajorSubMap(resultRank)};
  Value init = createFilledResult(
      rewriter, op,
      createScalarConstant(rewriter, loc, resultType.getElementType(), 0));
  Value sums = buildContraction(rewriter, loc, lhs, weights, init, maps,
                                resultRank, /*scale=*/nullptr);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(resultRank, context);
  AffineMap column =
      getBroadcastMap(cast<RankedTensorType>(scales.getType()).getShape(),
                      resultType.getShape(), context);
  return linalg::GenericOp::create(
             rewriter, loc, resultType, ValueRange{sums, scales},
             createEmptyResult(rewriter, op),
             SmallVector<AffineMap>{identity, column, identity},
             getIteratorTypes(resultRank, 0),
             [&](OpBuilder &b, Location nested, ValueRange args) {
               yieldValue(b, nested, createMul(b, nested, args[0], args[1]));
             })
      .getResult(0);
}

/// `lhs` [..., K] with K static: every `stride`-th element of its last
/// dimension from `offset` (a strided view, no copy).
Value viewStrided(OpBuilder &b, Location loc, Value lhs, int64_t k,
                  int64_t stride, int64_t offset) {
  auto type = cast<RankedTensorType>(lhs.getType());
  unsigned rank = type.getRank();
  if (type.isDynamicDim(rank - 1)) {
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = k;
    lhs = tensor::CastOp::create(b, loc, type.clone(shape), lhs);
  }
  if (stride == 1)
    return lhs;
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, lhs);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets.back() = b.getIndexAttr(offset);
  sizes.back() = b.getIndexAttr(k / stride);
  strides.back() = b.getIndexAttr(stride);
  return tensor::ExtractSliceOp::create(b, loc, lhs, offsets, sizes, strides);
}

/// `value` [..., L] as [..., blocks, L / blocks].
Value splitIntoBlocks(OpBuilder &b, Location loc, Value value, int64_t blocks) {
  auto type = cast<RankedTensorType>(value.getType());
  unsigned rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape().drop_back());
  shape.push_back(blocks);
  shape.push_back(type.getShape().back() / blocks);
  SmallVector<ReassociationIndices> groups;
  for (unsigned d = 0; d + 1 < rank; ++d)
    groups.push_back({d});
  groups.push_back({rank - 1, rank});
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       groups);
}

/// int4 weights [K, N] (values in [-8, 7]) packed two per byte as
/// [K / 2, N]: rows 2i and 2i + 1 in byte i, `16 * high + (low + 8)`. The
/// byte as a signed value is then v = 16 * high + low + 8 with the low part
/// in [0, 15], so that `floor(v / 16)` is the high weight and nothing
/// isolates the low one (see lowerBlockScaled).
SmallVector<int8_t> packInt4Pairs(ArrayRef<int8_t> values, int64_t k,
                                  int64_t n) {
  SmallVector<int8_t> packed(k / 2 * n);
  for (int64_t pair = 0; pair < k / 2; ++pair)
    for (int64_t j = 0; j < n; ++j)
      packed[pair * n + j] = static_cast<int8_t>(
          16 * values[(2 * pair + 1) * n + j] + values[2 * pair * n + j] + 8);
  return packed;
}

/// `odd - 16 * even`, elementwise.
Value createPairAdjustedInput(OpBuilder &b, Location loc, Value even,
                              Value odd) {
  auto type = cast<RankedTensorType>(even.getType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  Value init =
      createEmptyTensor(b, loc, type, tensor::getMixedSizes(b, loc, even));
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{even, odd}, init,
             SmallVector<AffineMap>(3, identity),
             getIteratorTypes(type.getRank(), 0),
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               Value sixteen = createScalarConstant(
                   nb, nested, type.getElementType(), 16.0);
               yieldValue(nb, nested,
                          arith::SubFOp::create(
                              nb, nested, args[1],
                              createMul(nb, nested, args[0], sixteen)));
             })
      .getResult(0);
}

/// Block scales, or int4 weights: one nest whose loops are the result's,
/// then the block and the row within it. The weights are scaled (and
/// offset) before they meet the input: a tile's rows share each scaled
/// weight vector, and then cost one multiply-add per weight, as over f32.
///
/// Over int4 the row loop runs over pairs of rows, and one byte v (see
/// packInt4Pairs) gives both products: with h = floor(v / 16), a scale s and an
/// offset o, `x0 * (low * s + o) + x1 * (high * s + o) = x0 * ((v - 8) * s
/// + 17 * o) + (x1 - 16 * x0) * (h * s + o)`, so the body converts v and h
/// and no more, reading the input's even elements and the adjusted odd
/// ones (`x1 - 16 * x0`, computed once per input row, not per weight).
FailureOr<Value> lowerBlockScaled(QuantizedMatMulOp op, Value lhs,
                                  Value weights, Value scales, Value offsets,
                                  ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  auto resultType = cast<RankedTensorType>(op.getType());
  Type elementType = resultType.getElementType();
  unsigned resultRank = resultType.getRank();
  auto weightType = cast<RankedTensorType>(weights.getType());
  int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
  int64_t block = op.getBlockSize();
  if (!weightType.hasStaticShape() || ShapedType::isDynamic(block))
    return op.emitOpError(
        "block-quantized weights need static sizes to be laid out in blocks");
  int64_t blocks = k / block;
  bool int4 = weightType.getElementType().isInteger(4);
  int64_t rowsPerStep = int4 ? 2 : 1;

  SmallVector<Value> inputs;
  if (int4) {
    Value even = viewStrided(rewriter, loc, lhs, k, 2, 0);
    Value odd = viewStrided(rewriter, loc, lhs, k, 2, 1);
    inputs.push_back(splitIntoBlocks(rewriter, loc, even, blocks));
    inputs.push_back(splitIntoBlocks(
        rewriter, loc, createPairAdjustedInput(rewriter, loc, even, odd),
        blocks));
  } else {
    inputs.push_back(splitIntoBlocks(
        rewriter, loc, viewStrided(rewriter, loc, lhs, k, 1, 0), blocks));
  }
  auto blockedType = RankedTensorType::get({blocks, block / rowsPerStep, n},
                                           rewriter.getIntegerType(8));
  if (int4) {
    std::optional<SmallVector<int8_t>> values = readI4Constant(weights);
    if (!values)
      return op.emitOpError("int4 weights must be a constant: they are packed "
                            "two per byte at compile time");
    inputs.push_back(arith::ConstantOp::create(
        rewriter, loc,
        makeI8ElementsAttr(blockedType, packInt4Pairs(*values, k, n),
                           "edge_int4_weight")));
  } else {
    inputs.push_back(tensor::ExpandShapeOp::create(
        rewriter, loc, blockedType, weights,
        SmallVector<ReassociationIndices>{{0, 1}, {2}}));
  }
  inputs.push_back(scales);
  if (offsets)
    inputs.push_back(offsets);

  // Loops: the result's (the last is n), then the block and the row (or
  // pair of rows) within it.
  unsigned numLoops = resultRank + 2;
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, context); };
  AffineExpr nExpr = dim(resultRank - 1), blockExpr = dim(resultRank),
             rowExpr = dim(resultRank + 1);
  SmallVector<AffineExpr> lhsExprs;
  for (unsigned d = 0; d + 1 < resultRank; ++d)
    lhsExprs.push_back(dim(d));
  lhsExprs.append({blockExpr, rowExpr});
  SmallVector<AffineMap> maps(rowsPerStep,
                              AffineMap::get(numLoops, 0, lhsExprs, context));
  maps.push_back(
      AffineMap::get(numLoops, 0, {blockExpr, rowExpr, nExpr}, context));
  bool columnScales = cast<RankedTensorType>(scales.getType()).getRank() == 1;
  AffineMap scaleMap =
      columnScales ? AffineMap::get(numLoops, 0, {nExpr}, context)
                   : AffineMap::get(numLoops, 0, {blockExpr, nExpr}, context);
  maps.append(offsets ? 2 : 1, scaleMap);
  maps.push_back(AffineMap::getMultiDimIdentityMap(numLoops, context)
                     .getMajorSubMap(resultRank));

  Value init = createFilledResult(
      rewriter, op, createScalarConstant(rewriter, loc, elementType, 0));
  return linalg::GenericOp::create(
             rewriter, loc, resultType, inputs, init, maps,
             getIteratorTypes(resultRank, 2),
             [&](OpBuilder &b, Location nested, ValueRange args) {
               auto toFloat = [&](Value integer) {
                 return arith::SIToFPOp::create(b, nested, elementType, integer)
                     .getResult();
               };
               Value scale = args[rowsPerStep + 1];
               Value offset = offsets ? args[rowsPerStep + 2] : Value();
               auto constant = [&](double value) {
                 return createScalarConstant(b, nested, elementType, value);
               };
               // A float weight times the scale (+ extra), one multiply-add.
               auto dequantize = [&](Value weight, Value extra) -> Value {
                 if (!extra)
                   return createMul(b, nested, weight, scale);
                 return math::FmaOp::create(b, nested, weight, scale, extra);
               };
               Value product;
               if (int4) {
                 // h = floor(v / 16) in float, exact: no integer shift, which
                 // LLVM would narrow to bytes and then widen twice.
                 Value v = toFloat(args[2]);
                 Value high = math::FloorOp::create(
                     b, nested, createMul(b, nested, v, constant(0.0625)));
                 // (v - 8) * scale + 17 * offset. The extra term depends
                 // on the block only: LLVM hoists it out of the loop over
                 // the block's rows, which is cheaper than a third
                 // constant of the scales' size read per block.
                 Value lowExtra = createMul(b, nested, scale, constant(-8.0));
                 if (offset)
                   lowExtra = math::FmaOp::create(b, nested, offset,
                                                  constant(17.0), lowExtra);
                 product = createAdd(
                     b, nested,
                     createMul(b, nested, args[0], dequantize(v, lowExtra)),
                     createMul(b, nested, args[1], dequantize(high, offset)));
               } else {
                 product = createMul(b, nested, args[0],
                                     dequantize(toFloat(args[1]), offset));
               }
               yieldValue(b, nested,
                          createAdd(b, nested, args.back(), product));
             })
      .getResult(0);
}

struct QuantizedMatMulLowering : OpConversionPattern<QuantizedMatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizedMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool int4 = op.getWeights().getType().getElementType().isInteger(4);
    if (!int4 && op.getScales().getType().getRank() == 1) {
      rewriter.replaceOp(op, lowerColumnScaled(op, adaptor.getLhs(),
                                               adaptor.getWeights(),
                                               adaptor.getScales(), rewriter));
      return success();
    }
    FailureOr<Value> result =
        lowerBlockScaled(op, adaptor.getLhs(), adaptor.getWeights(),
                         adaptor.getScales(), adaptor.getOffsets(), rewriter);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void mlir::edge::populateQuantizedMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizedMatMulLowering>(patterns.getContext());
}
