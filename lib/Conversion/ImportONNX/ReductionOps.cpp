//===- ReductionOps.cpp - Import ONNX reductions, normalizations, losses --===//
//
// ReduceSum/Mean/Max/Min/Prod map to edge reductions; ReduceL1/L2/LogSum/
// LogSumExp/SumSquare, LogSoftmax, LayerNormalization and the
// NegativeLogLikelihood/SoftmaxCrossEntropy losses are composed from
// reductions, gathers and elementwise ops (the fusion pass sees the usual
// patterns).
//
//===----------------------------------------------------------------------===//

#include "Composer.h"
#include "GraphImporter.h"
#include "ModelChecks.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The reduced axes of a Reduce* node: normalized, sorted, unique. Empty
/// means all axes (or nothing with noop_with_empty_axes; see `isNoop`).
FailureOr<SmallVector<int64_t>> getReduceAxes(NodeContext &ctx, int64_t rank,
                                              bool &isNoop) {
  std::optional<SmallVector<int64_t>> axes;
  bool axesInput =
      reduceTakesAxesInput(ctx.getNode().op_type(), ctx.getOpset());
  if (axesInput) {
    if (ctx.hasInput(1)) {
      std::optional<DenseElementsAttr> attr = ctx.getConstantInput(1);
      if (!attr || !attr->getElementType().isInteger(64))
        return ctx.emitNotConstantError(1, "axes must be a constant int64 "
                                           "tensor");
      axes = llvm::to_vector(attr->getValues<int64_t>());
    }
  } else {
    axes = ctx.getInts("axes");
  }
  isNoop = (!axes || axes->empty()) && ctx.getInt("noop_with_empty_axes", 0);
  SmallVector<int64_t> result;
  for (int64_t axis : axes.value_or(SmallVector<int64_t>{})) {
    FailureOr<int64_t> normalized = ctx.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return ctx.emitError("axes are repeated");
  return result;
}

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum,
                        LogSumExp, SumSquare };

LogicalResult convertReduce(NodeContext &ctx, ReduceKind kind) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  bool needsFloat = kind == ReduceKind::L2 || kind == ReduceKind::LogSum ||
                    kind == ReduceKind::LogSumExp;
  // Opset 20: the maximum and minimum of booleans, with false < true.
  bool boolMaxMin = element.isInteger(1) && ctx.getOpset() >= 20 &&
                    (kind == ReduceKind::Max || kind == ReduceKind::Min);
  if ((element.isInteger(1) && !boolMaxMin) ||
      (needsFloat && !isa<FloatType>(element)))
    return ctx.emitError("element type ") << element << " is not supported";
  bool isNoop = false;
  FailureOr<SmallVector<int64_t>> axes =
      getReduceAxes(ctx, type->getRank(), isNoop);
  if (failed(axes))
    return failure();
  Value x = ctx.getInput(0);
  if (isNoop) {
    ctx.setOutput(0, x);
    return success();
  }
  bool keep = ctx.getInt("keepdims", 1) != 0;
  Composer c(ctx);
  if (boolMaxMin) {
    // As bytes: 0 and 1 keep the order.
    Value bytes = CastOp::create(c.b, c.loc, type->clone(c.b.getI8Type()), x);
    Value reduced = kind == ReduceKind::Max
                        ? c.reduce<ReduceMaxOp>(bytes, *axes, keep)
                        : c.reduce<ReduceMinOp>(bytes, *axes, keep);
    ctx.setOutput(0, CastOp::create(c.b, c.loc,
                                    c.typeOf(reduced).clone(element), reduced));
    return success();
  }
  Value result;
  switch (kind) {
  case ReduceKind::Sum:
    result = c.reduce<ReduceSumOp>(x, *axes, keep);
    break;
  case ReduceKind::Mean:
    result = c.reduce<ReduceMeanOp>(x, *axes, keep);
    break;
  case ReduceKind::Max:
    result = c.reduce<ReduceMaxOp>(x, *axes, keep);
    break;
  case ReduceKind::Min:
    result = c.reduce<ReduceMinOp>(x, *axes, keep);
    break;
  case ReduceKind::Prod:
    result = c.reduce<ReduceProdOp>(x, *axes, keep);
    break;
  case ReduceKind::L1:
    result = c.reduce<ReduceSumOp>(c.unary<AbsOp>(x), *axes, keep);
    break;
  case ReduceKind::L2:
    result = c.unary<SqrtOp>(
        c.reduce<ReduceSumOp>(c.binary<MulOp>(x, x), *axes, keep));
    break;
  case ReduceKind::SumSquare:
    result = c.reduce<ReduceSumOp>(c.binary<MulOp>(x, x), *axes, keep);
    break;
  case ReduceKind::LogSum:
    result = c.unary<LogOp>(c.reduce<ReduceSumOp>(x, *axes, keep));
    break;
  case ReduceKind::LogSumExp: {
    // log(sum(exp(x - max))) + max: exp cannot overflow.
    Value max = c.reduce<ReduceMaxOp>(x, *axes, /*keepDims=*/true);
    Value sum = c.reduce<ReduceSumOp>(
        c.unary<ExpOp>(c.binary<SubOp>(x, max)), *axes, keep);
    result = c.binary<AddOp>(c.unary<LogOp>(sum),
                             c.reshape(max, c.typeOf(sum).getShape()));
    break;
  }
  }
  ctx.setOutput(0, result);
  return success();
}

template <typename OpTy>
LogicalResult convertArgReduce(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (type->getElementType().isInteger(1))
    return ctx.emitError("element type i1 is not supported");
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), type->getRank());
  if (failed(axis))
    return failure();
  bool keep = ctx.getInt("keepdims", 1) != 0;
  SmallVector<int64_t> shape(type->getShape());
  if (keep)
    shape[*axis] = 1;
  else
    shape.erase(shape.begin() + *axis);
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, OpTy::create(b, ctx.getLoc(),
                                RankedTensorType::get(shape, b.getI64Type()),
                                ctx.getInput(0), b.getI64IntegerAttr(*axis),
                                b.getBoolAttr(keep),
                                b.getBoolAttr(ctx.getInt("select_last_index", 0))));
  return success();
}

Value composeLogSoftmax(Composer &c, Value x, int64_t axis);

/// LogSoftmax = (x - max) - log(sum(exp(x - max))) along the axis; before
/// opset 13 over the flattened trailing dimensions, as Softmax.
LogicalResult convertLogSoftmax(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()) || type->getRank() == 0)
    return ctx.emitError("needs a floating-point tensor of rank >= 1");
  bool coerced = ctx.getOpset() < 13;
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", coerced ? 1 : -1), type->getRank());
  if (failed(axis))
    return failure();
  Composer c(ctx);
  Value x = ctx.getInput(0);
  int64_t reduced = *axis;
  if (coerced) {
    ArrayRef<int64_t> shape = type->getShape();
    x = c.reshape(x, {getNumElements(shape.take_front(*axis)),
                      getNumElements(shape.drop_front(*axis))});
    reduced = 1;
  }
  ctx.setOutput(0, c.reshape(composeLogSoftmax(c, x, reduced),
                             type->getShape()));
  return success();
}

/// x - max - log(sum(exp(x - max))) along `axis`.
Value composeLogSoftmax(Composer &c, Value x, int64_t axis) {
  Value shifted =
      c.binary<SubOp>(x, c.reduce<ReduceMaxOp>(x, {axis}, /*keepDims=*/true));
  Value logSum = c.unary<LogOp>(c.reduce<ReduceSumOp>(
      c.unary<ExpOp>(shifted), {axis}, /*keepDims=*/true));
  return c.binary<SubOp>(shifted, logSum);
}

/// NegativeLogLikelihoodLoss of `logProb` [N, C, d...] at `target`
/// [N, d...]: -logProb[n, target, d...] * weight[target], with ignored
/// targets weighing 0, reduced as `reduction` says (mean divides by the
/// total weight).
FailureOr<Value> composeNLL(NodeContext &ctx, Composer &c, Value logProb,
                            Value target, Value weight) {
  RankedTensorType inputType = c.typeOf(logProb);
  RankedTensorType targetType = c.typeOf(target);
  Type element = inputType.getElementType();
  Type indexElement = targetType.getElementType();
  if (!isa<FloatType>(element) || inputType.getRank() < 2 ||
      !indexElement.isSignlessInteger() || indexElement.isInteger(1))
    return ctx.emitError("needs float scores [N, C, ...] and integer targets");
  SmallVector<int64_t> expected(inputType.getShape());
  expected.erase(expected.begin() + 1);
  if (targetType.getShape() != ArrayRef<int64_t>(expected))
    return ctx.emitError("the target shape must be the input's without C");
  if (weight && c.typeOf(weight).getShape() !=
                    ArrayRef<int64_t>{inputType.getDimSize(1)})
    return ctx.emitError("weights must be a vector of C elements");
  std::string reduction = ctx.getString("reduction", "mean");
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return ctx.emitError("reduction '" + reduction + "' is not valid");

  // Ignored targets read class 0 and weigh nothing.
  Value ignored;
  if (const onnx::AttributeProto *attr = ctx.getAttr("ignore_index")) {
    auto scalarIndex = RankedTensorType::get({}, indexElement);
    ignored = c.compare<EqualOp>(
        target, c.splat(scalarIndex, c.b.getIntegerAttr(indexElement, attr->i())));
    target = c.select(
        ignored, c.splat(scalarIndex, c.b.getIntegerAttr(indexElement, 0)),
        target);
  }
  SmallVector<int64_t> withClass(expected);
  withClass.insert(withClass.begin() + 1, 1);
  Value picked = GatherElementsOp::create(
      c.b, c.loc, inputType.clone(withClass), logProb,
      c.reshape(target, withClass), c.b.getI64IntegerAttr(1));
  picked = c.reshape(picked, expected);

  auto weightsType = RankedTensorType::get(expected, element);
  Value weights =
      weight ? Value(GatherOp::create(c.b, c.loc, weightsType, weight, target,
                                      c.b.getI64IntegerAttr(0)))
             : c.splat(weightsType, c.b.getFloatAttr(element, 1.0));
  if (ignored)
    weights = c.select(ignored, c.scalar(element, 0), weights);
  Value loss = c.binary<MulOp>(c.unary<NegOp>(picked), weights);
  if (reduction == "none")
    return loss;
  Value sum = c.reduce<ReduceSumOp>(loss, {}, /*keepDims=*/false);
  if (reduction == "sum")
    return sum;
  return c.binary<DivOp>(
      sum, c.reduce<ReduceSumOp>(weights, {}, /*keepDims=*/false));
}

LogicalResult convertNLL(NodeContext &ctx) {
  if (failed(ctx.getInputType(0)) || failed(ctx.getInputType(1)) ||
      (ctx.hasInput(2) && failed(ctx.getInputType(2))))
    return failure();
  Composer c(ctx);
  FailureOr<Value> loss = composeNLL(ctx, c, ctx.getInput(0), ctx.getInput(1),
                                     ctx.getInput(2));
  if (failed(loss))
    return failure();
  ctx.setOutput(0, *loss);
  return success();
}

/// SoftmaxCrossEntropyLoss = NLL of LogSoftmax over the class axis; the
/// log-probabilities are the optional second output.
LogicalResult convertSoftmaxCrossEntropy(NodeContext &ctx) {
  FailureOr<RankedTensorType> scores = ctx.getInputType(0);
  if (failed(scores) || failed(ctx.getInputType(1)) ||
      (ctx.hasInput(2) && failed(ctx.getInputType(2))))
    return failure();
  if (!isa<FloatType>(scores->getElementType()) || scores->getRank() < 2)
    return ctx.emitError("needs float scores [N, C, ...]");
  Composer c(ctx);
  Value logProb = composeLogSoftmax(c, ctx.getInput(0), 1);
  FailureOr<Value> loss =
      composeNLL(ctx, c, logProb, ctx.getInput(1), ctx.getInput(2));
  if (failed(loss))
    return failure();
  ctx.setOutput(0, *loss);
  ctx.setOutput(1, logProb);
  return success();
}

/// `x` normalized over `axes`: (x - mean) / sqrt(variance + epsilon), with
/// the mean and the inverse standard deviation (kept dimensions).
struct Normalized {
  Value y, mean, invStdDev;
};
Normalized normalizeOver(Composer &c, Value x, ArrayRef<int64_t> axes,
                         float epsilon) {
  Type element = c.typeOf(x).getElementType();
  Value mean = c.reduce<ReduceMeanOp>(x, axes, /*keepDims=*/true);
  Value centered = c.binary<SubOp>(x, mean);
  Value variance = c.reduce<ReduceMeanOp>(c.binary<MulOp>(centered, centered),
                                          axes, /*keepDims=*/true);
  Value invStdDev = c.unary<ReciprocalOp>(
      c.unary<SqrtOp>(c.binary<AddOp>(variance, c.scalar(element, epsilon))));
  return {c.binary<MulOp>(centered, invStdDev), mean, invStdDev};
}

/// LayerNormalization (opset 17): normalize over the dimensions from `axis`
/// on; also produces the optional Mean and InvStdDev outputs.
LogicalResult convertLayerNorm(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(element))
    return ctx.emitError("element type ") << element << " is not supported";
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", -1), type->getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < type->getRank(); ++d)
    axes.push_back(d);
  for (unsigned i = 1; i <= 2; ++i) {
    if (!ctx.hasInput(i))
      continue;
    FailureOr<RankedTensorType> param = ctx.getInputType(i);
    if (failed(param))
      return failure();
    if (param->getElementType() != element ||
        failed(broadcastShapes(type->getShape(), param->getShape(), nullptr)))
      return ctx.emitError("scale and bias must broadcast to the input");
  }
  Composer c(ctx);
  Normalized n =
      normalizeOver(c, ctx.getInput(0), axes, ctx.getFloat("epsilon", 1e-5f));
  Value y = n.y;
  if (ctx.hasInput(1))
    y = c.binary<MulOp>(y, ctx.getInput(1));
  if (ctx.hasInput(2))
    y = c.binary<AddOp>(y, ctx.getInput(2));
  ctx.setOutput(0, y);
  ctx.setOutput(1, n.mean);
  ctx.setOutput(2, n.invStdDev);
  return success();
}

/// The input [N, C, D1, ...] of InstanceNormalization and
/// GroupNormalization, a float tensor of rank 3 or more.
FailureOr<RankedTensorType> getChannelsFirstInput(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()) || type->getRank() < 3)
    return ctx.emitError("needs a floating-point input [N, C, D1, ...]");
  return type;
}

/// Checks that the scale and bias (inputs 1 and 2) are vectors of `count`
/// elements of the input's type (`what`: what they are per).
LogicalResult checkScaleAndBias(NodeContext &ctx, RankedTensorType input,
                                int64_t count, StringRef what) {
  for (unsigned i : {1u, 2u}) {
    FailureOr<RankedTensorType> param = ctx.getInputType(i);
    if (failed(param))
      return failure();
    if (param->getShape() != ArrayRef<int64_t>{count} ||
        param->getElementType() != input.getElementType())
      return ctx.emitError("scale and bias must be vectors of " + Twine(count) +
                           " elements, one per " + what);
  }
  return success();
}

/// y * scale + bias with the scale and bias (inputs 1 and 2) per channel.
Value scaleChannels(NodeContext &ctx, Composer &c, Value y) {
  RankedTensorType type = c.typeOf(y);
  SmallVector<int64_t> channelShape(type.getRank(), 1);
  channelShape[1] = type.getDimSize(1);
  y = c.binary<MulOp>(y, c.reshape(ctx.getInput(1), channelShape));
  return c.binary<AddOp>(y, c.reshape(ctx.getInput(2), channelShape));
}

/// InstanceNormalization: per sample and channel over the spatial dims,
/// then the per-channel scale and bias.
LogicalResult convertInstanceNorm(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = getChannelsFirstInput(ctx);
  if (failed(type) ||
      failed(checkScaleAndBias(ctx, *type, type->getDimSize(1), "channel")))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < type->getRank(); ++d)
    axes.push_back(d);
  Composer c(ctx);
  Normalized n =
      normalizeOver(c, ctx.getInput(0), axes, ctx.getFloat("epsilon", 1e-5f));
  ctx.setOutput(0, scaleChannels(ctx, c, n.y));
  return success();
}

/// GroupNormalization (opset 18, newer than the linked schemas): the
/// channels in `num_groups` groups, each sample's group normalized over its
/// channels and positions; then a scale and bias per group (opset 18) or
/// per channel (opset 21).
LogicalResult convertGroupNorm(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = getChannelsFirstInput(ctx);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.emitError("needs an input of static shape");
  int64_t channels = type->getDimSize(1);
  int64_t groups = ctx.getInt("num_groups", 0);
  if (groups < 1 || channels % groups != 0)
    return ctx.emitError("num_groups=" + Twine(groups) + " must divide the " +
                         Twine(channels) + " channels");
  bool perChannel = ctx.getOpset() >= 21;
  if (failed(checkScaleAndBias(ctx, *type, perChannel ? channels : groups,
                               perChannel ? "channel" : "group")))
    return failure();
  // [N, G, C / G * D1 * ...], normalized along its last dimension.
  int64_t batch = type->getDimSize(0);
  int64_t perGroup = type->getNumElements() / (batch * groups);
  Composer c(ctx);
  Value grouped = c.reshape(ctx.getInput(0), {batch, groups, perGroup});
  Value y = normalizeOver(c, grouped, {2}, ctx.getFloat("epsilon", 1e-5f)).y;
  if (perChannel) {
    ctx.setOutput(0, scaleChannels(ctx, c, c.reshape(y, type->getShape())));
    return success();
  }
  y = c.binary<MulOp>(y, c.reshape(ctx.getInput(1), {1, groups, 1}));
  y = c.binary<AddOp>(y, c.reshape(ctx.getInput(2), {1, groups, 1}));
  ctx.setOutput(0, c.reshape(y, type->getShape()));
  return success();
}

/// MeanVarianceNormalization: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9)
/// over `axes`, as in the ONNX function body.
LogicalResult convertMeanVarianceNorm(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getFloatInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  SmallVector<int64_t> axes;
  for (int64_t axis : ctx.getInts("axes").value_or(SmallVector<int64_t>{0, 2, 3})) {
    FailureOr<int64_t> normalized = ctx.normalizeAxis(axis, type->getRank());
    if (failed(normalized))
      return failure();
    axes.push_back(*normalized);
  }
  Composer c(ctx);
  Value x = ctx.getInput(0);
  Value mean = c.reduce<ReduceMeanOp>(x, axes, /*keepDims=*/true);
  Value meanOfSquares =
      c.reduce<ReduceMeanOp>(c.binary<MulOp>(x, x), axes, /*keepDims=*/true);
  Value variance =
      c.binary<SubOp>(meanOfSquares, c.binary<MulOp>(mean, mean));
  Value stdDev = c.binary<AddOp>(c.unary<SqrtOp>(variance),
                                 c.scalar(element, 1e-9));
  ctx.setOutput(0, c.binary<DivOp>(c.binary<SubOp>(x, mean), stdDev));
  return success();
}

/// LRN: x / (bias + alpha / size * sum of squares over a window of
/// channels) ^ beta; the window sum is an average pool over the channel
/// axis of the squares (padded with zeros, counting the padding).
LogicalResult convertLRN(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  int64_t rank = type->getRank();
  if (!isa<FloatType>(element) || rank < 3)
    return ctx.emitError("needs a floating-point input [N, C, D1, ...]");
  int64_t size = ctx.getInt("size", 0);
  if (size < 1 || size > type->getDimSize(1) * 2 + 1)
    return ctx.emitError("size must be positive and fit the channels");
  Composer c(ctx);
  Value x = ctx.getInput(0);
  // View [N, C, rest] as [N, 1, C, rest]: pooling over "spatial" C.
  int64_t rest = getNumElements(type->getShape().drop_front(2));
  int64_t n = type->getDimSize(0), channels = type->getDimSize(1);
  Value squares = c.reshape(c.binary<MulOp>(x, x), {n, 1, channels, rest});
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  auto pooledType = RankedTensorType::get({n, 1, channels, rest}, element);
  Value sums = AveragePoolOp::create(
      c.b, c.loc, pooledType, squares, c.b.getDenseI64ArrayAttr({size, 1}),
      c.b.getDenseI64ArrayAttr({1, 1}),
      c.b.getDenseI64ArrayAttr({before, 0, after, 0}), c.b.getBoolAttr(false),
      c.b.getBoolAttr(true));
  // The average pool divided by size; alpha / size * sum = alpha * avg.
  Value scaled = c.binary<AddOp>(
      c.scalar(element, ctx.getFloat("bias", 1.0f)),
      c.binary<MulOp>(c.scalar(element, ctx.getFloat("alpha", 1e-4f)), sums));
  Value denominator =
      c.binary<PowOp>(scaled, c.scalar(element, ctx.getFloat("beta", 0.75f)));
  ctx.setOutput(0, c.binary<DivOp>(x, c.reshape(denominator, type->getShape())));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerReductionOps(OpRegistry &registry) {
  auto reduce = [&](StringRef name, ReduceKind kind) {
    registry.add(name, [kind](NodeContext &ctx) {
      return convertReduce(ctx, kind);
    });
  };
  reduce("ReduceSum", ReduceKind::Sum);
  reduce("ReduceMean", ReduceKind::Mean);
  reduce("ReduceMax", ReduceKind::Max);
  reduce("ReduceMin", ReduceKind::Min);
  reduce("ReduceProd", ReduceKind::Prod);
  reduce("ReduceL1", ReduceKind::L1);
  reduce("ReduceL2", ReduceKind::L2);
  reduce("ReduceLogSum", ReduceKind::LogSum);
  reduce("ReduceLogSumExp", ReduceKind::LogSumExp);
  reduce("ReduceSumSquare", ReduceKind::SumSquare);
  registry.add("ArgMax", convertArgReduce<ArgMaxOp>);
  registry.add("ArgMin", convertArgReduce<ArgMinOp>);
  registry.add("LogSoftmax", convertLogSoftmax);
  registry.add("LayerNormalization", convertLayerNorm);
  registry.add("InstanceNormalization", convertInstanceNorm);
  // ONNX 1.12's schemas predate it: its attributes are declared here.
  registry.add("", "GroupNormalization", convertGroupNorm,
               {{"epsilon", onnx::AttributeProto::FLOAT},
                {"num_groups", onnx::AttributeProto::INT},
                {"stash_type", onnx::AttributeProto::INT}});
  registry.add("LRN", convertLRN);
  registry.add("MeanVarianceNormalization", convertMeanVarianceNorm);
  registry.add("NegativeLogLikelihoodLoss", convertNLL);
  registry.add("SoftmaxCrossEntropyLoss", convertSoftmaxCrossEntropy);
}
