//===- GeneratorOps.cpp - Import ONNX Range, Trilu, windows, OneHot... ----===//
//
// Operators whose result follows a pattern of indices: the pattern is a
// constant computed at import (Range, masks, class indices) combined with
// the data by edge ops.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The single element of a constant scalar input as a double.
FailureOr<double> getConstantScalar(NodeContext &ctx, unsigned index,
                                    StringRef what) {
  std::optional<DenseElementsAttr> attr = ctx.getConstantInput(index);
  if (!attr || attr->getNumElements() != 1)
    return ctx.emitNotConstantError(index, what + " must be a constant scalar "
                                               "(values computed at run time "
                                               "are not supported)");
  Attribute value = *attr->value_begin<Attribute>();
  if (auto f = dyn_cast<FloatAttr>(value))
    return f.getValueAsDouble();
  return static_cast<double>(cast<IntegerAttr>(value).getInt());
}

/// Sets output 0 to the 1-D constant `values` of `element` (integers
/// truncated toward zero).
void setVectorOutput(NodeContext &ctx, Type element, ArrayRef<double> values) {
  Composer c(ctx);
  ctx.setOutput(0, c.constant(values, {int64_t(values.size())}, element));
}

/// Range(start, limit, delta) with constant inputs: a constant.
/// Range with start, limit or delta read at run time: the model's declared
/// length, `start + i * delta` computed by the run in double precision (as
/// the constant case), and a check that the run's values give that length.
LogicalResult convertRangeAtRunTime(NodeContext &ctx, RankedTensorType type) {
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  if (declared.getRank() != 1 ||
      declared.getElementType() != type.getElementType())
    return ctx.emitError("the model declares the output as ")
           << declared << ", not a range of " << type.getElementType();
  Composer c(ctx);
  Type f64 = c.b.getF64Type();
  SmallVector<Value> operands;
  for (unsigned index = 0; index < 3; ++index) {
    auto operandType = dyn_cast<RankedTensorType>(ctx.getInput(index).getType());
    if (!operandType || operandType.getNumElements() != 1 ||
        operandType.getElementType() != type.getElementType())
      return ctx.emitError("start, limit and delta must be scalars of one "
                           "type");
    Value scalar = c.reshape(ctx.getInput(index), {});
    operands.push_back(CastOp::create(
        c.b, c.loc, RankedTensorType::get({}, f64), scalar));
  }
  Value start = operands[0], limit = operands[1], delta = operands[2];
  int64_t length = declared.getDimSize(0);
  Value steps = c.iota(f64, length, {length});
  Value values = c.binary<AddOp>(start, c.binary<MulOp>(steps, delta));
  values = CastOp::create(c.b, c.loc, declared, values);
  Value count = c.binary<MaxOp>(
      c.unary<CeilOp>(c.binary<DivOp>(c.binary<SubOp>(limit, start), delta)),
      c.scalar(f64, 0));
  count = CastOp::create(c.b, c.loc,
                         RankedTensorType::get({}, c.b.getI64Type()), count);
  ctx.setOutput(0, c.checkSizes(values, c.reshape(count, {1}), {length},
                                "length from its operands"));
  return success();
}

/// One term of a sum of sizes, with the value that carries it.
struct SizeTerm {
  SizeEntry entry;
  Value value;
};

/// `value`, an integer scalar, as a sum of constants and tensor sizes
/// (`past_len + seq_len` in a decoder) through Add and Cast; nullopt where
/// it is not one.
std::optional<SmallVector<SizeTerm>> traceSizeSum(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
      !type.getElementType().isSignlessInteger())
    return std::nullopt;
  if (auto add = value.getDefiningOp<AddOp>()) {
    std::optional<SmallVector<SizeTerm>> lhs = traceSizeSum(add.getLhs());
    std::optional<SmallVector<SizeTerm>> rhs = traceSizeSum(add.getRhs());
    if (!lhs || !rhs)
      return std::nullopt;
    lhs->append(*rhs);
    return lhs;
  }
  if (auto cast = value.getDefiningOp<CastOp>())
    if (std::optional<SmallVector<SizeTerm>> terms =
            traceSizeSum(cast.getInput()))
      return terms;
  std::optional<SmallVector<SizeEntry>> entries = traceSizeEntries(value);
  if (!entries || entries->size() != 1)
    return std::nullopt;
  return SmallVector<SizeTerm>{{entries->front(), value}};
}

/// Range(0, n, 1) where n is a sum of tensor sizes and constants (the key
/// positions `Range(0, past_len + seq_len)` of a decoder's attention mask):
/// the positions of each term, offset by the terms before it, so that the
/// result's length is a sum of sizes, with bounds, rather than data.
/// Failure (and no diagnostic) where the node is not one.
FailureOr<Value> importRangeOfSizes(NodeContext &ctx, Type element) {
  std::optional<DenseElementsAttr> start = ctx.getConstantInput(0);
  std::optional<DenseElementsAttr> delta = ctx.getConstantInput(2);
  auto isConstant = [](std::optional<DenseElementsAttr> attr, double value) {
    if (!attr || attr->getNumElements() != 1)
      return false;
    Attribute element = *attr->value_begin<Attribute>();
    if (auto f = dyn_cast<FloatAttr>(element))
      return f.getValueAsDouble() == value;
    return cast<IntegerAttr>(element).getInt() == value;
  };
  if (!isConstant(start, 0) || !isConstant(delta, 1) || ctx.getConstantInput(1))
    return failure();
  std::optional<SmallVector<SizeTerm>> terms = traceSizeSum(ctx.getInput(1));
  if (!terms || llvm::all_of(*terms, [](const SizeTerm &term) {
        return term.entry.isConstant();
      }))
    return failure();
  Composer c(ctx);
  auto scalarType = RankedTensorType::get({}, element);
  SmallVector<Value> parts;
  Value offset;
  for (const SizeTerm &term : *terms) {
    Value part =
        term.entry.isConstant()
            ? c.iota(element, std::max<int64_t>(0, term.entry.constant),
                     {std::max<int64_t>(0, term.entry.constant)})
            : Value(IotaOp::create(c.b, c.loc, term.entry.tensor,
                                   term.entry.dim, element));
    if (offset)
      part = c.binary<AddOp>(part, offset);
    parts.push_back(part);
    Value size =
        CastOp::create(c.b, c.loc, scalarType, c.reshape(term.value, {}));
    offset = offset ? c.binary<AddOp>(offset, size) : size;
  }
  return c.concat(parts, 0);
}

LogicalResult convertRange(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (succeeded(type)) {
    FailureOr<Value> ofSizes = importRangeOfSizes(ctx, type->getElementType());
    if (succeeded(ofSizes)) {
      ctx.setOutput(0, *ofSizes);
      return success();
    }
  }
  if (succeeded(type) && ctx.getDeclaredOutputType(0) &&
      llvm::any_of(llvm::seq(0u, 3u), [&](unsigned index) {
        return !ctx.getConstantInput(index);
      }))
    return convertRangeAtRunTime(ctx, *type);
  FailureOr<double> start = getConstantScalar(ctx, 0, "start");
  FailureOr<double> limit = getConstantScalar(ctx, 1, "limit");
  FailureOr<double> delta = getConstantScalar(ctx, 2, "delta");
  if (failed(type) || failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return ctx.emitError("delta must not be zero");
  double count = std::ceil((*limit - *start) / *delta);
  if (!(count < (1 << 24)))
    return ctx.emitError("the range is too long");
  int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
  Type element = type->getElementType();
  SmallVector<double> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(*start + i * *delta);
  setVectorOutput(ctx, element, values);
  return success();
}

/// Blackman/Hamming/HannWindow of a constant size: a constant, the sum of
/// cosine terms `coefficients[k] * cos(2 pi k n / N)` (k = 0, 1, 2).
LogicalResult convertWindow(NodeContext &ctx, ArrayRef<double> coefficients) {
  FailureOr<double> size = getConstantScalar(ctx, 0, "size");
  if (failed(size))
    return failure();
  if (!(*size >= 0 && *size < (1 << 24)))
    return ctx.emitError("size must be in [0, 2^24)");
  int64_t n = static_cast<int64_t>(*size);
  Type element = convertElementType(
      ctx.getInt("output_datatype", onnx::TensorProto::FLOAT),
      ctx.getBuilder().getContext());
  if (!element)
    return ctx.emitError("output_datatype is not a supported type");
  // A periodic window is one sample of a window of size + 1.
  double period = ctx.getInt("periodic", 1) ? n : n - 1;
  SmallVector<double> values;
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    for (auto [k, a] : llvm::enumerate(coefficients))
      v += a * std::cos(2 * M_PI * double(k) * i / period);
    values.push_back(v);
  }
  setVectorOutput(ctx, element, values);
  return success();
}

/// MelWeightMatrix of constant inputs: a constant [dft_length / 2 + 1,
/// num_mel_bins], triangles over the spectrogram's bins. The mel range is
/// cut into num_mel_bins + 2 steps (the ONNX reference's and ONNX
/// Runtime's count); each step's edge frequency rounds down to a bin, and
/// triangle i rises from edge i to edge i + 1 and falls to edge i + 2.
LogicalResult convertMelWeightMatrix(NodeContext &ctx) {
  FailureOr<double> melBins = getConstantScalar(ctx, 0, "num_mel_bins");
  FailureOr<double> dftLength = getConstantScalar(ctx, 1, "dft_length");
  FailureOr<double> sampleRate = getConstantScalar(ctx, 2, "sample_rate");
  FailureOr<double> lower = getConstantScalar(ctx, 3, "lower_edge_hertz");
  FailureOr<double> upper = getConstantScalar(ctx, 4, "upper_edge_hertz");
  if (failed(melBins) || failed(dftLength) || failed(sampleRate) ||
      failed(lower) || failed(upper))
    return failure();
  if (!(*melBins >= 1 && *melBins < (1 << 16)) ||
      !(*dftLength >= 1 && *dftLength < (1 << 24)) || !(*sampleRate > 0) ||
      !(*lower >= 0 && *lower <= *upper))
    return ctx.emitError("needs num_mel_bins >= 1, dft_length >= 1, "
                         "sample_rate > 0 and 0 <= lower_edge_hertz <= "
                         "upper_edge_hertz");
  Type element = convertElementType(
      ctx.getInt("output_datatype", onnx::TensorProto::FLOAT),
      ctx.getBuilder().getContext());
  if (!element || !isa<FloatType>(element))
    return ctx.emitError("output_datatype must be a float type");
  int64_t mels = static_cast<int64_t>(*melBins);
  int64_t length = static_cast<int64_t>(*dftLength);
  int64_t bins = length / 2 + 1;
  auto toMel = [](double hertz) { return 2595 * std::log10(1 + hertz / 700); };
  double lowMel = toMel(*lower), highMel = toMel(*upper);
  double step = (highMel - lowMel) / static_cast<double>(mels + 2);
  SmallVector<int64_t> edges;
  for (int64_t i = 0; i < mels + 2; ++i) {
    double hertz = 700 * (std::pow(10.0, (i * step + lowMel) / 2595) - 1);
    edges.push_back(
        static_cast<int64_t>(std::floor((length + 1) * hertz / *sampleRate)));
  }
  SmallVector<double> table(bins * mels, 0.0);
  auto set = [&](int64_t bin, int64_t mel, double value) {
    if (bin >= 0 && bin < bins)
      table[bin * mels + mel] = value;
  };
  for (int64_t i = 0; i < mels; ++i) {
    int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
    if (center == left)
      set(center, i, 1);
    else
      for (int64_t j = left; j <= center; ++j)
        set(j, i, double(j - left) / double(center - left));
    for (int64_t j = center; j < right; ++j)
      set(j, i, double(right - j) / double(right - center));
  }
  Composer c(ctx);
  ctx.setOutput(0, c.constant(ArrayRef(table), {bins, mels}, element));
  return success();
}

/// Trilu keeps the upper (or lower) triangle of the last two dimensions,
/// shifted by k: a constant mask selects between the input and zero.
LogicalResult convertTrilu(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (type->getRank() < 2)
    return ctx.emitError("input must have rank >= 2");
  bool upper = ctx.getInt("upper", 1) != 0;
  int64_t rows = type->getDimSize(type->getRank() - 2);
  int64_t cols = type->getDimSize(type->getRank() - 1);
  Composer c(ctx);
  // The mask compares each element's diagonal offset j - i with k; a k
  // computed at run time is compared at run time.
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      offsets.push_back(j - i);
  auto offsetType = RankedTensorType::get({rows, cols}, c.b.getI64Type());
  Value offset = ConstantOp::create(
      c.b, c.loc, DenseElementsAttr::get(offsetType, ArrayRef(offsets)));
  Value k = c.splat(RankedTensorType::get({}, c.b.getI64Type()),
                    c.b.getI64IntegerAttr(0));
  if (ctx.hasInput(1)) {
    FailureOr<RankedTensorType> kType = ctx.getInputType(1);
    if (failed(kType))
      return failure();
    if (kType->getNumElements() != 1 || !kType->getElementType().isInteger(64))
      return ctx.emitError("k must be an int64 scalar");
    k = c.reshape(ctx.getInput(1), {});
  }
  Value maskValue = upper ? c.compare<GreaterEqualOp>(offset, k)
                          : c.compare<LessEqualOp>(offset, k);
  Type element = type->getElementType();
  Value zero = c.splat(RankedTensorType::get({}, element),
                       c.b.getZeroAttr(element));
  ctx.setOutput(0, c.select(maskValue, ctx.getInput(0), zero));
  return success();
}

/// Class indices 0..n-1 laid along `axis` of a tensor of `rank`
/// (other dimensions 1), for comparisons with per-position indices.
Value classIndices(Composer &c, int64_t n, int64_t axis, int64_t rank,
                   Type element) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = n;
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(c.b.getIntegerAttr(element, i));
  return ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(RankedTensorType::get(shape, element), values));
}

/// OneHot(indices, depth, values[off, on]): values[1] where the position
/// along the new axis equals the (wrapped) index, values[0] elsewhere.
LogicalResult convertOneHot(NodeContext &ctx) {
  FailureOr<RankedTensorType> indices = ctx.getInputType(0);
  FailureOr<RankedTensorType> valuesType = ctx.getInputType(2);
  FailureOr<double> depthValue = getConstantScalar(ctx, 1, "depth");
  if (failed(indices) || failed(valuesType) || failed(depthValue))
    return failure();
  int64_t depth = static_cast<int64_t>(*depthValue);
  if (depth < 1 || depth > (1 << 24))
    return ctx.emitError("depth must be positive");
  if (valuesType->getNumElements() != 2)
    return ctx.emitError("values must hold [off, on]");
  int64_t rank = indices->getRank() + 1;
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  Composer c(ctx);
  // Indices of any numeric type compare as int64; negatives wrap by depth.
  Value idx = ctx.getInput(0);
  auto i64 = c.b.getI64Type();
  if (indices->getElementType() != i64)
    idx = CastOp::create(c.b, c.loc, indices->clone(i64), idx);
  Value zero = c.splat(RankedTensorType::get({}, i64), c.b.getI64IntegerAttr(0));
  Value depthConst =
      c.splat(RankedTensorType::get({}, i64), c.b.getI64IntegerAttr(depth));
  idx = c.select(c.compare<LessOp>(idx, zero),
                 c.binary<AddOp>(idx, depthConst), idx);
  SmallVector<int64_t> expanded(indices->getShape());
  expanded.insert(expanded.begin() + *axis, 1);
  Value hit = c.compare<EqualOp>(c.reshape(idx, expanded),
                                 classIndices(c, depth, *axis, rank, i64));
  Value values = c.reshape(ctx.getInput(2), {2});
  Value off = c.reshape(c.sliceAxis(values, 0, 0, 1), {});
  Value on = c.reshape(c.sliceAxis(values, 0, 1, 1), {});
  ctx.setOutput(0, c.select(hit, on, off));
  return success();
}

/// Hardmax: 1 at the (first) largest element along the axis, 0 elsewhere;
/// before opset 13 over the flattened trailing dimensions.
LogicalResult convertHardmax(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(element) || type->getRank() == 0)
    return ctx.emitError("needs a floating-point tensor of rank >= 1");
  bool coerced = ctx.getOpset() < 13;
  FailureOr<int64_t> axis = ctx.normalizeAxis(
      ctx.getInt("axis", coerced ? 1 : -1), type->getRank());
  if (failed(axis))
    return failure();
  Composer c(ctx);
  Value x = ctx.getInput(0);
  int64_t reduced = *axis;
  if (coerced) {
    ArrayRef<int64_t> shape = type->getShape();
    x = c.reshape(x, {getNumElements(shape.take_front(*axis)),
                      getNumElements(shape.drop_front(*axis))});
    reduced = 1;
  }
  RankedTensorType xType = c.typeOf(x);
  SmallVector<int64_t> keptShape(xType.getShape());
  keptShape[reduced] = 1;
  Value argmax = ArgMaxOp::create(
      c.b, c.loc, RankedTensorType::get(keptShape, c.b.getI64Type()), x,
      c.b.getI64IntegerAttr(reduced), c.b.getBoolAttr(true),
      c.b.getBoolAttr(false));
  Value hit = c.compare<EqualOp>(
      argmax, classIndices(c, xType.getDimSize(reduced), reduced,
                           xType.getRank(), c.b.getI64Type()));
  Value result = CastOp::create(c.b, c.loc, xType.clone(element), hit);
  ctx.setOutput(0, c.reshape(result, type->getShape()));
  return success();
}

/// Largest TopK selections unrolled; more would bloat the IR (O(k) ops).
constexpr int64_t kMaxTopK = 256;

/// TopK with a constant k: k rounds of selection. Each round takes the
/// extreme value among the elements not taken yet, then the first position
/// holding it (ONNX orders ties by index), so infinities and repeated values
/// never select an element twice.
LogicalResult convertTopK(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(element) && !element.isSignlessInteger())
    return ctx.emitError("needs a numeric input");
  if (ctx.isUnsignedInput(0))
    return ctx.emitError("unsigned inputs are not supported yet");
  int64_t k = ctx.getInt("k", -1);
  if (ctx.getOpset() >= 10) {
    FailureOr<int64_t> kValue = ctx.getConstantScalarInt(
        1, "K must be a constant (the result's shape depends on it)");
    if (failed(kValue))
      return failure();
    k = *kValue;
  }
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.getInt("axis", -1), type->getRank());
  if (failed(axis))
    return failure();
  int64_t n = type->getDimSize(*axis);
  if (k < 0 || k > n)
    return ctx.emitError("k = " + Twine(k) + " is outside [0, " + Twine(n) +
                         "]");
  if (k > kMaxTopK)
    return ctx.emitError("k = " + Twine(k) + " is larger than supported (" +
                         Twine(kMaxTopK) + ")");
  // sorted = 0 leaves the order open: the sorted order is one of them.
  bool largest = ctx.getInt("largest", 1) != 0;
  Composer c(ctx);
  Value x = ctx.getInput(0);
  int64_t rank = type->getRank();
  SmallVector<int64_t> keptShape(type->getShape());
  keptShape[*axis] = 1;
  auto i64 = c.b.getI64Type();
  Value positions = classIndices(c, n, *axis, rank, i64);
  Value taken = c.splat(type->clone(c.b.getI1Type()), c.b.getBoolAttr(false));
  Value worst = isa<FloatType>(element)
                    ? c.scalar(element, largest ? -INFINITY : INFINITY)
                    : c.splat(RankedTensorType::get({}, element),
                              c.b.getIntegerAttr(
                                  element,
                                  largest ? APInt::getSignedMinValue(
                                                element.getIntOrFloatBitWidth())
                                          : APInt::getSignedMaxValue(
                                                element.getIntOrFloatBitWidth())));
  SmallVector<Value> values, indices;
  for (int64_t round = 0; round < k; ++round) {
    Value open = c.select(taken, worst, x);
    Value best = largest ? c.reduce<ReduceMaxOp>(open, {*axis}, true)
                         : c.reduce<ReduceMinOp>(open, {*axis}, true);
    Value candidate = c.binary<AndOp>(
        c.compare<EqualOp>(x, best), c.unary<NotOp>(taken));
    Value score = CastOp::create(c.b, c.loc, type->clone(c.b.getI32Type()),
                                 candidate);
    Value index = ArgMaxOp::create(c.b, c.loc,
                                   RankedTensorType::get(keptShape, i64), score,
                                   c.b.getI64IntegerAttr(*axis),
                                   c.b.getBoolAttr(true), c.b.getBoolAttr(false));
    values.push_back(best);
    indices.push_back(index);
    taken = c.binary<OrOp>(taken, c.compare<EqualOp>(positions, index));
  }
  if (k == 0) {
    SmallVector<int64_t> empty(type->getShape());
    empty[*axis] = 0;
    ctx.setOutput(0, c.splat(type->clone(empty), c.b.getZeroAttr(element)));
    ctx.setOutput(1, c.splat(RankedTensorType::get(empty, i64),
                             c.b.getI64IntegerAttr(0)));
    return success();
  }
  ctx.setOutput(0, c.concat(values, *axis));
  ctx.setOutput(1, c.concat(indices, *axis));
  return success();
}

/// EyeLike: ones on the k-th diagonal of a 2-D shape, as a constant.
LogicalResult convertEyeLike(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (type->getRank() != 2)
    return ctx.emitError("input must be 2-D");
  Type element = type->getElementType();
  if (const onnx::AttributeProto *attr = ctx.getAttr("dtype")) {
    element = convertElementType(static_cast<int32_t>(attr->i()),
                                 ctx.getBuilder().getContext());
    if (!element)
      return ctx.emitError("dtype is not supported");
  }
  int64_t k = ctx.getInt("k", 0);
  int64_t rows = type->getDimSize(0), cols = type->getDimSize(1);
  OpBuilder &b = ctx.getBuilder();
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      int64_t one = j - i == k;
      values.push_back(isa<FloatType>(element)
                           ? Attribute(b.getFloatAttr(element, one))
                           : Attribute(b.getIntegerAttr(element, one)));
    }
  auto resultType = RankedTensorType::get({rows, cols}, element);
  ctx.setOutput(0, ConstantOp::create(b, ctx.getLoc(),
                                      DenseElementsAttr::get(resultType, values)));
  return success();
}

/// IsNaN: x != x. IsInf: |x| == inf, optionally only one sign.
LogicalResult convertIsNaNOrInf(NodeContext &ctx, bool isNaN) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  Type element = type->getElementType();
  auto floatType = dyn_cast<FloatType>(element);
  if (!floatType)
    return ctx.emitError("needs a floating-point input");
  Composer c(ctx);
  Value x = ctx.getInput(0);
  if (isNaN) {
    ctx.setOutput(0, c.unary<NotOp>(c.compare<EqualOp>(x, x)));
    return success();
  }
  auto scalarType = RankedTensorType::get({}, element);
  auto inf = [&](bool negative) {
    return c.splat(scalarType,
                   c.b.getFloatAttr(element, APFloat::getInf(
                                                 floatType.getFloatSemantics(),
                                                 negative)));
  };
  bool positive = ctx.getInt("detect_positive", 1) != 0;
  bool negative = ctx.getInt("detect_negative", 1) != 0;
  Value result = c.splat(RankedTensorType::get(type->getShape(), c.b.getI1Type()),
                         c.b.getBoolAttr(false));
  if (positive)
    result = c.binary<OrOp>(result, c.compare<EqualOp>(x, inf(false)));
  if (negative)
    result = c.binary<OrOp>(result, c.compare<EqualOp>(x, inf(true)));
  ctx.setOutput(0, result);
  return success();
}

/// CumSum along a constant axis: a matmul with a triangular 0/1 matrix
/// (exclusive drops the diagonal, reverse flips the triangle).
LogicalResult convertCumSum(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  FailureOr<double> axisValue = getConstantScalar(ctx, 1, "axis");
  if (failed(type) || failed(axisValue))
    return failure();
  Type element = type->getElementType();
  if (element.isInteger(1) || type->getRank() == 0)
    return ctx.emitError("needs a numeric tensor of rank >= 1");
  int64_t rank = type->getRank();
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(static_cast<int64_t>(*axisValue), rank);
  if (failed(axis))
    return failure();
  int64_t length = type->getDimSize(*axis);
  if (length > 4096)
    return ctx.emitError("CumSum over more than 4096 elements is not "
                         "supported yet");
  bool exclusive = ctx.getInt("exclusive", 0) != 0;
  bool reverse = ctx.getInt("reverse", 0) != 0;
  Composer c(ctx);
  // result[j] = sum_i x[i] * m[i][j].
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j < length; ++j) {
      bool in = reverse ? (exclusive ? i > j : i >= j)
                        : (exclusive ? i < j : i <= j);
      values.push_back(isa<FloatType>(element)
                           ? Attribute(c.b.getFloatAttr(element, in))
                           : Attribute(c.b.getIntegerAttr(element, in)));
    }
  Value matrix = ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(RankedTensorType::get({length, length}, element),
                             values));
  // Move the axis last, multiply, move it back.
  SmallVector<int64_t> perm, inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis)
      perm.push_back(d);
  perm.push_back(*axis);
  for (int64_t d = 0; d < rank; ++d)
    inverse[perm[d]] = d;
  Value moved = c.transpose(ctx.getInput(0), perm);
  Value summed = MatMulOp::create(c.b, c.loc, c.typeOf(moved), moved, matrix);
  ctx.setOutput(0, c.transpose(summed, inverse));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerGeneratorOps(OpRegistry &registry) {
  registry.add("Range", convertRange);
  registry.add("Trilu", convertTrilu);
  registry.add("MelWeightMatrix", convertMelWeightMatrix);
  registry.add("HannWindow", [](NodeContext &ctx) {
    return convertWindow(ctx, {0.5, -0.5});
  });
  registry.add("HammingWindow", [](NodeContext &ctx) {
    return convertWindow(ctx, {25.0 / 46, -21.0 / 46});
  });
  registry.add("BlackmanWindow", [](NodeContext &ctx) {
    return convertWindow(ctx, {0.42, -0.5, 0.08});
  });
  registry.add("OneHot", convertOneHot);
  registry.add("Hardmax", convertHardmax);
  registry.add("TopK", convertTopK);
  registry.add("EyeLike", convertEyeLike);
  registry.add("IsNaN",
               [](NodeContext &ctx) { return convertIsNaNOrInf(ctx, true); });
  registry.add("IsInf",
               [](NodeContext &ctx) { return convertIsNaNOrInf(ctx, false); });
  registry.add("CumSum", convertCumSum);
}
