//===- StructureOps.cpp - Fusion groups and transfers ---------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace mlir::edge;

llvm::SetVector<Value> FusionGroupOp::getExternalValues() {
  llvm::SetVector<Value> values;
  getUsedValuesDefinedAbove(getBody(), values);
  return values;
}

LogicalResult FusionGroupOp::verify() {
  Block &body = getBody().front();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end with edge.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but its results are "
           << getResultTypes();
  if (body.getNumArguments() != 0)
    return emitOpError("body takes no arguments");
  if (&body.front() == yield.getOperation())
    return emitOpError("body holds no op");
  return success();
}

int64_t FusionGroupOp::estimateFlops() {
  int64_t flops = 0;
  getBody().walk([&](CostOpInterface op) { flops += op.estimateFlops(); });
  return flops;
}

int64_t FusionGroupOp::estimateBytes() {
  // Only what crosses the group's boundary touches memory.
  int64_t bytes = 0;
  for (Value value : getExternalValues())
    bytes += getTensorBytes(value.getType());
  for (Type type : getResultTypes())
    bytes += getTensorBytes(type);
  return bytes;
}

int64_t TransferOp::estimateFlops() { return 0; }

OpFoldResult TransferOp::fold(FoldAdaptor) {
  if (getSource() == getTarget())
    return getInput();
  return {};
}
