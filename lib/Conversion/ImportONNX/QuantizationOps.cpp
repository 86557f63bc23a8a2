//===- QuantizationOps.cpp - Import ONNX linear (de)quantization ----------===//
//
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear composed from
// edge ops in the float domain. 8-bit integers are signless in edge; the
// importer knows which are unsigned and converts them accordingly.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The range of a quantized type.
struct QuantRange {
  double min, max;
};

FailureOr<QuantRange> getQuantRange(NodeContext &ctx, Type element,
                                    bool isUnsigned) {
  if (!element.isInteger(8))
    return ctx.emitError("only 8-bit integer quantized types are supported");
  return isUnsigned ? QuantRange{0, 255} : QuantRange{-128, 127};
}

/// Integers to `floatType`; unsigned ones are read as signed and corrected.
Value integerToFloat(Composer &c, Value x, Type floatType, bool isUnsigned) {
  RankedTensorType type = c.typeOf(x);
  Value f = CastOp::create(c.b, c.loc, type.clone(floatType), x);
  if (!isUnsigned)
    return f;
  unsigned width = type.getElementType().getIntOrFloatBitWidth();
  Value wrapped = c.binary<AddOp>(f, c.scalar(floatType, std::ldexp(1.0, width)));
  return c.select(c.compare<LessOp>(f, c.scalar(floatType, 0)), wrapped, f);
}

/// Float values already in the quantized range to `element` (via i32, since
/// a float-to-i8 conversion of an unsigned value above 127 overflows).
Value floatToQuantized(Composer &c, Value x, Type element) {
  RankedTensorType type = c.typeOf(x);
  Value wide = CastOp::create(c.b, c.loc, type.clone(c.b.getI32Type()), x);
  return CastOp::create(c.b, c.loc, type.clone(element), wide);
}

/// A per-axis 1-D parameter reshaped to broadcast along `axis` of `x`.
FailureOr<Value> alignToAxis(NodeContext &ctx, Composer &c, Value param,
                             RankedTensorType x) {
  RankedTensorType type = c.typeOf(param);
  if (type.getRank() == 0 || type.getNumElements() == 1)
    return c.reshape(param, {});
  if (type.getRank() != 1)
    return ctx.emitError("scale and zero point must be scalars or 1-D");
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.getInt("axis", 1),
                                              x.getRank());
  if (failed(axis))
    return failure();
  if (x.getDimSize(*axis) != type.getDimSize(0))
    return ctx.emitError("a 1-D scale needs one element per slice of axis " +
                         Twine(*axis));
  SmallVector<int64_t> shape(x.getRank(), 1);
  shape[*axis] = type.getDimSize(0);
  return c.reshape(param, shape);
}

/// saturate(round(x / scale) + zeroPoint) as `element`.
Value quantize(Composer &c, Value x, Value scale, Value zeroPoint,
               Type element, QuantRange range) {
  Type floatType = c.typeOf(x).getElementType();
  Value q = c.unary<RoundOp>(c.binary<DivOp>(x, scale));
  if (zeroPoint)
    q = c.binary<AddOp>(q, zeroPoint);
  q = ClipOp::create(c.b, c.loc, q, c.scalar(floatType, range.min),
                     c.scalar(floatType, range.max));
  return floatToQuantized(c, q, element);
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getInputType(0);
  FailureOr<RankedTensorType> scaleType = ctx.getInputType(1);
  if (failed(x) || failed(scaleType))
    return failure();
  Type floatType = x->getElementType();
  if (!isa<FloatType>(floatType) || scaleType->getElementType() != floatType)
    return ctx.emitError("x and y_scale must have the same float type");
  Composer c(ctx);
  // Without a zero point the result is uint8.
  Type element = c.b.getIntegerType(8);
  bool isUnsigned = true;
  Value zeroPoint;
  if (ctx.hasInput(2)) {
    FailureOr<RankedTensorType> zpType = ctx.getInputType(2);
    if (failed(zpType))
      return failure();
    element = zpType->getElementType();
    isUnsigned = ctx.isUnsignedInput(2);
    FailureOr<Value> zp = alignToAxis(ctx, c, ctx.getInput(2), *x);
    if (failed(zp))
      return failure();
    zeroPoint = integerToFloat(c, *zp, floatType, isUnsigned);
  }
  FailureOr<QuantRange> range = getQuantRange(ctx, element, isUnsigned);
  FailureOr<Value> scale = alignToAxis(ctx, c, ctx.getInput(1), *x);
  if (failed(range) || failed(scale))
    return failure();
  ctx.setOutput(0, quantize(c, ctx.getInput(0), *scale, zeroPoint, element,
                            *range));
  return success();
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getInputType(0);
  FailureOr<RankedTensorType> scaleType = ctx.getInputType(1);
  if (failed(x) || failed(scaleType))
    return failure();
  Type floatType = scaleType->getElementType();
  Type element = x->getElementType();
  if (!isa<FloatType>(floatType) || !element.isSignlessInteger() ||
      element.isInteger(1))
    return ctx.emitError("needs integer x and a float x_scale");
  Composer c(ctx);
  bool isUnsigned = ctx.isUnsignedInput(0);
  Value y = integerToFloat(c, ctx.getInput(0), floatType, isUnsigned);
  if (ctx.hasInput(2)) {
    FailureOr<Value> zp = alignToAxis(ctx, c, ctx.getInput(2), *x);
    if (failed(zp))
      return failure();
    y = c.binary<SubOp>(y, integerToFloat(c, *zp, floatType, isUnsigned));
  }
  FailureOr<Value> scale = alignToAxis(ctx, c, ctx.getInput(1), *x);
  if (failed(scale))
    return failure();
  ctx.setOutput(0, c.binary<MulOp>(y, *scale));
  return success();
}

/// uint8 quantization with a scale and zero point that map [min(x, 0),
/// max(x, 0)] onto [0, 255].
LogicalResult convertDynamicQuantizeLinear(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getInputType(0);
  if (failed(x))
    return failure();
  Type floatType = x->getElementType();
  if (!floatType.isF32())
    return ctx.emitError("needs a float32 input");
  Composer c(ctx);
  const QuantRange range{0, 255};
  Value input = ctx.getInput(0);
  Value zero = c.scalar(floatType, 0);
  Value low = c.binary<MinOp>(c.reduce<ReduceMinOp>(input, {}, false), zero);
  Value high = c.binary<MaxOp>(c.reduce<ReduceMaxOp>(input, {}, false), zero);
  Value scale = c.binary<DivOp>(c.binary<SubOp>(high, low),
                                c.scalar(floatType, range.max - range.min));
  Value zeroPointF = ClipOp::create(
      c.b, c.loc,
      c.unary<RoundOp>(c.binary<SubOp>(c.scalar(floatType, range.min),
                                       c.binary<DivOp>(low, scale))),
      c.scalar(floatType, range.min), c.scalar(floatType, range.max));
  Type uint8 = c.b.getIntegerType(8);
  ctx.setOutput(0, quantize(c, input, scale, zeroPointF, uint8, range));
  ctx.setOutput(1, scale);
  ctx.setOutput(2, floatToQuantized(c, zeroPointF, uint8));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerQuantizationOps(OpRegistry &registry) {
  registry.add("QuantizeLinear", convertQuantizeLinear);
  registry.add("DequantizeLinear", convertDequantizeLinear);
  registry.add("DynamicQuantizeLinear", convertDynamicQuantizeLinear);
}
