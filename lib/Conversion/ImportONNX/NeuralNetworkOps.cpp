//===- NeuralNetworkOps.cpp - Import ONNX conv, pooling, gemm, norms ------===//

#include "Composer.h"
#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"

#include <cctype>
#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The window attributes shared by Conv and the pooling ops, with ONNX
/// defaults applied and auto_pad resolved into explicit pads.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

FailureOr<WindowAttrs> getWindowAttrs(NodeContext &ctx,
                                      ArrayRef<int64_t> spatial,
                                      ArrayRef<int64_t> kernel,
                                      bool hasDilations) {
  size_t k = spatial.size();
  WindowAttrs attrs;
  attrs.kernel.assign(kernel.begin(), kernel.end());
  attrs.strides = ctx.getInts("strides").value_or(SmallVector<int64_t>(k, 1));
  attrs.dilations = hasDilations ? ctx.getInts("dilations").value_or(
                                       SmallVector<int64_t>(k, 1))
                                 : SmallVector<int64_t>(k, 1);
  if (attrs.kernel.size() != k || attrs.strides.size() != k ||
      attrs.dilations.size() != k)
    return ctx.emitError("kernel_shape, strides and dilations need " +
                         Twine(k) + " entries (one per spatial dimension)");
  // Bounded values keep every window computation far from int64 overflow.
  constexpr int64_t kMaxWindowValue = int64_t(1) << 31;
  for (size_t i = 0; i < k; ++i) {
    if (attrs.kernel[i] < 1 || attrs.strides[i] < 1 || attrs.dilations[i] < 1)
      return ctx.emitError(
          "kernel_shape, strides and dilations must be positive");
    if (attrs.kernel[i] > kMaxWindowValue ||
        attrs.strides[i] > kMaxWindowValue ||
        attrs.dilations[i] > kMaxWindowValue)
      return ctx.emitError("kernel_shape, strides or dilations too large");
  }

  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    attrs.pads = ctx.getInts("pads").value_or(SmallVector<int64_t>(2 * k, 0));
    if (attrs.pads.size() != 2 * k)
      return ctx.emitError("pads needs " + Twine(2 * k) + " entries");
  } else if (autoPad == "VALID") {
    attrs.pads.assign(2 * k, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // The output keeps ceil(input / stride) positions; the padding that
    // takes splits in two, the odd element going at the end (UPPER) or at
    // the beginning (LOWER).
    attrs.pads.assign(2 * k, 0);
    for (size_t i = 0; i < k; ++i) {
      // With a stride of 1 the padding does not depend on the size.
      if (ShapedType::isDynamic(spatial[i]) && attrs.strides[i] != 1)
        return ctx.emitError("auto_pad " + autoPad + " with stride " +
                             Twine(attrs.strides[i]) +
                             " pads by the spatial size, which is dynamic; "
                             "fix it with --dim or --input-shape");
      int64_t size = ShapedType::isDynamic(spatial[i]) ? 1 : spatial[i];
      int64_t out = (size + attrs.strides[i] - 1) / attrs.strides[i];
      int64_t extent = (attrs.kernel[i] - 1) * attrs.dilations[i] + 1;
      int64_t total = std::max<int64_t>(
          0, (out - 1) * attrs.strides[i] + extent - size);
      int64_t small = total / 2, large = total - small;
      attrs.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      attrs.pads[i + k] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else {
    return ctx.emitError("auto_pad '" + autoPad + "' is not valid");
  }
  for (int64_t pad : attrs.pads)
    if (pad < 0 || pad > kMaxWindowValue)
      return ctx.emitError("pads must be non-negative and below 2^31");
  return attrs;
}

LogicalResult convertConv(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 3);
  FailureOr<RankedTensorType> weight = ctx.getFloatInputType(1, 3);
  if (failed(input) || failed(weight))
    return failure();
  Value bias;
  if (ctx.hasInput(2)) {
    if (failed(ctx.getFloatInputType(2, 1)))
      return failure();
    bias = ctx.getInput(2);
  }
  FailureOr<Value> conv =
      buildConv(ctx, ctx.getInput(0), ctx.getInput(1), bias);
  if (failed(conv))
    return failure();
  ctx.setOutput(0, *conv);
  return success();
}

} // namespace

FailureOr<Value> mlir::edge::onnx_import::buildConv(NodeContext &ctx,
                                                    Value x, Value w,
                                                    Value bias) {
  auto input = cast<RankedTensorType>(x.getType());
  auto weight = cast<RankedTensorType>(w.getType());
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return ctx.emitError("input and weight must have one rank >= 3");
  ArrayRef<int64_t> kernel = weight.getShape().drop_front(2);
  if (auto declared = ctx.getInts("kernel_shape"); declared && *declared != kernel)
    return ctx.emitError("kernel_shape disagrees with the weight's shape");
  FailureOr<WindowAttrs> window = getWindowAttrs(
      ctx, input.getShape().drop_front(2), kernel, /*hasDilations=*/true);
  if (failed(window))
    return failure();
  int64_t group = ctx.getInt("group", 1);
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape =
      inferConvShape(input.getShape(), weight.getShape(), window->strides,
                     window->pads, window->dilations, group, error);
  if (failed(shape))
    return failure();
  if (bias && cast<ShapedType>(bias.getType()).getShape() !=
                  ArrayRef<int64_t>{weight.getDimSize(0)})
    return ctx.emitError("bias must be a vector of " +
                         Twine(weight.getDimSize(0)) + " elements");
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get(*shape, input.getElementType());
  return Value(ConvOp::create(b, ctx.getLoc(), type, x, w, bias,
                              b.getDenseI64ArrayAttr(window->strides),
                              b.getDenseI64ArrayAttr(window->pads),
                              b.getDenseI64ArrayAttr(window->dilations),
                              b.getI64IntegerAttr(group)));
}

namespace {

/// MaxPool's second output: the flat index, over the whole input, of each
/// window's maximum (the first in window order among equal ones), with the
/// spatial position counted row-major or, for `columnMajor` (storage_order
/// 1), column-major. The window's offsets are unrolled: each gathers its
/// element for every output position (clamped, and masked where it falls in
/// the padding), and a running comparison keeps the best.
Value buildMaxPoolIndices(Composer &c, Value data, const WindowAttrs &window,
                          RankedTensorType result, bool columnMajor) {
  auto input = cast<RankedTensorType>(data.getType());
  ArrayRef<int64_t> spatial = input.getShape().drop_front(2);
  ArrayRef<int64_t> outSpatial = result.getShape().drop_front(2);
  size_t k = spatial.size();
  Type i64 = c.b.getI64Type(), i1 = c.b.getI1Type();
  // The spatial stride of each dimension in the index's order.
  SmallVector<int64_t> strides(k, 1);
  int64_t spatialSize = 1;
  for (size_t i = 0; i < k; ++i) {
    size_t d = columnMajor ? i : k - 1 - i;
    strides[d] = spatialSize;
    spatialSize *= spatial[d];
  }
  SmallVector<int64_t> outShape(outSpatial), offset(k, 0);
  int64_t outCount = 1;
  for (int64_t size : outSpatial)
    outCount *= size;
  Value best, bestIndex, bestValid;
  for (bool more = true; more;) {
    // This offset's positions per dimension, and its constants over the
    // output positions: the flat spatial index and whether it is inside.
    SmallVector<SmallVector<int64_t>> positions(k);
    for (size_t d = 0; d < k; ++d)
      for (int64_t o = 0; o < outSpatial[d]; ++o)
        positions[d].push_back(o * window.strides[d] - window.pads[d] +
                               offset[d] * window.dilations[d]);
    SmallVector<int64_t> flat;
    SmallVector<bool> inside;
    for (int64_t linear = 0; linear < outCount; ++linear) {
      int64_t rest = linear, index = 0;
      bool valid = true;
      for (size_t d = k; d-- > 0;) {
        int64_t p = positions[d][rest % outSpatial[d]];
        rest /= outSpatial[d];
        valid = valid && p >= 0 && p < spatial[d];
        index += p * strides[d];
      }
      flat.push_back(index);
      inside.push_back(valid);
    }
    Value gathered = data;
    for (size_t d = 0; d < k; ++d) {
      SmallVector<int64_t> clamped;
      for (int64_t p : positions[d])
        clamped.push_back(std::clamp<int64_t>(p, 0, spatial[d] - 1));
      Value indices = ConstantOp::create(
          c.b, c.loc,
          DenseElementsAttr::get(
              RankedTensorType::get({outSpatial[d]}, i64), ArrayRef(clamped)));
      SmallVector<int64_t> shape(c.typeOf(gathered).getShape());
      shape[2 + d] = outSpatial[d];
      gathered = GatherOp::create(c.b, c.loc, c.typeOf(gathered).clone(shape),
                                  gathered, indices,
                                  c.b.getI64IntegerAttr(2 + d));
    }
    Value index = ConstantOp::create(
        c.b, c.loc,
        DenseElementsAttr::get(RankedTensorType::get(outShape, i64),
                               ArrayRef(flat)));
    Value valid = ConstantOp::create(
        c.b, c.loc,
        DenseElementsAttr::get(RankedTensorType::get(outShape, i1),
                               ArrayRef(inside)));
    if (!best) {
      best = gathered;
      bestIndex = index;
      bestValid = valid;
    } else {
      Value better = c.binary<AndOp>(
          valid, c.binary<OrOp>(c.unary<NotOp>(bestValid),
                                c.compare<GreaterOp>(gathered, best)));
      best = c.select(better, gathered, best);
      bestIndex = c.select(better, index, bestIndex);
      bestValid = c.binary<OrOp>(bestValid, valid);
    }
    // The next offset, row-major over the kernel.
    more = false;
    for (size_t d = k; d-- > 0;) {
      if (++offset[d] < window.kernel[d]) {
        more = true;
        break;
      }
      offset[d] = 0;
    }
  }
  // Each (batch, channel) plane starts spatialSize entries after the last.
  int64_t planes = input.getDimSize(0) * input.getDimSize(1);
  SmallVector<int64_t> baseShape = {input.getDimSize(0), input.getDimSize(1)};
  baseShape.append(k, 1);
  Value base = c.binary<MulOp>(
      c.iota(i64, planes, baseShape),
      c.splat(RankedTensorType::get({}, i64),
              c.b.getI64IntegerAttr(spatialSize)));
  return c.binary<AddOp>(base, bestIndex);
}

template <typename OpTy>
LogicalResult convertPool(NodeContext &ctx) {
  constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
  FailureOr<RankedTensorType> rawInput = ctx.getInputType(0);
  if (failed(rawInput))
    return failure();
  // MaxPool of 8- and 16-bit integers runs on their exact f32 values.
  Type intType = rawInput->getElementType();
  bool viaFloat = isMax && intType.isSignlessInteger() &&
                  (intType.isInteger(8) || intType.isInteger(16));
  Value data = ctx.getInput(0);
  if (viaFloat) {
    Composer c(ctx);
    data = c.convertInteger(data, c.b.getF32Type(), ctx.isUnsignedInput(0));
  }
  FailureOr<RankedTensorType> input =
      viaFloat ? FailureOr<RankedTensorType>(
                     cast<RankedTensorType>(data.getType()))
               : ctx.getFloatInputType(0, 3);
  if (failed(input))
    return failure();
  if (input->getRank() < 3)
    return ctx.emitError("input 0 must have rank >= 3");
  std::optional<SmallVector<int64_t>> kernel = ctx.getInts("kernel_shape");
  if (!kernel)
    return ctx.emitError("kernel_shape is required");
  // Dilations exist for MaxPool from opset 10 (AveragePool: opset 19).
  FailureOr<WindowAttrs> window =
      getWindowAttrs(ctx, input->getShape().drop_front(2), *kernel,
                     /*hasDilations=*/isMax);
  if (failed(window))
    return failure();
  int64_t storageOrder = ctx.getInt("storage_order", 0);
  if (isMax && storageOrder != 0 && storageOrder != 1)
    return ctx.emitError("storage_order must be 0 or 1");
  if (isMax && ctx.hasOutput(1) && !input->hasStaticShape())
    return ctx.emitError("the indices output needs static sizes");
  if (!isMax && ctx.getInts("dilations") &&
      llvm::any_of(*ctx.getInts("dilations"), [](int64_t d) { return d != 1; }))
    return ctx.emitError("AveragePool dilations are not supported yet");
  // A window entirely in the padding has no element to pool (ONNX Runtime
  // rejects such models as well).
  size_t k = window->kernel.size();
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = (window->kernel[i] - 1) * window->dilations[i] + 1;
    if (window->pads[i] >= extent || window->pads[i + k] >= extent)
      return ctx.emitError("pads must be smaller than the pooling window");
  }
  bool ceilMode = ctx.getInt("ceil_mode", 0) != 0;
  WindowParams params{window->kernel, window->strides, window->pads,
                      window->dilations, ceilMode};
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = inferPoolShape(input->getShape(), params, error);
  if (failed(shape))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get(*shape, input->getElementType());
  Value result;
  if constexpr (isMax)
    result = MaxPoolOp::create(b, ctx.getLoc(), type, data,
                               b.getDenseI64ArrayAttr(window->kernel),
                               b.getDenseI64ArrayAttr(window->strides),
                               b.getDenseI64ArrayAttr(window->pads),
                               b.getDenseI64ArrayAttr(window->dilations),
                               b.getBoolAttr(ceilMode));
  else
    result = AveragePoolOp::create(
        b, ctx.getLoc(), type, ctx.getInput(0),
        b.getDenseI64ArrayAttr(window->kernel),
        b.getDenseI64ArrayAttr(window->strides),
        b.getDenseI64ArrayAttr(window->pads), b.getBoolAttr(ceilMode),
        b.getBoolAttr(ctx.getInt("count_include_pad", 0) != 0));
  if (viaFloat) {
    Value wide = CastOp::create(b, ctx.getLoc(), type.clone(b.getI32Type()),
                                result);
    result = CastOp::create(b, ctx.getLoc(), type.clone(intType), wide);
  }
  ctx.setOutput(0, result);
  if (isMax && ctx.hasOutput(1)) {
    Composer c(ctx);
    ctx.setOutput(1, buildMaxPoolIndices(c, data, *window, type,
                                         storageOrder == 1));
  }
  return success();
}

/// MaxUnpool: zeros with each value scattered to its MaxPool index (flat
/// over the whole output, N x C x spatial).
LogicalResult convertMaxUnpool(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 3);
  FailureOr<RankedTensorType> indices = ctx.getInputType(1);
  if (failed(input) || failed(indices))
    return failure();
  if (indices->getShape() != input->getShape() ||
      !indices->getElementType().isInteger(64))
    return ctx.emitError("indices must be int64 with the input's shape");
  // Indices address the shape MaxPool came from (inferred from the window);
  // a larger output_shape pads that with zeros at the end.
  std::optional<SmallVector<int64_t>> kernel = ctx.getInts("kernel_shape");
  if (!kernel)
    return ctx.emitError("kernel_shape is required");
  ArrayRef<int64_t> spatial = input->getShape().drop_front(2);
  FailureOr<WindowAttrs> window =
      getWindowAttrs(ctx, spatial, *kernel, /*hasDilations=*/false);
  if (failed(window))
    return failure();
  SmallVector<int64_t> shape(input->getShape().take_front(2));
  size_t k = spatial.size();
  for (size_t i = 0; i < k; ++i)
    shape.push_back((spatial[i] - 1) * window->strides[i] + window->kernel[i] -
                    window->pads[i] - window->pads[i + k]);
  SmallVector<int64_t> outputShape = shape;
  if (ctx.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> given =
        ctx.getConstantInts(2, "output_shape");
    if (failed(given))
      return failure();
    outputShape = *given;
    if (outputShape.size() != shape.size() ||
        llvm::any_of(llvm::zip(outputShape, shape), [](auto dims) {
          return std::get<0>(dims) < std::get<1>(dims);
        }) ||
        outputShape[0] != shape[0] || outputShape[1] != shape[1])
      return ctx.emitError("output_shape must keep N and C and be at least "
                           "the unpooled shape");
  }
  for (int64_t dim : shape)
    if (dim <= 0 || dim > (int64_t(1) << 31))
      return ctx.emitError("the output shape is invalid");
  Composer c(ctx);
  int64_t total = getNumElements(shape);
  int64_t count = input->getNumElements();
  Value zeros = c.splat(input->clone({total}),
                        c.b.getFloatAttr(input->getElementType(), 0));
  Value scattered = ScatterElementsOp::create(
      c.b, c.loc, input->clone({total}), zeros,
      c.reshape(ctx.getInput(1), {count}), c.reshape(ctx.getInput(0), {count}),
      c.b.getI64IntegerAttr(0), c.b.getStringAttr("none"));
  Value result = c.reshape(scattered, shape);
  for (size_t d = 2; d < shape.size(); ++d) {
    if (outputShape[d] == shape[d])
      continue;
    SmallVector<int64_t> padShape(c.typeOf(result).getShape());
    padShape[d] = outputShape[d] - shape[d];
    Value zeroPad = c.splat(input->clone(padShape),
                            c.b.getFloatAttr(input->getElementType(), 0));
    result = c.concat({result, zeroPad}, d);
  }
  ctx.setOutput(0, result);
  return success();
}

template <typename OpTy>
LogicalResult convertGlobalPool(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 3);
  if (failed(input))
    return failure();
  SmallVector<int64_t> shape(input->getRank(), 1);
  shape[0] = input->getDimSize(0);
  shape[1] = input->getDimSize(1);
  auto type = RankedTensorType::get(shape, input->getElementType());
  ctx.setOutput(0, OpTy::create(ctx.getBuilder(), ctx.getLoc(), type,
                                ctx.getInput(0)));
  return success();
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 2);
  if (failed(input))
    return failure();
  if (ctx.getInt("spatial", 1) != 1)
    return ctx.emitError("spatial = 0 is not supported");
  for (unsigned i = 1; i <= 4; ++i) {
    FailureOr<RankedTensorType> param = ctx.getFloatInputType(i, 1);
    if (failed(param))
      return failure();
    if (param->getShape() != ArrayRef<int64_t>{input->getDimSize(1)} ||
        param->getElementType() != input->getElementType())
      return ctx.emitError("scale, bias, mean and variance must be vectors of " +
                           Twine(input->getDimSize(1)) + " " +
                           "elements of the input's type");
  }
  OpBuilder &b = ctx.getBuilder();
  FloatAttr epsilon = b.getF32FloatAttr(ctx.getFloat("epsilon", 1e-5f));
  if (ctx.getInt("training_mode", 0) == 0) {
    ctx.setOutput(0, BatchNormOp::create(b, ctx.getLoc(), *input,
                                         ctx.getInput(0), ctx.getInput(1),
                                         ctx.getInput(2), ctx.getInput(3),
                                         ctx.getInput(4), epsilon));
    return success();
  }
  // Training mode normalizes with the batch's own statistics (population
  // variance over every axis but the channels) and also returns the
  // running statistics updated with `momentum`.
  Composer c(ctx);
  Type element = input->getElementType();
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < input->getRank(); ++d)
    axes.push_back(d);
  Value x = ctx.getInput(0);
  Value mean = c.reduce<ReduceMeanOp>(x, axes, /*keepDims=*/false);
  SmallVector<int64_t> channelShape(input->getRank(), 1);
  channelShape[1] = input->getDimSize(1);
  Value centered = c.binary<SubOp>(x, c.reshape(mean, channelShape));
  Value variance = c.reduce<ReduceMeanOp>(c.binary<MulOp>(centered, centered),
                                          axes, /*keepDims=*/false);
  ctx.setOutput(0, BatchNormOp::create(b, ctx.getLoc(), *input, x,
                                       ctx.getInput(1), ctx.getInput(2), mean,
                                       variance, epsilon));
  double momentum = ctx.getFloat("momentum", 0.9f);
  auto update = [&](Value running, Value batch) {
    return c.binary<AddOp>(c.binary<MulOp>(running, c.scalar(element, momentum)),
                           c.binary<MulOp>(batch,
                                           c.scalar(element, 1 - momentum)));
  };
  ctx.setOutput(1, update(ctx.getInput(3), mean));
  ctx.setOutput(2, update(ctx.getInput(4), variance));
  return success();
}

LogicalResult convertGemm(NodeContext &ctx) {
  FailureOr<RankedTensorType> a = ctx.getInputType(0);
  FailureOr<RankedTensorType> b = ctx.getInputType(1);
  if (failed(a) || failed(b))
    return failure();
  Value c;
  std::optional<ArrayRef<int64_t>> cShape;
  if (ctx.hasInput(2)) {
    FailureOr<RankedTensorType> cType = ctx.getInputType(2);
    if (failed(cType))
      return failure();
    c = ctx.getInput(2);
    cShape = cType->getShape();
    if (cType->getElementType() != a->getElementType())
      return ctx.emitError("operand element types differ");
  }
  if (a->getElementType() != b->getElementType())
    return ctx.emitError("operand element types differ");
  // Integer Gemm multiplies by integers: a fractional alpha or beta would
  // be truncated.
  for (StringRef name : {"alpha", "beta"}) {
    float value = ctx.getFloat(name, 1.0f);
    if (!isa<FloatType>(a->getElementType()) && value != std::trunc(value))
      return ctx.emitError(name + " must be integral for integer Gemm");
  }
  bool transA = ctx.getInt("transA", 0) != 0;
  bool transB = ctx.getInt("transB", 0) != 0;
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = inferGemmShape(a->getShape(), b->getShape(), cShape,
                                          transA, transB, error);
  if (failed(shape))
    return failure();
  OpBuilder &builder = ctx.getBuilder();
  auto type = RankedTensorType::get(*shape, a->getElementType());
  ctx.setOutput(0, GemmOp::create(builder, ctx.getLoc(), type, ctx.getInput(0),
                                  ctx.getInput(1), c,
                                  builder.getF32FloatAttr(ctx.getFloat("alpha", 1)),
                                  builder.getF32FloatAttr(ctx.getFloat("beta", 1)),
                                  builder.getBoolAttr(transA),
                                  builder.getBoolAttr(transB)));
  return success();
}

LogicalResult convertMatMul(NodeContext &ctx) {
  FailureOr<RankedTensorType> lhs = ctx.getInputType(0);
  FailureOr<RankedTensorType> rhs = ctx.getInputType(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return ctx.emitError("operand element types differ");
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape =
      inferMatMulShape(lhs->getShape(), rhs->getShape(), error);
  if (failed(shape))
    return failure();
  auto type = RankedTensorType::get(*shape, lhs->getElementType());
  ctx.setOutput(0, MatMulOp::create(ctx.getBuilder(), ctx.getLoc(), type,
                                    ctx.getInput(0), ctx.getInput(1)));
  return success();
}

LogicalResult convertSoftmax(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 0);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  if (rank == 0)
    return ctx.emitError("softmax of a scalar is not supported");
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  bool coerced = ctx.getOpset() < 13;
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", coerced ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coerced) {
    ctx.setOutput(0, SoftmaxOp::create(b, loc, ctx.getInput(0), *axis));
    return success();
  }
  // Before opset 13 the input is seen as a matrix [prod(d < axis),
  // prod(d >= axis)] and the softmax runs over its rows.
  ArrayRef<int64_t> shape = input->getShape();
  int64_t rows = getFlatSize(shape.take_front(*axis));
  int64_t cols = getFlatSize(shape.drop_front(*axis));
  if (ShapedType::isDynamic(cols))
    return ctx.emitError("before opset 13, the softmax axis and the "
                         "dimensions after it must have static sizes");
  auto matrixType =
      RankedTensorType::get({rows, cols}, input->getElementType());
  Value matrix = ReshapeOp::create(b, loc, matrixType, ctx.getInput(0));
  Value softmax = SoftmaxOp::create(b, loc, matrix, 1);
  ctx.setOutput(0, ReshapeOp::create(b, loc, *input, softmax));
  return success();
}

/// Inserts `stride - 1` zeros between the elements of spatial axis `axis`.
Value upsampleWithZeros(Composer &c, Value x, int64_t axis, int64_t stride) {
  if (stride == 1)
    return x;
  RankedTensorType type = c.typeOf(x);
  int64_t length = type.getDimSize(axis);
  SmallVector<int64_t> split(type.getShape());
  split.insert(split.begin() + axis + 1, 1);
  Value column = c.reshape(x, split);
  split[axis + 1] = stride - 1;
  Value zeros =
      c.splat(type.clone(split), c.b.getZeroAttr(type.getElementType()));
  Value interleaved = c.concat({column, zeros}, axis + 1);
  SmallVector<int64_t> merged(type.getShape());
  merged[axis] = length * stride;
  Value flat = c.reshape(interleaved, merged);
  return c.sliceAxis(flat, axis, 0, (length - 1) * stride + 1);
}

/// ConvTranspose as a convolution: the input upsampled with zeros by the
/// strides, padded by (kernel - 1) * dilation minus the pads (negative:
/// cropped), convolved with the spatially flipped weights whose in/out
/// channels are swapped within each group.
LogicalResult convertConvTranspose(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getFloatInputType(0, 3);
  FailureOr<RankedTensorType> weight = ctx.getFloatInputType(1, 3);
  if (failed(input) || failed(weight))
    return failure();
  int64_t rank = input->getRank(), k = rank - 2;
  int64_t group = ctx.getInt("group", 1);
  int64_t channels = input->getDimSize(1);
  if (weight->getRank() != rank || group < 1 || channels % group != 0 ||
      weight->getDimSize(0) != channels)
    return ctx.emitError("weight must be [C, M/group, kernel...] for input "
                         "[N, C, ...]");
  int64_t outPerGroup = weight->getDimSize(1);
  ArrayRef<int64_t> kernel = weight->getShape().drop_front(2);
  SmallVector<int64_t> strides =
      ctx.getInts("strides").value_or(SmallVector<int64_t>(k, 1));
  SmallVector<int64_t> dilations =
      ctx.getInts("dilations").value_or(SmallVector<int64_t>(k, 1));
  SmallVector<int64_t> outputPadding =
      ctx.getInts("output_padding").value_or(SmallVector<int64_t>(k, 0));
  SmallVector<int64_t> pads =
      ctx.getInts("pads").value_or(SmallVector<int64_t>(2 * k, 0));
  if (static_cast<int64_t>(strides.size()) != k ||
      static_cast<int64_t>(dilations.size()) != k ||
      static_cast<int64_t>(outputPadding.size()) != k ||
      static_cast<int64_t>(pads.size()) != 2 * k)
    return ctx.emitError("strides, dilations, output_padding and pads need "
                         "one entry per spatial dimension (pads: two)");
  for (int64_t i = 0; i < k; ++i)
    if (strides[i] < 1 || strides[i] > 4096 || dilations[i] < 1 ||
        dilations[i] > 4096 || outputPadding[i] < 0 || pads[i] < 0 ||
        pads[i + k] < 0)
      return ctx.emitError("invalid strides, dilations, pads or "
                           "output_padding");
  // output_shape or auto_pad decide the pads (ONNX's total_padding rule).
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outputShape = ctx.getInts("output_shape");
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    if (outputShape && static_cast<int64_t>(outputShape->size()) != k)
      outputShape = SmallVector<int64_t>(outputShape->end() - k,
                                         outputShape->end());
    for (int64_t i = 0; i < k; ++i) {
      int64_t in = input->getDimSize(2 + i);
      int64_t out = outputShape ? (*outputShape)[i] : in * strides[i];
      int64_t total = strides[i] * (in - 1) + outputPadding[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - out;
      // A larger requested output grows at the end, like output_padding.
      if (total < 0) {
        outputPadding[i] -= total;
        total = 0;
      }
      bool lower = autoPad == "SAME_LOWER";
      pads[i] = lower ? total - total / 2 : total / 2;
      pads[i + k] = total - pads[i];
    }
  }

  Composer c(ctx);
  Value x = ctx.getInput(0);
  SmallVector<int64_t> convPads(2 * k, 0);
  for (int64_t i = 0; i < k; ++i) {
    x = upsampleWithZeros(c, x, 2 + i, strides[i]);
    int64_t reach = (kernel[i] - 1) * dilations[i];
    int64_t low = reach - pads[i];
    int64_t high = reach - pads[i + k] + outputPadding[i];
    int64_t length = c.typeOf(x).getDimSize(2 + i);
    int64_t cropLow = std::max<int64_t>(0, -low);
    int64_t cropHigh = std::max<int64_t>(0, -high);
    if (cropLow + cropHigh > length)
      return ctx.emitError("pads remove more than the output");
    if (cropLow || cropHigh)
      x = c.sliceAxis(x, 2 + i, cropLow, length - cropLow - cropHigh);
    convPads[i] = std::max<int64_t>(0, low);
    convPads[i + k] = std::max<int64_t>(0, high);
  }

  // Weights: [C, M/g, k...] -> [g, C/g, M/g, k...] -> [g, M/g, C/g, k...]
  // -> [M, C/g, k...], flipped along every spatial axis.
  int64_t inPerGroup = channels / group;
  SmallVector<int64_t> grouped = {group, inPerGroup, outPerGroup};
  grouped.append(kernel.begin(), kernel.end());
  Value w = c.reshape(ctx.getInput(1), grouped);
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 0; i < k; ++i)
    perm.push_back(3 + i);
  w = c.transpose(w, perm);
  SmallVector<int64_t> convWeightShape = {group * outPerGroup, inPerGroup};
  convWeightShape.append(kernel.begin(), kernel.end());
  w = c.reshape(w, convWeightShape);
  for (int64_t i = 0; i < k; ++i)
    w = c.sliceAxis(w, 2 + i, kernel[i] - 1, kernel[i], -1);

  Value bias;
  if (ctx.hasInput(2)) {
    FailureOr<RankedTensorType> biasType = ctx.getFloatInputType(2, 1);
    if (failed(biasType))
      return failure();
    if (biasType->getShape() != ArrayRef<int64_t>{group * outPerGroup})
      return ctx.emitError("bias must be a vector of M elements");
    bias = ctx.getInput(2);
  }
  SmallVector<int64_t> ones(k, 1);
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = inferConvShape(c.typeOf(x).getShape(),
                                          convWeightShape, ones, convPads,
                                          dilations, group, error);
  if (failed(shape))
    return failure();
  ctx.setOutput(0, ConvOp::create(c.b, c.loc, input->clone(*shape), x, w, bias,
                                  c.b.getDenseI64ArrayAttr(ones),
                                  c.b.getDenseI64ArrayAttr(convPads),
                                  c.b.getDenseI64ArrayAttr(dilations),
                                  c.b.getI64IntegerAttr(group)));
  return success();
}

} // namespace

/// Einsum: the equation is rewritten into edge.einsum's form, with `...`
/// expanded into letters the equation does not use and the implicit result
/// (labels used once, alphabetically, after the ellipsis) made explicit.
LogicalResult convertEinsum(NodeContext &ctx) {
  std::string equation;
  for (char ch : ctx.getString("equation", ""))
    if (ch != ' ')
      equation.push_back(ch);
  StringRef text(equation);
  bool explicitOutput = text.contains("->");
  auto [lhs, output] = text.split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  unsigned numInputs = ctx.getNumInputs();
  if (terms.size() != numInputs)
    return ctx.emitError("equation has " + Twine(terms.size()) +
                         " operand terms for " + Twine(numInputs) + " inputs");
  SmallVector<RankedTensorType> types;
  for (unsigned i = 0; i < numInputs; ++i) {
    FailureOr<RankedTensorType> type = ctx.getInputType(i);
    if (failed(type))
      return failure();
    if (i > 0 && type->getElementType() != types.front().getElementType())
      return ctx.emitError("operand element types differ");
    types.push_back(*type);
  }
  // Letters for the ellipsis: those the equation does not use.
  std::string spare;
  for (char ch = 'A'; ch <= 'Z'; ++ch)
    if (!text.contains(ch))
      spare.push_back(ch);
  for (char ch = 'z'; ch >= 'a'; --ch)
    if (!text.contains(ch))
      spare.push_back(ch);
  // Each operand's ellipsis covers the dims its letters leave; all are
  // right-aligned on the widest one.
  size_t ellipsisRank = 0;
  SmallVector<std::string> expanded;
  for (auto [term, type] : llvm::zip(terms, types)) {
    size_t letters = term.size() - (term.contains("...") ? 3 : 0);
    if (!term.contains("...") && letters != size_t(type.getRank()))
      return ctx.emitError("term '" + term + "' does not match an input of "
                           "rank " + Twine(type.getRank()));
    if (letters > size_t(type.getRank()))
      return ctx.emitError("term '" + term + "' has more labels than its "
                           "input's rank " + Twine(type.getRank()));
    ellipsisRank = std::max(ellipsisRank, type.getRank() - letters);
  }
  if (ellipsisRank > spare.size())
    return ctx.emitError("the ellipsis covers too many dimensions");
  std::string ellipsis = spare.substr(0, ellipsisRank);
  for (auto [term, type] : llvm::zip(terms, types)) {
    size_t letters = term.size() - (term.contains("...") ? 3 : 0);
    size_t dims = type.getRank() - letters;
    auto [before, after] = term.split("...");
    expanded.push_back(term.contains("...")
                           ? (before + ellipsis.substr(ellipsisRank - dims) +
                              after)
                                 .str()
                           : term.str());
  }
  std::string result;
  if (explicitOutput) {
    auto [before, after] = output.split("...");
    result = output.contains("...") ? (before + ellipsis + after).str()
                                    : output.str();
  } else {
    result = ellipsis;
    std::string all = lhs.str();
    for (char ch = 'A'; ch <= 'z'; ++ch)
      if (std::isalpha(static_cast<unsigned char>(ch)) &&
          llvm::count(all, ch) == 1)
        result.push_back(ch);
  }
  // Result sizes, and a check that every label has one size.
  llvm::DenseMap<char, int64_t> sizes;
  for (auto [term, type] : llvm::zip(expanded, types))
    for (auto [letter, size] : llvm::zip(term, type.getShape())) {
      auto [it, inserted] = sizes.try_emplace(letter, size);
      if (!inserted && it->second != size)
        return ctx.emitError("label '" + Twine(letter) + "' has sizes " +
                             Twine(it->second) + " and " + Twine(size) +
                             " (broadcasting is not supported)");
    }
  SmallVector<int64_t> shape;
  for (char letter : result) {
    auto it = sizes.find(letter);
    if (it == sizes.end())
      return ctx.emitError("result label '" + Twine(letter) +
                           "' labels no input dimension");
    shape.push_back(it->second);
  }
  std::string canonical = llvm::join(expanded, ",") + "->" + result;
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < numInputs; ++i)
    inputs.push_back(ctx.getInput(i));
  OpBuilder &b = ctx.getBuilder();
  auto resultType =
      RankedTensorType::get(shape, types.front().getElementType());
  auto einsum = EinsumOp::create(b, ctx.getLoc(), resultType, inputs,
                                 b.getStringAttr(canonical));
  if (failed(mlir::verify(einsum)))
    return failure();
  ctx.setOutput(0, einsum);
  return success();
}

void mlir::edge::onnx_import::registerNeuralNetworkOps(OpRegistry &registry) {
  registry.add("Einsum", convertEinsum);
  registry.add("Conv", convertConv);
  registry.add("ConvTranspose", convertConvTranspose);
  registry.add("MaxPool", convertPool<MaxPoolOp>);
  registry.add("MaxUnpool", convertMaxUnpool);
  registry.add("AveragePool", convertPool<AveragePoolOp>);
  registry.add("GlobalAveragePool", convertGlobalPool<GlobalAveragePoolOp>);
  registry.add("GlobalMaxPool", convertGlobalPool<GlobalMaxPoolOp>);
  registry.add("BatchNormalization", convertBatchNorm);
  registry.add("Gemm", convertGemm);
  registry.add("MatMul", convertMatMul);
  registry.add("Softmax", convertSoftmax);
}
