//===- ControlFlowOps.cpp - Import ONNX If and Loop -----------------------===//
//
// Control flow whose decisions are known at compile time: If with a
// constant condition imports the taken branch in place; Loop with a
// constant trip count (and a condition that folds to a constant after each
// iteration) unrolls its body. Decisions made at run time are reported.
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

LogicalResult convertIf(NodeContext &ctx) {
  std::optional<bool> condition = getConstantBool(ctx.getInput(0));
  if (!condition)
    return ctx.emitNotConstantError(0, "the condition must be a constant "
                                       "(branches chosen at run time are not "
                                       "supported)");
  FailureOr<SmallVector<Value>> outputs =
      ctx.importSubgraph(*condition ? "then_branch" : "else_branch", {});
  if (failed(outputs))
    return failure();
  if (static_cast<int>(outputs->size()) != ctx.getNode().output_size())
    return ctx.emitError("the branch has " + Twine(outputs->size()) +
                         " outputs, the node " +
                         Twine(ctx.getNode().output_size()));
  for (auto [index, value] : llvm::enumerate(*outputs))
    ctx.setOutput(index, value);
  return success();
}

/// Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...); the body
/// maps (iteration, cond, v...) to (cond, v..., scan values...).
LogicalResult convertLoop(NodeContext &ctx) {
  Composer c(ctx);
  int64_t tripCount = kMaxUnrolledIterations + 1;
  bool bounded = false;
  if (ctx.hasInput(0)) {
    std::optional<DenseElementsAttr> m = ctx.getConstantInput(0);
    if (!m || m->getNumElements() != 1)
      return ctx.emitNotConstantError(0, "the trip count M must be a constant "
                                         "(loops are unrolled)");
    tripCount = (*m->getValues<APInt>().begin()).getSExtValue();
    bounded = true;
  }
  Value condition = ctx.hasInput(1) ? ctx.getInput(1) : Value();
  if (condition && !getConstantBool(condition))
    return ctx.emitNotConstantError(1, "the initial condition must be a "
                                       "constant (loops are unrolled)");
  if (!bounded && !condition)
    return ctx.emitError("a loop without a trip count or condition never "
                         "ends");
  unsigned numCarried = ctx.getNumInputs() - 2;
  SmallVector<Value> carried;
  for (unsigned i = 0; i < numCarried; ++i)
    carried.push_back(ctx.getInput(2 + i));
  unsigned numOutputs = ctx.getNode().output_size();
  if (numOutputs < numCarried)
    return ctx.emitError("Loop needs an output per loop-carried value");
  SmallVector<SmallVector<Value>> scans(numOutputs - numCarried);
  Type i64 = c.b.getI64Type();
  auto scalarI64 = RankedTensorType::get({}, i64);
  int64_t iteration = 0;
  for (; iteration < tripCount; ++iteration) {
    if (condition && !*getConstantBool(condition))
      break;
    if (iteration == kMaxUnrolledIterations)
      return ctx.emitError("the loop runs more than " +
                           Twine(kMaxUnrolledIterations) +
                           " iterations, more than are unrolled");
    SmallVector<Value> inputs = {
        c.splat(scalarI64, c.b.getI64IntegerAttr(iteration)),
        condition ? condition
                  : c.splat(RankedTensorType::get({}, c.b.getI1Type()),
                            c.b.getBoolAttr(true))};
    llvm::append_range(inputs, carried);
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph("body", inputs);
    if (failed(outputs))
      return failure();
    if (outputs->size() != 1 + numOutputs)
      return ctx.emitError("the body has " + Twine(outputs->size()) +
                           " outputs, expected " + Twine(1 + numOutputs));
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
    for (auto [scan, value] :
         llvm::zip(scans, ArrayRef(*outputs).drop_front(1 + numCarried))) {
      SmallVector<int64_t> shape(c.typeOf(value).getShape());
      shape.insert(shape.begin(), 1);
      scan.push_back(c.reshape(value, shape));
    }
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

} // namespace

void mlir::edge::onnx_import::registerControlFlowOps(OpRegistry &registry) {
  registry.add("If", convertIf);
  registry.add("Loop", convertLoop);
}
