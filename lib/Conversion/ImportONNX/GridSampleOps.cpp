//===- GridSampleOps.cpp - Import ONNX GridSample -------------------------===//
//
// GridSample reads the input at positions given by a run-time grid. The
// grid is unnormalized to pixel coordinates, padded (border clamps,
// reflection mirrors) and interpolated from taps: each tap is a GatherND of
// every channel at one (y, x) per output position, weighted and masked to
// zero outside the image. Follows the ONNX reference (PyTorch's semantics).
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

class GridSampler {
public:
  GridSampler(NodeContext &ctx, Composer &c, Value input, bool alignCorners,
              StringRef padding)
      : ctx(ctx), c(c), alignCorners(alignCorners), padding(padding) {
    RankedTensorType type = c.typeOf(input);
    element = type.getElementType();
    height = type.getDimSize(2);
    width = type.getDimSize(3);
    // [N, H, W, C]: a tap gathers all channels of one pixel.
    channelsLast = c.transpose(input, {0, 2, 3, 1});
  }

  Value scalar(double v) { return c.scalar(element, v); }

  /// Grid values in [-1, 1] to pixel coordinates along an axis of `size`.
  Value unnormalize(Value g, int64_t size) {
    Value one = scalar(1);
    if (alignCorners)
      return c.binary<MulOp>(c.binary<AddOp>(g, one), scalar((size - 1) / 2.0));
    return c.binary<DivOp>(
        c.binary<SubOp>(c.binary<MulOp>(c.binary<AddOp>(g, one), scalar(size)),
                        one),
        scalar(2));
  }

  /// Mirrors `x` into [twiceLow / 2, twiceHigh / 2].
  Value reflect(Value x, double twiceLow, double twiceHigh) {
    if (twiceLow == twiceHigh)
      return c.binary<MulOp>(x, scalar(0));
    double low = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
    Value distance = c.unary<AbsOp>(c.binary<SubOp>(x, scalar(low)));
    Value extra = c.binary<RemOp>(distance, scalar(span));
    Value flips = c.unary<FloorOp>(c.binary<DivOp>(distance, scalar(span)));
    Value even = c.compare<EqualOp>(c.binary<RemOp>(flips, scalar(2)), scalar(0));
    return c.select(even, c.binary<AddOp>(extra, scalar(low)),
                    c.binary<AddOp>(c.binary<SubOp>(scalar(span), extra),
                                    scalar(low)));
  }

  Value clip(Value x, int64_t size) {
    return ClipOp::create(c.b, c.loc, x, scalar(0), scalar(size - 1));
  }

  /// The padding mode applied to a coordinate along an axis of `size`.
  Value pad(Value x, int64_t size) {
    if (padding == "border")
      return clip(x, size);
    if (padding == "reflection") {
      x = alignCorners ? reflect(x, 0, 2.0 * (size - 1))
                       : reflect(x, -1, 2.0 * size - 1);
      return clip(x, size);
    }
    return x;
  }

  /// weight * input[y, x] for integer-valued coordinates, zero outside.
  Value tap(Value y, Value x, Value weight) {
    auto inside = [&](Value v, int64_t size) {
      return c.binary<AndOp>(c.compare<GreaterEqualOp>(v, scalar(0)),
                             c.compare<LessEqualOp>(v, scalar(size - 1)));
    };
    Value valid = c.binary<AndOp>(inside(y, height), inside(x, width));
    RankedTensorType coordType = c.typeOf(y);
    auto index = [&](Value v, int64_t size) {
      Value clamped = clip(v, size);
      SmallVector<int64_t> shape(coordType.getShape());
      shape.push_back(1);
      return c.reshape(CastOp::create(c.b, c.loc,
                                      coordType.clone(c.b.getI64Type()),
                                      clamped),
                       shape);
    };
    Value indices = c.concat({index(y, height), index(x, width)},
                             coordType.getRank());
    RankedTensorType layout = c.typeOf(channelsLast);
    SmallVector<int64_t> gatheredShape(coordType.getShape());
    gatheredShape.push_back(layout.getDimSize(3));
    Value pixels = GatherNDOp::create(c.b, c.loc, layout.clone(gatheredShape),
                                      channelsLast, indices,
                                      c.b.getI64IntegerAttr(1));
    Value scale = c.select(valid, weight, scalar(0));
    SmallVector<int64_t> scaleShape(coordType.getShape());
    scaleShape.push_back(1);
    return c.binary<MulOp>(pixels, c.reshape(scale, scaleShape));
  }

  Value accumulate(Value sum, Value term) {
    return sum ? c.binary<AddOp>(sum, term) : term;
  }

  static Value cubicNear(GridSampler &s, Value t) {
    // ((A + 2) t - (A + 3)) t^2 + 1 for |t| <= 1.
    Composer &c = s.c;
    Value t2 = c.binary<MulOp>(t, t);
    return c.binary<AddOp>(
        c.binary<MulOp>(c.binary<SubOp>(c.binary<MulOp>(s.scalar(kA + 2), t),
                                        s.scalar(kA + 3)),
                        t2),
        s.scalar(1));
  }
  static Value cubicFar(GridSampler &s, Value t) {
    // ((A t - 5A) t + 8A) t - 4A for 1 < |t| < 2.
    Composer &c = s.c;
    Value inner = c.binary<SubOp>(c.binary<MulOp>(s.scalar(kA), t),
                                  s.scalar(5 * kA));
    Value middle =
        c.binary<AddOp>(c.binary<MulOp>(inner, t), s.scalar(8 * kA));
    return c.binary<SubOp>(c.binary<MulOp>(middle, t), s.scalar(4 * kA));
  }

  FailureOr<Value> sample(Value gx, Value gy, StringRef mode) {
    Value x = unnormalize(gx, width), y = unnormalize(gy, height);
    if (mode == "nearest") {
      x = c.unary<RoundOp>(pad(x, width));
      y = c.unary<RoundOp>(pad(y, height));
      return tap(y, x, c.binary<AddOp>(c.binary<MulOp>(x, scalar(0)),
                                       scalar(1)));
    }
    if (mode == "bilinear" || mode == "linear") {
      x = pad(x, width);
      y = pad(y, height);
      Value x0 = c.unary<FloorOp>(x), y0 = c.unary<FloorOp>(y);
      Value x1 = c.binary<AddOp>(x0, scalar(1));
      Value y1 = c.binary<AddOp>(y0, scalar(1));
      Value wx1 = c.binary<SubOp>(x, x0), wy1 = c.binary<SubOp>(y, y0);
      Value wx0 = c.binary<SubOp>(scalar(1), wx1);
      Value wy0 = c.binary<SubOp>(scalar(1), wy1);
      Value sum;
      sum = accumulate(sum, tap(y0, x0, c.binary<MulOp>(wy0, wx0)));
      sum = accumulate(sum, tap(y0, x1, c.binary<MulOp>(wy0, wx1)));
      sum = accumulate(sum, tap(y1, x0, c.binary<MulOp>(wy1, wx0)));
      sum = accumulate(sum, tap(y1, x1, c.binary<MulOp>(wy1, wx1)));
      return sum;
    }
    if (mode == "bicubic" || mode == "cubic") {
      // Taps at floor - 1 .. floor + 2; each tap coordinate is padded.
      Value x0 = c.unary<FloorOp>(x), y0 = c.unary<FloorOp>(y);
      Value tx = c.binary<SubOp>(x, x0), ty = c.binary<SubOp>(y, y0);
      auto weights = [&](Value t) {
        return SmallVector<Value>{
            cubicFar(*this, c.binary<AddOp>(t, scalar(1))), cubicNear(*this, t),
            cubicNear(*this, c.binary<SubOp>(scalar(1), t)),
            cubicFar(*this, c.binary<SubOp>(scalar(2), t))};
      };
      SmallVector<Value> wx = weights(tx), wy = weights(ty);
      auto coordinate = [&](Value base, int64_t offset, int64_t size) {
        Value v = c.binary<AddOp>(base, scalar(offset));
        return padding == "zeros" ? v : c.unary<FloorOp>(pad(v, size));
      };
      Value sum;
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t i = 0; i < 4; ++i)
          sum = accumulate(
              sum, tap(coordinate(y0, j - 1, height),
                       coordinate(x0, i - 1, width),
                       c.binary<MulOp>(wy[j], wx[i])));
      return sum;
    }
    return ctx.emitError("mode '" + mode + "' is not supported");
  }

private:
  static constexpr double kA = -0.75;

  NodeContext &ctx;
  Composer &c;
  bool alignCorners;
  std::string padding;
  Type element;
  int64_t height = 0, width = 0;
  Value channelsLast;
};

LogicalResult convertGridSample(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  FailureOr<RankedTensorType> grid = ctx.getInputType(1);
  if (failed(input) || failed(grid))
    return failure();
  if (input->getRank() != 4 || grid->getRank() != 4 ||
      grid->getDimSize(3) != 2 || grid->getDimSize(0) != input->getDimSize(0))
    return ctx.emitError("needs a 4-D input [N, C, H, W] and a grid "
                         "[N, H_out, W_out, 2] (only 2-D sampling is "
                         "supported)");
  Type element = input->getElementType();
  if (!isa<FloatType>(element) || grid->getElementType() != element)
    return ctx.emitError("input and grid must have the same float type");
  std::string padding = ctx.getString("padding_mode", "zeros");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return ctx.emitError("padding_mode '" + padding + "' is not valid");
  Composer c(ctx);
  GridSampler sampler(ctx, c, ctx.getInput(0), ctx.getInt("align_corners", 0),
                      padding);
  SmallVector<int64_t> coordShape(grid->getShape().drop_back());
  Value gx = c.reshape(c.sliceAxis(ctx.getInput(1), 3, 0, 1), coordShape);
  Value gy = c.reshape(c.sliceAxis(ctx.getInput(1), 3, 1, 1), coordShape);
  FailureOr<Value> sampled =
      sampler.sample(gx, gy, ctx.getString("mode", "bilinear"));
  if (failed(sampled))
    return failure();
  ctx.setOutput(0, c.transpose(*sampled, {0, 3, 1, 2}));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerGridSampleOps(OpRegistry &registry) {
  registry.add("GridSample", convertGridSample);
}
