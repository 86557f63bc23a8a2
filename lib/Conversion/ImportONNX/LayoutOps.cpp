//===- LayoutOps.cpp - Import ONNX Expand, Tile, Split, Pad, DepthToSpace -===//
//
// These operators move data without arithmetic; they are composed from
// edge.slice, edge.concat, edge.transpose, edge.reshape and edge.select.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {


/// The shape Expand broadcasts to: constants, or sizes of tensors read at
/// run time (traceSizeEntries) where each such size is the input's own
/// aligned dimension, which then stays dynamic (`?`). Returns the shape
/// the all-true condition of the select gets: those dimensions are 1 in it.
FailureOr<SmallVector<int64_t>> getExpandShape(NodeContext &ctx,
                                               RankedTensorType input) {
  FailureOr<SmallVector<SizeEntry>> entries =
      ctx.getSizeEntries(1, "the shape input");
  if (failed(entries))
    return failure();
  SmallVector<int64_t> shape;
  int64_t offset = static_cast<int64_t>(entries->size()) - input.getRank();
  for (auto [index, entry] : llvm::enumerate(*entries)) {
    if (entry.isConstant()) {
      shape.push_back(entry.constant);
      continue;
    }
    auto type = cast<RankedTensorType>(entry.tensor.getType());
    if (!type.isDynamicDim(entry.dim)) {
      shape.push_back(type.getDimSize(entry.dim));
      continue;
    }
    int64_t aligned = static_cast<int64_t>(index) - offset;
    if (aligned < 0 || !input.isDynamicDim(aligned) ||
        !haveEqualSizes(entry.tensor, entry.dim, ctx.getInput(0), aligned))
      return ctx.emitError("cannot tell that shape entry ")
             << index << " (the size of dimension " << entry.dim << " of a "
             << type << ") is the size of the input " << input
             << " it aligns with; expanding to other sizes read at run time "
             << "is not supported yet";
    // The input's own size: the broadcast keeps it.
    shape.push_back(1);
  }
  return shape;
}

/// Expand broadcasts the input to a shape: a select with an all-true
/// condition broadcasts without arithmetic (no -0.0 + 0.0 surprises).
/// Dynamic sizes of the input stay its own (the condition has size 1
/// there): torch's `expand(-1, ...)` and repeated heads of dynamic length.
LogicalResult convertExpand(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = getExpandShape(ctx, *input);
  if (failed(shape))
    return failure();
  auto error = [&](const Twine &message) { ctx.emitError(message); };
  FailureOr<Shape> result = broadcastShapes(input->getShape(), *shape, error);
  if (failed(result))
    return failure();
  // The condition: the result's static sizes, 1 where the input's dynamic
  // sizes carry through.
  SmallVector<int64_t> conditionShape(*result);
  for (int64_t &size : conditionShape)
    if (ShapedType::isDynamic(size))
      size = 1;
  Composer c(ctx);
  auto maskType = RankedTensorType::get(conditionShape, c.b.getI1Type());
  Value mask = c.splat(maskType, c.b.getBoolAttr(true));
  Value x = ctx.getInput(0);
  ctx.setOutput(0, c.select(mask, x, x));
  return success();
}

LogicalResult convertTile(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<SmallVector<int64_t>> repeats =
      ctx.getConstantInts(1, "the repeats input");
  if (failed(input) || failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != input->getRank())
    return ctx.emitError("repeats needs one entry per dimension");
  Composer c(ctx);
  Value x = ctx.getInput(0);
  for (auto [axis, repeat] : llvm::enumerate(*repeats)) {
    if (repeat < 0 || repeat > 4096)
      return ctx.emitError("repeat " + Twine(repeat) + " is not supported");
    if (repeat == 1)
      continue;
    if (repeat == 0) {
      x = c.sliceAxis(x, axis, 0, 0);
      continue;
    }
    SmallVector<Value> copies(repeat, x);
    x = c.concat(copies, axis);
  }
  ctx.setOutput(0, x);
  return success();
}

LogicalResult convertSplit(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  if (input->getRank() == 0)
    return ctx.emitError("cannot split a scalar");
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), input->getRank());
  if (failed(axis))
    return failure();
  if (input->isDynamicDim(*axis))
    return ctx.emitError("splitting dynamic dimension ")
           << *axis << " of " << *input << " is not supported yet; fix it "
           << "with --dim=SYMBOL=SIZE";
  int64_t outputs = ctx.getNode().output_size();
  SmallVector<int64_t> sizes;
  std::optional<int64_t> numOutputs;
  if (ctx.getOpset() >= 18 && ctx.getAttr("num_outputs"))
    numOutputs = ctx.getInt("num_outputs", 0);
  if (numOutputs && ctx.hasInput(1))
    return ctx.emitError("takes the split input or num_outputs, not both");
  if (numOutputs) {
    // Chunks of ceil(dim / n), the last one smaller (opset 18).
    int64_t dim = input->getDimSize(*axis);
    if (*numOutputs != outputs || outputs < 1)
      return ctx.emitError("num_outputs=" + Twine(*numOutputs) +
                           " must be the node's " + Twine(outputs) +
                           " outputs");
    int64_t chunk = (dim + outputs - 1) / outputs;
    if (chunk * (outputs - 1) > dim)
      return ctx.emitError("dimension " + Twine(dim) + " does not split into " +
                           Twine(outputs) + " chunks of " + Twine(chunk));
    sizes.assign(outputs - 1, chunk);
    sizes.push_back(dim - chunk * (outputs - 1));
  } else if (ctx.getOpset() >= 13 && ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> split =
        ctx.getConstantInts(1, "the split input");
    if (failed(split))
      return failure();
    sizes = *split;
  } else if (std::optional<SmallVector<int64_t>> attr = ctx.getInts("split")) {
    sizes = *attr;
  } else {
    int64_t dim = input->getDimSize(*axis);
    if (outputs == 0 || dim % outputs != 0)
      return ctx.emitError("dimension " + Twine(dim) +
                           " does not split evenly into " + Twine(outputs));
    sizes.assign(outputs, dim / outputs);
  }
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return ctx.emitError("split sizes must be non-negative");
    total += size;
  }
  if (static_cast<int64_t>(sizes.size()) != outputs ||
      total != input->getDimSize(*axis))
    return ctx.emitError("split sizes do not match the outputs and the "
                         "dimension");
  Composer c(ctx);
  int64_t offset = 0;
  for (auto [index, size] : llvm::enumerate(sizes)) {
    ctx.setOutput(index, c.sliceAxis(ctx.getInput(0), *axis, offset, size));
    offset += size;
  }
  return success();
}

/// Pad along one axis: `before`/`after` elements (negative: cropped) in
/// constant, edge, reflect or wrap mode.
FailureOr<Value> padAxis(NodeContext &ctx, Composer &c, Value x, int64_t axis,
                         int64_t before, int64_t after, StringRef mode,
                         Value padValue) {
  int64_t dim = c.typeOf(x).getDimSize(axis);
  if (before < 0 || after < 0) {
    int64_t start = std::max<int64_t>(0, -before);
    int64_t end = dim - std::max<int64_t>(0, -after);
    if (end < start)
      return ctx.emitError("negative pads remove more than the dimension");
    x = c.sliceAxis(x, axis, start, end - start);
    dim = end - start;
    before = std::max<int64_t>(before, 0);
    after = std::max<int64_t>(after, 0);
  }
  if (before == 0 && after == 0)
    return x;
  if (mode != "constant" && dim == 0)
    return ctx.emitError("cannot pad an empty dimension in mode '" + mode +
                         "'");
  if (mode == "reflect" && (before >= dim || after >= dim))
    return ctx.emitError("reflect pads must be smaller than the dimension");
  if (mode == "wrap") {
    // As if the axis were a ring (opset 19): copies of x around it, cut.
    int64_t copiesBefore = (before + dim - 1) / dim;
    int64_t copiesAfter = (after + dim - 1) / dim;
    if (copiesBefore + copiesAfter > 64)
      return ctx.emitError("wrap pads span more than 64 times the dimension");
    Value ring =
        c.concat(SmallVector<Value>(copiesBefore + 1 + copiesAfter, x), axis);
    return c.sliceAxis(ring, axis, copiesBefore * dim - before,
                       before + dim + after);
  }
  auto border = [&](int64_t count, bool atStart) -> Value {
    SmallVector<int64_t> shape(c.typeOf(x).getShape());
    shape[axis] = count;
    if (mode == "constant")
      return c.select(
          c.splat(RankedTensorType::get(shape, c.b.getI1Type()),
                  c.b.getBoolAttr(true)),
          padValue, c.splat(c.typeOf(x).clone(shape),
                            c.b.getZeroAttr(c.typeOf(x).getElementType())));
    if (mode == "edge") {
      Value edge = c.sliceAxis(x, axis, atStart ? 0 : dim - 1, 1);
      return c.concat(SmallVector<Value>(count, edge), axis);
    }
    // reflect: mirror without repeating the border element.
    return atStart ? c.sliceAxis(x, axis, count, count, -1)
                   : c.sliceAxis(x, axis, dim - 2, count, -1);
  };
  SmallVector<Value> parts;
  if (before > 0)
    parts.push_back(border(before, true));
  parts.push_back(x);
  if (after > 0)
    parts.push_back(border(after, false));
  return c.concat(parts, axis);
}

/// Pad with pads read at run time: the output has the shape the model
/// declares; along each axis, output position o reads input position
/// o - before, which the mode maps into the input (constant: the pad value
/// outside it; edge: clamped; reflect: mirrored once), and the run checks
/// that the pads give the declared sizes.
LogicalResult convertPadAtRunTime(NodeContext &ctx, Composer &c,
                                  RankedTensorType input, StringRef mode,
                                  Value padValue) {
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  int64_t rank = input.getRank();
  auto padsType = dyn_cast<RankedTensorType>(ctx.getInput(1).getType());
  if (!padsType || !padsType.getElementType().isInteger(64) ||
      padsType.getShape() != ArrayRef<int64_t>{2 * rank})
    return ctx.emitError("pads must be an int64 tensor of " +
                         Twine(2 * rank) + " entries");
  if (declared.getRank() != rank ||
      declared.getElementType() != input.getElementType())
    return ctx.emitError("the model declares the output as ")
           << declared << ", not a padded " << input;
  Type i64 = c.b.getI64Type();
  auto scalar = RankedTensorType::get({}, i64);
  auto constant = [&](int64_t value) {
    return c.splat(scalar, c.b.getI64IntegerAttr(value));
  };
  Value pads = ctx.getInput(1);
  Value before = c.sliceAxis(pads, 0, 0, rank);
  Value after = c.sliceAxis(pads, 0, rank, rank);
  Value sizes = c.binary<AddOp>(
      c.binary<AddOp>(
          ConstantOp::create(c.b, c.loc,
                             DenseElementsAttr::get(
                                 RankedTensorType::get({rank}, i64),
                                 input.getShape())),
          before),
      after);
  Value x = c.checkSizes(ctx.getInput(0), sizes, declared.getShape(),
                         "output sizes from its pads");
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t length = input.getDimSize(axis), lengthOut = declared.getDimSize(axis);
    if (mode != "constant" && length == 0)
      return ctx.emitError("cannot pad an empty dimension in mode '" + mode +
                           "'");
    Value source = c.binary<SubOp>(
        c.iota(i64, lengthOut, {lengthOut}),
        c.reshape(c.sliceAxis(before, 0, axis, 1), {}));
    Value last = constant(std::max<int64_t>(length - 1, 0));
    Value index = source;
    if (mode == "reflect") {
      index = c.select(c.compare<LessOp>(index, constant(0)),
                       c.binary<SubOp>(constant(0), index), index);
      index = c.select(c.compare<GreaterOp>(index, last),
                       c.binary<SubOp>(constant(2 * (length - 1)), index),
                       index);
    }
    index = c.binary<MaxOp>(c.binary<MinOp>(index, last), constant(0));
    SmallVector<int64_t> shape(c.typeOf(x).getShape());
    shape[axis] = lengthOut;
    Value gathered = GatherOp::create(c.b, c.loc, c.typeOf(x).clone(shape), x,
                                      index, c.b.getI64IntegerAttr(axis));
    if (mode == "constant") {
      Value inside = c.binary<AndOp>(
          c.compare<GreaterEqualOp>(source, constant(0)),
          c.compare<LessOp>(source, constant(length)));
      SmallVector<int64_t> maskShape(rank, 1);
      maskShape[axis] = lengthOut;
      gathered = c.select(c.reshape(inside, maskShape), gathered, padValue);
    }
    x = gathered;
  }
  ctx.setOutput(0, x);
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  std::string mode = ctx.getString("mode", "constant");
  bool wrap = mode == "wrap" && ctx.getOpset() >= 19;
  if (mode != "constant" && mode != "edge" && mode != "reflect" && !wrap)
    return ctx.emitError("mode '" + mode + "' is not supported");
  SmallVector<int64_t> pads;
  Composer c(ctx);
  Type element = input->getElementType();
  Value padValue;
  // Pads from a graph input, read by the run, when the output is declared.
  bool runTimePads = ctx.getOpset() >= 11 && !ctx.getConstantInput(1) &&
                     ctx.getDeclaredOutputType(0) && input->hasStaticShape();
  if (ctx.getOpset() < 11) {
    pads = ctx.getInts("pads").value_or(SmallVector<int64_t>{});
    if (isa<FloatType>(element))
      padValue = c.scalar(element, ctx.getFloat("value", 0));
  } else {
    if (!runTimePads) {
      FailureOr<SmallVector<int64_t>> p = ctx.getConstantInts(1, "pads");
      if (failed(p))
        return failure();
      pads = *p;
    }
    if (ctx.hasInput(2)) {
      FailureOr<RankedTensorType> valueType = ctx.getInputType(2);
      if (failed(valueType))
        return failure();
      if (valueType->getNumElements() != 1 ||
          valueType->getElementType() != element)
        return ctx.emitError("constant_value must be one element of the "
                             "input's type");
      padValue = c.reshape(ctx.getInput(2), {});
    }
  }
  if (!padValue)
    padValue = c.splat(RankedTensorType::get({}, element),
                       c.b.getZeroAttr(element));
  // Opset 18: pads for the listed axes only, the others unpadded.
  if (ctx.getOpset() >= 18 && ctx.hasInput(3)) {
    if (runTimePads)
      return ctx.emitError("pads read at run time need the axes input "
                           "absent");
    FailureOr<SmallVector<int64_t>> axes = ctx.getConstantInts(3, "axes");
    if (failed(axes))
      return failure();
    if (pads.size() != 2 * axes->size())
      return ctx.emitError("pads needs " + Twine(2 * axes->size()) +
                           " entries, two per axis");
    SmallVector<int64_t> full(2 * rank, 0);
    SmallVector<bool> seen(rank, false);
    for (auto [i, entry] : llvm::enumerate(*axes)) {
      FailureOr<int64_t> axis = ctx.normalizeAxis(entry, rank);
      if (failed(axis))
        return failure();
      if (seen[*axis])
        return ctx.emitError("axes are repeated");
      seen[*axis] = true;
      full[*axis] = pads[i];
      full[*axis + rank] = pads[i + axes->size()];
    }
    pads = std::move(full);
  }
  if (runTimePads && wrap)
    return ctx.emitError("wrap needs constant pads");
  if (runTimePads)
    return convertPadAtRunTime(ctx, c, *input, mode, padValue);
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.emitError("pads needs " + Twine(2 * rank) + " entries");
  Value x = ctx.getInput(0);
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (std::abs(pads[axis]) > (1 << 24) ||
        std::abs(pads[axis + rank]) > (1 << 24))
      return ctx.emitError("pads are too large");
    FailureOr<Value> padded = padAxis(ctx, c, x, axis, pads[axis],
                                      pads[axis + rank], mode, padValue);
    if (failed(padded))
      return failure();
    x = *padded;
  }
  ctx.setOutput(0, x);
  return success();
}

/// DepthToSpace / SpaceToDepth: reshape, transpose, reshape.
LogicalResult convertDepthSpace(NodeContext &ctx, bool toSpace) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  if (input->getRank() != 4)
    return ctx.emitError("input must be [N, C, H, W]");
  int64_t bs = ctx.getInt("blocksize", 0);
  if (bs < 1)
    return ctx.emitError("blocksize must be positive");
  int64_t n = input->getDimSize(0), ch = input->getDimSize(1),
          h = input->getDimSize(2), w = input->getDimSize(3);
  Composer c(ctx);
  Value x = ctx.getInput(0);
  if (toSpace) {
    if (ch % (bs * bs) != 0)
      return ctx.emitError("channels must be divisible by blocksize^2");
    int64_t cOut = ch / (bs * bs);
    bool crd = ctx.getString("mode", "DCR") == "CRD";
    Value t = crd ? c.transpose(c.reshape(x, {n, cOut, bs, bs, h, w}),
                                {0, 1, 4, 2, 5, 3})
                  : c.transpose(c.reshape(x, {n, bs, bs, cOut, h, w}),
                                {0, 3, 4, 1, 5, 2});
    ctx.setOutput(0, c.reshape(t, {n, cOut, h * bs, w * bs}));
    return success();
  }
  if (h % bs != 0 || w % bs != 0)
    return ctx.emitError("height and width must be divisible by blocksize");
  Value t = c.transpose(c.reshape(x, {n, ch, h / bs, bs, w / bs, bs}),
                        {0, 3, 5, 1, 2, 4});
  ctx.setOutput(0, c.reshape(t, {n, ch * bs * bs, h / bs, w / bs}));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerLayoutOps(OpRegistry &registry) {
  registry.add("Expand", convertExpand);
  registry.add("Tile", convertTile);
  registry.add("Split", convertSplit);
  registry.add("Pad", convertPad);
  registry.add("DepthToSpace",
               [](NodeContext &ctx) { return convertDepthSpace(ctx, true); });
  registry.add("SpaceToDepth",
               [](NodeContext &ctx) { return convertDepthSpace(ctx, false); });
}
