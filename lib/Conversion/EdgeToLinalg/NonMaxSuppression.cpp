//===- NonMaxSuppression.cpp - Lower edge.non_max_suppression -------------===//
//
// Greedy selection is sequential: each box selected suppresses the boxes
// that overlap it before the next is chosen. The lowering is scalar loops
// over tensors (scf.for with tensor iter_args, bufferized in place), for
// each batch entry and class:
//
//   removed = all false, taken = 0
//   repeat up to `boxes` times, while the last round selected a box:
//     best = the highest score above score_threshold among boxes not
//            removed (the first of equal scores), or none
//     if best and taken < max_output_boxes_per_class:
//       append [batch, class, best] (while capacity lasts), count it,
//       remove best and every box whose IoU with it exceeds iou_threshold
//
// The search is a pass over the boxes, so a class costs O(selected x boxes)
// and stops after its last selection.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Scalar helpers for the loop bodies.
struct Scalar {
  OpBuilder &b;
  Location loc;

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value i64(int64_t value) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), value);
  }
  Value f32(float value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }
  Value toI64(Value indexValue) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), indexValue);
  }
  Value toIndex(Value i64Value) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i64Value);
  }
  Value cmpf(arith::CmpFPredicate predicate, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, predicate, x, y);
  }
  Value cmpi(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value notI(Value x) {
    return arith::XOrIOp::create(
        b, loc, x, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
  }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value minf(Value x, Value y) {
    return arith::MinimumFOp::create(b, loc, x, y);
  }
  Value maxf(Value x, Value y) {
    return arith::MaximumFOp::create(b, loc, x, y);
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value extract(Value tensor, ValueRange indices) {
    return tensor::ExtractOp::create(b, loc, tensor, indices);
  }
  Value insert(Value scalar, Value tensor, ValueRange indices) {
    return tensor::InsertOp::create(b, loc, scalar, tensor, indices);
  }
};

/// A box as ordered corners.
struct Box {
  Value y1, x1, y2, x2;
};

/// Box `box` of batch entry `batch` (indices), ordered so that y1 <= y2
/// and x1 <= x2.
Box loadBox(Scalar &s, Value boxes, Value batch, Value box, bool centered) {
  SmallVector<Value> c;
  for (int64_t k = 0; k < 4; ++k)
    c.push_back(s.extract(boxes, {batch, box, s.index(k)}));
  if (centered) {
    // [x_center, y_center, width, height].
    Value half = s.f32(0.5f);
    Value halfWidth = s.mulf(c[2], half), halfHeight = s.mulf(c[3], half);
    return {s.subf(c[1], halfHeight), s.subf(c[0], halfWidth),
            s.addf(c[1], halfHeight), s.addf(c[0], halfWidth)};
  }
  return {s.minf(c[0], c[2]), s.minf(c[1], c[3]), s.maxf(c[0], c[2]),
          s.maxf(c[1], c[3])};
}

/// Whether the intersection over union of `a` and `b` exceeds `threshold`;
/// boxes without area overlap nothing.
Value overlapsBeyond(Scalar &s, const Box &a, const Box &b, Value threshold) {
  Value zero = s.f32(0);
  Value height = s.maxf(s.subf(s.minf(a.y2, b.y2), s.maxf(a.y1, b.y1)), zero);
  Value width = s.maxf(s.subf(s.minf(a.x2, b.x2), s.maxf(a.x1, b.x1)), zero);
  Value intersection = s.mulf(height, width);
  Value areaA = s.mulf(s.subf(a.y2, a.y1), s.subf(a.x2, a.x1));
  Value areaB = s.mulf(s.subf(b.y2, b.y1), s.subf(b.x2, b.x1));
  Value unionArea = s.subf(s.addf(areaA, areaB), intersection);
  Value valid = s.andI(
      s.andI(s.cmpf(arith::CmpFPredicate::OGT, areaA, zero),
             s.cmpf(arith::CmpFPredicate::OGT, areaB, zero)),
      s.cmpf(arith::CmpFPredicate::OGT, intersection, zero));
  Value iou = s.select(valid, s.divf(intersection, unionArea), zero);
  return s.cmpf(arith::CmpFPredicate::OGT, iou, threshold);
}

struct NonMaxSuppressionLowering
    : OpConversionPattern<NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NonMaxSuppressionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Scalar s{rewriter, loc};
    auto boxesType = cast<RankedTensorType>(op.getBoxes().getType());
    auto scoresType = cast<RankedTensorType>(op.getScores().getType());
    auto selectedType = cast<RankedTensorType>(op.getSelected().getType());
    int64_t numBoxes = boxesType.getDimSize(1);
    int64_t capacity = selectedType.getDimSize(0);
    bool centered = op.getCenterPointBox();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    Value maxPerClass = s.extract(adaptor.getMaxOutputBoxesPerClass(), {});
    Value iouThreshold = s.extract(adaptor.getIouThreshold(), {});
    Value scoreThreshold = s.extract(adaptor.getScoreThreshold(), {});
    Value noneSelected = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(selectedType, rewriter.getI64IntegerAttr(-1)));
    auto removedType = RankedTensorType::get({numBoxes}, rewriter.getI1Type());

    auto perBatch = scf::ForOp::create(
        rewriter, loc, s.index(0), s.index(boxesType.getDimSize(0)),
        s.index(1), ValueRange{noneSelected, s.i64(0)},
        [&](OpBuilder &b, Location loc, Value batch, ValueRange outer) {
          Scalar in{b, loc};
          auto perClass = scf::ForOp::create(
              b, loc, in.index(0), in.index(scoresType.getDimSize(1)),
              in.index(1), outer,
              [&](OpBuilder &b, Location loc, Value cls, ValueRange state) {
                SmallVector<Value> results = selectForClass(
                    b, loc, boxes, scores, batch, cls, state, maxPerClass,
                    iouThreshold, scoreThreshold, removedType, capacity,
                    centered);
                scf::YieldOp::create(b, loc, results);
              });
          scf::YieldOp::create(b, loc, perClass.getResults());
        });
    Value count = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, rewriter.getI64Type()),
        ValueRange{perBatch.getResult(1)});
    rewriter.replaceOp(op, {perBatch.getResult(0), count});
    return success();
  }

  /// The selection for one class: (selected, count) after it.
  static SmallVector<Value>
  selectForClass(OpBuilder &b, Location loc, Value boxes, Value scores,
                 Value batch, Value cls, ValueRange state, Value maxPerClass,
                 Value iouThreshold, Value scoreThreshold,
                 RankedTensorType removedType, int64_t capacity,
                 bool centered) {
    Scalar s{b, loc};
    int64_t numBoxes = removedType.getDimSize(0);
    Value noneRemoved = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(removedType, false));
    Value trueValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
    // Rounds: (removed, selected, count, taken, active).
    auto rounds = scf::ForOp::create(
        b, loc, s.index(0), s.index(numBoxes), s.index(1),
        ValueRange{noneRemoved, state[0], state[1], s.i64(0), trueValue},
        [&](OpBuilder &b, Location loc, Value, ValueRange round) {
          auto active = scf::IfOp::create(
              b, loc, round[4],
              [&](OpBuilder &b, Location loc) {
                SmallVector<Value> next = selectOne(
                    b, loc, boxes, scores, batch, cls, round, maxPerClass,
                    iouThreshold, scoreThreshold, capacity, centered);
                scf::YieldOp::create(b, loc, next);
              },
              [&](OpBuilder &b, Location loc) {
                scf::YieldOp::create(b, loc, round);
              });
          scf::YieldOp::create(b, loc, active.getResults());
        });
    return {rounds.getResult(1), rounds.getResult(2)};
  }

  /// One round: finds the best remaining box and, when one may be taken,
  /// appends it and removes the boxes it suppresses.
  static SmallVector<Value>
  selectOne(OpBuilder &b, Location loc, Value boxes, Value scores,
            Value batch, Value cls, ValueRange round, Value maxPerClass,
            Value iouThreshold, Value scoreThreshold, int64_t capacity,
            bool centered) {
    Scalar s{b, loc};
    Value removed = round[0];
    int64_t numBoxes = cast<RankedTensorType>(removed.getType()).getDimSize(0);
    // The first box of the highest score above the threshold.
    auto search = scf::ForOp::create(
        b, loc, s.index(0), s.index(numBoxes), s.index(1),
        ValueRange{s.i64(-1), scoreThreshold},
        [&](OpBuilder &b, Location loc, Value box, ValueRange best) {
          Scalar in{b, loc};
          Value score = in.extract(scores, {batch, cls, box});
          Value better =
              in.andI(in.notI(in.extract(removed, {box})),
                      in.cmpf(arith::CmpFPredicate::OGT, score, best[1]));
          scf::YieldOp::create(
              b, loc,
              ValueRange{in.select(better, in.toI64(box), best[0]),
                         in.select(better, score, best[1])});
        });
    Value best = search.getResult(0);
    Value found =
        s.andI(s.cmpi(arith::CmpIPredicate::sge, best, s.i64(0)),
               s.cmpi(arith::CmpIPredicate::slt, round[3], maxPerClass));
    auto take = scf::IfOp::create(
        b, loc, found,
        [&](OpBuilder &b, Location loc) {
          Scalar in{b, loc};
          Value bestIndex = in.toIndex(best);
          Value selected = round[1], count = round[2];
          // Rows past the capacity are only counted.
          auto append = scf::IfOp::create(
              b, loc, in.cmpi(arith::CmpIPredicate::slt, count, in.i64(capacity)),
              [&](OpBuilder &b, Location loc) {
                Scalar row{b, loc};
                Value at = row.toIndex(count);
                Value filled = selected;
                Value entries[] = {row.toI64(batch), row.toI64(cls), best};
                for (auto [k, entry] : llvm::enumerate(entries))
                  filled = row.insert(entry, filled, {at, row.index(k)});
                scf::YieldOp::create(b, loc, filled);
              },
              [&](OpBuilder &b, Location loc) {
                scf::YieldOp::create(b, loc, selected);
              });
          Box chosen = loadBox(in, boxes, batch, bestIndex, centered);
          Value trueValue =
              arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
          Value marked = in.insert(trueValue, removed, {bestIndex});
          auto suppress = scf::ForOp::create(
              b, loc, in.index(0), in.index(numBoxes), in.index(1),
              ValueRange{marked},
              [&](OpBuilder &b, Location loc, Value box, ValueRange current) {
                Scalar inner{b, loc};
                Box other = loadBox(inner, boxes, batch, box, centered);
                Value gone =
                    inner.orI(inner.extract(current[0], {box}),
                              overlapsBeyond(inner, chosen, other, iouThreshold));
                scf::YieldOp::create(
                    b, loc, inner.insert(gone, current[0], {box}));
              });
          scf::YieldOp::create(
              b, loc,
              ValueRange{suppress.getResult(0), append.getResult(0),
                         in.addi(count, in.i64(1)),
                         in.addi(round[3], in.i64(1)), trueValue});
        },
        [&](OpBuilder &b, Location loc) {
          Value falseValue =
              arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
          scf::YieldOp::create(b, loc,
                               ValueRange{round[0], round[1], round[2],
                                          round[3], falseValue});
        });
    return SmallVector<Value>(take.getResults());
  }
};

} // namespace

void mlir::edge::populateNonMaxSuppressionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<NonMaxSuppressionLowering>(patterns.getContext());
}
