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

/// A Clip bound as a scalar tensor of the input's element type: an
/// attribute before opset 11, an optional input (constant or not) after.
static FailureOr<Value> getClipBound(NodeContext &ctx, StringRef name,
                                     unsigned index, Type element) {
  OpBuilder &b = ctx.getBuilder();
  auto scalarType = RankedTensorType::get({}, element);
  if (ctx.getOpset() < 11) {
    if (!ctx.getAttr(name))
      return Value();
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
  if (type->getElementType() != element || type->getNumElements() != 1)
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
