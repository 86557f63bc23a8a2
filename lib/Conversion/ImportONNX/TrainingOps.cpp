//===- TrainingOps.cpp - Import the ONNX training optimizers --------------===//
//
// Adagrad, Momentum and Adam (domain ai.onnx.preview.training) update
// tensors elementwise from a learning rate R and a step count T given at
// run time; each is composed from edge ops per optimized tensor.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

constexpr StringLiteral kTrainingDomain = "ai.onnx.preview.training";

/// The inputs after R and T form `groups` groups of n tensors (X, G, ...);
/// R and T hold one value, and the tensors of an optimized input (its X,
/// G, ...) have one type.
FailureOr<int64_t> getTensorCount(NodeContext &ctx, unsigned groups) {
  unsigned tensors = ctx.getNumInputs() - 2;
  if (ctx.getNumInputs() < 2 + groups || tensors % groups != 0)
    return ctx.emitError("needs R, T and " + Twine(groups) +
                         " groups of one tensor per optimized input");
  int64_t n = tensors / groups;
  SmallVector<RankedTensorType> types;
  for (unsigned i = 0; i < ctx.getNumInputs(); ++i) {
    FailureOr<RankedTensorType> type = ctx.getInputType(i);
    if (failed(type))
      return failure();
    types.push_back(*type);
    if (i < 2 && type->getNumElements() != 1)
      return ctx.emitError(Twine(i == 0 ? "R" : "T") +
                           " must hold one value");
    if (i >= 2 && !isa<FloatType>(type->getElementType()))
      return ctx.emitError("optimized tensors must be floating point");
    if (i >= 2 + n && *type != types[2 + (i - 2) % n])
      return ctx.emitError("input " + Twine(i) + " must have the type of "
                           "optimized input " + Twine((i - 2) % n) + " (" +
                           llvm::formatv("{0}", types[2 + (i - 2) % n]).str() +
                           "), not " + llvm::formatv("{0}", *type).str());
  }
  return n;
}

/// R and T as scalars of `element`.
std::pair<Value, Value> getRateAndStep(NodeContext &ctx, Composer &c,
                                       Type element) {
  auto scalar = [&](Value v) -> Value {
    v = c.reshape(v, {});
    if (c.typeOf(v).getElementType() == element)
      return v;
    return CastOp::create(c.b, c.loc, RankedTensorType::get({}, element), v);
  };
  return {scalar(ctx.getInput(0)), scalar(ctx.getInput(1))};
}

/// norm_coefficient * X + G.
Value regularize(NodeContext &ctx, Composer &c, Value x, Value g) {
  Type element = c.typeOf(x).getElementType();
  double norm = ctx.getFloat("norm_coefficient", 0);
  if (norm == 0)
    return g;
  return c.binary<AddOp>(c.binary<MulOp>(c.scalar(element, norm), x), g);
}

LogicalResult convertAdagrad(NodeContext &ctx) {
  FailureOr<int64_t> n = getTensorCount(ctx, 3);
  if (failed(n))
    return failure();
  Composer c(ctx);
  for (int64_t i = 0; i < *n; ++i) {
    Value x = ctx.getInput(2 + i), g = ctx.getInput(2 + *n + i),
          h = ctx.getInput(2 + 2 * *n + i);
    Type element = c.typeOf(x).getElementType();
    auto [rate, step] = getRateAndStep(ctx, c, element);
    // r = R / (1 + T * decay_factor)
    Value decayed = c.binary<DivOp>(
        rate, c.binary<AddOp>(
                  c.scalar(element, 1),
                  c.binary<MulOp>(step, c.scalar(element, ctx.getFloat(
                                                              "decay_factor", 0)))));
    Value grad = regularize(ctx, c, x, g);
    Value hNew = c.binary<AddOp>(h, c.binary<MulOp>(grad, grad));
    Value adaptive = c.binary<AddOp>(
        c.unary<SqrtOp>(hNew), c.scalar(element, ctx.getFloat("epsilon", 1e-6f)));
    Value xNew = c.binary<SubOp>(
        x, c.binary<DivOp>(c.binary<MulOp>(decayed, grad), adaptive));
    ctx.setOutput(i, xNew);
    ctx.setOutput(*n + i, hNew);
  }
  return success();
}

LogicalResult convertMomentum(NodeContext &ctx) {
  FailureOr<int64_t> n = getTensorCount(ctx, 3);
  if (failed(n))
    return failure();
  std::string mode = ctx.getString("mode", "standard");
  if (mode != "standard" && mode != "nesterov")
    return ctx.emitError("mode must be standard or nesterov");
  Composer c(ctx);
  double alpha = ctx.getFloat("alpha", 0), beta = ctx.getFloat("beta", 0);
  for (int64_t i = 0; i < *n; ++i) {
    Value x = ctx.getInput(2 + i), g = ctx.getInput(2 + *n + i),
          v = ctx.getInput(2 + 2 * *n + i);
    Type element = c.typeOf(x).getElementType();
    auto [rate, step] = getRateAndStep(ctx, c, element);
    Value grad = regularize(ctx, c, x, g);
    // The first step (T = 0) takes the whole gradient.
    Value betaAdjusted =
        c.select(c.compare<GreaterOp>(step, c.scalar(element, 0)),
                 c.scalar(element, beta), c.scalar(element, 1));
    Value vNew = c.binary<AddOp>(c.binary<MulOp>(c.scalar(element, alpha), v),
                                 c.binary<MulOp>(betaAdjusted, grad));
    Value direction =
        mode == "standard"
            ? vNew
            : c.binary<AddOp>(grad,
                              c.binary<MulOp>(c.scalar(element, alpha), vNew));
    ctx.setOutput(i, c.binary<SubOp>(x, c.binary<MulOp>(rate, direction)));
    ctx.setOutput(*n + i, vNew);
  }
  return success();
}

LogicalResult convertAdam(NodeContext &ctx) {
  FailureOr<int64_t> n = getTensorCount(ctx, 4);
  if (failed(n))
    return failure();
  Composer c(ctx);
  double alpha = ctx.getFloat("alpha", 0.9f), beta = ctx.getFloat("beta", 0.999f);
  double post = ctx.getFloat("norm_coefficient_post", 0);
  for (int64_t i = 0; i < *n; ++i) {
    Value x = ctx.getInput(2 + i), g = ctx.getInput(2 + *n + i),
          v = ctx.getInput(2 + 2 * *n + i), h = ctx.getInput(2 + 3 * *n + i);
    Type element = c.typeOf(x).getElementType();
    auto [rate, step] = getRateAndStep(ctx, c, element);
    Value one = c.scalar(element, 1);
    Value grad = regularize(ctx, c, x, g);
    Value vNew = c.binary<AddOp>(
        c.binary<MulOp>(c.scalar(element, alpha), v),
        c.binary<MulOp>(c.scalar(element, 1 - alpha), grad));
    Value hNew = c.binary<AddOp>(
        c.binary<MulOp>(c.scalar(element, beta), h),
        c.binary<MulOp>(c.scalar(element, 1 - beta),
                        c.binary<MulOp>(grad, grad)));
    Value hSqrt = c.binary<AddOp>(
        c.unary<SqrtOp>(hNew), c.scalar(element, ctx.getFloat("epsilon", 1e-6f)));
    // Bias correction from the second step on:
    // R * sqrt(1 - beta^T) / (1 - alpha^T).
    Value corrected = c.binary<DivOp>(
        c.binary<MulOp>(rate,
                        c.unary<SqrtOp>(c.binary<SubOp>(
                            one, c.binary<PowOp>(c.scalar(element, beta),
                                                 step)))),
        c.binary<SubOp>(one,
                        c.binary<PowOp>(c.scalar(element, alpha), step)));
    Value rateAdjusted = c.select(
        c.compare<GreaterOp>(step, c.scalar(element, 0)), corrected, rate);
    Value xNew = c.binary<SubOp>(
        x, c.binary<MulOp>(rateAdjusted, c.binary<DivOp>(vNew, hSqrt)));
    if (post != 0)
      xNew = c.binary<MulOp>(c.scalar(element, 1 - post), xNew);
    ctx.setOutput(i, xNew);
    ctx.setOutput(*n + i, vNew);
    ctx.setOutput(2 * *n + i, hNew);
  }
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerTrainingOps(OpRegistry &registry) {
  registry.add(kTrainingDomain, "Adagrad", convertAdagrad);
  registry.add(kTrainingDomain, "Momentum", convertMomentum);
  registry.add(kTrainingDomain, "Adam", convertAdam);
}
