//===- ElementwiseOps.cpp - Import ONNX elementwise operators -------------===//

#include "GraphImporter.h"

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

template <typename OpTy>
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
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = broadcastShapes(
      lhsType->getShape(), cast<ShapedType>(rhs->getType()).getShape(), error);
  if (failed(shape))
    return failure();
  auto type = RankedTensorType::get(*shape, lhsType->getElementType());
  ctx.setOutput(0, OpTy::create(ctx.getBuilder(), ctx.getLoc(), type, lhs, *rhs));
  return success();
}

template <typename OpTy>
static LogicalResult convertUnary(NodeContext &ctx, bool floatOnly) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (floatOnly ? !isa<FloatType>(element)
                : !isa<FloatType>(element) && !element.isSignlessInteger())
    return ctx.emitError("element type ") << element << " is not supported";
  ctx.setOutput(0, OpTy::create(ctx.getBuilder(), ctx.getLoc(), ctx.getInput(0)));
  return success();
}

/// A Clip bound: an attribute before opset 11, an optional constant scalar
/// input after. Returns nullopt for "no bound".
static FailureOr<std::optional<double>> getClipBound(NodeContext &ctx,
                                                    StringRef name,
                                                    unsigned index) {
  if (ctx.getOpset() < 11) {
    if (!ctx.getAttr(name))
      return std::optional<double>();
    return std::optional<double>(ctx.getFloat(name, 0));
  }
  if (!ctx.hasInput(index))
    return std::optional<double>();
  std::optional<DenseElementsAttr> bound = ctx.getConstantInput(index);
  if (!bound || bound->getNumElements() != 1)
    return ctx.emitError(name + " must be a constant scalar (bounds computed "
                                "at run time are not supported)");
  Attribute value = *bound->value_begin<Attribute>();
  if (auto floatAttr = dyn_cast<FloatAttr>(value))
    return std::optional<double>(floatAttr.getValueAsDouble());
  return std::optional<double>(
      static_cast<double>(cast<IntegerAttr>(value).getInt()));
}

static LogicalResult convertClip(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(element) && !element.isSignlessInteger())
    return ctx.emitError("element type ") << element << " is not supported";
  FailureOr<std::optional<double>> min = getClipBound(ctx, "min", 1);
  FailureOr<std::optional<double>> max = getClipBound(ctx, "max", 2);
  if (failed(min) || failed(max))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto toAttr = [&](std::optional<double> bound) {
    return bound ? b.getF64FloatAttr(*bound) : FloatAttr();
  };
  // A model may give min > max: ONNX then returns max everywhere, which
  // the op expresses as a clip to [max, max].
  if (*min && *max && **min > **max)
    *min = *max;
  ctx.setOutput(0, ClipOp::create(b, ctx.getLoc(), ctx.getInput(0),
                                  toAttr(*min), toAttr(*max)));
  return success();
}

void mlir::edge::onnx_import::registerElementwiseOps(OpRegistry &registry) {
  registry.add("Clip", convertClip);
  registry.add("Add", convertBinary<AddOp>);
  registry.add("Sub", convertBinary<SubOp>);
  registry.add("Mul", convertBinary<MulOp>);
  registry.add("Div", convertBinary<DivOp>);

  auto unary = [&](StringRef name, auto op, bool floatOnly) {
    using OpTy = decltype(op);
    registry.add(name, [floatOnly](NodeContext &ctx) {
      return convertUnary<OpTy>(ctx, floatOnly);
    });
  };
  unary("Relu", ReluOp(), false);
  unary("Neg", NegOp(), false);
  unary("Abs", AbsOp(), false);
  unary("Sigmoid", SigmoidOp(), true);
  unary("Tanh", TanhOp(), true);
  unary("Exp", ExpOp(), true);
  unary("Log", LogOp(), true);
  unary("Sqrt", SqrtOp(), true);
  unary("Erf", ErfOp(), true);
  unary("Reciprocal", ReciprocalOp(), true);
  unary("Floor", FloorOp(), true);
  unary("Ceil", CeilOp(), true);
}
