//===- ResizeOps.cpp - Import ONNX Resize and Upsample --------------------===//
//
// Interpolation is separable: each resized axis becomes gathers of the
// input at constant source indices, weighted by constant coefficients and
// summed (1 tap for nearest, 2 for linear, 4 for cubic). Indices and
// weights follow ONNX's coordinate transformation and rounding rules and
// are computed at import; out-of-range neighbors repeat the edge element.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

struct ResizeAttrs {
  std::string mode, transform, nearestMode;
  double cubicA = -0.75;
  bool excludeOutside = false;
};

/// Source coordinate of output index `x` along an axis.
double sourceCoordinate(const ResizeAttrs &attrs, int64_t x, double scale,
                        int64_t lengthIn, int64_t lengthOut) {
  const std::string &t = attrs.transform;
  if (t == "asymmetric")
    return x / scale;
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
                 int64_t lengthOut, double scale) {
  RankedTensorType type = c.typeOf(x);
  int64_t lengthIn = type.getDimSize(axis);
  Type element = type.getElementType();
  int64_t taps = attrs.mode == "nearest" ? 1 : attrs.mode == "linear" ? 2 : 4;
  // indices[tap][o], weights[tap][o]
  SmallVector<SmallVector<int64_t>> indices(taps);
  SmallVector<SmallVector<double>> weights(taps);
  for (int64_t o = 0; o < lengthOut; ++o) {
    double source = sourceCoordinate(attrs, o, scale, lengthIn, lengthOut);
    auto clampIndex = [&](int64_t i) {
      return std::clamp<int64_t>(i, 0, lengthIn - 1);
    };
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
    if (taps > 1) {
      SmallVector<Attribute> w;
      for (double v : weights[k])
        w.push_back(c.b.getFloatAttr(element, v));
      Value weight = ConstantOp::create(
          c.b, c.loc,
          DenseElementsAttr::get(RankedTensorType::get(weightShape, element),
                                 w));
      tap = c.binary<MulOp>(tap, weight);
    }
    result = result ? c.binary<AddOp>(result, tap) : tap;
  }
  return result;
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
  if (attrs.transform == "tf_crop_and_resize")
    return ctx.emitError("tf_crop_and_resize is not supported yet");

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
    FailureOr<SmallVector<double>> s = getConstantFloats(ctx, scalesIndex);
    if (failed(s))
      return failure();
    scales = *s;
  }
  if (scales.empty() && sizes.empty())
    return ctx.emitError("needs scales or sizes");
  if (static_cast<int64_t>(std::max(scales.size(), sizes.size())) != rank)
    return ctx.emitError("scales or sizes need one entry per dimension");

  Composer c(ctx);
  Value x = ctx.getInput(0);
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t lengthIn = type->getDimSize(axis);
    double scale;
    int64_t lengthOut;
    if (!sizes.empty()) {
      lengthOut = sizes[axis];
      scale = lengthIn ? double(lengthOut) / lengthIn : 1;
    } else {
      scale = scales[axis];
      lengthOut = static_cast<int64_t>(std::floor(lengthIn * scale));
    }
    if (!(scale > 0) || lengthOut < 1 || lengthOut > (1 << 24))
      return ctx.emitError("invalid scale or size for dimension " +
                           Twine(axis));
    if (lengthOut == lengthIn && scale == 1)
      continue;
    x = resizeAxis(c, attrs, x, axis, lengthOut, scale);
  }
  ctx.setOutput(0, x);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerResizeOps(OpRegistry &registry) {
  registry.add("Resize", convertResize);
  registry.add("Upsample", convertResize);
}
