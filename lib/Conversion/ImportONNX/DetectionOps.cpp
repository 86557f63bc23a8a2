//===- DetectionOps.cpp - Import ONNX NonMaxSuppression and RoiAlign ------===//
//
// NonMaxSuppression selects a number of boxes that depends on the scores:
// the model declares how many rows its output holds, edge.non_max_suppression
// fills that many from the run's data and counts what it selects, and the
// run checks that the count is the declared number.
//
// RoiAlign samples each region of interest (read at run time) on a regular
// grid: the sample coordinates are computed per region, the four
// neighbours of every sample are gathered from the feature map viewed as
// [batch * height * width, channels], and their bilinear blend is averaged
// (or maxed) over each output bin's samples.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <limits>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Optional one-element input `index` as a 0-d tensor of `element` (the
/// integer or float type ONNX gives it), or `fallback` when absent.
FailureOr<Value> getScalarOperand(NodeContext &ctx, Composer &c,
                                  unsigned index, Type element,
                                  Attribute fallback, StringRef what) {
  auto scalar = RankedTensorType::get({}, element);
  if (!ctx.hasInput(index))
    return c.splat(scalar, fallback);
  std::string message;
  llvm::raw_string_ostream(message) << what << " must be one " << element
                                    << " value";
  return c.scalarInput(
      index, [&](Type t) { return t == element; }, message);
}

/// NonMaxSuppression(boxes, scores[, max_output_boxes_per_class,
/// iou_threshold, score_threshold]) -> int64 [selected, 3].
LogicalResult convertNonMaxSuppression(NodeContext &ctx) {
  FailureOr<RankedTensorType> boxes = ctx.getInputType(0);
  FailureOr<RankedTensorType> scores = ctx.getInputType(1);
  if (failed(boxes) || failed(scores))
    return failure();
  Composer c(ctx);
  Type f32 = c.b.getF32Type(), i64 = c.b.getI64Type();
  if (!boxes->getElementType().isF32() || !scores->getElementType().isF32())
    return ctx.emitError("boxes and scores must be float32");
  if (boxes->getRank() != 3 || boxes->getDimSize(2) != 4)
    return ctx.emitError("boxes must be [batch, boxes, 4], not ") << *boxes;
  if (scores->getRank() != 3 ||
      scores->getDimSize(0) != boxes->getDimSize(0) ||
      scores->getDimSize(2) != boxes->getDimSize(1))
    return ctx.emitError("scores must be [batch, classes, boxes] for boxes ")
           << *boxes << ", not " << *scores;
  int64_t centerPointBox = ctx.getInt("center_point_box", 0);
  if (centerPointBox != 0 && centerPointBox != 1)
    return ctx.emitError("center_point_box must be 0 or 1");

  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  if (!declared)
    return ctx.emitError(
        "the number of selected boxes depends on the scores: the model must "
        "declare the output's shape [selected, 3], which each run checks");
  if (declared.getRank() != 2 || declared.getDimSize(1) != 3 ||
      !declared.getElementType().isInteger(64))
    return ctx.emitError("the model declares the output as ")
           << declared << ", not int64 [selected, 3]";

  FailureOr<Value> maxPerClass = getScalarOperand(
      ctx, c, 2, i64, c.b.getI64IntegerAttr(0), "max_output_boxes_per_class");
  FailureOr<Value> iouThreshold = getScalarOperand(
      ctx, c, 3, f32, c.b.getF32FloatAttr(0), "iou_threshold");
  // Without a score threshold every box is a candidate.
  FailureOr<Value> scoreThreshold = getScalarOperand(
      ctx, c, 4, f32,
      c.b.getF32FloatAttr(-std::numeric_limits<float>::infinity()),
      "score_threshold");
  if (failed(maxPerClass) || failed(iouThreshold) || failed(scoreThreshold))
    return failure();
  auto nms = NonMaxSuppressionOp::create(
      c.b, c.loc, TypeRange{declared, RankedTensorType::get({}, i64)},
      ctx.getInput(0), ctx.getInput(1), *maxPerClass, *iouThreshold,
      *scoreThreshold, c.b.getBoolAttr(centerPointBox == 1));
  ctx.setOutput(0, c.checkSizes(nms.getSelected(),
                                c.reshape(nms.getCount(), {1}),
                                {declared.getDimSize(0)}, "boxes it selects"));
  return success();
}

/// One axis of RoiAlign's samples: for each region and sample along the
/// axis, the lower and upper neighbour (int64) and the weights of each,
/// zero for samples outside [-1, size].
struct SampleAxis {
  Value low, high, lowWeight, highWeight;
};

/// The samples along one axis of `size` for regions starting at `start`
/// with bins of `bin` ([regions, 1] each): sample s of bin b sits at
/// start + (b + (s + 0.5) / grid) * bin.
SampleAxis sampleAxis(Composer &c, Value start, Value bin, int64_t bins,
                      int64_t grid, int64_t size) {
  Type element = c.typeOf(start).getElementType();
  int64_t samples = bins * grid;
  SmallVector<Attribute> fractions;
  for (int64_t b = 0; b < bins; ++b)
    for (int64_t s = 0; s < grid; ++s)
      fractions.push_back(c.b.getFloatAttr(element, b + (s + 0.5) / grid));
  Value offsets = ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(RankedTensorType::get({1, samples}, element),
                             fractions));
  Value at = c.binary<AddOp>(start, c.binary<MulOp>(offsets, bin));
  Value inside = c.binary<AndOp>(
      c.compare<GreaterEqualOp>(at, c.scalar(element, -1)),
      c.compare<LessEqualOp>(at, c.scalar(element, size)));
  at = c.binary<MaxOp>(at, c.scalar(element, 0));
  // Past the last row both neighbours are the last row.
  Value last = c.scalar(element, size - 1);
  Value atEnd = c.compare<GreaterEqualOp>(c.unary<FloorOp>(at), last);
  Value low = c.select(atEnd, last, c.unary<FloorOp>(at));
  Value high = c.select(atEnd, last, c.binary<AddOp>(low, c.scalar(element, 1)));
  at = c.select(atEnd, last, at);
  Value zero = c.scalar(element, 0);
  Value highWeight = c.select(inside, c.binary<SubOp>(at, low), zero);
  Value lowWeight = c.select(
      inside, c.binary<SubOp>(c.scalar(element, 1), c.binary<SubOp>(at, low)),
      zero);
  auto toI64 = [&](Value v) {
    return CastOp::create(c.b, c.loc, c.typeOf(v).clone(c.b.getI64Type()), v);
  };
  return {toI64(low), toI64(high), lowWeight, highWeight};
}

/// RoiAlign(X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2), batch_indices [R])
/// -> [R, C, output_height, output_width].
LogicalResult convertRoiAlign(NodeContext &ctx) {
  FailureOr<RankedTensorType> x = ctx.getFloatInputType(0);
  FailureOr<RankedTensorType> rois = ctx.getInputType(1);
  FailureOr<RankedTensorType> batchIndices = ctx.getInputType(2);
  if (failed(x) || failed(rois) || failed(batchIndices))
    return failure();
  if (x->getRank() != 4)
    return ctx.emitError("X must be [batch, channels, height, width]");
  int64_t regions = rois->getDimSize(0);
  if (rois->getShape() != ArrayRef<int64_t>{regions, 4} ||
      rois->getElementType() != x->getElementType())
    return ctx.emitError("rois must be [regions, 4] of X's element type");
  if (batchIndices->getShape() != ArrayRef<int64_t>{regions} ||
      !batchIndices->getElementType().isInteger(64))
    return ctx.emitError("batch_indices must be " + Twine(regions) +
                         " int64 values");
  std::string mode = ctx.getString("mode", "avg");
  if (mode != "avg" && mode != "max")
    return ctx.emitError("mode '" + mode + "' is not valid");
  std::string transform =
      ctx.getString("coordinate_transformation_mode", "half_pixel");
  if (transform != "half_pixel" && transform != "output_half_pixel")
    return ctx.emitError("coordinate_transformation_mode '" + transform +
                         "' is not valid");
  int64_t outH = ctx.getInt("output_height", 1);
  int64_t outW = ctx.getInt("output_width", 1);
  int64_t grid = ctx.getInt("sampling_ratio", 0);
  if (outH < 1 || outW < 1 || grid < 0)
    return ctx.emitError("output sizes must be positive and sampling_ratio "
                         "non-negative");
  if (grid == 0)
    return ctx.emitError("sampling_ratio = 0 takes as many samples as each "
                         "region's size, which is read at run time: give a "
                         "positive sampling_ratio");
  float scale = ctx.getFloat("spatial_scale", 1.0f);

  Composer c(ctx);
  Type element = x->getElementType();
  int64_t batch = x->getDimSize(0), channels = x->getDimSize(1),
          height = x->getDimSize(2), width = x->getDimSize(3);
  bool halfPixel = transform == "half_pixel";
  // Region corners in feature-map coordinates, [R, 1] each.
  auto corner = [&](int64_t k) {
    Value v = c.reshape(c.sliceAxis(ctx.getInput(1), 1, k, 1), {regions, 1});
    v = c.binary<MulOp>(v, c.scalar(element, scale));
    return halfPixel ? c.binary<SubOp>(v, c.scalar(element, 0.5)) : v;
  };
  Value x1 = corner(0), y1 = corner(1), x2 = corner(2), y2 = corner(3);
  Value regionW = c.binary<SubOp>(x2, x1), regionH = c.binary<SubOp>(y2, y1);
  // The legacy mode makes every region at least one pixel.
  if (!halfPixel) {
    regionW = c.binary<MaxOp>(regionW, c.scalar(element, 1));
    regionH = c.binary<MaxOp>(regionH, c.scalar(element, 1));
  }
  SampleAxis ys = sampleAxis(c, y1, c.binary<DivOp>(regionH, c.scalar(element, outH)),
                             outH, grid, height);
  SampleAxis xs = sampleAxis(c, x1, c.binary<DivOp>(regionW, c.scalar(element, outW)),
                             outW, grid, width);
  int64_t samplesH = outH * grid, samplesW = outW * grid;

  // The feature map as rows of channels, and each neighbour's row.
  Value features = c.reshape(c.transpose(ctx.getInput(0), {0, 2, 3, 1}),
                             {batch * height * width, channels});
  Type i64 = c.b.getI64Type();
  auto i64Scalar = [&](int64_t v) {
    return c.splat(RankedTensorType::get({}, i64), c.b.getI64IntegerAttr(v));
  };
  Value planes = c.binary<MulOp>(
      c.reshape(ctx.getInput(2), {regions, 1, 1}), i64Scalar(height * width));
  auto gather = [&](Value row, Value column) {
    Value index = c.binary<AddOp>(
        planes,
        c.binary<AddOp>(
            c.binary<MulOp>(c.reshape(row, {regions, samplesH, 1}),
                            i64Scalar(width)),
            c.reshape(column, {regions, 1, samplesW})));
    return GatherOp::create(
        c.b, c.loc,
        RankedTensorType::get({regions, samplesH, samplesW, channels}, element),
        features, index, c.b.getI64IntegerAttr(0));
  };
  auto weight = [&](Value wy, Value wx) {
    return c.binary<MulOp>(c.reshape(wy, {regions, samplesH, 1, 1}),
                           c.reshape(wx, {regions, 1, samplesW, 1}));
  };
  Value terms[] = {
      c.binary<MulOp>(weight(ys.lowWeight, xs.lowWeight), gather(ys.low, xs.low)),
      c.binary<MulOp>(weight(ys.lowWeight, xs.highWeight), gather(ys.low, xs.high)),
      c.binary<MulOp>(weight(ys.highWeight, xs.lowWeight), gather(ys.high, xs.low)),
      c.binary<MulOp>(weight(ys.highWeight, xs.highWeight),
                      gather(ys.high, xs.high))};
  Value samples;
  // Max mode takes the largest weighted neighbour of each sample, as the
  // ONNX reference does.
  for (Value term : terms)
    samples = !samples ? term
              : mode == "avg" ? c.binary<AddOp>(samples, term)
                              : c.binary<MaxOp>(samples, term);
  Value bins =
      c.reshape(samples, {regions, outH, grid, outW, grid, channels});
  Value pooled =
      mode == "avg"
          ? c.binary<DivOp>(
                c.reduce<ReduceSumOp>(bins, {2, 4}, /*keepDims=*/false),
                c.scalar(element, grid * grid))
          : c.reduce<ReduceMaxOp>(bins, {2, 4}, /*keepDims=*/false);
  ctx.setOutput(0, c.transpose(pooled, {0, 3, 1, 2}));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerDetectionOps(OpRegistry &registry) {
  registry.add("NonMaxSuppression", convertNonMaxSuppression);
  registry.add("RoiAlign", convertRoiAlign);
}
