//===- DetectionOps.cpp - Import ONNX NonMaxSuppression -------------------===//
//
// NonMaxSuppression selects a number of boxes that depends on the scores:
// the model declares how many rows its output holds, edge.non_max_suppression
// fills that many from the run's data and counts what it selects, and the
// run checks that the count is the declared number.
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
  auto type = dyn_cast<RankedTensorType>(ctx.getInput(index).getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
      type.getElementType() != element)
    return ctx.emitError(what + " must be one ")
           << element << " value";
  return c.reshape(ctx.getInput(index), {});
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

} // namespace

void mlir::edge::onnx_import::registerDetectionOps(OpRegistry &registry) {
  registry.add("NonMaxSuppression", convertNonMaxSuppression);
}
