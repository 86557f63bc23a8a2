//===- Elementwise.cpp - Lower edge elementwise ops to linalg.generic -----===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

Value createSelect(OpBuilder &b, Location loc, Value cond, Value x, Value y);
Value createFloatCompare(OpBuilder &b, Location loc,
                         arith::CmpFPredicate predicate, Value x, Value y);

/// Predicates of the comparison ops: ordered for floats, signed for ints.
std::pair<arith::CmpFPredicate, arith::CmpIPredicate>
getComparePredicates(Operation *op) {
  if (isa<EqualOp>(op))
    return {arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq};
  if (isa<LessOp>(op))
    return {arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt};
  if (isa<LessEqualOp>(op))
    return {arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle};
  if (isa<GreaterOp>(op))
    return {arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt};
  assert(isa<GreaterEqualOp>(op) && "unexpected comparison");
  return {arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge};
}

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
  if (isa<DivOp>(op))
    return isFloat ? Value(arith::DivFOp::create(b, loc, x, y))
                   : Value(arith::DivSIOp::create(b, loc, x, y));
  if (isa<DivUOp>(op))
    return arith::DivUIOp::create(b, loc, x, y);
  if (isa<ShiftLeftOp, ShiftRightUOp>(op)) {
    // Shifting by the bit width or more gives 0, as the folder does (LLVM
    // would make it poison).
    unsigned width = x.getType().getIntOrFloatBitWidth();
    Value limit = createScalarConstant(b, loc, x.getType(), width);
    Value inRange =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, y, limit);
    Value shifted = isa<ShiftLeftOp>(op)
                        ? Value(arith::ShLIOp::create(b, loc, x, y))
                        : Value(arith::ShRUIOp::create(b, loc, x, y));
    return createSelect(b, loc, inRange, shifted,
                        createScalarConstant(b, loc, x.getType(), 0));
  }
  if (isa<RemOp, ModOp>(op)) {
    Value rem = isFloat ? Value(arith::RemFOp::create(b, loc, x, y))
                        : Value(arith::RemSIOp::create(b, loc, x, y));
    if (isa<RemOp>(op))
      return rem;
    // Python's %: a non-zero remainder takes the divisor's sign.
    Value zero = createScalarConstant(b, loc, x.getType(), 0);
    Value remNegative, divisorNegative, nonZero;
    if (isFloat) {
      remNegative = createFloatCompare(b, loc, arith::CmpFPredicate::OLT, rem, zero);
      divisorNegative = createFloatCompare(b, loc, arith::CmpFPredicate::OLT, y, zero);
      nonZero = createFloatCompare(b, loc, arith::CmpFPredicate::ONE, rem, zero);
    } else {
      remNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
      divisorNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
      nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
    }
    Value signsDiffer = arith::XOrIOp::create(b, loc, remNegative, divisorNegative);
    Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
    return createSelect(b, loc, adjust, createAdd(b, loc, rem, y), rem);
  }
  if (isa<PowOp>(op))
    return isFloat ? Value(math::PowFOp::create(b, loc, x, y))
                   : Value(math::IPowIOp::create(b, loc, x, y));
  if (isa<MaxOp>(op))
    return createMax(b, loc, x, y);
  if (isa<MinOp>(op))
    return createMin(b, loc, x, y);
  if (isa<PReluOp>(op)) {
    Value zero = createScalarConstant(b, loc, x.getType(), 0);
    Value negative =
        isFloat ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                              x, zero))
                : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                              x, zero));
    return arith::SelectOp::create(b, loc, negative, createMul(b, loc, x, y),
                                   x);
  }
  if (isa<AndOp>(op))
    return arith::AndIOp::create(b, loc, x, y);
  if (isa<OrOp>(op))
    return arith::OrIOp::create(b, loc, x, y);
  if (isa<XorOp>(op))
    return arith::XOrIOp::create(b, loc, x, y);
  auto [floatPredicate, intPredicate] = getComparePredicates(op);
  if (isFloat)
    return arith::CmpFOp::create(b, loc, floatPredicate, x, y);
  return arith::CmpIOp::create(b, loc, intPredicate, x, y);
}

/// `cond ? a : b` for scalars.
Value createSelect(OpBuilder &b, Location loc, Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}

Value createFloatCompare(OpBuilder &b, Location loc,
                         arith::CmpFPredicate predicate, Value x, Value y) {
  return arith::CmpFOp::create(b, loc, predicate, x, y);
}

/// exp(x) - 1 scaled by alpha: the negative branch of ELU-like activations.
Value createScaledExpm1(OpBuilder &b, Location loc, Value x, Value alpha) {
  Value one = createScalarConstant(b, loc, x.getType(), 1);
  Value expm1 =
      arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, x), one);
  return arith::MulFOp::create(b, loc, alpha, expm1);
}

/// Activations with alpha/beta parameters.
Value buildActivation(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  auto param = [&](StringRef name) {
    return createScalarConstant(
        b, loc, type, cast<FloatAttr>(op->getAttr(name)).getValueAsDouble());
  };
  Value zero = createScalarConstant(b, loc, type, 0);
  Value one = createScalarConstant(b, loc, type, 1);
  Value alpha = param("alpha");
  if (isa<LeakyReluOp>(op))
    return createSelect(
        b, loc, createFloatCompare(b, loc, arith::CmpFPredicate::OLT, x, zero),
        arith::MulFOp::create(b, loc, alpha, x), x);
  if (isa<EluOp>(op))
    return createSelect(
        b, loc, createFloatCompare(b, loc, arith::CmpFPredicate::OLT, x, zero),
        createScaledExpm1(b, loc, x, alpha), x);
  if (isa<CeluOp>(op)) {
    Value scaled = arith::DivFOp::create(b, loc, x, alpha);
    Value negative = createMin(b, loc, zero,
                               createScaledExpm1(b, loc, scaled, alpha));
    return arith::AddFOp::create(b, loc, createMax(b, loc, zero, x), negative);
  }
  if (isa<SeluOp>(op)) {
    Value inner = createSelect(
        b, loc, createFloatCompare(b, loc, arith::CmpFPredicate::OLE, x, zero),
        createScaledExpm1(b, loc, x, alpha), x);
    return arith::MulFOp::create(b, loc, param("beta"), inner);
  }
  if (isa<HardSigmoidOp>(op)) {
    Value linear = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, alpha, x), param("beta"));
    return createMax(b, loc, zero, createMin(b, loc, one, linear));
  }
  assert(isa<ThresholdedReluOp>(op) && "unexpected activation");
  return createSelect(
      b, loc, createFloatCompare(b, loc, arith::CmpFPredicate::OGT, x, alpha),
      x, zero);
}

/// Builds the scalar computation of a unary op on one element.
Value buildUnary(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  bool isFloat = isa<FloatType>(type);
  if (isa<LeakyReluOp, EluOp, CeluOp, SeluOp, HardSigmoidOp,
          ThresholdedReluOp>(op))
    return buildActivation(op, b, loc, x);
  if (isa<ReluOp>(op))
    return createMax(b, loc, x, createScalarConstant(b, loc, type, 0),
                     arith::FastMathFlags::nsz);
  if (isa<NegOp>(op))
    return isFloat ? Value(arith::NegFOp::create(b, loc, x))
                   : Value(arith::SubIOp::create(
                         b, loc, createScalarConstant(b, loc, type, 0), x));
  if (isa<AbsOp>(op))
    return isFloat ? Value(math::AbsFOp::create(b, loc, x))
                   : Value(math::AbsIOp::create(b, loc, x));
  if (isa<SignOp>(op)) {
    Value zero = createScalarConstant(b, loc, type, 0);
    Value one = createScalarConstant(b, loc, type, 1);
    Value minusOne = createScalarConstant(b, loc, type, -1);
    Value positive, negative;
    if (isFloat) {
      positive = createFloatCompare(b, loc, arith::CmpFPredicate::OGT, x, zero);
      negative = createFloatCompare(b, loc, arith::CmpFPredicate::OLT, x, zero);
    } else {
      positive =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
      negative =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
    }
    // NaN (neither positive nor negative) stays NaN.
    Value rest = isFloat ? createSelect(b, loc,
                                        createFloatCompare(
                                            b, loc, arith::CmpFPredicate::OEQ,
                                            x, zero),
                                        zero, x)
                         : zero;
    return createSelect(b, loc, positive, one,
                        createSelect(b, loc, negative, minusOne, rest));
  }
  // Every bit flipped: a boolean's one, an integer's all.
  if (isa<NotOp>(op))
    return arith::XOrIOp::create(
        b, loc, x,
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, -1)));
  if (isa<SigmoidOp>(op)) {
    Value one = createScalarConstant(b, loc, type, 1);
    Value expNeg =
        math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, expNeg));
  }
  if (isa<SoftplusOp>(op))
    return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
  if (isa<SoftsignOp>(op)) {
    Value one = createScalarConstant(b, loc, type, 1);
    return arith::DivFOp::create(
        b, loc, x,
        arith::AddFOp::create(b, loc, one, math::AbsFOp::create(b, loc, x)));
  }
  if (isa<HardSwishOp>(op)) {
    Value zero = createScalarConstant(b, loc, type, 0);
    Value one = createScalarConstant(b, loc, type, 1);
    Value linear = arith::AddFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x,
                              createScalarConstant(b, loc, type, 1.0 / 6)),
        createScalarConstant(b, loc, type, 0.5));
    return arith::MulFOp::create(
        b, loc, x, createMax(b, loc, zero, createMin(b, loc, one, linear)));
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
  if (isa<CeilOp>(op))
    return math::CeilOp::create(b, loc, x);
  if (isa<RoundOp>(op))
    return math::RoundEvenOp::create(b, loc, x);
  if (isa<SinOp>(op))
    return math::SinOp::create(b, loc, x);
  if (isa<CosOp>(op))
    return math::CosOp::create(b, loc, x);
  if (isa<TanOp>(op))
    return math::TanOp::create(b, loc, x);
  if (isa<AsinOp>(op))
    return math::AsinOp::create(b, loc, x);
  if (isa<AcosOp>(op))
    return math::AcosOp::create(b, loc, x);
  if (isa<AtanOp>(op))
    return math::AtanOp::create(b, loc, x);
  if (isa<SinhOp>(op))
    return math::SinhOp::create(b, loc, x);
  if (isa<CoshOp>(op))
    return math::CoshOp::create(b, loc, x);
  if (isa<AsinhOp>(op))
    return math::AsinhOp::create(b, loc, x);
  if (isa<AcoshOp>(op))
    return math::AcoshOp::create(b, loc, x);
  assert(isa<AtanhOp>(op) && "unexpected unary op");
  return math::AtanhOp::create(b, loc, x);
}

/// The scalar conversion of edge.cast (ONNX Cast semantics).
Value buildCast(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = createScalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, x))
               : Value(arith::TruncFOp::create(b, loc, to, x));
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, x);
  bool isBool = from.isInteger(1);
  if (toFloat)
    return isBool ? Value(arith::UIToFPOp::create(b, loc, to, x))
                  : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, x);
  return isBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                : Value(arith::ExtSIOp::create(b, loc, to, x));
}

/// Lowers an op whose operands broadcast to its result into one generic
/// whose body `build` computes an element from the operands' elements.
LogicalResult lowerBroadcastingOp(
    Operation *op, ValueRange operands, ConversionPatternRewriter &rewriter,
    function_ref<Value(OpBuilder &, Location, ValueRange)> build) {
  Location loc = op->getLoc();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> shape = resultType.getShape();
  MLIRContext *context = op->getContext();
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(getBroadcastMap(
        cast<ShapedType>(operand.getType()).getShape(), shape, context));
  maps.push_back(AffineMap::getMultiDimIdentityMap(shape.size(), context));
  Value init = createEmptyResult(rewriter, op);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, resultType, operands, init, maps,
      getIteratorTypes(shape.size(), 0),
      [&](OpBuilder &b, Location nested, ValueRange args) {
        yieldValue(b, nested, build(b, nested, args.drop_back()));
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

struct SelectLowering : OpConversionPattern<SelectOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerBroadcastingOp(
        op, adaptor.getOperands(), rewriter,
        [](OpBuilder &b, Location loc, ValueRange args) {
          return createSelect(b, loc, args[0], args[1], args[2]);
        });
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type to = cast<ShapedType>(op.getType()).getElementType();
    return lowerBroadcastingOp(
        op, adaptor.getOperands(), rewriter,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildCast(b, loc, args[0], to);
        });
  }
};

template <typename OpTy>
struct BinaryElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerBroadcastingOp(
        op, adaptor.getOperands(), rewriter,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildBinary(op, b, loc, args[0], args[1]);
        });
  }
};

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
    Value init = createEmptyResult(rewriter, op);
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
        rewriter, loc, type, inputs, createEmptyResult(rewriter, op),
        maps, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value result = args[0];
          unsigned next = 1;
          if (hasMin)
            result = createMax(b, nested, result, args[next++],
                               arith::FastMathFlags::nsz);
          if (hasMax)
            result = createMin(b, nested, result, args[next++],
                               arith::FastMathFlags::nsz);
          yieldValue(b, nested, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ClipLowering, SelectLowering, CastLowering>(context);
  patterns.add<
      BinaryElementwiseLowering<AddOp>, BinaryElementwiseLowering<SubOp>,
      BinaryElementwiseLowering<MulOp>, BinaryElementwiseLowering<DivOp>,
      BinaryElementwiseLowering<DivUOp>, BinaryElementwiseLowering<RemOp>,
      BinaryElementwiseLowering<ModOp>,
      BinaryElementwiseLowering<ShiftLeftOp>,
      BinaryElementwiseLowering<ShiftRightUOp>,
      BinaryElementwiseLowering<PowOp>, BinaryElementwiseLowering<MaxOp>,
      BinaryElementwiseLowering<MinOp>, BinaryElementwiseLowering<PReluOp>,
      BinaryElementwiseLowering<EqualOp>, BinaryElementwiseLowering<LessOp>,
      BinaryElementwiseLowering<LessEqualOp>,
      BinaryElementwiseLowering<GreaterOp>,
      BinaryElementwiseLowering<GreaterEqualOp>,
      BinaryElementwiseLowering<AndOp>, BinaryElementwiseLowering<OrOp>,
      BinaryElementwiseLowering<XorOp>>(context);
  patterns.add<
      UnaryElementwiseLowering<ReluOp>, UnaryElementwiseLowering<NegOp>,
      UnaryElementwiseLowering<AbsOp>, UnaryElementwiseLowering<SigmoidOp>,
      UnaryElementwiseLowering<TanhOp>, UnaryElementwiseLowering<ExpOp>,
      UnaryElementwiseLowering<LogOp>, UnaryElementwiseLowering<SqrtOp>,
      UnaryElementwiseLowering<ErfOp>, UnaryElementwiseLowering<ReciprocalOp>,
      UnaryElementwiseLowering<FloorOp>, UnaryElementwiseLowering<CeilOp>,
      UnaryElementwiseLowering<RoundOp>, UnaryElementwiseLowering<SignOp>,
      UnaryElementwiseLowering<SinOp>, UnaryElementwiseLowering<CosOp>,
      UnaryElementwiseLowering<TanOp>, UnaryElementwiseLowering<AsinOp>,
      UnaryElementwiseLowering<AcosOp>, UnaryElementwiseLowering<AtanOp>,
      UnaryElementwiseLowering<SinhOp>, UnaryElementwiseLowering<CoshOp>,
      UnaryElementwiseLowering<AsinhOp>, UnaryElementwiseLowering<AcoshOp>,
      UnaryElementwiseLowering<AtanhOp>, UnaryElementwiseLowering<SoftplusOp>,
      UnaryElementwiseLowering<SoftsignOp>,
      UnaryElementwiseLowering<HardSwishOp>, UnaryElementwiseLowering<NotOp>,
      UnaryElementwiseLowering<LeakyReluOp>, UnaryElementwiseLowering<EluOp>,
      UnaryElementwiseLowering<CeluOp>, UnaryElementwiseLowering<SeluOp>,
      UnaryElementwiseLowering<HardSigmoidOp>,
      UnaryElementwiseLowering<ThresholdedReluOp>>(context);
}
