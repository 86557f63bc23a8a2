//===- Convolution.cpp - Lower edge.conv to linalg ------------------------===//
//
// An N-D grouped convolution becomes one linalg.generic over tensors with an
// explicit group dimension: input [N, G, C/G, spatial...], weight
// [G, M/G, C/G, kernel...] and result [N, G, M/G, out...]. Every loop then
// appears alone in some indexing map, which linalg needs to derive the loop
// bounds, and strides/dilations are plain affine expressions.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Splits dimension `dim` of `value` into [outer, size / outer].
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t size = shape[dim];
  shape[dim] = size / outer;
  shape.insert(shape.begin() + dim, outer);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (i < dim)
      reassociation.push_back({i});
    else if (i == dim)
      reassociation.push_back({i, i + 1});
    else
      reassociation.push_back({i + 1});
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      reassociation);
}

/// Merges dimensions `dim` and `dim + 1` of `value`.
Value mergeDims(OpBuilder &b, Location loc, Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (i == dim)
      reassociation.push_back({i, i + 1});
    else if (i != dim + 1)
      reassociation.push_back({i});
  }
  return tensor::CollapseShapeOp::create(b, loc, value, reassociation);
}

/// The init of a convolution result of `type` (of run-time `sizes`) whose
/// channels are the dimensions 1 to `channelDims` (the group and the
/// channel within it, or one channel dimension): the bias (of those
/// dimensions) broadcast along the others, or zeros.
Value createConvInit(OpBuilder &b, Location loc, RankedTensorType type,
                     ArrayRef<OpFoldResult> sizes, Value bias, Value zero,
                     unsigned channelDims) {
  if (!bias)
    return createFilledTensor(b, loc, type, sizes, zero);
  MLIRContext *context = b.getContext();
  SmallVector<AffineExpr> channels;
  for (unsigned d = 1; d <= channelDims; ++d)
    channels.push_back(getAffineDimExpr(d, context));
  return createMappedCopy(b, loc, bias,
                          AffineMap::get(type.getRank(), 0, channels, context),
                          type, sizes);
}

/// A depthwise convolution (one input and one output channel per group)
/// needs no group dimension: loops n, c, out[k], then kernel[k], over the
/// input [N, C, spatial...] and the weight [C, kernel...]. Without the
/// group split its result needs no reshape either, so the activation that
/// follows fuses into its tiles.
Value lowerDepthwise(OpBuilder &b, Location loc, ConvOp op, Value input,
                     Value weight, Value bias, Value zero) {
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t k = resultType.getRank() - 2;
  SmallVector<ReassociationIndices> dropUnitChannel{{0, 1}};
  for (int64_t i = 0; i < k; ++i)
    dropUnitChannel.push_back({i + 2});
  weight = tensor::CollapseShapeOp::create(b, loc, weight, dropUnitChannel);
  return createSlidingWindowOp(
      b, loc, input, weight, /*windowPerChannel=*/true,
      createConvInit(b, loc, resultType, getResultSizes(b, op), bias, zero,
                     /*channelDims=*/1),
      op.getStrides(), op.getDilations(),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value product = createMul(nested, nestedLoc, args[0], args[1]);
        return createAdd(nested, nestedLoc, args[2], product);
      });
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    int64_t k = resultType.getRank() - 2;
    int64_t group = op.getGroup();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    ArrayRef<int64_t> pads = op.getPads();

    Value zero = createScalarConstant(rewriter, loc, elementType, 0);
    SmallVector<int64_t> low(2, 0), high(2, 0);
    low.append(pads.begin(), pads.begin() + k);
    high.append(pads.begin() + k, pads.end());
    Value input = padTensor(rewriter, loc, adaptor.getInput(), zero, low, high);
    int64_t inputChannels =
        cast<RankedTensorType>(input.getType()).getDimSize(1);
    if (group == inputChannels && group == resultType.getDimSize(1)) {
      rewriter.replaceOp(op, lowerDepthwise(rewriter, loc, op, input,
                                            adaptor.getWeight(),
                                            adaptor.getBias(), zero));
      return success();
    }
    input = splitDim(rewriter, loc, input, 1, group);
    Value weight = splitDim(rewriter, loc, adaptor.getWeight(), 0, group);

    SmallVector<int64_t> groupedShape(resultType.getShape());
    groupedShape[1] /= group;
    groupedShape.insert(groupedShape.begin() + 1, group);
    auto groupedType = RankedTensorType::get(groupedShape, elementType);

    // Loops: n, g, m, out[k] (parallel) then c, kernel[k] (reduction).
    unsigned numLoops = 4 + 2 * k;
    auto dim = [&](int64_t loop) { return getAffineDimExpr(loop, context); };
    SmallVector<AffineExpr> inputExprs = {dim(0), dim(1), dim(3 + k)};
    SmallVector<AffineExpr> weightExprs = {dim(1), dim(2), dim(3 + k)};
    SmallVector<AffineExpr> outputExprs = {dim(0), dim(1), dim(2)};
    for (int64_t i = 0; i < k; ++i) {
      inputExprs.push_back(dim(3 + i) * strides[i] +
                           dim(4 + k + i) * dilations[i]);
      weightExprs.push_back(dim(4 + k + i));
      outputExprs.push_back(dim(3 + i));
    }

    Value bias = adaptor.getBias();
    if (bias)
      bias = splitDim(rewriter, loc, bias, 0, group);
    SmallVector<OpFoldResult> groupedSizes = getResultSizes(rewriter, op);
    groupedSizes[1] = rewriter.getIndexAttr(groupedShape[2]);
    groupedSizes.insert(groupedSizes.begin() + 1, rewriter.getIndexAttr(group));
    Value init = createConvInit(rewriter, loc, groupedType, groupedSizes, bias,
                                zero, /*channelDims=*/2);

    auto conv = linalg::GenericOp::create(
        rewriter, loc, groupedType, ValueRange{input, weight}, init,
        SmallVector<AffineMap>{
            AffineMap::get(numLoops, 0, inputExprs, context),
            AffineMap::get(numLoops, 0, weightExprs, context),
            AffineMap::get(numLoops, 0, outputExprs, context)},
        getIteratorTypes(3 + k, 1 + k),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value product = createMul(b, nested, args[0], args[1]);
          yieldValue(b, nested, createAdd(b, nested, args[2], product));
        });
    rewriter.replaceOp(op, mergeDims(rewriter, loc, conv.getResult(0), 1));
    return success();
  }
};

} // namespace

void mlir::edge::populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(patterns.getContext());
}
