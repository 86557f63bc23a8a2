//===- Normalization.cpp - Lower batch_norm and softmax to linalg ---------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    auto channelType = cast<RankedTensorType>(adaptor.getScale().getType());
    Value epsilon = createScalarConstant(rewriter, loc, elementType,
                                         op.getEpsilon().convertToDouble());

    // Per channel, once: factor = scale / sqrt(var + eps),
    // shift = bias - mean * factor; then y = x * factor + shift.
    AffineMap vec = AffineMap::getMultiDimIdentityMap(1, context);
    auto coefficients = linalg::GenericOp::create(
        rewriter, loc, TypeRange{channelType, channelType},
        ValueRange{adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                   adaptor.getVariance()},
        ValueRange{createEmptyTensor(rewriter, loc, channelType),
                   createEmptyTensor(rewriter, loc, channelType)},
        SmallVector<AffineMap>(6, vec), getIteratorTypes(1, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value deviation = math::SqrtOp::create(
              b, nested, arith::AddFOp::create(b, nested, args[3], epsilon));
          Value factor = arith::DivFOp::create(b, nested, args[0], deviation);
          Value shift = arith::SubFOp::create(
              b, nested, args[1], arith::MulFOp::create(b, nested, args[2], factor));
          linalg::YieldOp::create(b, nested, ValueRange{factor, shift});
        });

    unsigned rank = resultType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap channel =
        AffineMap::get(rank, 0, getAffineDimExpr(1, context), context);
    auto normalized = linalg::GenericOp::create(
        rewriter, loc, resultType,
        ValueRange{adaptor.getInput(), coefficients.getResult(0),
                   coefficients.getResult(1)},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity, channel, channel, identity},
        getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value scaled = arith::MulFOp::create(b, nested, args[0], args[1]);
          yieldValue(
              b, nested, arith::AddFOp::create(b, nested, scaled, args[2]));
        });
    rewriter.replaceOp(op, normalized.getResults());
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();
    if (rank == 0)
      return rewriter.notifyMatchFailure(op, "softmax of a scalar");
    int64_t axis = op.getAxis();

    SmallVector<int64_t> reducedShape;
    SmallVector<OpFoldResult> reducedSizes;
    SmallVector<AffineExpr> reducedExprs;
    for (unsigned i = 0; i < rank; ++i) {
      if (static_cast<int64_t>(i) == axis)
        continue;
      reducedShape.push_back(type.getDimSize(i));
      reducedSizes.push_back(getDimSize(rewriter, loc, adaptor.getInput(), i));
      reducedExprs.push_back(getAffineDimExpr(i, context));
    }
    auto reducedType = RankedTensorType::get(reducedShape, elementType);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap reduced = AffineMap::get(rank, 0, reducedExprs, context);
    SmallVector<utils::IteratorType> reduction(rank,
                                               utils::IteratorType::parallel);
    reduction[axis] = utils::IteratorType::reduction;
    Value input = adaptor.getInput();

    Value lowest = createLowestValue(rewriter, loc, elementType);
    Value max =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, ValueRange{input},
            createFilledTensor(rewriter, loc, reducedType, reducedSizes,
                               lowest),
            SmallVector<AffineMap>{identity, reduced}, reduction,
            [&](OpBuilder &b, Location nested, ValueRange args) {
              yieldValue(b, nested,
                                      createMax(b, nested, args[1], args[0]));
            })
            .getResult(0);

    auto shiftedExp = [&](OpBuilder &b, Location nested, Value x, Value m) {
      return math::ExpOp::create(b, nested,
                                 arith::SubFOp::create(b, nested, x, m));
    };
    Value zero = createScalarConstant(rewriter, loc, elementType, 0);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, ValueRange{input, max},
            createFilledTensor(rewriter, loc, reducedType, reducedSizes, zero),
            SmallVector<AffineMap>{identity, reduced, reduced}, reduction,
            [&](OpBuilder &b, Location nested, ValueRange args) {
              Value e = shiftedExp(b, nested, args[0], args[1]);
              yieldValue(
                  b, nested, arith::AddFOp::create(b, nested, args[2], e));
            })
            .getResult(0);

    auto result = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{input, max, sum},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity, reduced, reduced, identity},
        getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value e = shiftedExp(b, nested, args[0], args[1]);
          yieldValue(
              b, nested, arith::DivFOp::create(b, nested, e, args[2]));
        });
    rewriter.replaceOp(op, result.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering>(patterns.getContext());
}
