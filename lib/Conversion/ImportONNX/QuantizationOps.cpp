//===- QuantizationOps.cpp - Import ONNX quantized operators --------------===//
//
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear composed from
// edge ops in the float domain; MatMulInteger, ConvInteger, QLinearMatMul
// and QLinearConv accumulate exactly (int32 matmul; conv in f64, exact for
// 8-bit operands) and requantize in float. 8-bit integers are signless in
// edge; the importer knows which are unsigned and converts them accordingly.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The range of a quantized type.
struct QuantRange {
  double min, max;
};

/// The range of the quantized ONNX type `dataType` (8-, 16- or 4-bit
/// integers; the 4-bit ones are carried as i8).
FailureOr<QuantRange> getQuantRange(NodeContext &ctx, int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::INT8:
    return QuantRange{-128, 127};
  case onnx::TensorProto::UINT8:
    return QuantRange{0, 255};
  case onnx::TensorProto::INT16:
    return QuantRange{-32768, 32767};
  case onnx::TensorProto::UINT16:
    return QuantRange{0, 65535};
  case kOnnxInt4:
    return QuantRange{-8, 7};
  case kOnnxUInt4:
    return QuantRange{0, 15};
  default:
    return ctx.emitError("quantized type " + getElementTypeName(dataType) +
                         " is not supported (int8, uint8, int16, uint16, "
                         "int4 and uint4 are)");
  }
}

/// The ONNX type of the zero point at input `index`. One computed by the
/// graph has no recorded ONNX type: its signless integers read as signed.
FailureOr<int32_t> getZeroPointDataType(NodeContext &ctx, unsigned index) {
  FailureOr<RankedTensorType> type = ctx.getInputType(index);
  if (failed(type))
    return failure();
  if (std::optional<int32_t> known = ctx.getInputDataType(index))
    return *known;
  return type->getElementType().isInteger(16) ? onnx::TensorProto::INT16
                                              : onnx::TensorProto::INT8;
}

/// Blocked quantization (opset 21's block_size): one scale and zero point
/// per `block` consecutive elements along `axis` of x, whose size there is
/// `size`; the parameters have x's shape but `ceil(size / block)` there.
struct Blocking {
  int64_t axis, block, size;

  int64_t fullBlocks() const { return size / block; }
  /// Elements along `axis` in whole blocks.
  int64_t fullSize() const { return fullBlocks() * block; }
};

/// The node's blocking of x, nullopt without block_size, failure when x or
/// a parameter (inputs 1 and 2) does not fit it.
FailureOr<std::optional<Blocking>> getBlocking(NodeContext &ctx,
                                               RankedTensorType x) {
  int64_t block = ctx.getInt("block_size", 0);
  if (block == 0)
    return std::optional<Blocking>();
  if (block < 0)
    return ctx.emitError("block_size must be positive, got " + Twine(block));
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 1), x.getRank());
  if (failed(axis))
    return failure();
  if (!x.hasStaticShape())
    return ctx.emitError("blocked quantization needs x of static shape");
  Blocking blocking{*axis, block, x.getDimSize(*axis)};
  SmallVector<int64_t> paramShape(x.getShape());
  paramShape[*axis] = (blocking.size + block - 1) / block;
  for (unsigned index : {1u, 2u}) {
    if (!ctx.hasInput(index))
      continue;
    FailureOr<RankedTensorType> type = ctx.getInputType(index);
    if (failed(type))
      return failure();
    if (type->getShape() != ArrayRef<int64_t>(paramShape))
      return ctx.emitError(
          "with block_size " + Twine(block) +
          ", the scale and zero point "
          "must have x's shape with ceil(" +
          Twine(blocking.size) + " / " + Twine(block) + ") = " +
          Twine(paramShape[*axis]) + " along axis " + Twine(*axis) + ": [" +
          llvm::join(llvm::map_range(
                         paramShape,
                         [](int64_t size) { return std::to_string(size); }),
                     ", ") +
          "]");
  }
  return std::optional<Blocking>(blocking);
}

/// `value` with `axis` split in two: [..., size / block, block, ...].
Value splitBlocks(Composer &c, Value value, int64_t axis, int64_t block) {
  SmallVector<int64_t> shape(c.typeOf(value).getShape());
  shape[axis] /= block;
  shape.insert(shape.begin() + axis + 1, block);
  return c.reshape(value, shape);
}

/// `fn` (x, parameters) applied per block: the whole blocks with x viewed
/// split (splitBlocks) and each parameter with a unit dimension after the
/// blocks', which broadcasts it over its block; a last, shorter block with
/// the parameters' last slice. `splitX`, when given, is x's whole blocks
/// already split (a constant laid out so).
Value applyPerBlock(Composer &c, const Blocking &blocking, Value x,
                    ArrayRef<Value> params,
                    llvm::function_ref<Value(Value, ArrayRef<Value>)> fn,
                    Value splitX = Value()) {
  int64_t axis = blocking.axis, full = blocking.fullBlocks();
  SmallVector<Value> parts;
  if (full > 0) {
    if (!splitX)
      splitX = splitBlocks(c, c.sliceAxis(x, axis, 0, blocking.fullSize()),
                           axis, blocking.block);
    SmallVector<Value> blockParams;
    for (Value param : params)
      blockParams.push_back(
          param ? splitBlocks(c, c.sliceAxis(param, axis, 0, full), axis, 1)
                : Value());
    Value y = fn(splitX, blockParams);
    SmallVector<int64_t> shape(c.typeOf(x).getShape());
    shape[axis] = blocking.fullSize();
    parts.push_back(c.reshape(y, shape));
  }
  if (int64_t rest = blocking.size - blocking.fullSize()) {
    SmallVector<Value> lastParams;
    for (Value param : params)
      lastParams.push_back(param ? c.sliceAxis(param, axis, full, 1) : Value());
    parts.push_back(
        fn(c.sliceAxis(x, axis, blocking.fullSize(), rest), lastParams));
  }
  return c.concat(parts, axis);
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

/// Opset 23's QuantizeLinear precision and DequantizeLinear output_dtype:
/// the float type the op computes in (and, for the latter, returns), taken
/// only as the scale's own type, which 0 names.
static LogicalResult checkComputeType(NodeContext &ctx, StringRef attribute,
                                      Type scaleType) {
  int64_t dataType = ctx.getInt(attribute, 0);
  if (dataType == 0 || convertElementType(static_cast<int32_t>(dataType),
                                          scaleType.getContext()) == scaleType)
    return success();
  return ctx.emitError(attribute + "=" + Twine(dataType) + " (" +
                       getElementTypeName(static_cast<int32_t>(dataType)) +
                       ") is not supported: only the scale's own type");
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getInputType(0);
  FailureOr<RankedTensorType> scaleType = ctx.getInputType(1);
  if (failed(x) || failed(scaleType))
    return failure();
  Type floatType = x->getElementType();
  if (!isa<FloatType>(floatType) || scaleType->getElementType() != floatType)
    return ctx.emitError("x and y_scale must have the same float type");
  if (failed(checkComputeType(ctx, "precision", floatType)))
    return failure();
  // The quantized type: the zero point's, else output_dtype (opset 21),
  // else uint8.
  int32_t dataType = onnx::TensorProto::UINT8;
  if (ctx.hasInput(2)) {
    FailureOr<int32_t> zpType = getZeroPointDataType(ctx, 2);
    if (failed(zpType))
      return failure();
    dataType = *zpType;
  } else if (int64_t outputType = ctx.getInt("output_dtype", 0)) {
    dataType = static_cast<int32_t>(outputType);
  }
  FailureOr<QuantRange> range = getQuantRange(ctx, dataType);
  FailureOr<std::optional<Blocking>> blocking = getBlocking(ctx, *x);
  if (failed(range) || failed(blocking))
    return failure();
  Composer c(ctx);
  Type element = convertElementType(dataType, c.b.getContext());
  auto toFloat = [&](Value zp) {
    return zp ? c.convertInteger(zp, floatType, isUnsignedDataType(dataType))
              : Value();
  };
  Value zeroPoint = ctx.hasInput(2) ? ctx.getInput(2) : Value();
  ctx.setOutputDataType(0, dataType);
  if (*blocking) {
    ctx.setOutput(0, applyPerBlock(c, **blocking, ctx.getInput(0),
                                   {ctx.getInput(1), zeroPoint},
                                   [&](Value part, ArrayRef<Value> params) {
                                     return quantize(c, part, params[0],
                                                     toFloat(params[1]),
                                                     element, *range);
                                   }));
    return success();
  }
  FailureOr<Value> scale = alignToAxis(ctx, c, ctx.getInput(1), *x);
  if (failed(scale))
    return failure();
  if (zeroPoint) {
    FailureOr<Value> zp = alignToAxis(ctx, c, zeroPoint, *x);
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
  }
  ctx.setOutput(0, quantize(c, ctx.getInput(0), *scale, toFloat(zeroPoint),
                            element, *range));
  return success();
}

/// The constant 8-bit (or 4-bit, unpacked) `x` minus its zero point (none,
/// a scalar, one per slice of `axis`, or with `blocking` one per block) as
/// one int8 constant of `shape` (x's, or its blocks split), when every
/// difference fits: signed weights, and unsigned ones centred on their
/// midpoint. Null otherwise.
Value centerConstantWeights(NodeContext &ctx, Composer &c, RankedTensorType x,
                            bool isUnsigned,
                            const std::optional<Blocking> &blocking,
                            ArrayRef<int64_t> shape) {
  if (!x.getElementType().isInteger(8) || !x.hasStaticShape() ||
      x.getRank() == 0)
    return nullptr;
  std::optional<SmallVector<int8_t>> values = readI8Constant(ctx.getInput(0));
  if (!values)
    return nullptr;
  SmallVector<int8_t> zeroPoints{0};
  if (ctx.hasInput(2)) {
    std::optional<SmallVector<int8_t>> read = readI8Constant(ctx.getInput(2));
    if (!read || read->empty())
      return nullptr;
    zeroPoints = std::move(*read);
  }
  FailureOr<int64_t> axis =
      blocking ? FailureOr<int64_t>(blocking->axis)
               : ctx.normalizeAxis(ctx.getInt("axis", 1), x.getRank());
  if (failed(axis) ||
      (!blocking && zeroPoints.size() != 1 &&
       static_cast<int64_t>(zeroPoints.size()) != x.getDimSize(*axis)))
    return nullptr;
  // The index of each element's zero point: the element's own index with
  // its index along `axis` divided by the block (the slice's for one per
  // slice: a block of one, the other dimensions 1).
  int64_t block = blocking ? blocking->block : 1;
  SmallVector<int64_t> zeroPointShape(x.getRank(), 1);
  if (blocking && zeroPoints.size() != 1) {
    zeroPointShape.assign(x.getShape().begin(), x.getShape().end());
    zeroPointShape[*axis] = (x.getDimSize(*axis) + block - 1) / block;
  } else if (zeroPoints.size() != 1) {
    zeroPointShape[*axis] = x.getDimSize(*axis);
  }
  if (static_cast<int64_t>(zeroPoints.size()) !=
      RankedTensorType::get(zeroPointShape, x.getElementType())
          .getNumElements())
    return nullptr;
  auto zeroPointOf = [&](int64_t i) {
    int64_t index = 0, stride = 1;
    for (int64_t d = x.getRank() - 1; d >= 0; --d) {
      int64_t position = i % x.getDimSize(d);
      i /= x.getDimSize(d);
      if (zeroPointShape[d] != 1)
        index += (d == *axis ? position / block : position) * stride;
      stride *= zeroPointShape[d];
    }
    return zeroPoints[index];
  };
  auto widen = [&](int8_t v) -> int {
    return isUnsigned ? static_cast<uint8_t>(v) : v;
  };
  SmallVector<int8_t> centered(values->size());
  for (auto [i, v] : llvm::enumerate(*values)) {
    int difference = widen(v) - widen(zeroPointOf(i));
    if (difference < -128 || difference > 127)
      return nullptr;
    centered[i] = static_cast<int8_t>(difference);
  }
  return ConstantOp::create(
      c.b, c.loc,
      makeI8ElementsAttr(RankedTensorType::get(shape, c.b.getIntegerType(8)),
                         centered, "edge_centered_weight"));
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
  if (failed(checkComputeType(ctx, "output_dtype", floatType)))
    return failure();
  FailureOr<std::optional<Blocking>> blocking = getBlocking(ctx, *x);
  if (failed(blocking))
    return failure();
  Composer c(ctx);
  bool isUnsigned = ctx.isUnsignedInput(0);
  Value zeroPoint = ctx.hasInput(2) ? ctx.getInput(2) : Value();
  auto toFloat = [&](Value integers, bool isUnsigned) {
    return c.convertInteger(integers, floatType, isUnsigned);
  };
  // (float(q) - float(zero point)) * scale on a part of x.
  auto dequantize = [&](Value q, ArrayRef<Value> params) {
    Value y = toFloat(q, isUnsigned);
    if (params[1])
      y = c.binary<SubOp>(y, toFloat(params[1], isUnsigned));
    return c.binary<MulOp>(y, params[0]);
  };
  // Constant weights: cast(q - zero point) * scale, which
  // edge-quantize-weights turns into a product over int8 or int4 weights
  // (blocked: laid out in blocks, see applyPerBlock).
  if (*blocking) {
    const Blocking &blocks = **blocking;
    bool whole = blocks.fullSize() == blocks.size;
    SmallVector<int64_t> shape(x->getShape());
    if (whole) {
      shape[blocks.axis] = blocks.fullBlocks();
      shape.insert(shape.begin() + blocks.axis + 1, blocks.block);
    }
    if (Value centered =
            centerConstantWeights(ctx, c, *x, isUnsigned, *blocking, shape)) {
      auto scaled = [&](Value q, ArrayRef<Value> params) {
        return c.binary<MulOp>(toFloat(q, false), params[0]);
      };
      ctx.setOutput(0, whole
                           ? applyPerBlock(c, blocks, ctx.getInput(0),
                                           {ctx.getInput(1)}, scaled, centered)
                           : applyPerBlock(c, blocks, centered,
                                           {ctx.getInput(1)}, scaled));
      return success();
    }
    ctx.setOutput(0, applyPerBlock(c, blocks, ctx.getInput(0),
                                   {ctx.getInput(1), zeroPoint}, dequantize));
    return success();
  }
  FailureOr<Value> scale = alignToAxis(ctx, c, ctx.getInput(1), *x);
  if (failed(scale))
    return failure();
  if (Value centered = centerConstantWeights(ctx, c, *x, isUnsigned,
                                             std::nullopt, x->getShape())) {
    ctx.setOutput(0, c.binary<MulOp>(toFloat(centered, false), *scale));
    return success();
  }
  if (zeroPoint) {
    FailureOr<Value> zp = alignToAxis(ctx, c, zeroPoint, *x);
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
  }
  ctx.setOutput(0, dequantize(ctx.getInput(0), {*scale, zeroPoint}));
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

/// An integer input widened to i32 minus its zero point (input `zpIndex`,
/// if present). A 1-D zero point applies along `zpAxis` (counted from the
/// end when negative).
FailureOr<Value> centeredInt32(NodeContext &ctx, Composer &c, unsigned index,
                               unsigned zpIndex, int64_t zpAxis) {
  FailureOr<RankedTensorType> type = ctx.getInputType(index);
  if (failed(type))
    return failure();
  if (!type->getElementType().isInteger(8))
    return ctx.emitError("input " + Twine(index) + " must be 8-bit integers");
  auto widen = [&](Value v, bool isUnsigned) {
    return c.convertInteger(v, c.b.getI32Type(), isUnsigned);
  };
  Value value = widen(ctx.getInput(index), ctx.isUnsignedInput(index));
  if (!ctx.hasInput(zpIndex))
    return value;
  FailureOr<RankedTensorType> zpType = ctx.getInputType(zpIndex);
  if (failed(zpType))
    return failure();
  if (zpType->getElementType() != type->getElementType())
    return ctx.emitError("a zero point must have its input's type");
  Value zp = widen(ctx.getInput(zpIndex), ctx.isUnsignedInput(zpIndex));
  if (zpType->getNumElements() == 1) {
    zp = c.reshape(zp, {});
  } else {
    int64_t rank = type->getRank();
    int64_t axis = zpAxis < 0 ? zpAxis + rank : zpAxis;
    if (zpType->getRank() != 1 || axis < 0 || axis >= rank ||
        zpType->getDimSize(0) != type->getDimSize(axis))
      return ctx.emitError("zero point " + Twine(zpIndex) +
                           " must be a scalar or one value per slice");
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = zpType->getDimSize(0);
    zp = c.reshape(zp, shape);
  }
  return c.binary<SubOp>(value, zp);
}

/// The int32 matrix product of two centered 8-bit inputs.
FailureOr<Value> integerMatMul(NodeContext &ctx, Composer &c, unsigned a,
                               unsigned aZp, unsigned b, unsigned bZp) {
  // A's zero point is per row, B's per column.
  FailureOr<Value> lhs = centeredInt32(ctx, c, a, aZp, -2);
  FailureOr<Value> rhs = centeredInt32(ctx, c, b, bZp, -1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = inferMatMulShape(c.typeOf(*lhs).getShape(),
                                            c.typeOf(*rhs).getShape(), error);
  if (failed(shape))
    return failure();
  return Value(MatMulOp::create(
      c.b, c.loc, RankedTensorType::get(*shape, c.b.getI32Type()), *lhs,
      *rhs));
}

/// The int32 convolution of two centered 8-bit inputs, plus an int32 bias.
/// f64 holds every partial sum exactly (|products| < 2^16, sums < 2^53).
FailureOr<Value> integerConv(NodeContext &ctx, Composer &c, unsigned x,
                             unsigned xZp, unsigned w, unsigned wZp,
                             std::optional<unsigned> biasIndex) {
  FailureOr<Value> input = centeredInt32(ctx, c, x, xZp, 1);
  FailureOr<Value> weight = centeredInt32(ctx, c, w, wZp, 0);
  if (failed(input) || failed(weight))
    return failure();
  Type f64 = c.b.getF64Type();
  auto toF64 = [&](Value v) {
    return CastOp::create(c.b, c.loc, c.typeOf(v).clone(f64), v);
  };
  Value bias;
  if (biasIndex && ctx.hasInput(*biasIndex)) {
    FailureOr<RankedTensorType> biasType = ctx.getInputType(*biasIndex);
    if (failed(biasType))
      return failure();
    if (!biasType->getElementType().isInteger(32))
      return ctx.emitError("the bias must be int32");
    bias = toF64(ctx.getInput(*biasIndex));
  }
  FailureOr<Value> conv = buildConv(ctx, toF64(*input), toF64(*weight), bias);
  if (failed(conv))
    return failure();
  return Value(CastOp::create(c.b, c.loc, c.typeOf(*conv).clone(c.b.getI32Type()),
                              *conv));
}

LogicalResult convertMatMulInteger(NodeContext &ctx) {
  Composer c(ctx);
  FailureOr<Value> product = integerMatMul(ctx, c, 0, 2, 1, 3);
  if (failed(product))
    return failure();
  ctx.setOutput(0, *product);
  return success();
}

LogicalResult convertConvInteger(NodeContext &ctx) {
  Composer c(ctx);
  FailureOr<Value> conv = integerConv(ctx, c, 0, 2, 1, 3, std::nullopt);
  if (failed(conv))
    return failure();
  ctx.setOutput(0, *conv);
  return success();
}

/// An int32 accumulator requantized: saturate(round(acc * scaleA * scaleB /
/// scaleY) + zeroPointY), the scales and zero point at the given inputs.
/// `channelAxis` aligns a per-channel scaleB.
FailureOr<Value> requantize(NodeContext &ctx, Composer &c, Value accumulator,
                            unsigned scaleA, unsigned scaleB,
                            int64_t channelAxis, unsigned scaleY,
                            unsigned zeroPointY) {
  FailureOr<RankedTensorType> yZpType = ctx.getInputType(zeroPointY);
  FailureOr<RankedTensorType> sType = ctx.getInputType(scaleY);
  if (failed(yZpType) || failed(sType))
    return failure();
  Type floatType = sType->getElementType();
  if (!isa<FloatType>(floatType))
    return ctx.emitError("scales must be float tensors");
  FailureOr<int32_t> dataType = getZeroPointDataType(ctx, zeroPointY);
  if (failed(dataType))
    return failure();
  bool isUnsigned = isUnsignedDataType(*dataType);
  Type element = yZpType->getElementType();
  FailureOr<QuantRange> range = getQuantRange(ctx, *dataType);
  if (failed(range))
    return failure();
  RankedTensorType accType = c.typeOf(accumulator);
  Value scaleBValue = ctx.getInput(scaleB);
  if (c.typeOf(scaleBValue).getNumElements() == 1) {
    scaleBValue = c.reshape(scaleBValue, {});
  } else {
    SmallVector<int64_t> shape(accType.getRank(), 1);
    int64_t axis = channelAxis < 0 ? channelAxis + accType.getRank()
                                   : channelAxis;
    shape[axis] = c.typeOf(scaleBValue).getNumElements();
    scaleBValue = c.reshape(scaleBValue, shape);
  }
  Value multiplier = c.binary<DivOp>(
      c.binary<MulOp>(c.reshape(ctx.getInput(scaleA), {}), scaleBValue),
      c.reshape(ctx.getInput(scaleY), {}));
  Value acc = CastOp::create(c.b, c.loc, accType.clone(floatType), accumulator);
  Value q = c.unary<RoundOp>(c.binary<MulOp>(acc, multiplier));
  Value zp = c.convertInteger(c.reshape(ctx.getInput(zeroPointY), {}),
                              floatType, isUnsigned);
  q = ClipOp::create(c.b, c.loc, c.binary<AddOp>(q, zp),
                     c.scalar(floatType, range->min),
                     c.scalar(floatType, range->max));
  return floatToQuantized(c, q, element);
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp).
LogicalResult convertQLinearMatMul(NodeContext &ctx) {
  Composer c(ctx);
  FailureOr<Value> product = integerMatMul(ctx, c, 0, 2, 3, 5);
  if (failed(product))
    return failure();
  FailureOr<Value> y = requantize(ctx, c, *product, 1, 4, -1, 6, 7);
  if (failed(y))
    return failure();
  ctx.setOutput(0, *y);
  return success();
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B).
LogicalResult convertQLinearConv(NodeContext &ctx) {
  Composer c(ctx);
  FailureOr<Value> conv = integerConv(ctx, c, 0, 2, 3, 5, 8u);
  if (failed(conv))
    return failure();
  FailureOr<Value> y = requantize(ctx, c, *conv, 1, 4, 1, 6, 7);
  if (failed(y))
    return failure();
  ctx.setOutput(0, *y);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerQuantizationOps(OpRegistry &registry) {
  registry.add("MatMulInteger", convertMatMulInteger);
  registry.add("ConvInteger", convertConvInteger);
  registry.add("QLinearMatMul", convertQLinearMatMul);
  registry.add("QLinearConv", convertQLinearConv);
  registry.add("QuantizeLinear", convertQuantizeLinear);
  registry.add("DequantizeLinear", convertDequantizeLinear);
  registry.add("DynamicQuantizeLinear", convertDynamicQuantizeLinear);
}
