//===- ResizeOps.cpp - Import ONNX Resize and Upsample --------------------===//
//
// Interpolation is separable: each resized axis becomes gathers of the
// input at constant source indices, weighted by constant coefficients and
// summed (1 tap for nearest, 2 for linear, 4 for cubic). Indices and
// weights follow ONNX's coordinate transformation and rounding rules and
// are computed at import; out-of-range neighbors repeat the edge element.
// tf_crop_and_resize samples a crop of each axis (the roi input) and gives
// outputs whose source lies outside the input the extrapolation value.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

struct ResizeAttrs {
  std::string mode, transform, nearestMode;
  double cubicA = -0.75;
  bool excludeOutside = false;
  /// tf_crop_and_resize: the value of outputs whose source lies outside
  /// the input.
  double extrapolation = 0;
};

/// The crop of one axis (tf_crop_and_resize's roi), as fractions of the
/// input: the whole axis by default.
struct Crop {
  double start = 0, end = 1;
};

/// Source coordinate of output index `x` along an axis (cropped to `crop`
/// under tf_crop_and_resize).
double sourceCoordinate(const ResizeAttrs &attrs, int64_t x, double scale,
                        int64_t lengthIn, int64_t lengthOut, Crop crop) {
  const std::string &t = attrs.transform;
  if (t == "asymmetric")
    return x / scale;
  if (t == "tf_crop_and_resize")
    return lengthOut > 1 ? crop.start * (lengthIn - 1) +
                               x * (crop.end - crop.start) * (lengthIn - 1) /
                                   (lengthOut - 1)
                         : 0.5 * (crop.start + crop.end) * (lengthIn - 1);
  // The resized length here is the unrounded lengthIn * scale, as in the
  // ONNX reference: it differs from lengthOut when scales are given.
  if (t == "align_corners") {
    double resized = lengthIn * scale;
    return resized == 1 ? 0 : x * double(lengthIn - 1) / (resized - 1);
  }
  if (t == "pytorch_half_pixel")
    return lengthOut > 1 ? (x + 0.5) / scale - 0.5 : 0;
  if (t == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (t == "half_pixel_symmetric") {
    // Opset 19: half_pixel, shifted so that the rounding of the output
    // length spreads over both ends.
    double adjustment = lengthOut / (lengthIn * scale);
    double offset = lengthIn / 2.0 * (1 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  return (x + 0.5) / scale - 0.5; // half_pixel
}

int64_t roundNearest(const ResizeAttrs &attrs, double x) {
  const std::string &m = attrs.nearestMode;
  if (m == "floor")
    return static_cast<int64_t>(std::floor(x));
  if (m == "ceil")
    return static_cast<int64_t>(std::ceil(x));
  if (m == "round_prefer_ceil")
    return static_cast<int64_t>(std::floor(x + 0.5));
  return static_cast<int64_t>(std::ceil(x - 0.5)); // round_prefer_floor
}

/// Keys' cubic convolution kernel with parameter a.
double cubicWeight(double t, double a) {
  t = std::abs(t);
  if (t <= 1)
    return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2)
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/// Resamples `x` along `axis` to `lengthOut` elements.
Value resizeAxis(Composer &c, const ResizeAttrs &attrs, Value x, int64_t axis,
                 int64_t lengthOut, double scale, Crop crop) {
  RankedTensorType type = c.typeOf(x);
  int64_t lengthIn = type.getDimSize(axis);
  Type element = type.getElementType();
  int64_t taps = attrs.mode == "nearest" ? 1 : attrs.mode == "linear" ? 2 : 4;
  // indices[tap][o], weights[tap][o]
  SmallVector<SmallVector<int64_t>> indices(taps);
  SmallVector<SmallVector<double>> weights(taps);
  // tf_crop_and_resize: the extrapolation value where the source lies
  // outside the input, which no tap then weighs.
  SmallVector<double> outside(lengthOut, 0);
  bool anyOutside = false;
  for (int64_t o = 0; o < lengthOut; ++o) {
    double source =
        sourceCoordinate(attrs, o, scale, lengthIn, lengthOut, crop);
    auto clampIndex = [&](int64_t i) {
      return std::clamp<int64_t>(i, 0, lengthIn - 1);
    };
    if (attrs.transform == "tf_crop_and_resize" &&
        (source < 0 || source > lengthIn - 1)) {
      outside[o] = attrs.extrapolation;
      anyOutside = true;
      for (int64_t k = 0; k < taps; ++k) {
        indices[k].push_back(0);
        weights[k].push_back(0);
      }
      continue;
    }
    if (taps == 1) {
      indices[0].push_back(clampIndex(roundNearest(attrs, source)));
      weights[0].push_back(1);
      continue;
    }
    double base = std::floor(source), t = source - base;
    int64_t first = static_cast<int64_t>(base) - (taps == 4 ? 1 : 0);
    SmallVector<double> w;
    if (taps == 2)
      w = {1 - t, t};
    else
      w = {cubicWeight(t + 1, attrs.cubicA), cubicWeight(t, attrs.cubicA),
           cubicWeight(1 - t, attrs.cubicA), cubicWeight(2 - t, attrs.cubicA)};
    if (attrs.excludeOutside) {
      double total = 0;
      for (int64_t k = 0; k < taps; ++k) {
        int64_t i = first + k;
        if (i < 0 || i >= lengthIn)
          w[k] = 0;
        total += w[k];
      }
      for (double &v : w)
        v = total != 0 ? v / total : 0;
    }
    for (int64_t k = 0; k < taps; ++k) {
      indices[k].push_back(clampIndex(first + k));
      weights[k].push_back(w[k]);
    }
  }
  SmallVector<int64_t> gatheredShape(type.getShape());
  gatheredShape[axis] = lengthOut;
  SmallVector<int64_t> weightShape(type.getRank(), 1);
  weightShape[axis] = lengthOut;
  auto indexType = RankedTensorType::get({lengthOut}, c.b.getI64Type());
  Value result;
  for (int64_t k = 0; k < taps; ++k) {
    Value idx = ConstantOp::create(
        c.b, c.loc, DenseElementsAttr::get(indexType, ArrayRef(indices[k])));
    Value tap = GatherOp::create(c.b, c.loc, type.clone(gatheredShape), x, idx,
                                 c.b.getI64IntegerAttr(axis));
    if (taps > 1 || anyOutside)
      tap = c.binary<MulOp>(
          tap, c.constant(ArrayRef(weights[k]), weightShape, element));
    result = result ? c.binary<AddOp>(result, tap) : tap;
  }
  if (anyOutside &&
      llvm::any_of(outside, [](double value) { return value != 0; }))
    result = c.binary<AddOp>(
        result, c.constant(ArrayRef(outside), weightShape, element));
  return result;
}

/// Resamples `x` along `axis` to `lengthOut` elements with `scale`, a f64
/// scalar read at run time: the same coordinates, taps and weights as
/// resizeAxis, computed by the run in double precision.
Value resizeAxisAtRunTime(Composer &c, const ResizeAttrs &attrs, Value x,
                          int64_t axis, int64_t lengthOut, Value scale) {
  RankedTensorType type = c.typeOf(x);
  int64_t lengthIn = type.getDimSize(axis);
  Type f64 = c.b.getF64Type(), i64 = c.b.getI64Type();
  auto constant = [&](double value) { return c.scalar(f64, value); };
  Value o = c.iota(f64, lengthOut, {lengthOut});
  Value halfPixel = c.binary<DivOp>(c.binary<AddOp>(o, constant(0.5)), scale);
  const std::string &t = attrs.transform;
  Value source;
  if (t == "asymmetric") {
    source = c.binary<DivOp>(o, scale);
  } else if (t == "align_corners") {
    Value resized = c.binary<MulOp>(constant(lengthIn), scale);
    Value ratio = c.binary<DivOp>(constant(lengthIn - 1),
                                  c.binary<SubOp>(resized, constant(1)));
    source = c.select(c.compare<EqualOp>(resized, constant(1)), constant(0),
                      c.binary<MulOp>(o, ratio));
  } else if (t == "pytorch_half_pixel") {
    source = lengthOut > 1 ? c.binary<SubOp>(halfPixel, constant(0.5))
                           : c.binary<MulOp>(o, constant(0));
  } else if (t == "tf_half_pixel_for_nn") {
    source = halfPixel;
  } else if (t == "half_pixel_symmetric") {
    Value resized = c.binary<MulOp>(constant(lengthIn), scale);
    Value adjustment = c.binary<DivOp>(constant(lengthOut), resized);
    Value offset = c.binary<MulOp>(constant(lengthIn / 2.0),
                                   c.binary<SubOp>(constant(1), adjustment));
    source = c.binary<AddOp>(offset, c.binary<SubOp>(halfPixel, constant(0.5)));
  } else {
    source = c.binary<SubOp>(halfPixel, constant(0.5));
  }
  auto toIndex = [&](Value position) {
    Value clamped = c.binary<MaxOp>(
        c.binary<MinOp>(position, constant(lengthIn - 1)), constant(0));
    return CastOp::create(c.b, c.loc, c.typeOf(clamped).clone(i64), clamped)
        .getResult();
  };

  SmallVector<Value> indices, weights;
  if (attrs.mode == "nearest") {
    const std::string &m = attrs.nearestMode;
    Value rounded =
        m == "floor"   ? c.unary<FloorOp>(source)
        : m == "ceil"  ? c.unary<CeilOp>(source)
        : m == "round_prefer_ceil"
            ? c.unary<FloorOp>(c.binary<AddOp>(source, constant(0.5)))
            : c.unary<CeilOp>(c.binary<SubOp>(source, constant(0.5)));
    indices.push_back(toIndex(rounded));
  } else {
    Value base = c.unary<FloorOp>(source);
    Value frac = c.binary<SubOp>(source, base);
    int64_t taps = attrs.mode == "linear" ? 2 : 4;
    Value first = taps == 4 ? c.binary<SubOp>(base, constant(1)) : base;
    for (int64_t k = 0; k < taps; ++k) {
      Value position = c.binary<AddOp>(first, constant(k));
      indices.push_back(toIndex(position));
      Value weight;
      if (taps == 2) {
        weight = k == 0 ? c.binary<SubOp>(constant(1), frac) : frac;
      } else {
        // Keys' kernel at the tap's distance |frac + 1 - k|.
        double a = attrs.cubicA;
        Value d = c.unary<AbsOp>(c.binary<AddOp>(frac, constant(1 - k)));
        Value near = c.binary<AddOp>(
            c.binary<MulOp>(
                c.binary<MulOp>(
                    c.binary<SubOp>(c.binary<MulOp>(constant(a + 2), d),
                                    constant(a + 3)),
                    d),
                d),
            constant(1));
        Value far = c.binary<SubOp>(
            c.binary<MulOp>(
                c.binary<AddOp>(
                    c.binary<MulOp>(
                        c.binary<SubOp>(c.binary<MulOp>(constant(a), d),
                                        constant(5 * a)),
                        d),
                    constant(8 * a)),
                d),
            constant(4 * a));
        weight = c.select(c.compare<LessEqualOp>(d, constant(1)), near,
                          c.select(c.compare<LessOp>(d, constant(2)), far,
                                   constant(0)));
      }
      if (attrs.excludeOutside) {
        Value inside = c.binary<AndOp>(
            c.compare<GreaterEqualOp>(position, constant(0)),
            c.compare<LessOp>(position, constant(lengthIn)));
        weight = c.select(inside, weight, constant(0));
      }
      weights.push_back(weight);
    }
    if (attrs.excludeOutside) {
      Value total = weights.front();
      for (Value w : ArrayRef(weights).drop_front())
        total = c.binary<AddOp>(total, w);
      Value zero = c.compare<EqualOp>(total, constant(0));
      for (Value &w : weights)
        w = c.select(zero, constant(0), c.binary<DivOp>(w, total));
    }
  }

  SmallVector<int64_t> gatheredShape(type.getShape());
  gatheredShape[axis] = lengthOut;
  SmallVector<int64_t> weightShape(type.getRank(), 1);
  weightShape[axis] = lengthOut;
  Value result;
  for (auto [k, index] : llvm::enumerate(indices)) {
    Value tap = GatherOp::create(c.b, c.loc, type.clone(gatheredShape), x,
                                 index, c.b.getI64IntegerAttr(axis));
    if (!weights.empty()) {
      Value weight = CastOp::create(
          c.b, c.loc, c.typeOf(weights[k]).clone(type.getElementType()),
          weights[k]);
      weight = ReshapeOp::create(
          c.b, c.loc,
          RankedTensorType::get(weightShape, type.getElementType()), weight);
      tap = c.binary<MulOp>(tap, weight);
    }
    result = result ? c.binary<AddOp>(result, tap) : tap;
  }
  return result;
}

/// Resize with scales read at run time: the result has the shape the model
/// declares, each axis is resampled with its run's scale, and the run
/// checks that the scales give that shape (floor(length * scale)).
LogicalResult convertResizeAtRunTime(NodeContext &ctx,
                                     const ResizeAttrs &attrs,
                                     unsigned scalesIndex) {
  RankedTensorType input = cast<RankedTensorType>(ctx.getInput(0).getType());
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  auto scalesType =
      dyn_cast<RankedTensorType>(ctx.getInput(scalesIndex).getType());
  int64_t rank = input.getRank();
  if (!scalesType || !isa<FloatType>(scalesType.getElementType()) ||
      scalesType.getShape() != ArrayRef<int64_t>{rank})
    return ctx.emitError("scales must be a float tensor with one entry per "
                         "dimension");
  if (declared.getRank() != rank ||
      declared.getElementType() != input.getElementType())
    return ctx.emitError("the model declares the output as ")
           << declared << ", not a resized " << input;
  Composer c(ctx);
  Type f64 = c.b.getF64Type();
  auto scalar = RankedTensorType::get({}, f64);
  Value scales = CastOp::create(c.b, c.loc, scalesType.clone(f64),
                                ctx.getInput(scalesIndex));
  // The output sizes the scales give, checked against the declared ones.
  Value lengths = ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(RankedTensorType::get({rank}, f64),
                             ArrayRef(llvm::to_vector(llvm::map_range(
                                 input.getShape(), [](int64_t size) {
                                   return static_cast<double>(size);
                                 })))));
  Value sizes = c.unary<FloorOp>(c.binary<MulOp>(lengths, scales));
  sizes = CastOp::create(c.b, c.loc, scalesType.clone(c.b.getI64Type()), sizes);
  Value x = c.checkSizes(ctx.getInput(0), sizes, declared.getShape(),
                         "output sizes from its scales");
  for (int64_t axis = 0; axis < rank; ++axis) {
    Value scale = ReshapeOp::create(
        c.b, c.loc, scalar, c.sliceAxis(scales, 0, axis, 1));
    x = resizeAxisAtRunTime(c, attrs, x, axis, declared.getDimSize(axis),
                            scale);
  }
  ctx.setOutput(0, x);
  return success();
}

/// Float values of a constant input (scales).
FailureOr<SmallVector<double>> getConstantFloats(NodeContext &ctx,
                                                 unsigned index) {
  std::optional<DenseElementsAttr> attr = ctx.getConstantInput(index);
  if (!attr || !isa<FloatType>(attr->getElementType()))
    return ctx.emitNotConstantError(index,
                                    "scales must be a constant float tensor "
                                    "(values computed at run time are not "
                                    "supported)");
  SmallVector<double> values;
  for (APFloat v : attr->getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

LogicalResult convertResize(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getFloatInputType(0);
  if (failed(type))
    return failure();
  bool isUpsample = ctx.getNode().op_type() == "Upsample";
  ResizeAttrs attrs;
  attrs.mode = ctx.getString("mode", "nearest");
  attrs.transform = isUpsample || ctx.getOpset() < 11
                        ? "asymmetric"
                        : ctx.getString("coordinate_transformation_mode",
                                        "half_pixel");
  attrs.nearestMode = ctx.getOpset() < 11
                          ? "floor"
                          : ctx.getString("nearest_mode", "round_prefer_floor");
  attrs.cubicA = ctx.getFloat("cubic_coeff_a", -0.75f);
  attrs.excludeOutside = ctx.getInt("exclude_outside", 0) != 0;
  if (attrs.mode == "bilinear")
    attrs.mode = "linear";
  if (attrs.mode != "nearest" && attrs.mode != "linear" &&
      attrs.mode != "cubic")
    return ctx.emitError("mode '" + attrs.mode + "' is not supported");
  attrs.extrapolation = ctx.getFloat("extrapolation_value", 0.0f);
  // Opset 18: scales or sizes for a subset of the axes, and sizes that
  // keep the aspect ratio.
  std::optional<SmallVector<int64_t>> axes =
      ctx.getOpset() >= 18 ? ctx.getInts("axes") : std::nullopt;
  std::string policy =
      ctx.getOpset() >= 18
          ? ctx.getString("keep_aspect_ratio_policy", "stretch")
          : "stretch";
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return ctx.emitError("keep_aspect_ratio_policy '" + policy +
                         "' is not valid");

  int64_t rank = type->getRank();
  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  // Upsample/Resize-10: scales at input 1; Resize-11+: roi, scales, sizes.
  unsigned scalesIndex = isUpsample || ctx.getOpset() < 11 ? 1 : 2;
  if (isUpsample && ctx.getOpset() < 9) {
    const onnx::AttributeProto *attr = ctx.getAttr("scales");
    if (!attr)
      return ctx.emitError("scales is required");
    for (float v : attr->floats())
      scales.push_back(v);
  } else if (ctx.hasInput(scalesIndex + 1) && !isUpsample &&
             ctx.getOpset() >= 11) {
    FailureOr<SmallVector<int64_t>> s = ctx.getConstantInts(scalesIndex + 1,
                                                            "sizes");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (ctx.hasInput(scalesIndex)) {
    if (!ctx.getConstantInput(scalesIndex) && ctx.getDeclaredOutputType(0) &&
        type->hasStaticShape()) {
      if (axes)
        return ctx.emitError("scales read at run time need the axes "
                             "attribute absent");
      if (attrs.transform == "tf_crop_and_resize")
        return ctx.emitError("tf_crop_and_resize needs constant scales or "
                             "sizes");
      return convertResizeAtRunTime(ctx, attrs, scalesIndex);
    }
    FailureOr<SmallVector<double>> s = getConstantFloats(ctx, scalesIndex);
    if (failed(s))
      return failure();
    scales = *s;
  }
  if (scales.empty() && sizes.empty())
    return ctx.emitError("needs scales or sizes");
  // The resized axes: all, or the axes attribute's.
  SmallVector<int64_t> resized;
  if (axes) {
    for (int64_t entry : *axes) {
      FailureOr<int64_t> axis = ctx.normalizeAxis(entry, rank);
      if (failed(axis))
        return failure();
      if (llvm::is_contained(resized, *axis))
        return ctx.emitError("axes are repeated");
      resized.push_back(*axis);
    }
  } else {
    resized = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  if (std::max(scales.size(), sizes.size()) != resized.size())
    return ctx.emitError(axes ? "scales or sizes need one entry per axis"
                              : "scales or sizes need one entry per "
                                "dimension");
  // tf_crop_and_resize's crop of each resized axis: the roi input, its
  // starts then its ends.
  SmallVector<Crop> crops(rank);
  if (attrs.transform == "tf_crop_and_resize") {
    if (!ctx.hasInput(1))
      return ctx.emitError("tf_crop_and_resize needs the roi input");
    std::optional<DenseElementsAttr> roiAttr = ctx.getConstantInput(1);
    if (!roiAttr || !isa<FloatType>(roiAttr->getElementType()))
      return ctx.emitNotConstantError(1, "roi must be a constant float tensor");
    SmallVector<double> roi;
    for (APFloat v : roiAttr->getValues<APFloat>())
      roi.push_back(v.convertToDouble());
    if (roi.size() != 2 * resized.size())
      return ctx.emitError("roi needs a start and an end per resized axis (" +
                           Twine(2 * resized.size()) + " entries), got " +
                           Twine(roi.size()));
    for (auto [i, axis] : llvm::enumerate(resized))
      crops[axis] = Crop{roi[i], roi[i + resized.size()]};
  }
  // Per dimension: the scale and the output length (1 and the input's
  // length for the others).
  SmallVector<double> axisScales(rank, 1.0);
  SmallVector<int64_t> lengthsOut(type->getShape());
  if (!sizes.empty() && policy != "stretch") {
    // One scale for every resized axis: the largest that fits the sizes
    // (not_larger) or the smallest that covers them (not_smaller), each
    // length rounded half up.
    double common =
        policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
    for (auto [i, axis] : llvm::enumerate(resized)) {
      int64_t lengthIn = type->getDimSize(axis);
      double scale = lengthIn ? double(sizes[i]) / lengthIn : 1;
      common = policy == "not_larger" ? std::min(common, scale)
                                      : std::max(common, scale);
    }
    for (int64_t axis : resized) {
      axisScales[axis] = common;
      lengthsOut[axis] = static_cast<int64_t>(
          std::floor(type->getDimSize(axis) * common + 0.5));
    }
  } else {
    for (auto [i, axis] : llvm::enumerate(resized)) {
      int64_t lengthIn = type->getDimSize(axis);
      if (!sizes.empty()) {
        lengthsOut[axis] = sizes[i];
        axisScales[axis] = lengthIn ? double(sizes[i]) / lengthIn : 1;
      } else {
        axisScales[axis] = scales[i];
        lengthsOut[axis] =
            static_cast<int64_t>(std::floor(lengthIn * scales[i]));
      }
    }
  }
  // Antialiasing widens the filter of a linear or cubic downscale.
  if (ctx.getOpset() >= 18 && ctx.getInt("antialias", 0) != 0 &&
      attrs.mode != "nearest" &&
      llvm::any_of(axisScales, [](double scale) { return scale < 1; }))
    return ctx.emitError("antialias=1 is not supported yet for a "
                         "downscale");

  Composer c(ctx);
  Value x = ctx.getInput(0);
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t lengthIn = type->getDimSize(axis);
    double scale = axisScales[axis];
    int64_t lengthOut = lengthsOut[axis];
    if (!(scale > 0) || lengthOut < 1 || lengthOut > (1 << 24))
      return ctx.emitError("invalid scale or size for dimension " +
                           Twine(axis));
    if (lengthOut == lengthIn && scale == 1 &&
        (attrs.transform != "tf_crop_and_resize" ||
         (crops[axis].start == 0 && crops[axis].end == 1)))
      continue;
    x = resizeAxis(c, attrs, x, axis, lengthOut, scale, crops[axis]);
  }
  ctx.setOutput(0, x);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerResizeOps(OpRegistry &registry) {
  registry.add("Resize", convertResize);
  registry.add("Upsample", convertResize);
}
