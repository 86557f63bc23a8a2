//===- ControlFlowOps.cpp - Import ONNX If, Loop and Scan -----------------===//
//
// Control flow, unrolled or flattened into the graph: If with a constant
// condition imports the taken branch in place, with a run-time one both
// branches and a select; Loop with a constant trip count (and a condition
// that folds to a constant after each iteration) and Scan (static lengths)
// unroll their bodies. A Loop whose trip count or condition is read at run
// time unrolls the scan length the model declares, and the run checks that
// the loop ran that many iterations.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Largest number of Loop iterations unrolled.
constexpr int64_t kMaxUnrolledIterations = 1024;

/// A constant boolean scalar, if `value` is one.
std::optional<bool> getConstantBool(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      attr.getNumElements() != 1 || !attr.getElementType().isInteger(1))
    return std::nullopt;
  return *attr.getValues<bool>().begin();
}

/// If: with a constant condition, the branch it takes; otherwise both
/// branches, computed every run (ONNX branches have no side effects), and
/// the condition selects each output.
LogicalResult convertIf(NodeContext &ctx) {
  unsigned numOutputs = ctx.getNode().output_size();
  auto importBranch = [&](StringRef name) -> FailureOr<SmallVector<Value>> {
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(name, {});
    if (failed(outputs))
      return failure();
    if (outputs->size() != numOutputs)
      return ctx.emitError("the " + name + " has " + Twine(outputs->size()) +
                           " outputs, the node " + Twine(numOutputs));
    return outputs;
  };
  if (std::optional<bool> condition = getConstantBool(ctx.getInput(0))) {
    FailureOr<SmallVector<Value>> outputs =
        importBranch(*condition ? "then_branch" : "else_branch");
    if (failed(outputs))
      return failure();
    for (auto [index, value] : llvm::enumerate(*outputs))
      ctx.setOutput(index, value);
    return success();
  }

  auto conditionType = dyn_cast<RankedTensorType>(ctx.getInput(0).getType());
  if (!conditionType || !conditionType.getElementType().isInteger(1) ||
      !conditionType.hasStaticShape() || conditionType.getNumElements() != 1)
    return ctx.emitError("the condition must be a single bool");
  FailureOr<SmallVector<Value>> thenOutputs = importBranch("then_branch");
  if (failed(thenOutputs))
    return failure();
  FailureOr<SmallVector<Value>> elseOutputs = importBranch("else_branch");
  if (failed(elseOutputs))
    return failure();
  Composer c(ctx);
  Value condition = ctx.getInput(0);
  auto scalar = RankedTensorType::get({}, c.b.getI1Type());
  if (conditionType.getRank() != 0)
    condition = ReshapeOp::create(c.b, c.loc, scalar, condition);
  for (unsigned index = 0; index < numOutputs; ++index) {
    Value thenValue = (*thenOutputs)[index], elseValue = (*elseOutputs)[index];
    if (thenValue.getType() != elseValue.getType())
      return ctx.emitError("output " + Twine(index) +
                           " is chosen at run time, but the branches give ")
             << thenValue.getType() << " and " << elseValue.getType()
             << "; a result's type must not depend on the condition";
    ctx.setOutput(index, c.select(condition, thenValue, elseValue));
  }
  return success();
}

/// One iteration of a Loop body: (iteration, condition, carried...) ->
/// (condition, carried..., scan values...), checked for its output count.
FailureOr<SmallVector<Value>> importLoopBody(NodeContext &ctx, Composer &c,
                                             int64_t iteration,
                                             Value condition,
                                             ArrayRef<Value> carried) {
  unsigned numOutputs = ctx.getNode().output_size();
  SmallVector<Value> inputs = {
      c.splat(RankedTensorType::get({}, c.b.getI64Type()),
              c.b.getI64IntegerAttr(iteration)),
      condition};
  llvm::append_range(inputs, carried);
  FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph("body", inputs);
  if (failed(outputs))
    return failure();
  if (outputs->size() != 1 + numOutputs)
    return ctx.emitError("the body has " + Twine(outputs->size()) +
                         " outputs, expected " + Twine(1 + numOutputs));
  return outputs;
}

/// Appends an iteration's scan values, each as a [1, ...] slice.
void appendScanValues(Composer &c, MutableArrayRef<SmallVector<Value>> scans,
                      ArrayRef<Value> values) {
  for (auto [scan, value] : llvm::zip(scans, values)) {
    SmallVector<int64_t> shape(c.typeOf(value).getShape());
    shape.insert(shape.begin(), 1);
    scan.push_back(c.reshape(value, shape));
  }
}

/// Loop with a trip count or initial condition read at run time. The
/// declared length N of its scan outputs is the number of iterations
/// unrolled: iteration i is active while i < M and the condition holds, the
/// loop-carried values keep the values of the last active iteration, and
/// the run checks that the loop runs exactly N iterations (one more active
/// iteration, or one fewer, is refused naming the node).
LogicalResult convertLoopAtRunTime(NodeContext &ctx, unsigned numCarried) {
  Composer c(ctx);
  unsigned numOutputs = ctx.getNode().output_size();
  // The operand read at run time, for the hint on fixing it.
  unsigned runTimeOperand =
      ctx.hasInput(0) && !ctx.getConstantInput(0) ? 0 : 1;
  std::optional<int64_t> length;
  for (unsigned index = numCarried; index < numOutputs; ++index) {
    RankedTensorType declared = ctx.getDeclaredOutputType(index);
    if (!declared || declared.getRank() == 0 ||
        (length && *length != declared.getDimSize(0)))
      return ctx.emitNotConstantError(
          runTimeOperand,
          "the trip count or condition is read at run time, so the loop is "
          "unrolled for the number of iterations its scan outputs declare: "
          "every scan output needs the same static declared shape");
    length = declared.getDimSize(0);
  }
  if (!length)
    return ctx.emitNotConstantError(
        runTimeOperand,
        "the trip count or condition is read at run time and no scan output "
        "declares the number of iterations (loops are unrolled)");
  if (*length > kMaxUnrolledIterations)
    return ctx.emitError("the scan outputs declare " + Twine(*length) +
                         " iterations, more than the " +
                         Twine(kMaxUnrolledIterations) + " that are unrolled");

  Type i64 = c.b.getI64Type();
  auto scalarI64 = RankedTensorType::get({}, i64);
  auto scalarBool = RankedTensorType::get({}, c.b.getI1Type());
  Value tripCount, condition;
  if (ctx.hasInput(0)) {
    FailureOr<Value> m = c.scalarInput(
        0, [](Type t) { return t.isInteger(64); },
        "the trip count M must be one int64");
    if (failed(m))
      return failure();
    tripCount = *m;
  }
  if (ctx.hasInput(1)) {
    FailureOr<Value> cond = c.scalarInput(
        1, [](Type t) { return t.isInteger(1); },
        "the condition must be one bool");
    if (failed(cond))
      return failure();
    condition = *cond;
  } else {
    condition = c.splat(scalarBool, c.b.getBoolAttr(true));
  }
  auto belowTripCount = [&](int64_t iteration) -> Value {
    if (!tripCount)
      return c.splat(scalarBool, c.b.getBoolAttr(true));
    return c.compare<LessOp>(
        c.splat(scalarI64, c.b.getI64IntegerAttr(iteration)), tripCount);
  };

  SmallVector<Value> carried;
  for (unsigned i = 0; i < numCarried; ++i)
    carried.push_back(ctx.getInput(2 + i));
  SmallVector<SmallVector<Value>> scans(numOutputs - numCarried);
  Value active = c.binary<AndOp>(belowTripCount(0), condition);
  Value iterations = c.splat(scalarI64, c.b.getI64IntegerAttr(0));
  for (int64_t iteration = 0; iteration < *length; ++iteration) {
    FailureOr<SmallVector<Value>> outputs =
        importLoopBody(ctx, c, iteration, condition, carried);
    if (failed(outputs))
      return failure();
    for (unsigned i = 0; i < numCarried; ++i) {
      Value next = (*outputs)[1 + i];
      if (next.getType() != carried[i].getType())
        return ctx.emitError("loop-carried value " + Twine(i) +
                             " changes type from ")
               << carried[i].getType() << " to " << next.getType()
               << "; with a run-time trip count or condition it must keep "
                  "one type";
      carried[i] = c.select(active, next, carried[i]);
    }
    appendScanValues(c, scans, ArrayRef(*outputs).drop_front(1 + numCarried));
    iterations = c.binary<AddOp>(
        iterations, CastOp::create(c.b, c.loc, scalarI64, active));
    // Without a condition input the body's condition is ignored (a for
    // loop); with one it decides the next iteration.
    if (ctx.hasInput(1)) {
      Value next = (*outputs)[0];
      auto type = dyn_cast<RankedTensorType>(next.getType());
      if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
          !type.getElementType().isInteger(1))
        return ctx.emitError("the body's condition must be one bool");
      condition = c.select(active, c.reshape(next, {}), condition);
    }
    active = c.binary<AndOp>(
        active, c.binary<AndOp>(belowTripCount(iteration + 1), condition));
  }
  // One more active iteration means the loop would run on.
  iterations = c.binary<AddOp>(iterations,
                               CastOp::create(c.b, c.loc, scalarI64, active));
  Value sizes = c.reshape(iterations, {1});
  for (unsigned i = 0; i < numCarried; ++i)
    ctx.setOutput(i, carried[i]);
  for (auto [index, scan] : llvm::enumerate(scans)) {
    Value stacked = c.concat(scan, 0);
    SmallVector<int64_t> expected = {*length};
    ctx.setOutput(numCarried + index,
                  c.checkSizes(stacked, sizes, expected,
                               "iterations from its trip count and "
                               "condition"));
  }
  return success();
}

/// Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...); the body
/// maps (iteration, cond, v...) to (cond, v..., scan values...).
LogicalResult convertLoop(NodeContext &ctx) {
  unsigned numCarried = ctx.getNumInputs() - 2;
  if ((ctx.hasInput(0) && !ctx.getConstantInput(0)) ||
      (ctx.hasInput(1) && !getConstantBool(ctx.getInput(1))))
    return convertLoopAtRunTime(ctx, numCarried);
  Composer c(ctx);
  int64_t tripCount = kMaxUnrolledIterations + 1;
  bool bounded = false;
  if (ctx.hasInput(0)) {
    FailureOr<int64_t> m = ctx.getConstantScalarInt(
        0, "the trip count M must be a constant (loops are unrolled)");
    if (failed(m))
      return failure();
    tripCount = *m;
    bounded = true;
  }
  Value condition = ctx.hasInput(1) ? ctx.getInput(1) : Value();
  if (!bounded && !condition)
    return ctx.emitError("a loop without a trip count or condition never "
                         "ends");
  SmallVector<Value> carried;
  for (unsigned i = 0; i < numCarried; ++i)
    carried.push_back(ctx.getInput(2 + i));
  unsigned numOutputs = ctx.getNode().output_size();
  if (numOutputs < numCarried)
    return ctx.emitError("Loop needs an output per loop-carried value");
  SmallVector<SmallVector<Value>> scans(numOutputs - numCarried);
  int64_t iteration = 0;
  for (; iteration < tripCount; ++iteration) {
    if (condition && !*getConstantBool(condition))
      break;
    if (iteration == kMaxUnrolledIterations)
      return ctx.emitError("the loop runs more than " +
                           Twine(kMaxUnrolledIterations) +
                           " iterations, more than are unrolled");
    FailureOr<SmallVector<Value>> outputs = importLoopBody(
        ctx, c, iteration,
        condition ? condition
                  : c.splat(RankedTensorType::get({}, c.b.getI1Type()),
                            c.b.getBoolAttr(true)),
        carried);
    if (failed(outputs))
      return failure();
    // Without a condition input the body's condition is ignored (a for
    // loop); with one it decides the next iteration.
    if (ctx.hasInput(1)) {
      condition = (*outputs)[0];
      if (!getConstantBool(condition))
        return ctx.emitError("the loop condition must fold to a constant "
                             "after each iteration (loops are unrolled)");
    }
    for (unsigned i = 0; i < numCarried; ++i)
      carried[i] = (*outputs)[1 + i];
    appendScanValues(c, scans, ArrayRef(*outputs).drop_front(1 + numCarried));
  }
  for (unsigned i = 0; i < numCarried; ++i)
    ctx.setOutput(i, carried[i]);
  for (auto [index, scan] : llvm::enumerate(scans)) {
    if (scan.empty())
      return ctx.emitError("a loop of zero iterations has scan outputs of "
                           "unknown shape");
    ctx.setOutput(numCarried + index, c.concat(scan, 0));
  }
  return success();
}

/// Scan with static lengths, unrolled. From opset 9 the inputs are N states
/// then M scan inputs, scanned along `scan_input_axes` in
/// `scan_input_directions`; opset 8 adds an optional sequence_lens first
/// and a batch axis 0 to everything, scanned along axis 1 per batch entry.
LogicalResult convertScan(NodeContext &ctx) {
  Composer c(ctx);
  bool batched = ctx.getOpset() < 9;
  unsigned first = batched ? 1 : 0;
  if (batched && ctx.hasInput(0))
    return ctx.emitError("sequence_lens is not supported; give full-length "
                         "sequences");
  int64_t numScan = ctx.getInt("num_scan_inputs", 0);
  int64_t numInputs = ctx.getNumInputs() - first;
  int64_t numStates = numInputs - numScan;
  if (numScan < 1 || numStates < 0)
    return ctx.emitError("num_scan_inputs must be in [1, number of inputs]");
  int64_t numOutputs = ctx.getNode().output_size();
  int64_t numScanOutputs = numOutputs - numStates;
  if (numScanOutputs < 0)
    return ctx.emitError("Scan needs an output per state");
  auto intsOr = [&](StringRef name, int64_t count, int64_t fallback) {
    SmallVector<int64_t> values =
        ctx.getInts(name).value_or(SmallVector<int64_t>(count, fallback));
    values.resize(count, fallback);
    return values;
  };
  SmallVector<int64_t> inputAxes = intsOr("scan_input_axes", numScan, 0);
  SmallVector<int64_t> inputDirections =
      intsOr(batched ? "directions" : "scan_input_directions", numScan, 0);
  SmallVector<int64_t> outputAxes = intsOr("scan_output_axes", numScanOutputs, 0);
  SmallVector<int64_t> outputDirections =
      intsOr("scan_output_directions", numScanOutputs, 0);

  SmallVector<Value> states, scans;
  for (int64_t i = 0; i < numInputs; ++i) {
    if (failed(ctx.getInputType(first + i)))
      return failure();
    (i < numStates ? states : scans).push_back(ctx.getInput(first + i));
  }
  int64_t batch = batched ? c.typeOf(scans.front()).getDimSize(0) : 1;
  int64_t length = -1;
  for (auto [index, scan] : llvm::enumerate(scans)) {
    int64_t rank = c.typeOf(scan).getRank();
    int64_t axis = batched ? 1 : inputAxes[index];
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return ctx.emitError("a scan axis is out of range");
    inputAxes[index] = axis;
    int64_t size = c.typeOf(scan).getDimSize(axis);
    if (length >= 0 && size != length)
      return ctx.emitError("scan inputs have different lengths");
    length = size;
  }
  if (length * batch > kMaxUnrolledIterations)
    return ctx.emitError("the scan runs more than " +
                         Twine(kMaxUnrolledIterations) +
                         " iterations, more than are unrolled");
  if (length == 0 && numScanOutputs > 0)
    return ctx.emitError("a scan of length 0 has scan outputs of unknown "
                         "shape");
  // Takes entry `index` of `value` along `axis`, without that axis.
  auto take = [&](Value value, int64_t axis, int64_t index) {
    SmallVector<int64_t> shape(c.typeOf(value).getShape());
    shape.erase(shape.begin() + axis);
    return c.reshape(c.sliceAxis(value, axis, index, 1), shape);
  };
  auto insertAxis = [&](Value value, int64_t axis) {
    SmallVector<int64_t> shape(c.typeOf(value).getShape());
    shape.insert(shape.begin() + axis, 1);
    return c.reshape(value, shape);
  };

  SmallVector<SmallVector<Value>> finalStates(numStates);
  SmallVector<SmallVector<Value>> scanOutputs(numScanOutputs);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> carried, sources;
    for (Value state : states)
      carried.push_back(batched ? take(state, 0, b) : state);
    for (Value scan : scans)
      sources.push_back(batched ? take(scan, 0, b) : scan);
    SmallVector<SmallVector<Value>> steps(numScanOutputs);
    for (int64_t t = 0; t < length; ++t) {
      SmallVector<Value> inputs = carried;
      for (auto [index, source] : llvm::enumerate(sources)) {
        int64_t axis = batched ? 0 : inputAxes[index];
        int64_t position = inputDirections[index] ? length - 1 - t : t;
        inputs.push_back(take(source, axis, position));
      }
      FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph("body", inputs);
      if (failed(outputs))
        return failure();
      if (static_cast<int64_t>(outputs->size()) != numOutputs)
        return ctx.emitError("the body has " + Twine(outputs->size()) +
                             " outputs, expected " + Twine(numOutputs));
      carried.assign(outputs->begin(), outputs->begin() + numStates);
      for (int64_t k = 0; k < numScanOutputs; ++k)
        steps[k].push_back((*outputs)[numStates + k]);
    }
    for (int64_t s = 0; s < numStates; ++s)
      finalStates[s].push_back(batched ? insertAxis(carried[s], 0)
                                       : carried[s]);
    for (int64_t k = 0; k < numScanOutputs; ++k) {
      int64_t rank = c.typeOf(steps[k].front()).getRank() + 1;
      int64_t axis = batched ? 0 : outputAxes[k];
      if (axis < 0)
        axis += rank;
      if (axis < 0 || axis >= rank)
        return ctx.emitError("a scan output axis is out of range");
      if (outputDirections[k])
        std::reverse(steps[k].begin(), steps[k].end());
      SmallVector<Value> slices;
      for (Value step : steps[k])
        slices.push_back(insertAxis(step, axis));
      Value stacked = c.concat(slices, axis);
      scanOutputs[k].push_back(batched ? insertAxis(stacked, 0) : stacked);
    }
  }
  for (int64_t s = 0; s < numStates; ++s)
    ctx.setOutput(s, c.concat(finalStates[s], 0));
  for (int64_t k = 0; k < numScanOutputs; ++k)
    ctx.setOutput(numStates + k, c.concat(scanOutputs[k], 0));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerControlFlowOps(OpRegistry &registry) {
  registry.add("If", convertIf);
  registry.add("Loop", convertLoop);
  registry.add("Scan", convertScan);
}
