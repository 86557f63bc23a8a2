//===- SequenceOps.cpp - Import ONNX sequence operators -------------------===//
//
// A sequence whose length and positions are known at compile time is a list
// of tensor values in the importer: SequenceConstruct/Empty/Insert/Erase
// edit the list, SequenceAt/Length read it, SplitToSequence and
// ConcatFromSequence convert to and from tensors. No sequence reaches the
// edge dialect; positions computed at run time are reported.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// A constant position into a sequence of `length` tensors, wrapped when
/// negative; `inclusive` allows `length` (an insertion at the end).
FailureOr<size_t> getPosition(NodeContext &ctx, unsigned index, size_t length,
                              bool inclusive) {
  FailureOr<int64_t> value = ctx.getConstantScalarInt(
      index, "position must be a constant integer scalar");
  if (failed(value))
    return failure();
  int64_t position = *value, n = static_cast<int64_t>(length);
  if (position < -n || position > (inclusive ? n : n - 1))
    return ctx.emitError("position " + Twine(position) +
                         " is out of range for a sequence of " + Twine(n) +
                         " tensors");
  return static_cast<size_t>(position < 0 ? position + n : position);
}

LogicalResult convertSequenceEmpty(NodeContext &ctx) {
  ctx.setSequenceOutput(0, {});
  return success();
}

LogicalResult convertSequenceConstruct(NodeContext &ctx) {
  SmallVector<Value> tensors;
  for (unsigned i = 0; i < ctx.getNumInputs(); ++i) {
    if (failed(ctx.getInputType(i)))
      return failure();
    tensors.push_back(ctx.getInput(i));
  }
  ctx.setSequenceOutput(0, tensors);
  return success();
}

LogicalResult convertSequenceInsert(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.getSequenceInput(0);
  if (failed(sequence) || failed(ctx.getInputType(1)))
    return failure();
  size_t position = sequence->size();
  if (ctx.hasInput(2)) {
    FailureOr<size_t> p = getPosition(ctx, 2, sequence->size(), true);
    if (failed(p))
      return failure();
    position = *p;
  }
  sequence->insert(sequence->begin() + position, ctx.getInput(1));
  ctx.setSequenceOutput(0, *sequence);
  return success();
}

LogicalResult convertSequenceErase(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.getSequenceInput(0);
  if (failed(sequence))
    return failure();
  if (sequence->empty())
    return ctx.emitError("cannot erase from an empty sequence");
  size_t position = sequence->size() - 1;
  if (ctx.hasInput(1)) {
    FailureOr<size_t> p = getPosition(ctx, 1, sequence->size(), false);
    if (failed(p))
      return failure();
    position = *p;
  }
  sequence->erase(sequence->begin() + position);
  ctx.setSequenceOutput(0, *sequence);
  return success();
}

LogicalResult convertSequenceAt(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.getSequenceInput(0);
  if (failed(sequence))
    return failure();
  FailureOr<size_t> position = getPosition(ctx, 1, sequence->size(), false);
  if (failed(position))
    return failure();
  ctx.setOutput(0, (*sequence)[*position]);
  return success();
}

LogicalResult convertSequenceLength(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.getSequenceInput(0);
  if (failed(sequence))
    return failure();
  Composer c(ctx);
  ctx.setOutput(0, c.splat(RankedTensorType::get({}, c.b.getI64Type()),
                           c.b.getI64IntegerAttr(sequence->size())));
  return success();
}

/// ConcatFromSequence: a Concat along `axis`, or a stack along a new axis.
LogicalResult convertConcatFromSequence(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.getSequenceInput(0);
  if (failed(sequence))
    return failure();
  if (sequence->empty())
    return ctx.emitError("cannot concatenate an empty sequence");
  Composer c(ctx);
  RankedTensorType first = c.typeOf(sequence->front());
  bool newAxis = ctx.getInt("new_axis", 0) != 0;
  // The axis counts in the result's rank (one more with a new axis).
  FailureOr<int64_t> axis = ctx.normalizeAxis(
      ctx.getInt("axis", 0), first.getRank() + (newAxis ? 1 : 0));
  if (failed(axis))
    return failure();
  SmallVector<Value> parts;
  for (Value tensor : *sequence) {
    RankedTensorType type = c.typeOf(tensor);
    if (type.getElementType() != first.getElementType() ||
        type.getRank() != first.getRank())
      return ctx.emitError("sequence tensors differ in element type or rank");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if ((newAxis || d != *axis) && type.getDimSize(d) != first.getDimSize(d))
        return ctx.emitError("sequence tensors differ in dimension " +
                             Twine(d));
    if (newAxis) {
      SmallVector<int64_t> shape(type.getShape());
      shape.insert(shape.begin() + *axis, 1);
      tensor = c.reshape(tensor, shape);
    }
    parts.push_back(tensor);
  }
  ctx.setOutput(0, c.concat(parts, *axis));
  return success();
}

/// SplitToSequence: pieces of the given sizes (a 1-D split), of one size
/// (a scalar split; the last may be shorter), or of 1 without a split
/// (then squeezed unless keepdims).
LogicalResult convertSplitToSequence(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), type->getRank());
  if (failed(axis))
    return failure();
  int64_t extent = type->getDimSize(*axis);
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  if (ctx.hasInput(1)) {
    std::optional<DenseElementsAttr> split = ctx.getConstantInput(1);
    if (!split || !split->getElementType().isSignlessInteger())
      return ctx.emitNotConstantError(1, "split must be a constant integer "
                                         "tensor");
    auto splitType = cast<ShapedType>(split->getType());
    if (splitType.getRank() == 0) {
      int64_t size = (*split->getValues<APInt>().begin()).getSExtValue();
      if (size <= 0)
        return ctx.emitError("split must be positive");
      for (int64_t start = 0; start < extent; start += size)
        sizes.push_back(std::min(size, extent - start));
    } else {
      for (APInt size : split->getValues<APInt>())
        sizes.push_back(size.getSExtValue());
      int64_t total = 0;
      for (int64_t size : sizes) {
        if (size < 0)
          return ctx.emitError("split sizes must not be negative");
        total += size;
      }
      if (total != extent)
        return ctx.emitError("split sizes sum to " + Twine(total) +
                             ", the axis has " + Twine(extent));
    }
  } else {
    sizes.assign(extent, 1);
    squeeze = ctx.getInt("keepdims", 1) == 0;
  }
  Composer c(ctx);
  SmallVector<Value> pieces;
  int64_t start = 0;
  for (int64_t size : sizes) {
    Value piece = c.sliceAxis(ctx.getInput(0), *axis, start, size);
    start += size;
    if (squeeze) {
      SmallVector<int64_t> shape(type->getShape());
      shape.erase(shape.begin() + *axis);
      piece = c.reshape(piece, shape);
    }
    pieces.push_back(piece);
  }
  ctx.setSequenceOutput(0, pieces);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerSequenceOps(OpRegistry &registry) {
  registry.add("SequenceEmpty", convertSequenceEmpty);
  registry.add("SequenceConstruct", convertSequenceConstruct);
  registry.add("SequenceInsert", convertSequenceInsert);
  registry.add("SequenceErase", convertSequenceErase);
  registry.add("SequenceAt", convertSequenceAt);
  registry.add("SequenceLength", convertSequenceLength);
  registry.add("ConcatFromSequence", convertConcatFromSequence);
  registry.add("SplitToSequence", convertSplitToSequence);
}
