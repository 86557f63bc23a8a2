//===- Elementwise.cpp - Lower edge elementwise ops to linalg.generic -----===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Builds the scalar computation of a binary op on two elements.
Value buildBinary(Operation *op, OpBuilder &b, Location loc, Value x,
                  Value y) {
  bool isFloat = isa<FloatType>(x.getType());
  if (isa<AddOp>(op))
    return createAdd(b, loc, x, y);
  if (isa<MulOp>(op))
    return createMul(b, loc, x, y);
  if (isa<SubOp>(op))
    return isFloat ? Value(arith::SubFOp::create(b, loc, x, y))
                   : Value(arith::SubIOp::create(b, loc, x, y));
  assert(isa<DivOp>(op) && "unexpected binary op");
  return isFloat ? Value(arith::DivFOp::create(b, loc, x, y))
                 : Value(arith::DivSIOp::create(b, loc, x, y));
}

template <typename OpTy>
struct BinaryElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> shape = resultType.getShape();
    MLIRContext *context = op.getContext();
    SmallVector<AffineMap> maps = {
        getBroadcastMap(cast<ShapedType>(adaptor.getLhs().getType()).getShape(),
                        shape, context),
        getBroadcastMap(cast<ShapedType>(adaptor.getRhs().getType()).getShape(),
                        shape, context),
        AffineMap::getMultiDimIdentityMap(shape.size(), context)};
    Value init = createEmptyTensor(rewriter, loc, resultType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType,
        ValueRange{adaptor.getLhs(), adaptor.getRhs()}, init, maps,
        getIteratorTypes(shape.size(), 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value result = buildBinary(op, b, nested, args[0], args[1]);
          yieldValue(b, nested, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Builds the scalar computation of a unary op on one element.
Value buildUnary(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  bool isFloat = isa<FloatType>(type);
  if (isa<ReluOp>(op))
    return createMax(b, loc, x, createScalarConstant(b, loc, type, 0));
  if (isa<NegOp>(op))
    return isFloat ? Value(arith::NegFOp::create(b, loc, x))
                   : Value(arith::SubIOp::create(
                         b, loc, createScalarConstant(b, loc, type, 0), x));
  if (isa<AbsOp>(op))
    return isFloat ? Value(math::AbsFOp::create(b, loc, x))
                   : Value(math::AbsIOp::create(b, loc, x));
  if (isa<SigmoidOp>(op)) {
    Value one = createScalarConstant(b, loc, type, 1);
    Value expNeg =
        math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, expNeg));
  }
  if (isa<ReciprocalOp>(op))
    return arith::DivFOp::create(b, loc, createScalarConstant(b, loc, type, 1),
                                 x);
  if (isa<TanhOp>(op))
    return math::TanhOp::create(b, loc, x);
  if (isa<ExpOp>(op))
    return math::ExpOp::create(b, loc, x);
  if (isa<LogOp>(op))
    return math::LogOp::create(b, loc, x);
  if (isa<SqrtOp>(op))
    return math::SqrtOp::create(b, loc, x);
  if (isa<ErfOp>(op))
    return math::ErfOp::create(b, loc, x);
  if (isa<FloorOp>(op))
    return math::FloorOp::create(b, loc, x);
  assert(isa<CeilOp>(op) && "unexpected unary op");
  return math::CeilOp::create(b, loc, x);
}

template <typename OpTy>
struct UnaryElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(rank, op.getContext());
    Value init = createEmptyTensor(rewriter, loc, resultType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{adaptor.getInput()}, init,
        SmallVector<AffineMap>{identity, identity}, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          yieldValue(b, nested, buildUnary(op, b, nested, args[0]));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Clip reads its scalar bounds through zero-result maps, so constant and
/// run-time bounds lower alike.
struct ClipLowering : OpConversionPattern<ClipOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    MLIRContext *context = op.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    AffineMap scalar = AffineMap::get(rank, 0, context);
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {identity};
    for (Value bound : {adaptor.getMin(), adaptor.getMax()}) {
      if (!bound)
        continue;
      inputs.push_back(bound);
      maps.push_back(scalar);
    }
    maps.push_back(identity);
    bool hasMin = static_cast<bool>(adaptor.getMin());
    bool hasMax = static_cast<bool>(adaptor.getMax());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, createEmptyTensor(rewriter, loc, type),
        maps, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value result = args[0];
          unsigned next = 1;
          if (hasMin)
            result = createMax(b, nested, result, args[next++]);
          if (hasMax)
            result = createMin(b, nested, result, args[next++]);
          yieldValue(b, nested, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<BinaryElementwiseLowering<AddOp>,
               BinaryElementwiseLowering<SubOp>,
               BinaryElementwiseLowering<MulOp>,
               BinaryElementwiseLowering<DivOp>>(context);
  patterns.add<ClipLowering>(context);
  patterns.add<
      UnaryElementwiseLowering<ReluOp>, UnaryElementwiseLowering<NegOp>,
      UnaryElementwiseLowering<AbsOp>, UnaryElementwiseLowering<SigmoidOp>,
      UnaryElementwiseLowering<TanhOp>, UnaryElementwiseLowering<ExpOp>,
      UnaryElementwiseLowering<LogOp>, UnaryElementwiseLowering<SqrtOp>,
      UnaryElementwiseLowering<ErfOp>, UnaryElementwiseLowering<ReciprocalOp>,
      UnaryElementwiseLowering<FloorOp>, UnaryElementwiseLowering<CeilOp>>(
      context);
}
