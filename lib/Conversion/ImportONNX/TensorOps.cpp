//===- TensorOps.cpp - Import ONNX constants and shape manipulation -------===//

#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

Value createReshape(NodeContext &ctx, Value input, ArrayRef<int64_t> shape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto type = RankedTensorType::get(shape, inputType.getElementType());
  return ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(), type, input);
}

/// Integer values of a constant input (e.g. shapes and axes); an error when
/// the input is not a compile-time constant.
FailureOr<SmallVector<int64_t>> getConstantInts(NodeContext &ctx,
                                                unsigned index,
                                                StringRef what) {
  std::optional<DenseElementsAttr> attr = ctx.getConstantInput(index);
  if (!attr || !attr->getElementType().isInteger(64))
    return ctx.emitError(what + " must be a constant int64 tensor (shapes "
                               "computed at run time are not supported)");
  return llvm::to_vector(attr->getValues<int64_t>());
}

LogicalResult convertConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.getBuilder();
  ElementsAttr value;
  if (const onnx::AttributeProto *attr = ctx.getAttr("value")) {
    FailureOr<ElementsAttr> converted = convertTensor(
        attr->t(), ctx.getLoc(),
        /*resourceThreshold=*/std::numeric_limits<size_t>::max());
    if (failed(converted))
      return failure();
    value = *converted;
  } else if (const onnx::AttributeProto *attr = ctx.getAttr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attr->f());
  } else if (const onnx::AttributeProto *attr = ctx.getAttr("value_floats")) {
    SmallVector<float> values(attr->floats().begin(), attr->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(values.size())}, b.getF32Type()),
        ArrayRef(values));
  } else if (const onnx::AttributeProto *attr = ctx.getAttr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr->i()));
  } else if (const onnx::AttributeProto *attr = ctx.getAttr("value_ints")) {
    SmallVector<int64_t> values(attr->ints().begin(), attr->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(values.size())}, b.getI64Type()),
        ArrayRef(values));
  } else {
    return ctx.emitError("only tensor, float(s) and int(s) values are "
                         "supported (sparse and string constants are not)");
  }
  ctx.setOutput(0, ConstantOp::create(b, ctx.getLoc(), value));
  return success();
}

LogicalResult convertIdentity(NodeContext &ctx) {
  if (failed(ctx.getInputType(0)))
    return failure();
  ctx.setOutput(0, ctx.getInput(0));
  return success();
}

/// Inference-mode Dropout: the identity, and an all-true mask if asked for.
LogicalResult convertDropout(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (ctx.hasInput(2)) {
    std::optional<DenseElementsAttr> training = ctx.getConstantInput(2);
    if (!training || !training->isSplat() ||
        !training->getElementType().isInteger(1))
      return ctx.emitError("training_mode must be a constant");
    if (training->getSplatValue<bool>())
      return ctx.emitError("training_mode = true is not supported (inference "
                           "only)");
  }
  if (ctx.getInt("is_test", 1) == 0 && ctx.getOpset() < 7)
    return ctx.emitError("is_test = 0 is not supported (inference only)");
  ctx.setOutput(0, ctx.getInput(0));
  if (ctx.hasOutput(1)) {
    OpBuilder &b = ctx.getBuilder();
    auto maskType = RankedTensorType::get(type->getShape(), b.getI1Type());
    ctx.setOutput(1, ConstantOp::create(b, ctx.getLoc(),
                                        DenseElementsAttr::get(maskType, true)));
  }
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  FailureOr<SmallVector<int64_t>> requested =
      ctx.getOpset() < 5 ? FailureOr<SmallVector<int64_t>>(
                               ctx.getInts("shape").value_or(
                                   SmallVector<int64_t>{}))
                         : getConstantInts(ctx, 1, "the shape input");
  if (failed(requested))
    return failure();
  bool allowZero = ctx.getInt("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  int64_t inferredIndex = -1, known = 1;
  for (auto [index, dim] : llvm::enumerate(*requested)) {
    if (dim == 0 && !allowZero) {
      if (index >= static_cast<size_t>(input->getRank()))
        return ctx.emitError("shape entry " + Twine(index) +
                             " copies a dimension the input does not have");
      dim = input->getDimSize(index);
    } else if (dim == -1) {
      if (inferredIndex >= 0)
        return ctx.emitError("shape has more than one -1 entry");
      inferredIndex = index;
      shape.push_back(1);
      continue;
    } else if (dim < -1) {
      return ctx.emitError("shape entry " + Twine(dim) + " is invalid");
    }
    shape.push_back(dim);
    known *= dim;
  }
  int64_t total = input->getNumElements();
  if (inferredIndex >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.emitError("cannot infer the -1 dimension of the shape");
    shape[inferredIndex] = total / known;
  }
  if (getNumElements(shape) != total)
    return ctx.emitError("cannot reshape " + Twine(total) +
                         " elements into the requested shape");
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0), shape));
  return success();
}

LogicalResult convertFlatten(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(
      ctx.getInt("axis", 1), input->getRank(), /*inclusive=*/true);
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> shape = input->getShape();
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0),
                                 {getNumElements(shape.take_front(*axis)),
                                  getNumElements(shape.drop_front(*axis))}));
  return success();
}

LogicalResult convertTranspose(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> attr = ctx.getInts("perm"))
    perm = *attr;
  else
    for (int64_t i = input->getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> shape = inferTransposeShape(input->getShape(), perm, error);
  if (failed(shape))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get(*shape, input->getElementType());
  ctx.setOutput(0, TransposeOp::create(b, ctx.getLoc(), type, ctx.getInput(0),
                                       b.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult convertConcat(NodeContext &ctx) {
  if (ctx.getNumInputs() == 0)
    return ctx.emitError("needs at least one input");
  SmallVector<Value> inputs;
  FailureOr<RankedTensorType> first = ctx.getInputType(0);
  if (failed(first))
    return failure();
  int64_t rank = first->getRank();
  FailureOr<int64_t> axis = ctx.normalizeAxis(
      ctx.getInt("axis", ctx.getOpset() < 4 ? 1 : 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first->getShape());
  shape[*axis] = 0;
  for (unsigned i = 0; i < ctx.getNumInputs(); ++i) {
    FailureOr<RankedTensorType> type = ctx.getInputType(i);
    if (failed(type))
      return failure();
    if (type->getElementType() != first->getElementType() ||
        type->getRank() != rank)
      return ctx.emitError("inputs differ in element type or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && type->getDimSize(d) != shape[d])
        return ctx.emitError("inputs differ in dimension " + Twine(d));
    shape[*axis] += type->getDimSize(*axis);
    inputs.push_back(ctx.getInput(i));
  }
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get(shape, first->getElementType());
  ctx.setOutput(0, ConcatOp::create(b, ctx.getLoc(), type, inputs,
                                    b.getI64IntegerAttr(*axis)));
  return success();
}

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after.
FailureOr<std::optional<SmallVector<int64_t>>> getAxes(NodeContext &ctx) {
  if (ctx.getOpset() < 13)
    return ctx.getInts("axes");
  if (!ctx.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> axes = getConstantInts(ctx, 1, "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = getAxes(ctx);
  if (failed(input) || failed(axes))
    return failure();
  int64_t rank = input->getRank();
  SmallVector<bool> drop(rank, false);
  if (!*axes) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = input->getDimSize(d) == 1;
  } else {
    for (int64_t axis : **axes) {
      FailureOr<int64_t> normalized = ctx.normalizeAxis(axis, rank);
      if (failed(normalized))
        return failure();
      if (input->getDimSize(*normalized) != 1)
        return ctx.emitError("cannot squeeze dimension " + Twine(*normalized) +
                             " of size " +
                             Twine(input->getDimSize(*normalized)));
      drop[*normalized] = true;
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(input->getDimSize(d));
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0), shape));
  return success();
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = getAxes(ctx);
  if (failed(input) || failed(axes))
    return failure();
  if (!*axes)
    return ctx.emitError("axes are required");
  int64_t rank = input->getRank() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> normalized = ctx.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    if (inserted[*normalized])
      return ctx.emitError("axis " + Twine(axis) + " is repeated");
    inserted[*normalized] = true;
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> dims = input->getShape();
  for (int64_t d = 0; d < rank; ++d) {
    if (inserted[d]) {
      shape.push_back(1);
    } else {
      shape.push_back(dims.front());
      dims = dims.drop_front();
    }
  }
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0), shape));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerTensorOps(OpRegistry &registry) {
  registry.add("Constant", convertConstant);
  registry.add("Identity", convertIdentity);
  registry.add("Dropout", convertDropout);
  registry.add("Reshape", convertReshape);
  registry.add("Flatten", convertFlatten);
  registry.add("Transpose", convertTranspose);
  registry.add("Concat", convertConcat);
  registry.add("Squeeze", convertSqueeze);
  registry.add("Unsqueeze", convertUnsqueeze);
}
