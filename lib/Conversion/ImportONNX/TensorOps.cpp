//===- TensorOps.cpp - Import ONNX constants and shape manipulation -------===//

#include "Composer.h"
#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

Value createReshape(NodeContext &ctx, Value input, ArrayRef<int64_t> shape,
                    DenseI64ArrayAttr groups = {}) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto type = RankedTensorType::get(shape, inputType.getElementType());
  return ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(), type, input, groups);
}

/// The groups of a reshape that inserts or drops the dimensions marked in
/// `isUnit` (of the higher-rank side): each unit dimension joins the next
/// kept one's group, trailing ones the last group. Needed only where the
/// input has dynamic sizes, so that they map one to one.
DenseI64ArrayAttr getUnitGroups(NodeContext &ctx, RankedTensorType input,
                                ArrayRef<bool> isUnit) {
  if (input.hasStaticShape())
    return {};
  SmallVector<int64_t> lengths;
  int64_t pending = 0;
  for (bool unit : isUnit) {
    ++pending;
    if (!unit) {
      lengths.push_back(pending);
      pending = 0;
    }
  }
  if (lengths.empty())
    return {};
  lengths.back() += pending;
  return ctx.getBuilder().getDenseI64ArrayAttr(lengths);
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

/// Shape: a constant where the sizes are static, else edge.shape, which
/// reads the dynamic ones at run time.
LogicalResult convertShape(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  // Opset 15 adds a [start, end) window, clamped like Python slicing.
  auto clampIndex = [&](int64_t index) {
    if (index < 0)
      index += rank;
    return std::clamp<int64_t>(index, 0, rank);
  };
  int64_t start = clampIndex(ctx.getInt("start", 0));
  int64_t end = std::max(start, clampIndex(ctx.getInt("end", rank)));
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get({end - start}, b.getI64Type());
  auto shape = ShapeOp::create(b, ctx.getLoc(), type, ctx.getInput(0),
                               b.getI64IntegerAttr(start));
  // Static sizes: a constant now, so that the computation folds on.
  SmallVector<Value> folded;
  if (succeeded(b.tryFold(shape, folded)) && folded.size() == 1) {
    shape.erase();
    ctx.setOutput(0, folded.front());
    return success();
  }
  ctx.setOutput(0, shape);
  return success();
}

LogicalResult convertSize(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  auto type = RankedTensorType::get({}, b.getI64Type());
  ctx.setOutput(0, ConstantOp::create(
                       b, ctx.getLoc(),
                       DenseElementsAttr::get(type, input->getNumElements())));
  return success();
}

/// A splat of `value` (a one-element tensor, default float 0) in the shape
/// given by the constant input.
LogicalResult convertConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape =
      ctx.getConstantInts(0, "the shape input");
  if (failed(shape))
    return failure();
  int64_t count = 1;
  for (int64_t dim : *shape)
    if (dim < 0 || llvm::MulOverflow(count, dim, count) ||
        count > (int64_t(1) << 40))
      return ctx.emitError("shape entry " + Twine(dim) +
                           " is negative or the shape too large");
  OpBuilder &b = ctx.getBuilder();
  Attribute element = b.getF32FloatAttr(0);
  if (const onnx::AttributeProto *attr = ctx.getAttr("value")) {
    FailureOr<ElementsAttr> value =
        convertTensor(attr->t(), ctx.getLoc(),
                      std::numeric_limits<size_t>::max());
    if (failed(value))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*value);
    if (!dense || dense.getNumElements() != 1)
      return ctx.emitError("value must hold exactly one element");
    element = *dense.value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  ctx.setOutput(0, ConstantOp::create(b, ctx.getLoc(),
                                      DenseElementsAttr::get(type, element)));
  return success();
}

LogicalResult convertIdentity(NodeContext &ctx) {
  if (failed(ctx.getInputType(0)))
    return failure();
  ctx.setOutput(0, ctx.getInput(0));
  return success();
}

/// A uniform float32 in [0, 1) for each element of a tensor of `shape`, a
/// fixed function of `seed` and the element's row-major position: the
/// position is built from one small index constant per axis, scrambled by
/// multiply, add and logical-shift rounds (integer xor is not an edge op),
/// and its top 24 bits scaled.
static Value uniformNoise(Composer &c, ArrayRef<int64_t> shape, int64_t seed) {
  Type i64 = c.b.getI64Type(), f32 = c.b.getF32Type();
  auto constant = [&](uint64_t value) {
    return c.splat(RankedTensorType::get({}, i64),
                   c.b.getI64IntegerAttr(static_cast<int64_t>(value)));
  };
  int64_t rank = shape.size();
  Value z = constant(static_cast<uint64_t>(seed) * 0xD1B54A32D192ED03ull);
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    SmallVector<int64_t> axisShape(rank, 1);
    axisShape[d] = shape[d];
    Value index = c.iota(i64, shape[d], axisShape);
    z = c.binary<AddOp>(z, c.binary<MulOp>(index, constant(stride)));
    stride *= shape[d];
  }
  z = c.binary<MulOp>(z, constant(0x9E3779B97F4A7C15ull));
  for (auto [shift, multiplier] :
       {std::pair{31, 0xBF58476D1CE4E5B9ull}, {27, 0x94D049BB133111EBull}}) {
    z = c.binary<AddOp>(z, c.binary<ShiftRightUOp>(z, constant(shift)));
    z = c.binary<MulOp>(z, constant(multiplier));
  }
  z = c.binary<AddOp>(z, c.binary<ShiftRightUOp>(z, constant(29)));
  Value top = c.binary<ShiftRightUOp>(z, constant(40));
  Value u = CastOp::create(c.b, c.loc, c.typeOf(top).clone(f32), top);
  return c.binary<MulOp>(u, c.scalar(f32, std::ldexp(1.0, -24)));
}

/// Dropout: the identity in inference mode (and an all-true mask). In
/// training mode (a constant or run-time training_mode), each element is
/// kept when its uniform noise is at least the ratio and scaled by
/// 1 / (1 - ratio); the mask says which were kept. A ratio of 0 keeps
/// everything unscaled, exactly.
LogicalResult convertDropout(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (ctx.getInt("is_test", 1) == 0 && ctx.getOpset() < 7)
    return ctx.emitError("is_test = 0 is not supported (inference only)");
  Composer c(ctx);
  auto identity = [&]() {
    ctx.setOutput(0, ctx.getInput(0));
    if (ctx.hasOutput(1))
      ctx.setOutput(1, c.splat(type->clone(c.b.getI1Type()),
                               c.b.getBoolAttr(true)));
    return success();
  };
  if (!ctx.hasInput(2))
    return identity();
  std::optional<DenseElementsAttr> training = ctx.getConstantInput(2);
  if (training && training->isSplat() &&
      training->getElementType().isInteger(1) &&
      !training->getSplatValue<bool>())
    return identity();
  std::optional<DenseElementsAttr> ratio =
      ctx.hasInput(1) ? ctx.getConstantInput(1) : std::nullopt;
  if (training && ratio && ratio->isSplat() &&
      isa<FloatType>(ratio->getElementType()) &&
      ratio->getSplatValue<APFloat>().isZero())
    return identity();

  Type element = type->getElementType();
  if (!isa<FloatType>(element))
    return ctx.emitError("training mode needs a float input");
  FailureOr<Value> mode =
      c.scalarInput(2, [](Type t) { return t.isInteger(1); },
                    "training_mode must be a single value");
  if (failed(mode))
    return failure();
  Type f32 = c.b.getF32Type();
  Value rate = c.scalar(f32, 0.5);
  if (ctx.hasInput(1)) {
    FailureOr<Value> given =
        c.scalarInput(1, [](Type t) { return isa<FloatType>(t); },
                      "ratio must be a single value");
    if (failed(given))
      return failure();
    rate = *given;
    if (c.typeOf(rate).getElementType() != f32)
      rate = CastOp::create(c.b, c.loc, RankedTensorType::get({}, f32), rate);
  }
  Value keep = c.compare<GreaterEqualOp>(
      uniformNoise(c, type->getShape(), ctx.getInt("seed", 0)), rate);
  Value scale = c.binary<DivOp>(c.scalar(f32, 1),
                                c.binary<SubOp>(c.scalar(f32, 1), rate));
  if (element != f32)
    scale = CastOp::create(c.b, c.loc, RankedTensorType::get({}, element),
                           scale);
  Value x = ctx.getInput(0);
  Value dropped = c.select(keep, c.binary<MulOp>(x, scale),
                           c.splat(RankedTensorType::get({}, element),
                                   c.b.getZeroAttr(element)));
  ctx.setOutput(0, c.select(*mode, dropped, x));
  if (ctx.hasOutput(1))
    ctx.setOutput(1, c.select(*mode, keep,
                              c.splat(RankedTensorType::get({}, c.b.getI1Type()),
                                      c.b.getBoolAttr(true))));
  return success();
}

/// The requested shape of a Reshape: an attribute before opset 5, then an
/// input of constants or sizes of tensors (NodeContext::getSizeEntries).
FailureOr<SmallVector<SizeEntry>> getRequestedShape(NodeContext &ctx) {
  if (ctx.getOpset() >= 5)
    return ctx.getSizeEntries(1, "the shape input");
  return llvm::map_to_vector(
      ctx.getInts("shape").value_or(SmallVector<int64_t>{}),
      [](int64_t v) { return SizeEntry{v, Value(), 0}; });
}

/// With several dynamic sizes the reshape splits or merges groups of
/// dimensions (getReshapeGroups), and each dynamic result size the shape
/// reads from a tensor must be the size of the one dynamic input dimension
/// of its group, which the lowering computes it from.
LogicalResult checkReshapeSources(
    NodeContext &ctx, RankedTensorType input, RankedTensorType result,
    ArrayRef<std::optional<std::pair<Value, int64_t>>> sources) {
  auto groups = getReshapeGroups(input.getShape(), result.getShape(),
                                 std::nullopt);
  if (!groups)
    return ctx.emitError("cannot reshape ")
           << input << " to " << result
           << ": with several dynamic sizes, a reshape must split or merge "
              "groups of consecutive dimensions, one dynamic size per group";
  bool collapse = result.getRank() <= input.getRank();
  for (auto [index, group] : llvm::enumerate(*groups)) {
    // The dynamic sizes on the input's and on the result's side.
    SmallVector<int64_t> inputDims, resultDims;
    if (collapse) {
      inputDims.assign(group.begin(), group.end());
      resultDims.push_back(index);
    } else {
      inputDims.push_back(index);
      resultDims.assign(group.begin(), group.end());
    }
    auto dynamicIn = llvm::make_filter_range(
        inputDims, [&](int64_t d) { return input.isDynamicDim(d); });
    for (int64_t d : resultDims) {
      if (!result.isDynamicDim(d) || !sources[d])
        continue;
      auto [tensor, dim] = *sources[d];
      // Equal static parts: the one dynamic size on each side are equal.
      int64_t staticIn = 1, staticOut = 1;
      for (int64_t i : inputDims)
        if (!input.isDynamicDim(i))
          staticIn *= input.getDimSize(i);
      for (int64_t r : resultDims)
        if (!result.isDynamicDim(r))
          staticOut *= result.getDimSize(r);
      if (llvm::range_size(dynamicIn) != 1 || staticIn != staticOut ||
          !haveEqualSizes(tensor, dim, ctx.getInput(0), *dynamicIn.begin()))
        return ctx.emitError("cannot tell that shape entry ")
               << d << " (the size of dimension " << dim << " of a "
               << tensor.getType() << ") is the size of the input's dimension "
               << "it maps to; reshaping " << input << " to " << result
               << " needs each dynamic size to be one of the input's";
    }
  }
  return success();
}

/// Reshape with ONNX's rules: `0` copies the input's size (unless
/// `allowzero`), one `-1` takes the elements left. A size the shape reads
/// from a tensor at run time is dynamic; where there are several, each
/// must be provably the input size it comes from (the reshape splits or
/// merges dimensions around them), so that the library computes it from
/// the input's sizes, within their bounds.
LogicalResult convertReshape(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  FailureOr<SmallVector<SizeEntry>> requested = getRequestedShape(ctx);
  if (failed(requested))
    return failure();
  bool allowZero = ctx.getInt("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  // Where each dynamic result size comes from (none for the -1).
  SmallVector<std::optional<std::pair<Value, int64_t>>> sources;
  int64_t inferredIndex = -1, known = 1;
  for (auto [index, entry] : llvm::enumerate(*requested)) {
    int64_t dim = entry.constant;
    std::optional<std::pair<Value, int64_t>> source;
    if (!entry.isConstant()) {
      dim = cast<RankedTensorType>(entry.tensor.getType()).getDimSize(entry.dim);
      source = {entry.tensor, entry.dim};
    }
    if (dim == 0 && !allowZero) {
      if (index >= static_cast<size_t>(input->getRank()))
        return ctx.emitError("shape entry " + Twine(index) +
                             " copies a dimension the input does not have");
      dim = input->getDimSize(index);
      source = {ctx.getInput(0), index};
    } else if (dim == -1 && entry.isConstant()) {
      if (inferredIndex >= 0)
        return ctx.emitError("shape has more than one -1 entry");
      inferredIndex = index;
    } else if (dim < -1 && !ShapedType::isDynamic(dim)) {
      return ctx.emitError("shape entry " + Twine(dim) + " is invalid");
    }
    if (dim == -1) {
      shape.push_back(ShapedType::kDynamic);
      sources.push_back(std::nullopt);
      continue;
    }
    shape.push_back(dim);
    sources.push_back(ShapedType::isDynamic(dim) ? source : std::nullopt);
    if (!ShapedType::isDynamic(dim) &&
        (llvm::MulOverflow(known, dim, known) || known > (int64_t(1) << 40)))
      return ctx.emitError("the requested shape is too large");
  }
  int64_t dynamicCount = llvm::count_if(shape, ShapedType::isDynamic);
  if (input->hasStaticShape()) {
    int64_t total = input->getNumElements();
    if (dynamicCount > (inferredIndex >= 0 ? 1 : 0))
      return ctx.emitError("the shape reads sizes of dynamic tensors to "
                           "reshape a static input");
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
  // A -1 beside exactly one copy of each dynamic input size (`[0, 0, -1,
  // 64]` splitting heads off [batch, seq, hidden]): the copied sizes cancel
  // out, and the -1 is the quotient of the static ones.
  if (inferredIndex >= 0 && known > 0) {
    int64_t staticInput = 1, dynamicInputs = 0;
    bool eachCopiedOnce = true;
    for (int64_t d = 0; d < input->getRank(); ++d) {
      if (!input->isDynamicDim(d)) {
        staticInput *= input->getDimSize(d);
        continue;
      }
      ++dynamicInputs;
      eachCopiedOnce &= llvm::count_if(sources, [&](const auto &source) {
                          return source && source->first == ctx.getInput(0) &&
                                 source->second == d;
                        }) == 1;
    }
    if (eachCopiedOnce && dynamicCount - 1 == dynamicInputs &&
        staticInput % known == 0) {
      shape[inferredIndex] = staticInput / known;
      --dynamicCount;
    }
  }
  auto type = input->clone(shape);
  if (dynamicCount == 0)
    return ctx.emitError("cannot reshape the dynamic sizes of ")
           << *input << " into the static shape " << type;
  if (dynamicCount > 1 &&
      failed(checkReshapeSources(ctx, *input, type, sources)))
    return failure();
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
  auto type = RankedTensorType::get({getFlatSize(shape.take_front(*axis)),
                                     getFlatSize(shape.drop_front(*axis))},
                                    input->getElementType());
  // Two dynamic sizes: the axis says which input sizes make each.
  DenseI64ArrayAttr groups;
  if (type.getNumDynamicDims() == 2)
    groups = ctx.getBuilder().getDenseI64ArrayAttr(
        {*axis, input->getRank() - *axis});
  ctx.setOutput(0, ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(), type,
                                     ctx.getInput(0), groups));
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
  for (unsigned i = 0; i < ctx.getNumInputs(); ++i) {
    FailureOr<RankedTensorType> type = ctx.getInputType(i);
    if (failed(type))
      return failure();
    if (type->getElementType() != first->getElementType() ||
        type->getRank() != rank)
      return ctx.emitError("inputs differ in element type or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && type->getDimSize(d) != first->getDimSize(d))
        return ctx.emitError("inputs differ in dimension " + Twine(d));
    inputs.push_back(ctx.getInput(i));
  }
  ctx.setOutput(0, Composer(ctx).concat(inputs, *axis));
  return success();
}

LogicalResult convertGather(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<RankedTensorType> indices = ctx.getInputType(1);
  if (failed(input) || failed(indices))
    return failure();
  if (!indices->getElementType().isInteger(32) &&
      !indices->getElementType().isInteger(64))
    return ctx.emitError("indices must be int32 or int64");
  if (input->getRank() == 0)
    return ctx.emitError("cannot gather from a scalar");
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), input->getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(input->getShape().take_front(*axis));
  shape.append(indices->getShape().begin(), indices->getShape().end());
  shape.append(input->getShape().begin() + *axis + 1, input->getShape().end());
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, GatherOp::create(b, ctx.getLoc(), input->clone(shape),
                                    ctx.getInput(0), ctx.getInput(1),
                                    b.getI64IntegerAttr(*axis)));
  return success();
}

/// The first `selected` positions where the 1-D bool `kept` (read at run
/// time, at most 4,096 entries) is true, as int64 [selected], and how many
/// it holds, int64 [1]. The j-th position is the number of positions whose
/// running count of kept entries is at most j; the counts are sums over a
/// square mask.
static std::pair<Value, Value> selectPositions(Composer &c, Value kept,
                                               int64_t selected) {
  int64_t length = c.typeOf(kept).getDimSize(0);
  Type f32 = c.b.getF32Type(), i64 = c.b.getI64Type();
  auto iota = [&](int64_t count, ArrayRef<int64_t> shape) {
    return c.iota(f32, count, shape);
  };
  Value one = c.scalar(f32, 1), zero = c.scalar(f32, 0);
  Value counted = c.select(c.reshape(kept, {1, length}), one, zero);
  // counts[i] = counted[0] + ... + counted[i].
  Value upTo = c.compare<LessEqualOp>(iota(length, {1, length}),
                                      iota(length, {length, 1}));
  Value counts = c.reduce<ReduceSumOp>(c.select(upTo, counted, zero), {1},
                                       /*keepDims=*/false);
  // position[j] = #{i : counts[i] <= j}.
  Value before = c.compare<LessEqualOp>(c.reshape(counts, {1, length}),
                                        iota(selected, {selected, 1}));
  Value positions = c.reduce<ReduceSumOp>(c.select(before, one, zero), {1},
                                          /*keepDims=*/false);
  positions = CastOp::create(c.b, c.loc,
                             RankedTensorType::get({selected}, i64), positions);
  Value total = c.reduce<ReduceSumOp>(counted, {0, 1}, /*keepDims=*/false);
  total = c.reshape(
      CastOp::create(c.b, c.loc, RankedTensorType::get({}, i64), total), {1});
  return {positions, total};
}

/// Entries selected at run time are limited to this many (selectPositions'
/// square mask).
constexpr int64_t kMaxRunTimeSelection = 4096;

/// Compress with a constant condition: a Gather of the selected indices
/// (along `axis`, or of the flattened input without one).
/// Compress with a condition read at run time: the model's declared size
/// along the axis is the number of selected entries, which the run checks.
static LogicalResult convertCompressAtRunTime(NodeContext &ctx, Value data,
                                              int64_t axis) {
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  auto dataType = cast<RankedTensorType>(data.getType());
  auto conditionType = dyn_cast<RankedTensorType>(ctx.getInput(1).getType());
  if (!conditionType || !conditionType.getElementType().isInteger(1) ||
      conditionType.getRank() != 1 || !conditionType.hasStaticShape())
    return ctx.emitError("condition must be a 1-D bool tensor");
  int64_t length = conditionType.getDimSize(0);
  if (length > dataType.getDimSize(axis))
    return ctx.emitError("condition has " + Twine(length) +
                         " entries, more than the axis size " +
                         Twine(dataType.getDimSize(axis)));
  if (length > kMaxRunTimeSelection)
    return ctx.emitError("a condition read at run time is limited to " +
                         Twine(kMaxRunTimeSelection) + " entries");
  if (declared.getRank() != dataType.getRank() ||
      declared.getElementType() != dataType.getElementType())
    return ctx.emitError("the model declares the output as ")
           << declared << ", not a selection of " << dataType;
  int64_t selected = declared.getDimSize(axis);
  Composer c(ctx);
  auto [positions, total] = selectPositions(c, ctx.getInput(1), selected);
  Value checked = c.checkSizes(data, total, {selected},
                               "entries its condition selects");
  SmallVector<int64_t> shape(dataType.getShape());
  shape[axis] = selected;
  ctx.setOutput(0, GatherOp::create(c.b, c.loc, dataType.clone(shape), checked,
                                    positions, c.b.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult convertCompress(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Value data = ctx.getInput(0);
  int64_t axis = 0;
  if (ctx.getAttr("axis")) {
    FailureOr<int64_t> normalized =
        ctx.normalizeAxis(ctx.getInt("axis", 0), input->getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    data = ReshapeOp::create(b, ctx.getLoc(),
                             input->clone({input->getNumElements()}), data);
  }
  std::optional<DenseElementsAttr> condition = ctx.getConstantInput(1);
  if (!condition && ctx.getDeclaredOutputType(0) && input->hasStaticShape())
    return convertCompressAtRunTime(ctx, data, axis);
  if (!condition || !condition->getElementType().isInteger(1) ||
      cast<ShapedType>(condition->getType()).getRank() != 1)
    return ctx.emitNotConstantError(1, "condition must be a constant 1-D bool "
                                       "tensor (the result's shape depends "
                                       "on it), or the model must declare "
                                       "the output's shape");
  auto dataType = cast<RankedTensorType>(data.getType());
  SmallVector<int64_t> selected;
  for (auto [index, keep] : llvm::enumerate(condition->getValues<bool>()))
    if (keep)
      selected.push_back(index);
  if (!selected.empty() && selected.back() >= dataType.getDimSize(axis))
    return ctx.emitError("condition selects index " +
                         Twine(selected.back()) + ", beyond the axis size " +
                         Twine(dataType.getDimSize(axis)));
  auto indicesType = RankedTensorType::get(
      {static_cast<int64_t>(selected.size())}, b.getI64Type());
  Value indices = ConstantOp::create(
      b, ctx.getLoc(), DenseElementsAttr::get(indicesType, ArrayRef(selected)));
  SmallVector<int64_t> shape(dataType.getShape());
  shape[axis] = selected.size();
  ctx.setOutput(0, GatherOp::create(b, ctx.getLoc(), dataType.clone(shape),
                                    data, indices, b.getI64IntegerAttr(axis)));
  return success();
}

/// NonZero(X) -> int64 [rank, count], the coordinates of X's nonzero
/// entries in row-major order. A constant X gives a constant; otherwise the
/// model declares the count, the run selects the flat positions of the
/// nonzero entries (as Compress does), checks their number and splits each
/// into coordinates.
LogicalResult convertNonZero(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  Composer c(ctx);
  Type i64 = c.b.getI64Type();
  int64_t rank = input->getRank(), length = input->getNumElements();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * input->getDimSize(d + 1);

  if (std::optional<DenseElementsAttr> constant = ctx.getConstantInput(0)) {
    SmallVector<int64_t> flat;
    for (auto [index, value] :
         llvm::enumerate(constant->getValues<Attribute>())) {
      bool zero = TypeSwitch<Attribute, bool>(value)
                      .Case([](FloatAttr f) { return f.getValue().isZero(); })
                      .Case([](IntegerAttr i) { return i.getValue().isZero(); })
                      .Default([](Attribute) { return false; });
      if (!zero)
        flat.push_back(index);
    }
    int64_t count = flat.size();
    SmallVector<int64_t> coordinates(rank * count);
    for (auto [k, position] : llvm::enumerate(flat))
      for (int64_t d = 0; d < rank; ++d)
        coordinates[d * count + k] =
            position / strides[d] % input->getDimSize(d);
    ctx.setOutput(0, ConstantOp::create(
                         c.b, c.loc,
                         DenseElementsAttr::get(
                             RankedTensorType::get({rank, count}, i64),
                             ArrayRef(coordinates))));
    return success();
  }

  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  if (!declared)
    return ctx.emitNotConstantError(
        0, "the number of nonzero entries decides the result's shape: the "
           "input must be a constant, or the model must declare the "
           "output's shape");
  if (declared.getShape().size() != 2 || declared.getDimSize(0) != rank ||
      !declared.getElementType().isInteger(64))
    return ctx.emitError("the model declares the output as ")
           << declared << ", not int64 coordinates of a rank-" << rank
           << " tensor";
  if (length > kMaxRunTimeSelection)
    return ctx.emitError("an input read at run time is limited to " +
                         Twine(kMaxRunTimeSelection) + " entries");
  int64_t count = declared.getDimSize(1);
  Value flat = c.reshape(ctx.getInput(0), {length});
  Type element = input->getElementType();
  Value kept = element.isInteger(1)
                   ? flat
                   : c.unary<NotOp>(c.compare<EqualOp>(
                         flat, c.splat(RankedTensorType::get({}, element),
                                       c.b.getZeroAttr(element))));
  auto [positions, total] = selectPositions(c, kept, count);
  positions = c.checkSizes(positions, total, {count},
                           "entries that are nonzero");
  auto vectorType = RankedTensorType::get({1, count}, i64);
  SmallVector<Value> rows;
  for (int64_t d = 0; d < rank; ++d) {
    auto constant = [&](int64_t value) {
      return c.splat(RankedTensorType::get({}, i64),
                     c.b.getI64IntegerAttr(value));
    };
    Value row = c.binary<RemOp>(c.binary<DivOp>(positions, constant(strides[d])),
                                constant(input->getDimSize(d)));
    rows.push_back(ReshapeOp::create(c.b, c.loc, vectorType, row));
  }
  ctx.setOutput(0, c.concat(rows, 0));
  return success();
}

/// ReverseSequence with constant lengths: a GatherElements along the time
/// axis whose constant indices reverse the first `length` steps of each
/// batch entry.
/// ReverseSequence with lengths read at run time: the gathered position
/// of each step, `t < len ? len - 1 - t : t`, computed by the run over a
/// [steps, batch] grid (in the axes' order) and broadcast over the rest. A
/// length outside [0, steps] gives positions that edge-check-indices
/// reports.
static LogicalResult convertRunTimeReverseSequence(NodeContext &ctx,
                                                   RankedTensorType input,
                                                   int64_t batchAxis,
                                                   int64_t timeAxis) {
  auto lengthsType = dyn_cast<RankedTensorType>(ctx.getInput(1).getType());
  int64_t batch = input.getDimSize(batchAxis);
  int64_t steps = input.getDimSize(timeAxis);
  if (!lengthsType || !lengthsType.getElementType().isInteger(64) ||
      lengthsType.getShape() != ArrayRef<int64_t>{batch})
    return ctx.emitError("sequence_lens must be an int64 tensor with one "
                         "entry per batch element");
  Composer c(ctx);
  Type i64 = c.b.getI64Type();
  SmallVector<int64_t> gridShape(input.getRank(), 1);
  gridShape[timeAxis] = steps;
  Value time = c.iota(i64, steps, gridShape);
  SmallVector<int64_t> lengthShape(input.getRank(), 1);
  lengthShape[batchAxis] = batch;
  Value lengths = ReshapeOp::create(
      c.b, c.loc, RankedTensorType::get(lengthShape, i64), ctx.getInput(1));
  Value reversed = c.binary<SubOp>(
      c.binary<SubOp>(lengths, c.splat(RankedTensorType::get({}, i64),
                                       c.b.getI64IntegerAttr(1))),
      time);
  Value index =
      c.select(c.compare<LessOp>(time, lengths), reversed, time);
  index = c.binary<AddOp>(
      index, c.splat(input.clone(i64), c.b.getI64IntegerAttr(0)));
  ctx.setOutput(0, GatherElementsOp::create(c.b, c.loc, input,
                                            ctx.getInput(0), index,
                                            c.b.getI64IntegerAttr(timeAxis)));
  return success();
}

LogicalResult convertReverseSequence(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  if (input->getRank() < 2)
    return ctx.emitError("needs an input of rank >= 2");
  int64_t batchAxis = ctx.getInt("batch_axis", 1);
  int64_t timeAxis = ctx.getInt("time_axis", 0);
  if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    return ctx.emitError("batch_axis and time_axis must be 0 and 1");
  int64_t batch = input->getDimSize(batchAxis);
  int64_t steps = input->getDimSize(timeAxis);
  std::optional<DenseElementsAttr> lengths = ctx.getConstantInput(1);
  if (!lengths)
    return convertRunTimeReverseSequence(ctx, *input, batchAxis, timeAxis);
  if (!lengths->getElementType().isInteger(64))
    return ctx.emitError("sequence_lens must be an int64 tensor");
  SmallVector<int64_t> lens = llvm::to_vector(lengths->getValues<int64_t>());
  if (static_cast<int64_t>(lens.size()) != batch)
    return ctx.emitError("sequence_lens needs one entry per batch element");
  for (int64_t len : lens)
    if (len < 0 || len > steps)
      return ctx.emitError("sequence length " + Twine(len) +
                           " is outside [0, " + Twine(steps) + "]");
  int64_t inner = input->getNumElements() / (batch * steps);
  SmallVector<int64_t> indices;
  indices.reserve(input->getNumElements());
  for (int64_t i = 0; i < input->getDimSize(0); ++i)
    for (int64_t j = 0; j < input->getDimSize(1); ++j) {
      int64_t t = timeAxis == 0 ? i : j;
      int64_t len = lens[batchAxis == 0 ? i : j];
      indices.append(inner, t < len ? len - 1 - t : t);
    }
  OpBuilder &b = ctx.getBuilder();
  auto indicesType = input->clone(b.getI64Type());
  Value indexValue = ConstantOp::create(
      b, ctx.getLoc(), DenseElementsAttr::get(indicesType, ArrayRef(indices)));
  ctx.setOutput(0, GatherElementsOp::create(b, ctx.getLoc(), *input,
                                            ctx.getInput(0), indexValue,
                                            b.getI64IntegerAttr(timeAxis)));
  return success();
}

LogicalResult convertGatherND(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<RankedTensorType> indices = ctx.getInputType(1);
  if (failed(input) || failed(indices))
    return failure();
  if (!indices->getElementType().isInteger(64))
    return ctx.emitError("indices must be int64");
  int64_t batch = ctx.getInt("batch_dims", 0);
  if (batch < 0)
    return ctx.emitError("batch_dims must not be negative");
  ArrayRef<int64_t> shape = input->getShape(), index = indices->getShape();
  int64_t depth = index.empty() ? 0 : index.back();
  if (index.empty() || batch >= static_cast<int64_t>(index.size()) ||
      batch + depth > input->getRank())
    return ctx.emitError("batch_dims plus the index depth exceed the input "
                         "rank");
  for (int64_t d = 0; d < batch; ++d)
    if (shape[d] != index[d])
      return ctx.emitError("batch dimension " + Twine(d) +
                           " differs between data and indices");
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, GatherNDOp::create(b, ctx.getLoc(), ctx.getInput(0),
                                      ctx.getInput(1),
                                      b.getI64IntegerAttr(batch)));
  return success();
}

/// ScatterElements (and the older Scatter) and ScatterND; the reduction
/// attribute arrived in opsets 16 and 18.
template <typename OpTy>
LogicalResult convertScatter(NodeContext &ctx) {
  FailureOr<RankedTensorType> data = ctx.getInputType(0);
  FailureOr<RankedTensorType> indices = ctx.getInputType(1);
  FailureOr<RankedTensorType> updates = ctx.getInputType(2);
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  if (!indices->getElementType().isInteger(32) &&
      !indices->getElementType().isInteger(64))
    return ctx.emitError("indices must be int32 or int64");
  OpBuilder &b = ctx.getBuilder();
  StringAttr reduction = b.getStringAttr(ctx.getString("reduction", "none"));
  OpTy op;
  if constexpr (std::is_same_v<OpTy, ScatterElementsOp>) {
    FailureOr<int64_t> axis =
        ctx.normalizeAxis(ctx.getInt("axis", 0), data->getRank());
    if (failed(axis))
      return failure();
    op = ScatterElementsOp::create(b, ctx.getLoc(), *data, ctx.getInput(0),
                                   ctx.getInput(1), ctx.getInput(2),
                                   b.getI64IntegerAttr(*axis), reduction);
  } else {
    if (!indices->getElementType().isInteger(64))
      return ctx.emitError("indices must be int64");
    op = ScatterNDOp::create(b, ctx.getLoc(), *data, ctx.getInput(0),
                             ctx.getInput(1), ctx.getInput(2), reduction);
  }
  if (failed(mlir::verify(op)))
    return failure();
  ctx.setOutput(0, op);
  return success();
}

LogicalResult convertGatherElements(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<RankedTensorType> indices = ctx.getInputType(1);
  if (failed(input) || failed(indices))
    return failure();
  if (!indices->getElementType().isInteger(32) &&
      !indices->getElementType().isInteger(64))
    return ctx.emitError("indices must be int32 or int64");
  if (indices->getRank() != input->getRank() || input->getRank() == 0)
    return ctx.emitError("indices must have the input's (non-zero) rank");
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", 0), input->getRank());
  if (failed(axis))
    return failure();
  for (int64_t d = 0; d < input->getRank(); ++d)
    if (d != *axis && indices->getDimSize(d) > input->getDimSize(d))
      return ctx.emitError("indices dimension " + Twine(d) +
                           " exceeds the input's");
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, GatherElementsOp::create(
                       b, ctx.getLoc(), input->clone(indices->getShape()),
                       ctx.getInput(0), ctx.getInput(1),
                       b.getI64IntegerAttr(*axis)));
  return success();
}

/// Slice whose starts, ends, axes or steps are computed at run time: the
/// model's declared output shape is the result's, and the run checks that
/// its operands give it (edge.dynamic_slice). Absent axes are the first
/// ones, absent steps 1, as constants of the starts' length.
static LogicalResult convertRunTimeSlice(NodeContext &ctx,
                                         RankedTensorType input) {
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  if (declared.getRank() != input.getRank() ||
      declared.getElementType() != input.getElementType())
    return ctx.emitError("the model declares the output as ")
           << declared << ", not a slice of " << input;
  for (auto [out, in] : llvm::zip(declared.getShape(), input.getShape()))
    if (out > in)
      return ctx.emitError("the model declares the output as ")
             << declared << ", larger than the input " << input;
  SmallVector<Value> operands;
  for (unsigned index : {1u, 2u}) {
    auto type = dyn_cast<RankedTensorType>(ctx.getInput(index).getType());
    if (!type || type.getRank() != 1 || !type.hasStaticShape() ||
        !type.getElementType().isSignlessInteger() ||
        type.getElementType().getIntOrFloatBitWidth() < 32)
      return ctx.emitError("starts and ends must be 1-D int32 or int64 "
                           "tensors");
    operands.push_back(ctx.getInput(index));
  }
  auto startsType = cast<RankedTensorType>(operands[0].getType());
  int64_t count = startsType.getDimSize(0);
  OpBuilder &b = ctx.getBuilder();
  auto filled = [&](auto make) {
    SmallVector<int64_t> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(make(i));
    auto type = RankedTensorType::get({count}, b.getI64Type());
    return ConstantOp::create(b, ctx.getLoc(),
                              DenseIntElementsAttr::get(type, values))
        .getResult();
  };
  operands.push_back(ctx.hasInput(3) ? ctx.getInput(3)
                                     : filled([](int64_t i) { return i; }));
  operands.push_back(ctx.hasInput(4) ? ctx.getInput(4)
                                     : filled([](int64_t) { return 1; }));
  for (Value operand : ArrayRef(operands).drop_front(2)) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getShape() != startsType.getShape() ||
        !type.getElementType().isSignlessInteger() ||
        type.getElementType().getIntOrFloatBitWidth() < 32)
      return ctx.emitError("starts, ends, axes and steps must be 1-D int32 "
                           "or int64 tensors of one length");
  }
  if (cast<RankedTensorType>(operands[1].getType()).getShape() !=
      startsType.getShape())
    return ctx.emitError("starts, ends, axes and steps differ in length");
  if (count > input.getRank())
    return ctx.emitError("slices ") << count << " axes of a " << input;
  ctx.setOutput(0, DynamicSliceOp::create(
                       b, ctx.getLoc(), declared, ctx.getInput(0), operands[0],
                       operands[1], operands[2], operands[3],
                       /*site=*/IntegerAttr(),
                       b.getStringAttr(Composer(ctx).describeNode())));
  return success();
}

/// Slice: ONNX starts/ends/axes/steps (attributes before opset 10, constant
/// inputs after) normalized to one clamped start, size and step per
/// dimension, following the ONNX clamping rules.
LogicalResult convertSlice(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.getOpset() < 10) {
    starts = ctx.getInts("starts").value_or(SmallVector<int64_t>{});
    ends = ctx.getInts("ends").value_or(SmallVector<int64_t>{});
    axes = ctx.getInts("axes").value_or(SmallVector<int64_t>{});
  } else {
    bool computed = llvm::any_of(llvm::seq(1u, 5u), [&](unsigned index) {
      return ctx.hasInput(index) && !ctx.getConstantInput(index);
    });
    if (computed && ctx.getDeclaredOutputType(0) && input->hasStaticShape())
      return convertRunTimeSlice(ctx, *input);
    FailureOr<SmallVector<int64_t>> s = ctx.getConstantInts(1, "starts");
    FailureOr<SmallVector<int64_t>> e = ctx.getConstantInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (ctx.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = ctx.getConstantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.hasInput(4)) {
      FailureOr<SmallVector<int64_t>> st = ctx.getConstantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.emitError("starts, ends, axes and steps differ in length");

  SmallVector<int64_t> outStarts(rank, 0), sizes(input->getShape()),
      outSteps(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.emitError("axis " + Twine(axes[i]) + " is repeated");
    seen[*axis] = true;
    int64_t dim = input->getDimSize(*axis), step = steps[i];
    if (step == 0)
      return ctx.emitError("steps must not be zero");
    // A dynamic size is sliced only whole (from 0 to at least its bound);
    // other slices of it would need their starts and sizes at run time.
    if (ShapedType::isDynamic(dim)) {
      if (starts[i] != 0 || step != 1 || ends[i] < (int64_t(1) << 31))
        return ctx.emitError("slicing dynamic dimension ")
               << *axis << " of " << *input << " other than whole is not "
               << "supported yet; fix it with --dim=SYMBOL=SIZE";
      continue;
    }
    auto wrap = [&](int64_t v) { return v < 0 ? v + dim : v; };
    int64_t start = wrap(starts[i]), end = wrap(ends[i]), size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = start > end ? (start - end - step - 1) / -step : 0;
    }
    outStarts[*axis] = size > 0 ? start : 0;
    sizes[*axis] = size;
    outSteps[*axis] = step;
  }
  OpBuilder &b = ctx.getBuilder();
  ctx.setOutput(0, SliceOp::create(b, ctx.getLoc(), input->clone(sizes),
                                   ctx.getInput(0),
                                   b.getDenseI64ArrayAttr(outStarts),
                                   b.getDenseI64ArrayAttr(sizes),
                                   b.getDenseI64ArrayAttr(outSteps)));
  return success();
}

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after.
FailureOr<std::optional<SmallVector<int64_t>>> getAxes(NodeContext &ctx) {
  if (ctx.getOpset() < 13)
    return ctx.getInts("axes");
  if (!ctx.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> axes = ctx.getConstantInts(1, "axes");
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
    // Which sizes are 1 decides the result's rank.
    if (!input->hasStaticShape())
      return ctx.emitError("without axes, squeezing the dynamic sizes of ")
             << *input << " would give a rank known only at run time; "
             << "give the axes";
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
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0), shape,
                                 getUnitGroups(ctx, *input, drop)));
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
  ctx.setOutput(0, createReshape(ctx, ctx.getInput(0), shape,
                                 getUnitGroups(ctx, *input, inserted)));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerTensorOps(OpRegistry &registry) {
  registry.add("Constant", convertConstant);
  registry.add("Identity", convertIdentity);
  registry.add("Shape", convertShape);
  registry.add("Gather", convertGather);
  registry.add("GatherElements", convertGatherElements);
  registry.add("Compress", convertCompress);
  registry.add("NonZero", convertNonZero);
  registry.add("GatherND", convertGatherND);
  registry.add("ScatterElements", convertScatter<ScatterElementsOp>);
  registry.add("Scatter", convertScatter<ScatterElementsOp>);
  registry.add("ScatterND", convertScatter<ScatterNDOp>);
  registry.add("ReverseSequence", convertReverseSequence);
  registry.add("Slice", convertSlice);
  registry.add("Size", convertSize);
  registry.add("ConstantOfShape", convertConstantOfShape);
  registry.add("Dropout", convertDropout);
  registry.add("Reshape", convertReshape);
  registry.add("Flatten", convertFlatten);
  registry.add("Transpose", convertTranspose);
  registry.add("Concat", convertConcat);
  registry.add("Squeeze", convertSqueeze);
  registry.add("Unsqueeze", convertUnsqueeze);
}
