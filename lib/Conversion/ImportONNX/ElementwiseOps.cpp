//===- ElementwiseOps.cpp - Import ONNX elementwise operators -------------===//

#include "Composer.h"

#include <cmath>

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

/// Before opset 7, binary ops broadcast only with `broadcast = 1`, aligning
/// the right operand at `axis` of the left one (default: on the right).
/// Reshaping the right operand with trailing unit dims expresses that in
/// numpy rules.
static FailureOr<Value> applyLegacyBroadcast(NodeContext &ctx, Value lhs,
                                             Value rhs) {
  if (ctx.getOpset() >= 7 || ctx.getInt("broadcast", 0) == 0 ||
      !ctx.getAttr("axis"))
    return rhs;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), lhsType.getRank());
  if (failed(axis))
    return failure();
  int64_t trailing = lhsType.getRank() - *axis - rhsType.getRank();
  if (trailing < 0)
    return ctx.emitError("legacy broadcast axis does not fit the operands");
  SmallVector<int64_t> shape(rhsType.getShape());
  shape.append(trailing, 1);
  auto type = RankedTensorType::get(shape, rhsType.getElementType());
  return Value(
      ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(), type, rhs).getResult());
}

/// The broadcast result type of a binary op, or an error at the node.
static FailureOr<RankedTensorType> getBroadcastType(NodeContext &ctx, Value lhs,
                                                    Value rhs, Type element) {
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape =
      broadcastShapes(cast<ShapedType>(lhs.getType()).getShape(),
                      cast<ShapedType>(rhs.getType()).getShape(), error);
  if (failed(shape))
    return failure();
  return RankedTensorType::get(*shape, element);
}

/// A binary op on inputs 0 and 1; comparisons produce booleans.
template <typename OpTy, bool producesBool = false>
static LogicalResult convertBinary(NodeContext &ctx) {
  FailureOr<RankedTensorType> lhsType = ctx.getInputType(0);
  FailureOr<RankedTensorType> rhsType = ctx.getInputType(1);
  if (failed(lhsType) || failed(rhsType))
    return failure();
  if (lhsType->getElementType() != rhsType->getElementType())
    return ctx.emitError("operand element types differ");
  Value lhs = ctx.getInput(0);
  FailureOr<Value> rhs = applyLegacyBroadcast(ctx, lhs, ctx.getInput(1));
  if (failed(rhs))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Type element = producesBool ? b.getI1Type() : lhsType->getElementType();
  FailureOr<RankedTensorType> type = getBroadcastType(ctx, lhs, *rhs, element);
  if (failed(type))
    return failure();
  Value result;
  if constexpr (std::is_same_v<OpTy, DivOp>)
    if (ctx.isUnsignedInput(0))
      result = DivUOp::create(b, ctx.getLoc(), *type, lhs, *rhs);
  if (!result)
    result = OpTy::create(b, ctx.getLoc(), *type, lhs, *rhs);
  ctx.setOutput(0, result);
  return success();
}

/// Mod: fmod = 1 is C's fmod (sign of the dividend, required for floats),
/// fmod = 0 Python's % (sign of the divisor).
static LogicalResult convertMod(NodeContext &ctx) {
  FailureOr<RankedTensorType> lhs = ctx.getInputType(0);
  if (failed(lhs))
    return failure();
  // On unsigned integers both modes agree: a - (a /u b) * b.
  if (ctx.isUnsignedInput(0)) {
    FailureOr<RankedTensorType> rhs = ctx.getInputType(1);
    if (failed(rhs))
      return failure();
    if (lhs->getElementType() != rhs->getElementType())
      return ctx.emitError("operand element types differ");
    Value a = ctx.getInput(0), d = ctx.getInput(1);
    FailureOr<RankedTensorType> type =
        getBroadcastType(ctx, a, d, lhs->getElementType());
    if (failed(type))
      return failure();
    OpBuilder &b = ctx.getBuilder();
    Location loc = ctx.getLoc();
    Value quotient = DivUOp::create(b, loc, *type, a, d);
    Value product = MulOp::create(b, loc, *type, quotient, d);
    ctx.setOutput(0, SubOp::create(b, loc, *type, a, product));
    return success();
  }
  bool fmod = ctx.getInt("fmod", 0) != 0;
  if (isa<FloatType>(lhs->getElementType()) && !fmod)
    return ctx.emitError("fmod must be 1 for floating-point inputs");
  return fmod ? convertBinary<RemOp>(ctx) : convertBinary<ModOp>(ctx);
}

/// PRelu: a 1-D slope of C elements that does not broadcast the numpy way
/// is per channel (axis 1), as older exporters (PyTorch) emit it.
static LogicalResult convertPRelu(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getInputType(0);
  FailureOr<RankedTensorType> slope = ctx.getInputType(1);
  if (failed(x) || failed(slope))
    return failure();
  if (x->getElementType() != slope->getElementType())
    return ctx.emitError("operand element types differ");
  Value rhs = ctx.getInput(1);
  OpBuilder &b = ctx.getBuilder();
  if (failed(broadcastShapes(x->getShape(), slope->getShape(), nullptr)) &&
      slope->getRank() == 1 && x->getRank() >= 2 &&
      slope->getDimSize(0) == x->getDimSize(1)) {
    SmallVector<int64_t> shape(x->getRank() - 1, 1);
    shape[0] = slope->getDimSize(0);
    rhs = ReshapeOp::create(b, ctx.getLoc(), slope->clone(shape), rhs);
  }
  FailureOr<RankedTensorType> type =
      getBroadcastType(ctx, ctx.getInput(0), rhs, x->getElementType());
  if (failed(type))
    return failure();
  ctx.setOutput(0, PReluOp::create(b, ctx.getLoc(), *type, ctx.getInput(0), rhs));
  return success();
}

/// BitShift is defined on unsigned integers: left shifts are signedness-free
/// and right shifts are logical.
static LogicalResult convertBitShift(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (!type->getElementType().isSignlessInteger() ||
      type->getElementType().isInteger(1))
    return ctx.emitError("needs integer inputs");
  std::string direction = ctx.getString("direction", "");
  if (direction == "LEFT")
    return convertBinary<ShiftLeftOp>(ctx);
  if (direction == "RIGHT")
    return convertBinary<ShiftRightUOp>(ctx);
  return ctx.emitError("direction must be LEFT or RIGHT");
}

/// Pow: the exponent may have another numeric type than the base.
static LogicalResult convertPow(NodeContext &ctx) {
  FailureOr<RankedTensorType> base = ctx.getInputType(0);
  FailureOr<RankedTensorType> exponent = ctx.getInputType(1);
  if (failed(base) || failed(exponent))
    return failure();
  if (ctx.isUnsignedInput(0))
    return ctx.emitError("unsigned bases are not supported yet");
  OpBuilder &b = ctx.getBuilder();
  Value rhs = ctx.getInput(1);
  Type baseElement = base->getElementType();
  if (exponent->getElementType() != baseElement) {
    bool isUnsigned = ctx.isUnsignedInput(1);
    if (isUnsigned && !isa<FloatType>(baseElement))
      return ctx.emitError("unsigned exponents need a float base");
    Composer c(ctx);
    rhs = isUnsigned ? c.convertInteger(rhs, baseElement, true)
                     : CastOp::create(b, ctx.getLoc(),
                                      exponent->clone(baseElement), rhs);
  }
  FailureOr<RankedTensorType> type =
      getBroadcastType(ctx, ctx.getInput(0), rhs, base->getElementType());
  if (failed(type))
    return failure();
  ctx.setOutput(0, PowOp::create(b, ctx.getLoc(), *type, ctx.getInput(0), rhs));
  return success();
}

/// Max, Min, Sum, Mean over any number of inputs, pairwise from the left.
template <typename OpTy, bool isMean = false>
static LogicalResult convertVariadic(NodeContext &ctx) {
  if (ctx.getNumInputs() == 0)
    return ctx.emitError("needs at least one input");
  FailureOr<RankedTensorType> first = ctx.getInputType(0);
  if (failed(first))
    return failure();
  Type element = first->getElementType();
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  // Unsigned order is signed order with the sign bit flipped: adding the
  // sign bit (wrapping) maps one onto the other, for Max and Min only.
  Value signBit;
  if (ctx.isUnsignedInput(0)) {
    if (!std::is_same_v<OpTy, MaxOp> && !std::is_same_v<OpTy, MinOp>)
      return ctx.emitError("unsigned inputs are supported by Max and Min "
                           "only");
    unsigned width = element.getIntOrFloatBitWidth();
    signBit = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, element),
                               APInt::getSignedMinValue(width)));
  }
  auto flipSign = [&](Value value) -> Value {
    if (!signBit)
      return value;
    return AddOp::create(b, loc, value.getType(), value, signBit);
  };
  Value result = flipSign(ctx.getInput(0));
  for (unsigned i = 1; i < ctx.getNumInputs(); ++i) {
    FailureOr<RankedTensorType> type = ctx.getInputType(i);
    if (failed(type))
      return failure();
    if (type->getElementType() != element)
      return ctx.emitError("operand element types differ");
    FailureOr<RankedTensorType> resultType =
        getBroadcastType(ctx, result, ctx.getInput(i), element);
    if (failed(resultType))
      return failure();
    result = OpTy::create(b, loc, *resultType, result,
                          flipSign(ctx.getInput(i)));
  }
  result = flipSign(result);
  if (isMean && ctx.getNumInputs() > 1) {
    if (!isa<FloatType>(element))
      return ctx.emitError("Mean needs floating-point inputs");
    auto scalarType = RankedTensorType::get({}, element);
    Value count = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(scalarType,
                               b.getFloatAttr(element, ctx.getNumInputs())));
    result = DivOp::create(b, loc, result.getType(), result, count);
  }
  ctx.setOutput(0, result);
  return success();
}

static LogicalResult convertWhere(NodeContext &ctx) {
  FailureOr<RankedTensorType> condition = ctx.getInputType(0);
  FailureOr<RankedTensorType> lhs = ctx.getInputType(1);
  FailureOr<RankedTensorType> rhs = ctx.getInputType(2);
  if (failed(condition) || failed(lhs) || failed(rhs))
    return failure();
  if (!condition->getElementType().isInteger(1))
    return ctx.emitError("the condition must be a bool tensor");
  if (lhs->getElementType() != rhs->getElementType())
    return ctx.emitError("the branches' element types differ");
  FailureOr<RankedTensorType> branches = getBroadcastType(
      ctx, ctx.getInput(1), ctx.getInput(2), lhs->getElementType());
  if (failed(branches))
    return failure();
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape =
      broadcastShapes(condition->getShape(), branches->getShape(), error);
  if (failed(shape))
    return failure();
  ctx.setOutput(0, SelectOp::create(
                       ctx.getBuilder(), ctx.getLoc(),
                       RankedTensorType::get(*shape, lhs->getElementType()),
                       ctx.getInput(0), ctx.getInput(1), ctx.getInput(2)));
  return success();
}

/// Cast (`to` attribute) and CastLike (the type of input 1).
static LogicalResult convertCast(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  Type to;
  if (ctx.getNode().op_type() == "CastLike") {
    FailureOr<RankedTensorType> like = ctx.getInputType(1);
    if (failed(like))
      return failure();
    to = like->getElementType();
  } else {
    int64_t code = ctx.getInt("to", 0);
    to = convertElementType(static_cast<int32_t>(code),
                            ctx.getBuilder().getContext());
    if (!to)
      return ctx.emitError("casting to " +
                           getElementTypeName(static_cast<int32_t>(code)) +
                           " is not supported");
  }
  ctx.setOutput(0, CastOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  input->clone(to), ctx.getInput(0)));
  return success();
}

enum class UnaryTypes { Float, Numeric, Bool, Integer };

template <typename OpTy>
static LogicalResult convertUnary(NodeContext &ctx, UnaryTypes types) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  bool integer = element.isSignlessInteger() && !element.isInteger(1);
  bool supported = types == UnaryTypes::Bool ? element.isInteger(1)
                   : types == UnaryTypes::Integer
                       ? integer
                       : isa<FloatType>(element) ||
                             (types == UnaryTypes::Numeric && integer);
  if (!supported)
    return ctx.emitError("element type ") << element << " is not supported";
  ctx.setOutput(0, OpTy::create(ctx.getBuilder(), ctx.getLoc(), ctx.getInput(0)));
  return success();
}

/// BitwiseAnd, BitwiseOr, BitwiseXor and BitwiseNot (opset 18): integers
/// of one type, which the result keeps (GraphImporter records it: ONNX's
/// inference, older than these ops, cannot).
template <typename OpTy> static LogicalResult convertBitwise(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!element.isSignlessInteger() || element.isInteger(1))
    return ctx.emitError("element type ") << element << " is not supported";
  // 4-bit values are held one per byte: flipping the byte's bits would not
  // flip theirs.
  if (std::optional<int32_t> dataType = ctx.getInputDataType(0);
      dataType && isInt4DataType(*dataType))
    return ctx.emitError("4-bit inputs are not supported");
  if constexpr (std::is_same_v<OpTy, NotOp>)
    return convertUnary<OpTy>(ctx, UnaryTypes::Integer);
  else
    return convertBinary<OpTy>(ctx);
}

/// Activations whose ONNX attributes map to the op's alpha and beta.
template <typename OpTy>
static LogicalResult convertActivation(NodeContext &ctx, StringRef alphaName,
                                       float alphaDefault, StringRef betaName,
                                       float betaDefault) {
  FailureOr<RankedTensorType> type = ctx.getFloatInputType(0);
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  float alpha = alphaName.empty() ? alphaDefault
                                  : ctx.getFloat(alphaName, alphaDefault);
  float beta =
      betaName.empty() ? betaDefault : ctx.getFloat(betaName, betaDefault);
  ctx.setOutput(0, OpTy::create(b, ctx.getLoc(), *type, ctx.getInput(0),
                                b.getF32FloatAttr(alpha),
                                b.getF32FloatAttr(beta)));
  return success();
}

/// A Clip bound as a scalar tensor of the input's element type: an
/// attribute before opset 11, an optional input (constant or not) after.
static FailureOr<Value> getClipBound(NodeContext &ctx, StringRef name,
                                     unsigned index, Type element) {
  OpBuilder &b = ctx.getBuilder();
  auto scalarType = RankedTensorType::get({}, element);
  if (ctx.getOpset() < 11) {
    if (!ctx.getAttr(name))
      return Value();
    if (!isa<FloatType>(element))
      return ctx.emitError("Clip before opset 11 takes only float tensors");
    return Value(ConstantOp::create(
        b, ctx.getLoc(),
        DenseElementsAttr::get(scalarType,
                               b.getFloatAttr(element, ctx.getFloat(name, 0)))));
  }
  if (!ctx.hasInput(index))
    return Value();
  FailureOr<RankedTensorType> type = ctx.getInputType(index);
  if (failed(type))
    return failure();
  if (type->getElementType() != element || !type->hasStaticShape() ||
      type->getNumElements() != 1)
    return ctx.emitError(name + " must be a scalar of the input's type");
  Value bound = ctx.getInput(index);
  if (type->getRank() != 0)
    bound = ReshapeOp::create(b, ctx.getLoc(), scalarType, bound);
  return bound;
}

static LogicalResult convertClip(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(element) && !element.isSignlessInteger())
    return ctx.emitError("element type ") << element << " is not supported";
  FailureOr<Value> min = getClipBound(ctx, "min", 1, element);
  FailureOr<Value> max = getClipBound(ctx, "max", 2, element);
  if (failed(min) || failed(max))
    return failure();
  ctx.setOutput(0, ClipOp::create(ctx.getBuilder(), ctx.getLoc(),
                                  ctx.getInput(0), *min, *max));
  return success();
}

/// Shrink: x + bias below -lambd, x - bias above lambd, 0 in between.
static LogicalResult convertShrink(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getFloatInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  Composer c(ctx);
  Value x = ctx.getInput(0);
  double lambd = ctx.getFloat("lambd", 0.5f), bias = ctx.getFloat("bias", 0);
  Value below = c.compare<LessOp>(x, c.scalar(element, -lambd));
  Value above = c.compare<GreaterOp>(x, c.scalar(element, lambd));
  Value shrunk = c.select(
      above, c.binary<SubOp>(x, c.scalar(element, bias)),
      c.splat(*type, c.b.getFloatAttr(element, 0)));
  ctx.setOutput(0, c.select(below, c.binary<AddOp>(x, c.scalar(element, bias)),
                            shrunk));
  return success();
}

void mlir::edge::onnx_import::registerElementwiseOps(OpRegistry &registry) {
  registry.add("Shrink", convertShrink);
  registry.add("Clip", convertClip);
  registry.add("Add", convertBinary<AddOp>);
  registry.add("Sub", convertBinary<SubOp>);
  registry.add("Mul", convertBinary<MulOp>);
  registry.add("Div", convertBinary<DivOp>);
  registry.add("Pow", convertPow);
  registry.add("Mod", convertMod);
  registry.add("BitShift", convertBitShift);
  registry.add("PRelu", convertPRelu);
  registry.add("Equal", convertBinary<EqualOp, true>);
  registry.add("Less", convertBinary<LessOp, true>);
  registry.add("LessOrEqual", convertBinary<LessEqualOp, true>);
  registry.add("Greater", convertBinary<GreaterOp, true>);
  registry.add("GreaterOrEqual", convertBinary<GreaterEqualOp, true>);
  registry.add("And", convertBinary<AndOp, true>);
  registry.add("Or", convertBinary<OrOp, true>);
  registry.add("Xor", convertBinary<XorOp, true>);
  // The bitwise ops of opset 18, newer than the linked schemas (no
  // attributes): the logical ops over integers.
  registry.add("", "BitwiseAnd", convertBitwise<AndOp>, {});
  registry.add("", "BitwiseOr", convertBitwise<OrOp>, {});
  registry.add("", "BitwiseXor", convertBitwise<XorOp>, {});
  registry.add("Max", convertVariadic<MaxOp>);
  registry.add("Min", convertVariadic<MinOp>);
  registry.add("Sum", convertVariadic<AddOp>);
  registry.add("Mean", convertVariadic<AddOp, /*isMean=*/true>);
  registry.add("Where", convertWhere);
  registry.add("Cast", convertCast);
  registry.add("CastLike", convertCast);

  auto unary = [&](StringRef name, auto op, UnaryTypes types) {
    using OpTy = decltype(op);
    registry.add(name, [types](NodeContext &ctx) {
      return convertUnary<OpTy>(ctx, types);
    });
  };
  unary("Relu", ReluOp(), UnaryTypes::Numeric);
  unary("Neg", NegOp(), UnaryTypes::Numeric);
  unary("Abs", AbsOp(), UnaryTypes::Numeric);
  unary("Sign", SignOp(), UnaryTypes::Numeric);
  unary("Not", NotOp(), UnaryTypes::Bool);
  registry.add("", "BitwiseNot", convertBitwise<NotOp>, {});
  unary("Sigmoid", SigmoidOp(), UnaryTypes::Float);
  unary("Tanh", TanhOp(), UnaryTypes::Float);
  unary("Exp", ExpOp(), UnaryTypes::Float);
  unary("Log", LogOp(), UnaryTypes::Float);
  unary("Sqrt", SqrtOp(), UnaryTypes::Float);
  unary("Erf", ErfOp(), UnaryTypes::Float);
  unary("Reciprocal", ReciprocalOp(), UnaryTypes::Float);
  unary("Floor", FloorOp(), UnaryTypes::Float);
  unary("Ceil", CeilOp(), UnaryTypes::Float);
  unary("Round", RoundOp(), UnaryTypes::Float);
  unary("Sin", SinOp(), UnaryTypes::Float);
  unary("Cos", CosOp(), UnaryTypes::Float);
  unary("Tan", TanOp(), UnaryTypes::Float);
  unary("Asin", AsinOp(), UnaryTypes::Float);
  unary("Acos", AcosOp(), UnaryTypes::Float);
  unary("Atan", AtanOp(), UnaryTypes::Float);
  unary("Sinh", SinhOp(), UnaryTypes::Float);
  unary("Cosh", CoshOp(), UnaryTypes::Float);
  unary("Asinh", AsinhOp(), UnaryTypes::Float);
  unary("Acosh", AcoshOp(), UnaryTypes::Float);
  unary("Atanh", AtanhOp(), UnaryTypes::Float);
  unary("Softplus", SoftplusOp(), UnaryTypes::Float);
  unary("Softsign", SoftsignOp(), UnaryTypes::Float);
  unary("HardSwish", HardSwishOp(), UnaryTypes::Float);

  auto activation = [&](StringRef name, auto op, StringRef alphaName,
                        float alpha, StringRef betaName, float beta) {
    using OpTy = decltype(op);
    registry.add(name, [=](NodeContext &ctx) {
      return convertActivation<OpTy>(ctx, alphaName, alpha, betaName, beta);
    });
  };
  activation("LeakyRelu", LeakyReluOp(), "alpha", 0.01f, "", 0.0f);
  activation("Elu", EluOp(), "alpha", 1.0f, "", 0.0f);
  activation("Celu", CeluOp(), "alpha", 1.0f, "", 0.0f);
  activation("Selu", SeluOp(), "alpha", 1.67326319217681884765625f, "gamma",
             1.05070102214813232421875f);
  activation("HardSigmoid", HardSigmoidOp(), "alpha", 0.2f, "beta", 0.5f);
  activation("ThresholdedRelu", ThresholdedReluOp(), "alpha", 1.0f, "", 0.0f);
}
