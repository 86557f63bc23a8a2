//===- RecurrentOps.cpp - Import ONNX RNN, GRU and LSTM -------------------===//
//
// The sequence length is static, so a recurrent layer unrolls into edge ops:
// one matmul of all time steps with W, then per step a matmul of the hidden
// state with R and the cell's gate arithmetic. Directions run one after the
// other; the outputs are concatenated in ONNX's layouts.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

enum class CellKind { RNN, GRU, LSTM };

/// Gates per cell and the activations a direction uses by default.
struct CellSpec {
  CellKind kind;
  int64_t gates;
  SmallVector<StringRef, 3> defaultActivations;
};

/// One activation of the cell, with its optional alpha and beta.
struct Activation {
  std::string name;
  std::optional<float> alpha, beta;
};

class RecurrentImporter {
public:
  RecurrentImporter(NodeContext &ctx, CellSpec spec)
      : ctx(ctx), c(ctx), spec(std::move(spec)) {}

  LogicalResult run();

private:
  FailureOr<SmallVector<Activation>> getActivations(int64_t directions);
  FailureOr<Value> activate(const Activation &activation, Value x);
  Value clip(Value x);
  Value matmul(Value x, Value y);
  /// Slice `index` of a [directions, ...] parameter, without that axis.
  Value direction(Value param, int64_t index, int64_t axis = 0);
  Value gate(Value x, int64_t index) {
    return c.sliceAxis(x, 1, index * hidden, hidden);
  }
  FailureOr<SmallVector<Value>> runDirection(int64_t dir, bool reverse,
                                             ArrayRef<Activation> acts);

  NodeContext &ctx;
  Composer c;
  CellSpec spec;
  Type element;
  int64_t steps = 0, batch = 0, inputSize = 0, hidden = 0;
  bool batchFirst = false;
  std::optional<float> clipThreshold;
  Value x; // [steps, batch, input]
  /// sequence_lens as [batch, 1], unless every entry runs every step.
  Value lengths;
};

Value RecurrentImporter::matmul(Value lhs, Value rhs) {
  RankedTensorType l = c.typeOf(lhs), r = c.typeOf(rhs);
  return MatMulOp::create(c.b, c.loc,
                          l.clone({l.getDimSize(0), r.getDimSize(1)}), lhs,
                          rhs);
}

Value RecurrentImporter::direction(Value param, int64_t index, int64_t axis) {
  RankedTensorType type = c.typeOf(param);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return c.reshape(c.sliceAxis(param, axis, index, 1), shape);
}

Value RecurrentImporter::clip(Value value) {
  if (!clipThreshold)
    return value;
  return ClipOp::create(c.b, c.loc, value, c.scalar(element, -*clipThreshold),
                        c.scalar(element, *clipThreshold));
}

FailureOr<Value> RecurrentImporter::activate(const Activation &act,
                                             Value value) {
  value = clip(value);
  auto attr = [&](std::optional<float> v, float fallback) {
    return c.b.getF32FloatAttr(v.value_or(fallback));
  };
  if (act.name == "Sigmoid")
    return c.unary<SigmoidOp>(value);
  if (act.name == "Tanh")
    return c.unary<TanhOp>(value);
  if (act.name == "Relu")
    return c.unary<ReluOp>(value);
  if (act.name == "Softsign")
    return c.unary<SoftsignOp>(value);
  if (act.name == "Softplus")
    return c.unary<SoftplusOp>(value);
  if (act.name == "LeakyRelu")
    return Value(LeakyReluOp::create(c.b, c.loc, value, attr(act.alpha, 0.01f),
                                     attr(std::nullopt, 0)));
  if (act.name == "HardSigmoid")
    return Value(HardSigmoidOp::create(c.b, c.loc, value,
                                       attr(act.alpha, 0.2f),
                                       attr(act.beta, 0.5f)));
  if (act.name == "Elu")
    return Value(EluOp::create(c.b, c.loc, value, attr(act.alpha, 1.0f),
                               attr(std::nullopt, 0)));
  if (act.name == "ThresholdedRelu")
    return Value(ThresholdedReluOp::create(
        c.b, c.loc, value, attr(act.alpha, 1.0f), attr(std::nullopt, 0)));
  if (act.name == "Affine")
    return c.binary<AddOp>(
        c.binary<MulOp>(value, c.scalar(element, act.alpha.value_or(1.0f))),
        c.scalar(element, act.beta.value_or(0.0f)));
  if (act.name == "ScaledTanh")
    return c.binary<MulOp>(
        c.unary<TanhOp>(c.binary<MulOp>(
            value, c.scalar(element, act.beta.value_or(1.0f)))),
        c.scalar(element, act.alpha.value_or(1.0f)));
  return ctx.emitError("activation '" + act.name + "' is not supported");
}

FailureOr<SmallVector<Activation>>
RecurrentImporter::getActivations(int64_t directions) {
  size_t perDirection = spec.defaultActivations.size();
  SmallVector<Activation> acts;
  const onnx::AttributeProto *names = ctx.getAttr("activations");
  if (!names) {
    for (int64_t d = 0; d < directions; ++d)
      for (StringRef name : spec.defaultActivations)
        acts.push_back({name.str(), std::nullopt, std::nullopt});
    return acts;
  }
  // Some exporters list one direction's activations for both.
  size_t count = names->strings_size();
  if (count != perDirection * directions && count != perDirection)
    return ctx.emitError("activations needs " +
                         Twine(perDirection * directions) + " entries");
  // alpha and beta apply, in order, to the activations that take them.
  const onnx::AttributeProto *alphas = ctx.getAttr("activation_alpha");
  const onnx::AttributeProto *betas = ctx.getAttr("activation_beta");
  int alphaIndex = 0, betaIndex = 0;
  for (size_t i = 0; i < perDirection * directions; ++i) {
    Activation act{names->strings(i % count), std::nullopt, std::nullopt};
    static const llvm::StringSet<> takesAlpha = {
        "LeakyRelu", "HardSigmoid", "Elu", "ThresholdedRelu", "Affine",
        "ScaledTanh"};
    static const llvm::StringSet<> takesBeta = {"HardSigmoid", "Affine",
                                                "ScaledTanh"};
    if (takesAlpha.contains(act.name) && alphas &&
        alphaIndex < alphas->floats_size())
      act.alpha = alphas->floats(alphaIndex++);
    if (takesBeta.contains(act.name) && betas &&
        betaIndex < betas->floats_size())
      act.beta = betas->floats(betaIndex++);
    acts.push_back(act);
  }
  return acts;
}

FailureOr<SmallVector<Value>>
RecurrentImporter::runDirection(int64_t dir, bool reverse,
                                ArrayRef<Activation> acts) {
  int64_t gateWidth = spec.gates * hidden;
  // [gates * hidden, input] -> transposed for x @ W^T.
  Value wT = c.transpose(direction(ctx.getInput(1), dir), {1, 0});
  Value rT = c.transpose(direction(ctx.getInput(2), dir), {1, 0});
  Value wBias, rBias;
  if (ctx.hasInput(3)) {
    Value bias = direction(ctx.getInput(3), dir);
    wBias = c.sliceAxis(bias, 0, 0, gateWidth);
    rBias = c.sliceAxis(bias, 0, gateWidth, gateWidth);
  }
  // All time steps' input projections at once: [steps * batch, gates * H].
  Value xw = matmul(c.reshape(x, {steps * batch, inputSize}), wT);
  if (wBias)
    xw = c.binary<AddOp>(xw, wBias);

  auto initial = [&](unsigned index) -> Value {
    if (!ctx.hasInput(index))
      return c.splat(RankedTensorType::get({batch, hidden}, element),
                     c.b.getFloatAttr(element, 0));
    return direction(ctx.getInput(index), dir, batchFirst ? 1 : 0);
  };
  Value h = initial(5);
  Value cell = spec.kind == CellKind::LSTM ? initial(6) : Value();
  Value peepI, peepO, peepF;
  if (spec.kind == CellKind::LSTM && ctx.hasInput(7)) {
    Value p = direction(ctx.getInput(7), dir);
    peepI = c.sliceAxis(p, 0, 0, hidden);
    peepO = c.sliceAxis(p, 0, hidden, hidden);
    peepF = c.sliceAxis(p, 0, 2 * hidden, hidden);
  }

  // GRU without linear_before_reset multiplies the reset hidden state by
  // the candidate gate's slice of R (and adds its recurrence bias) itself.
  Value candidateRT, candidateRBias;
  if (spec.kind == CellKind::GRU && !ctx.getInt("linear_before_reset", 0)) {
    candidateRT = gate(rT, 2);
    if (rBias)
      candidateRBias = c.sliceAxis(rBias, 0, 2 * hidden, hidden);
  }

  SmallVector<Value> outputs(steps);
  for (int64_t i = 0; i < steps; ++i) {
    int64_t t = reverse ? steps - 1 - i : i;
    Value previousH = h, previousCell = cell;
    Value xt = c.sliceAxis(xw, 0, t * batch, batch);
    Value hr = matmul(h, rT);
    if (rBias)
      hr = c.binary<AddOp>(hr, rBias);
    switch (spec.kind) {
    case CellKind::RNN: {
      FailureOr<Value> next = activate(acts[0], c.binary<AddOp>(xt, hr));
      if (failed(next))
        return failure();
      h = *next;
      break;
    }
    case CellKind::GRU: {
      // Gates z, r, h.
      FailureOr<Value> z =
          activate(acts[0], c.binary<AddOp>(gate(xt, 0), gate(hr, 0)));
      FailureOr<Value> r =
          activate(acts[0], c.binary<AddOp>(gate(xt, 1), gate(hr, 1)));
      if (failed(z) || failed(r))
        return failure();
      Value recurrent;
      if (!candidateRT) {
        recurrent = c.binary<MulOp>(*r, gate(hr, 2));
      } else {
        recurrent = matmul(c.binary<MulOp>(*r, h), candidateRT);
        if (candidateRBias)
          recurrent = c.binary<AddOp>(recurrent, candidateRBias);
      }
      FailureOr<Value> candidate =
          activate(acts[1], c.binary<AddOp>(gate(xt, 2), recurrent));
      if (failed(candidate))
        return failure();
      Value one = c.scalar(element, 1);
      h = c.binary<AddOp>(
          c.binary<MulOp>(c.binary<SubOp>(one, *z), *candidate),
          c.binary<MulOp>(*z, h));
      break;
    }
    case CellKind::LSTM: {
      // Gates i, o, f, c.
      Value pre = c.binary<AddOp>(xt, hr);
      Value preI = gate(pre, 0), preO = gate(pre, 1), preF = gate(pre, 2);
      if (peepI) {
        preI = c.binary<AddOp>(preI, c.binary<MulOp>(peepI, cell));
        preF = c.binary<AddOp>(preF, c.binary<MulOp>(peepF, cell));
      }
      FailureOr<Value> in = activate(acts[0], preI);
      FailureOr<Value> forget = activate(acts[0], preF);
      FailureOr<Value> candidate = activate(acts[1], gate(pre, 3));
      if (failed(in) || failed(forget) || failed(candidate))
        return failure();
      cell = c.binary<AddOp>(c.binary<MulOp>(*forget, cell),
                             c.binary<MulOp>(*in, *candidate));
      if (peepO)
        preO = c.binary<AddOp>(preO, c.binary<MulOp>(peepO, cell));
      FailureOr<Value> out = activate(acts[0], preO);
      FailureOr<Value> cellAct = activate(acts[2], cell);
      if (failed(out) || failed(cellAct))
        return failure();
      h = c.binary<MulOp>(*out, *cellAct);
      break;
    }
    }
    outputs[t] = h;
    // Steps past an entry's length keep its state and output zeros; in
    // reverse, each entry starts from its own last step.
    if (lengths) {
      Type lengthType = c.typeOf(lengths).getElementType();
      Value active = c.compare<LessOp>(
          c.splat(RankedTensorType::get({}, lengthType),
                  c.b.getIntegerAttr(lengthType, t)),
          lengths);
      outputs[t] = c.select(active, h, c.scalar(element, 0));
      h = c.select(active, h, previousH);
      if (cell)
        cell = c.select(active, cell, previousCell);
    }
  }
  // The last state of the direction, then the per-step outputs.
  outputs.push_back(h);
  if (cell)
    outputs.push_back(cell);
  return outputs;
}

LogicalResult RecurrentImporter::run() {
  FailureOr<RankedTensorType> xType = ctx.getInputType(0);
  FailureOr<RankedTensorType> wType = ctx.getInputType(1);
  FailureOr<RankedTensorType> rType = ctx.getInputType(2);
  if (failed(xType) || failed(wType) || failed(rType))
    return failure();
  element = xType->getElementType();
  if (!isa<FloatType>(element) || xType->getRank() != 3)
    return ctx.emitError("X must be a 3-D float tensor");
  batchFirst = ctx.getInt("layout", 0) != 0;
  x = ctx.getInput(0);
  if (batchFirst)
    x = c.transpose(x, {1, 0, 2});
  RankedTensorType seqType = c.typeOf(x);
  steps = seqType.getDimSize(0);
  batch = seqType.getDimSize(1);
  inputSize = seqType.getDimSize(2);
  hidden = ctx.getInt("hidden_size", rType->getRank() == 3
                                         ? rType->getDimSize(2)
                                         : 0);
  std::string directionName = ctx.getString("direction", "forward");
  int64_t directions = directionName == "bidirectional" ? 2 : 1;
  if (directionName != "forward" && directionName != "reverse" &&
      directionName != "bidirectional")
    return ctx.emitError("direction '" + directionName + "' is not valid");
  int64_t gateWidth = spec.gates * hidden;
  if (wType->getShape() != ArrayRef<int64_t>{directions, gateWidth, inputSize} ||
      rType->getShape() != ArrayRef<int64_t>{directions, gateWidth, hidden})
    return ctx.emitError("W and R must be [" + Twine(directions) + ", " +
                         Twine(gateWidth) + ", input or hidden size]");
  if (wType->getElementType() != element || rType->getElementType() != element)
    return ctx.emitError("X, W and R must have the same element type");
  if (ctx.hasInput(3)) {
    FailureOr<RankedTensorType> bType = ctx.getInputType(3);
    if (failed(bType))
      return failure();
    if (bType->getShape() != ArrayRef<int64_t>{directions, 2 * gateWidth})
      return ctx.emitError("B must be [" + Twine(directions) + ", " +
                           Twine(2 * gateWidth) + "]");
  }
  SmallVector<int64_t> stateShape =
      batchFirst ? SmallVector<int64_t>{batch, directions, hidden}
                 : SmallVector<int64_t>{directions, batch, hidden};
  for (unsigned index : {5u, 6u}) {
    if (!ctx.hasInput(index) || (index == 6 && spec.kind != CellKind::LSTM))
      continue;
    FailureOr<RankedTensorType> type = ctx.getInputType(index);
    if (failed(type))
      return failure();
    if (type->getShape() != ArrayRef(stateShape))
      return ctx.emitError("initial states must have shape of Y_h");
  }
  if (spec.kind == CellKind::LSTM && ctx.hasInput(7)) {
    FailureOr<RankedTensorType> pType = ctx.getInputType(7);
    if (failed(pType))
      return failure();
    if (pType->getShape() != ArrayRef<int64_t>{directions, 3 * hidden})
      return ctx.emitError("P must be [" + Twine(directions) + ", " +
                           Twine(3 * hidden) + "]");
  }
  if (ctx.hasInput(4)) {
    auto lensType = dyn_cast<RankedTensorType>(ctx.getInput(4).getType());
    if (!lensType || lensType.getShape() != ArrayRef<int64_t>{batch} ||
        !lensType.getElementType().isSignlessInteger())
      return ctx.emitError("sequence_lens must be " + Twine(batch) +
                           " integers");
    // Constant full lengths change nothing; other lengths, constant or
    // read at run time, mask the steps past them.
    std::optional<DenseElementsAttr> lens = ctx.getConstantInput(4);
    if (!lens || llvm::any_of(lens->getValues<APInt>(), [&](const APInt &l) {
          return l.getSExtValue() != steps;
        }))
      lengths = c.reshape(ctx.getInput(4), {batch, 1});
  }
  if (spec.kind == CellKind::LSTM && ctx.getInt("input_forget", 0))
    return ctx.emitError("input_forget = 1 is not supported yet");
  if (const onnx::AttributeProto *threshold = ctx.getAttr("clip"))
    clipThreshold = threshold->f();

  FailureOr<SmallVector<Activation>> acts = getActivations(directions);
  if (failed(acts))
    return failure();
  size_t perDirection = spec.defaultActivations.size();
  SmallVector<Value> perStep, lastH, lastC;
  for (int64_t dir = 0; dir < directions; ++dir) {
    bool reverse = directionName == "reverse" || dir == 1;
    FailureOr<SmallVector<Value>> result = runDirection(
        dir, reverse, ArrayRef(*acts).slice(dir * perDirection, perDirection));
    if (failed(result))
      return failure();
    // Per step [batch, hidden] -> [steps, 1, batch, hidden].
    SmallVector<Value> stepsOut;
    for (int64_t t = 0; t < steps; ++t)
      stepsOut.push_back(c.reshape((*result)[t], {1, 1, batch, hidden}));
    perStep.push_back(c.concat(stepsOut, 0));
    lastH.push_back(c.reshape((*result)[steps], {1, batch, hidden}));
    if (spec.kind == CellKind::LSTM)
      lastC.push_back(c.reshape((*result)[steps + 1], {1, batch, hidden}));
  }
  Value y = c.concat(perStep, 1);
  Value yh = c.concat(lastH, 0);
  Value yc = lastC.empty() ? Value() : c.concat(lastC, 0);
  if (batchFirst) {
    y = c.transpose(y, {2, 0, 1, 3});
    yh = c.transpose(yh, {1, 0, 2});
    if (yc)
      yc = c.transpose(yc, {1, 0, 2});
  }
  ctx.setOutput(0, y);
  ctx.setOutput(1, yh);
  if (yc)
    ctx.setOutput(2, yc);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerRecurrentOps(OpRegistry &registry) {
  registry.add("RNN", [](NodeContext &ctx) {
    return RecurrentImporter(ctx, {CellKind::RNN, 1, {"Tanh"}}).run();
  });
  registry.add("GRU", [](NodeContext &ctx) {
    return RecurrentImporter(ctx, {CellKind::GRU, 3, {"Sigmoid", "Tanh"}})
        .run();
  });
  registry.add("LSTM", [](NodeContext &ctx) {
    return RecurrentImporter(
               ctx, {CellKind::LSTM, 4, {"Sigmoid", "Tanh", "Tanh"}})
        .run();
  });
}
