//===- NeuralNetworkOps.cpp - Import ONNX conv, pooling, gemm, norms ------===//

#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

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
      int64_t out = (spatial[i] + attrs.strides[i] - 1) / attrs.strides[i];
      int64_t extent = (attrs.kernel[i] - 1) * attrs.dilations[i] + 1;
      int64_t total = std::max<int64_t>(
          0, (out - 1) * attrs.strides[i] + extent - spatial[i]);
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

FailureOr<RankedTensorType> getFloatInput(NodeContext &ctx, unsigned index,
                                          int64_t minRank) {
  FailureOr<RankedTensorType> type = ctx.getInputType(index);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()))
    return ctx.emitError("element type ")
           << type->getElementType() << " is not supported";
  if (type->getRank() < minRank)
    return ctx.emitError("input " + Twine(index) + " must have rank >= " +
                         Twine(minRank));
  return type;
}

LogicalResult convertConv(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = getFloatInput(ctx, 0, 3);
  FailureOr<RankedTensorType> weight = getFloatInput(ctx, 1, 3);
  if (failed(input) || failed(weight))
    return failure();
  Value bias;
  if (ctx.hasInput(2)) {
    if (failed(getFloatInput(ctx, 2, 1)))
      return failure();
    bias = ctx.getInput(2);
  }
  ArrayRef<int64_t> kernel = weight->getShape().drop_front(2);
  if (auto declared = ctx.getInts("kernel_shape"); declared && *declared != kernel)
    return ctx.emitError("kernel_shape disagrees with the weight's shape");
  FailureOr<WindowAttrs> window = getWindowAttrs(
      ctx, input->getShape().drop_front(2), kernel, /*hasDilations=*/true);
  if (failed(window))
    return failure();
  int64_t group = ctx.getInt("group", 1);
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape =
      inferConvShape(input->getShape(), weight->getShape(), window->strides,
                     window->pads, window->dilations, group, error);
  if (failed(shape))
    return failure();
  if (bias && cast<ShapedType>(bias.getType()).getShape() !=
                  ArrayRef<int64_t>{weight->getDimSize(0)})
    return ctx.emitError("bias must be a vector of " +
                         Twine(weight->getDimSize(0)) + " elements");
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get(*shape, input->getElementType());
  ctx.setOutput(0, ConvOp::create(b, ctx.getLoc(), type, ctx.getInput(0),
                                  ctx.getInput(1), bias,
                                  b.getDenseI64ArrayAttr(window->strides),
                                  b.getDenseI64ArrayAttr(window->pads),
                                  b.getDenseI64ArrayAttr(window->dilations),
                                  b.getI64IntegerAttr(group)));
  return success();
}

template <typename OpTy>
LogicalResult convertPool(NodeContext &ctx) {
  constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
  FailureOr<RankedTensorType> input = getFloatInput(ctx, 0, 3);
  if (failed(input))
    return failure();
  std::optional<SmallVector<int64_t>> kernel = ctx.getInts("kernel_shape");
  if (!kernel)
    return ctx.emitError("kernel_shape is required");
  // Dilations exist for MaxPool from opset 10 (AveragePool: opset 19).
  FailureOr<WindowAttrs> window =
      getWindowAttrs(ctx, input->getShape().drop_front(2), *kernel,
                     /*hasDilations=*/isMax);
  if (failed(window))
    return failure();
  if (isMax && ctx.getInt("storage_order", 0) != 0 && ctx.hasOutput(1))
    return ctx.emitError("storage_order = 1 is not supported");
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
    result = MaxPoolOp::create(b, ctx.getLoc(), type, ctx.getInput(0),
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
  ctx.setOutput(0, result);
  return success();
}

template <typename OpTy>
LogicalResult convertGlobalPool(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = getFloatInput(ctx, 0, 3);
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
  FailureOr<RankedTensorType> input = getFloatInput(ctx, 0, 2);
  if (failed(input))
    return failure();
  if (ctx.getInt("training_mode", 0) != 0)
    return ctx.emitError("training_mode = 1 is not supported (inference only)");
  if (ctx.getInt("spatial", 1) != 1)
    return ctx.emitError("spatial = 0 is not supported");
  for (unsigned i = 1; i <= 4; ++i) {
    FailureOr<RankedTensorType> param = getFloatInput(ctx, i, 1);
    if (failed(param))
      return failure();
    if (param->getShape() != ArrayRef<int64_t>{input->getDimSize(1)} ||
        param->getElementType() != input->getElementType())
      return ctx.emitError("scale, bias, mean and variance must be vectors of " +
                           Twine(input->getDimSize(1)) + " " +
                           "elements of the input's type");
  }
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, BatchNormOp::create(
                       b, ctx.getLoc(), *input, ctx.getInput(0), ctx.getInput(1),
                       ctx.getInput(2), ctx.getInput(3), ctx.getInput(4),
                       b.getF32FloatAttr(ctx.getFloat("epsilon", 1e-5f))));
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
  FailureOr<RankedTensorType> input = getFloatInput(ctx, 0, 0);
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
  int64_t rows = getNumElements(shape.take_front(*axis));
  int64_t cols = getNumElements(shape.drop_front(*axis));
  auto matrixType =
      RankedTensorType::get({rows, cols}, input->getElementType());
  Value matrix = ReshapeOp::create(b, loc, matrixType, ctx.getInput(0));
  Value softmax = SoftmaxOp::create(b, loc, matrix, 1);
  ctx.setOutput(0, ReshapeOp::create(b, loc, *input, softmax));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerNeuralNetworkOps(OpRegistry &registry) {
  registry.add("Conv", convertConv);
  registry.add("MaxPool", convertPool<MaxPoolOp>);
  registry.add("AveragePool", convertPool<AveragePoolOp>);
  registry.add("GlobalAveragePool", convertGlobalPool<GlobalAveragePoolOp>);
  registry.add("GlobalMaxPool", convertGlobalPool<GlobalMaxPoolOp>);
  registry.add("BatchNormalization", convertBatchNorm);
  registry.add("Gemm", convertGemm);
  registry.add("MatMul", convertMatMul);
  registry.add("Softmax", convertSoftmax);
}
