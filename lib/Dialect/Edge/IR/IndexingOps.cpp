//===- IndexingOps.cpp - edge.gather_nd, scatter ops and index checks -----===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "OpUtils.h"

using namespace mlir;
using namespace mlir::edge;

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getBatchDimsAttr())
    return emitOptionalError(location, "gather_nd needs batch_dims");
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> indices = shapeOf(adaptor.getIndices());
  int64_t batch = adaptor.getBatchDims();
  if (indices.empty())
    return emitOptionalError(location, "indices must have rank >= 1");
  int64_t depth = indices.back();
  int64_t rank = input.size();
  if (batch >= static_cast<int64_t>(indices.size()) || batch + depth > rank)
    return emitOptionalError(location, "batch_dims ", batch,
                             " plus the index depth ", depth,
                             " exceed the input rank ", rank);
  for (int64_t d = 0; d < batch; ++d)
    if (input[d] != indices[d])
      return emitOptionalError(location, "batch dimension ", d,
                               " differs between input and indices");
  SmallVector<int64_t> shape(input.take_front(batch));
  llvm::append_range(shape, indices.drop_front(batch).drop_back());
  llvm::append_range(shape, input.drop_front(batch + depth));
  inferred.push_back(RankedTensorType::get(
      shape, cast<ShapedType>(adaptor.getInput().getType()).getElementType()));
  return success();
}

/// Checks the reduction name and that updates and data element types match.
static LogicalResult verifyScatter(Operation *op, Value data, Value updates,
                                   StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return op->emitOpError("reduction must be none, add, mul, max or min, "
                           "got '")
           << reduction << "'";
  if (cast<ShapedType>(data.getType()).getElementType() !=
      cast<ShapedType>(updates.getType()).getElementType())
    return op->emitOpError("updates must have the data's element type");
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyScatter(*this, getData(), getUpdates(), getReduction())))
    return failure();
  ArrayRef<int64_t> data = shapeOf(getData());
  ArrayRef<int64_t> indices = shapeOf(getIndices());
  if (indices != shapeOf(getUpdates()))
    return emitOpError("indices and updates must have one shape");
  if (indices.size() != data.size())
    return emitOpError("indices must have the data's rank");
  if (static_cast<int64_t>(getAxis()) >= static_cast<int64_t>(data.size()))
    return emitOpError("axis ") << getAxis() << " is out of range";
  for (size_t d = 0; d < data.size(); ++d)
    if (static_cast<int64_t>(d) != static_cast<int64_t>(getAxis()) && indices[d] > data[d])
      return emitOpError("indices dimension ") << d << " exceeds the data's";
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyScatter(*this, getData(), getUpdates(), getReduction())))
    return failure();
  ArrayRef<int64_t> data = shapeOf(getData());
  ArrayRef<int64_t> indices = shapeOf(getIndices());
  if (indices.empty() || indices.back() > static_cast<int64_t>(data.size()))
    return emitOpError("the index depth exceeds the data rank");
  SmallVector<int64_t> expected(indices.drop_back());
  llvm::append_range(expected, data.drop_front(indices.back()));
  if (shapeOf(getUpdates()) != ArrayRef(expected))
    return emitOpError("updates must have shape indices[:-1] + data[k:]");
  return success();
}

LogicalResult CheckIndicesOp::verify() {
  ArrayRef<int64_t> bounds = getBounds();
  ArrayRef<int64_t> indices = shapeOf(getIndices());
  if (bounds.empty())
    return emitOpError("needs at least one bound");
  if (bounds.size() > 1 &&
      (indices.empty() || indices.back() != static_cast<int64_t>(bounds.size())))
    return emitOpError("with ")
           << bounds.size()
           << " bounds, the last dimension of indices must be the tuple size "
           << bounds.size();
  for (int64_t bound : bounds)
    if (bound <= 0 && !ShapedType::isDynamic(bound))
      return emitOpError("bounds must be positive (an index into an empty "
                         "dimension is never valid), got ")
             << bound;
  int64_t dynamic = llvm::count_if(bounds, ShapedType::isDynamic);
  if (dynamic != static_cast<int64_t>(getDynamicBounds().size()))
    return emitOpError("has ")
           << dynamic << " dynamic bounds but " << getDynamicBounds().size()
           << " dynamic_bounds operands";
  return success();
}

LogicalResult DynamicSliceOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  if (input.getElementType() != result.getElementType() ||
      input.getRank() != result.getRank())
    return emitOpError("result must have the input's element type and rank");
  ArrayRef<int64_t> starts = shapeOf(getStarts());
  if (starts.size() != 1)
    return emitOpError("starts must be a 1-D tensor");
  for (Value operand : {getEnds(), getAxes(), getSteps()})
    if (shapeOf(operand) != starts)
      return emitOpError("starts, ends, axes and steps must have one shape");
  if (starts[0] > input.getRank())
    return emitOpError("slices ")
           << starts[0] << " axes of a rank-" << input.getRank() << " input";
  for (auto [in, out] : llvm::zip(input.getShape(), result.getShape()))
    if (out > in)
      return emitOpError("result size ")
             << out << " exceeds the input's " << in;
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  ArrayRef<int64_t> boxes = shapeOf(getBoxes());
  ArrayRef<int64_t> scores = shapeOf(getScores());
  ArrayRef<int64_t> selected = shapeOf(getSelected());
  if (boxes.size() != 3 || boxes[2] != 4)
    return emitOpError("boxes must be [batch, boxes, 4]");
  if (scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
    return emitOpError("scores must be [batch, classes, boxes] for boxes "
                       "of shape [")
           << boxes[0] << ", " << boxes[1] << ", 4]";
  if (selected.size() != 2 || selected[1] != 3)
    return emitOpError("selected must be [capacity, 3]");
  return success();
}

std::optional<RunTimeCheck> mlir::edge::getRunTimeCheck(Operation *op) {
  if (auto check = dyn_cast<CheckIndicesOp>(op))
    return RunTimeCheck{op, check.getSite(), check.getDescription()};
  if (auto slice = dyn_cast<DynamicSliceOp>(op))
    return RunTimeCheck{op, slice.getSite(), slice.getDescription()};
  if (auto sizes = dyn_cast<CheckSizesOp>(op))
    return RunTimeCheck{op, sizes.getSite(), sizes.getDescription()};
  return std::nullopt;
}

void mlir::edge::setRunTimeCheckSite(Operation *op,
                                     std::optional<int32_t> site) {
  auto attr = site ? Builder(op->getContext()).getI32IntegerAttr(*site)
                   : IntegerAttr();
  if (auto check = dyn_cast<CheckIndicesOp>(op))
    return check.setSiteAttr(attr);
  if (auto sizes = dyn_cast<CheckSizesOp>(op))
    return sizes.setSiteAttr(attr);
  cast<DynamicSliceOp>(op).setSiteAttr(attr);
}

LogicalResult CheckSizesOp::verify() {
  ArrayRef<int64_t> sizes = shapeOf(getSizes());
  if (sizes.size() != 1 ||
      sizes[0] != static_cast<int64_t>(getExpected().size()))
    return emitOpError("sizes must be a 1-D tensor with one entry per "
                       "expected size");
  if (getAgainst() && shapeOf(getAgainst()) != sizes)
    return emitOpError("against must have the sizes' shape");
  return success();
}
