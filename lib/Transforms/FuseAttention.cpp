//===- FuseAttention.cpp - Attention as one kernel over the keys ----------===//
//
// Finds scaled dot-product attention among edge ops,
//
//   softmax(Q @ K'^T / c + mask) @ V'      (or * c, or no scale or mask)
//
// with Q [B, H, S, D], K' and V' [B, H, T, D|Dv] either the keys and values
// themselves or their heads repeated g times for grouped-query attention
// (K [B, H/g, T, D] reshaped, broadcast and reshaped back), and replaces it
// with one CPU kernel: an scf.forall over the query rows (b, h, s), each
// walking the keys of head h / g in tiles of `key-tile` with an online
// softmax (the running maximum and sum rescale the accumulated row):
//
//   for each tile:  s_j = (q . k_j) / c + mask_j            (vector of scores)
//                   m' = max(m, max_j s_j);  p = exp(s - m')
//                   l = l * exp(m - m') + sum p;  acc = acc * exp(m - m')
//                   acc += sum_j p_j v_j;  m = m'
//   out = acc / l
//
// A tile's keys are unrolled: each key's products with the query are
// folded into one vector of the tile's width (the target's f32 lanes), and
// the tile's folds are halved pairwise with shuffles into one vector of
// scores, never a horizontal reduction per score. The last, partial tile
// reads its last key again in the lanes past the end, which get -inf.
// No score matrix is written beyond one tile's scores in registers, and
// the repeated keys and values of grouped-query attention are never built:
// the kernel reads the cache's heads directly. Runs on edge ops (fusion
// groups inlined) before their lowering, for CPU code only.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEATTENTIONPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
/// The parts of one attention.
struct Attention {
  Value query, keys, values, mask;
  /// The scale's constant and whether the scores are divided by it.
  std::optional<APFloat> scale;
  bool divide = false;
  /// Query heads per key head (grouped-query attention).
  int64_t group = 1;
  /// Ops that read the shape of the scores or the probabilities, and the
  /// product of the scores, which precedes them.
  SmallVector<ShapeOp> shapeUsers;
  Operation *scores = nullptr;
};
} // namespace

/// Whether the kernel replaces `value`: its one user computes with it, the
/// others only read its shape (run-time size checks of the mask), which
/// the kernel's operands give as well (`shapeUsers`).
static bool isReplaceable(Value value, SmallVectorImpl<ShapeOp> &shapeUsers) {
  Operation *computing = nullptr;
  for (Operation *user : value.getUsers()) {
    if (auto shape = dyn_cast<ShapeOp>(user)) {
      shapeUsers.push_back(shape);
      continue;
    }
    if (computing && computing != user)
      return false;
    computing = user;
  }
  return computing != nullptr;
}

/// The value of an f32 constant with one element (of any rank).
static std::optional<APFloat> getScalarConstant(Value value) {
  auto type = cast<ShapedType>(value.getType());
  APFloat scalar(0.0f);
  if (!type.getElementType().isF32() || !type.hasStaticShape() ||
      type.getNumElements() != 1 ||
      !matchPattern(value, m_ConstantFloat(&scalar)))
    return std::nullopt;
  return scalar;
}

/// `heads` [B, Hk, T, D] when `repeated` is its heads repeated for grouped
/// query attention, reshape(select(c, y, y)) of y = reshape(heads) with a
/// unit group dimension; the group size goes to `group`.
static Value matchRepeatedHeads(Value repeated, int64_t &group) {
  group = 1;
  auto merge = repeated.getDefiningOp<ReshapeOp>();
  auto select = merge ? merge.getInput().getDefiningOp<SelectOp>() : nullptr;
  if (!select || select->getOperand(1) != select->getOperand(2))
    return repeated;
  auto split = select->getOperand(1).getDefiningOp<ReshapeOp>();
  if (!split)
    return repeated;
  Value heads = split.getInput();
  auto headsType = cast<RankedTensorType>(heads.getType());
  auto splitType = cast<RankedTensorType>(split.getType());
  auto broadcastType = cast<RankedTensorType>(select.getType());
  auto mergedType = cast<RankedTensorType>(repeated.getType());
  if (headsType.getRank() != 4 || splitType.getRank() != 5 ||
      broadcastType.getRank() != 5 || splitType.getDimSize(2) != 1 ||
      headsType.isDynamicDim(1) || broadcastType.isDynamicDim(2) ||
      mergedType.isDynamicDim(1) ||
      splitType.getDimSize(1) != headsType.getDimSize(1) ||
      broadcastType.getDimSize(1) != headsType.getDimSize(1) ||
      mergedType.getDimSize(1) !=
          headsType.getDimSize(1) * broadcastType.getDimSize(2) ||
      headsType.getDimSize(3) != mergedType.getDimSize(3))
    return repeated;
  group = broadcastType.getDimSize(2);
  return heads;
}

/// The attention computed by `output`, the product of the probabilities and
/// the values, if it has the supported form.
static std::optional<Attention> matchAttention(MatMulOp output) {
  Attention a;
  if (output.getTransposeRhs() || !isReplaceable(output.getLhs(), a.shapeUsers))
    return std::nullopt;
  auto softmax = output.getLhs().getDefiningOp<SoftmaxOp>();
  if (!softmax || softmax.getAxis() != 3 ||
      !isReplaceable(softmax.getInput(), a.shapeUsers))
    return std::nullopt;
  Value scores = softmax.getInput();
  if (auto add = scores.getDefiningOp<AddOp>()) {
    // The mask is the operand of the sum that is not the scaled product.
    for (auto [maybeScores, mask] : {std::pair(add.getLhs(), add.getRhs()),
                                     std::pair(add.getRhs(), add.getLhs())}) {
      Operation *def = maybeScores.getDefiningOp();
      if (def && isa<DivOp, MulOp, MatMulOp>(def) &&
          maybeScores.getType() == add.getType() &&
          isReplaceable(maybeScores, a.shapeUsers)) {
        a.mask = mask;
        scores = maybeScores;
        break;
      }
    }
    if (!a.mask)
      return std::nullopt;
  }
  if (auto div = scores.getDefiningOp<DivOp>()) {
    a.scale = getScalarConstant(div.getRhs());
    a.divide = true;
    scores = div.getLhs();
  } else if (auto mul = scores.getDefiningOp<MulOp>()) {
    a.scale = getScalarConstant(mul.getRhs());
    scores = mul.getLhs();
    if (!a.scale) {
      a.scale = getScalarConstant(mul.getLhs());
      scores = mul.getRhs();
    }
  }
  if (scores != softmax.getInput() &&
      (!a.scale || !isReplaceable(scores, a.shapeUsers)))
    return std::nullopt;
  auto product = scores.getDefiningOp<MatMulOp>();
  if (!product || !product.getTransposeRhs())
    return std::nullopt;

  a.scores = product;
  a.query = product.getLhs();
  int64_t keyGroup, valueGroup;
  a.keys = matchRepeatedHeads(product.getRhs(), keyGroup);
  a.values = matchRepeatedHeads(output.getRhs(), valueGroup);
  if (keyGroup != valueGroup)
    return std::nullopt;
  a.group = keyGroup;

  // f32, rank 4, static head sizes; batch, heads and keys agree (the ops'
  // verifiers and run-time checks hold the dynamic ones equal).
  auto q = cast<RankedTensorType>(a.query.getType());
  auto k = cast<RankedTensorType>(a.keys.getType());
  auto v = cast<RankedTensorType>(a.values.getType());
  auto scoresType = cast<RankedTensorType>(product.getType());
  auto out = cast<RankedTensorType>(output.getType());
  for (RankedTensorType type : {q, k, v, scoresType, out})
    if (type.getRank() != 4 || !type.getElementType().isF32())
      return std::nullopt;
  if (q.isDynamicDim(3) || v.isDynamicDim(3) || q.isDynamicDim(1) ||
      q.getDimSize(3) != k.getDimSize(3) || k.isDynamicDim(1) ||
      q.getDimSize(1) != k.getDimSize(1) * a.group ||
      v.getDimSize(1) != k.getDimSize(1) ||
      out.getDimSize(3) != v.getDimSize(3))
    return std::nullopt;
  // A mask is added to every query head's scores: [B|1, H|1, S|1, T].
  if (a.mask) {
    auto mask = cast<RankedTensorType>(a.mask.getType());
    if (mask.getRank() != 4 || !mask.getElementType().isF32() ||
        (!mask.isDynamicDim(1) && mask.getDimSize(1) != 1 &&
         mask.getDimSize(1) != q.getDimSize(1)))
      return std::nullopt;
  }
  return a;
}

/// The products of `query` (in chunks of the tile's width) and `key`
/// summed chunk by chunk into one vector of the tile's width, whose lanes
/// sum to the dot product.
static Value foldProducts(OpBuilder &b, Location loc, ArrayRef<Value> query,
                          Value key) {
  auto chunkType = cast<VectorType>(query.front().getType());
  int64_t width = chunkType.getNumElements();
  Value sum;
  for (auto [i, q] : llvm::enumerate(query)) {
    Value k = vector::ExtractStridedSliceOp::create(
        b, loc, key, ArrayRef<int64_t>{int64_t(i) * width},
        ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
    sum = sum ? Value(vector::FMAOp::create(b, loc, q, k, sum))
              : Value(arith::MulFOp::create(b, loc, q, k));
  }
  return sum;
}

/// One vector whose lane j is the sum of the lanes of `rows[j]`, as many
/// rows as lanes (a power of two): pairs of vectors are halved and added,
/// lane segments side by side, until one lane per row remains, without a
/// horizontal reduction per row (2 shuffles and an add per pair).
static Value reduceLanes(OpBuilder &b, Location loc, ArrayRef<Value> rows) {
  int64_t width = cast<VectorType>(rows.front().getType()).getNumElements();
  SmallVector<Value> vectors(rows);
  // Each vector holds `width / segment` rows, each in `segment` lanes.
  for (int64_t segment = width; vectors.size() > 1; segment /= 2) {
    int64_t half = segment / 2, rowsPerVector = width / segment;
    SmallVector<int64_t> low, high;
    for (int64_t source : {int64_t(0), width})
      for (int64_t row = 0; row < rowsPerVector; ++row)
        for (int64_t lane = 0; lane < half; ++lane) {
          low.push_back(source + row * segment + lane);
          high.push_back(source + row * segment + half + lane);
        }
    SmallVector<Value> halved;
    for (size_t i = 0; i < vectors.size(); i += 2) {
      Value lhs = vectors[i], rhs = vectors[i + 1];
      halved.push_back(arith::AddFOp::create(
          b, loc, vector::ShuffleOp::create(b, loc, lhs, rhs, low),
          vector::ShuffleOp::create(b, loc, lhs, rhs, high)));
    }
    vectors = std::move(halved);
  }
  return vectors.front();
}

/// Builds the kernel of `a` in place of `output`.
static Value buildKernel(OpBuilder &b, Location loc, const Attention &a,
                         MatMulOp output, int64_t keyTile) {
  auto f32 = b.getF32Type();
  auto qType = cast<RankedTensorType>(a.query.getType());
  auto vType = cast<RankedTensorType>(a.values.getType());
  int64_t headSize = qType.getDimSize(3), valueSize = vType.getDimSize(3);
  auto f32Const = [&](OpBuilder &b, float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  OpFoldResult batch = tensor::getMixedSize(b, loc, a.query, 0),
               heads = b.getIndexAttr(qType.getDimSize(1)),
               rows = tensor::getMixedSize(b, loc, a.query, 2);
  Value keys = getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, a.keys, 2));
  SmallVector<OpFoldResult> outSizes = {batch, heads, rows,
                                        b.getIndexAttr(valueSize)};
  Value init = tensor::EmptyOp::create(b, loc, outSizes, f32);
  // The query and each key in whole chunks of the tile's width (padded
  // with zeros, which add nothing to the dot products).
  int64_t paddedSize = llvm::alignTo(headSize, keyTile);
  auto paddedVec = VectorType::get({paddedSize}, f32);
  auto laneIndexVec = VectorType::get({keyTile}, b.getI32Type());
  auto vVec = VectorType::get({valueSize}, f32);
  auto tileVec = VectorType::get({keyTile}, f32);
  float negInf = -std::numeric_limits<float>::infinity();

  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, heads, rows}, ValueRange{init},
      std::nullopt, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value bi = args[0], hi = args[1], si = args[2], out = args[3];
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value kvHead = arith::DivUIOp::create(
            b, loc, hi, arith::ConstantIndexOp::create(b, loc, a.group));
        Value padding = f32Const(b, 0.0f);
        Value q = vector::TransferReadOp::create(
            b, loc, paddedVec, a.query, ValueRange{bi, hi, si, zero}, padding,
            ArrayRef<bool>{paddedSize == headSize});
        SmallVector<Value> qChunks;
        for (int64_t offset = 0; offset < paddedSize; offset += keyTile)
          qChunks.push_back(vector::ExtractStridedSliceOp::create(
              b, loc, q, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{keyTile},
              ArrayRef<int64_t>{1}));
        auto lanes = llvm::to_vector(llvm::seq<int32_t>(0, keyTile));
        Value laneIndices = arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(laneIndexVec, ArrayRef(lanes)));

        // The mask's indices: a unit dimension broadcasts.
        SmallVector<Value> maskIndex;
        if (a.mask) {
          auto maskType = cast<RankedTensorType>(a.mask.getType());
          Value rowIndex[] = {bi, hi, si};
          for (int64_t d = 0; d < 3; ++d)
            maskIndex.push_back(maskType.getDimSize(d) == 1 ? zero
                                                            : rowIndex[d]);
        }

        Value step = arith::ConstantIndexOp::create(b, loc, keyTile);
        Value m0 = f32Const(b, negInf), l0 = f32Const(b, 0.0f);
        Value acc0 = arith::ConstantOp::create(
            b, loc, vVec, DenseElementsAttr::get(vVec, 0.0f));
        auto tiles = scf::ForOp::create(
            b, loc, zero, keys, step, ValueRange{m0, l0, acc0},
            [&](OpBuilder &b, Location loc, Value t0, ValueRange state) {
              Value m = state[0], l = state[1], acc = state[2];
              Value remaining = arith::SubIOp::create(b, loc, keys, t0);
              Value count = arith::MinUIOp::create(b, loc, remaining, step);
              Value one = arith::ConstantIndexOp::create(b, loc, 1);
              // The tile's mask; out-of-range keys read -inf.
              Value mask;
              if (a.mask) {
                SmallVector<Value> at(maskIndex);
                at.push_back(t0);
                mask = vector::TransferReadOp::create(b, loc, tileVec, a.mask,
                                                      at, f32Const(b, negInf),
                                                      ArrayRef<bool>{false});
              }
              auto computeTile = [&](OpBuilder &b,
                                     Location loc) -> SmallVector<Value> {
                // The tile's keys, unrolled: a partial tile (the last)
                // reads its last key again in the lanes past `count`, whose
                // scores become -inf below and whose weights are then 0.
                Value lastKey = arith::SubIOp::create(b, loc, keys, one);
                SmallVector<Value> keyRows;
                for (int64_t j = 0; j < keyTile; ++j)
                  keyRows.push_back(arith::MinUIOp::create(
                      b, loc,
                      arith::AddIOp::create(
                          b, loc, t0,
                          arith::ConstantIndexOp::create(b, loc, j)),
                      lastKey));
                // Each key's products with the query, folded to one vector
                // of the tile's width; the folds reduce to the scores.
                SmallVector<Value> folds;
                for (Value t : keyRows) {
                  Value k = vector::TransferReadOp::create(
                      b, loc, paddedVec, a.keys,
                      ValueRange{bi, kvHead, t, zero}, padding,
                      ArrayRef<bool>{paddedSize == headSize});
                  folds.push_back(foldProducts(b, loc, qChunks, k));
                }
                Value scores = reduceLanes(b, loc, folds);
                if (a.scale) {
                  Value c = arith::ConstantOp::create(
                      b, loc,
                      DenseElementsAttr::get(tileVec,
                                             a.scale->convertToFloat()));
                  scores =
                      a.divide
                          ? Value(arith::DivFOp::create(b, loc, scores, c))
                          : Value(arith::MulFOp::create(b, loc, scores, c));
                }
                if (mask)
                  scores = arith::AddFOp::create(b, loc, scores, mask);
                Value inTile = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::ult, laneIndices,
                    vector::BroadcastOp::create(
                        b, loc, laneIndexVec,
                        arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                                   count)));
                scores = arith::SelectOp::create(
                    b, loc, inTile, scores,
                    arith::ConstantOp::create(
                        b, loc, DenseElementsAttr::get(tileVec, negInf)));
                // Online softmax: rescale what came before to the new maximum
                // (0 while every score so far is -inf, which then weighs 0).
                // No NaN to keep (one would reach the row through the
                // weights anyway): the maximum is a tree of vector maxima,
                // not a chain of scalar ones that each test for NaN.
                Value tileMax = vector::ReductionOp::create(
                    b, loc, vector::CombiningKind::MAXNUMF, scores,
                    arith::FastMathFlags::nnan);
                Value newMax = arith::MaxNumFOp::create(b, loc, m, tileMax);
                Value isEmpty =
                    arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                          newMax, f32Const(b, negInf));
                Value safeMax = arith::SelectOp::create(
                    b, loc, isEmpty, f32Const(b, 0.0f), newMax);
                Value shifted = arith::SubFOp::create(
                    b, loc, scores,
                    vector::BroadcastOp::create(b, loc, tileVec, safeMax));
                Value p = math::ExpOp::create(b, loc, shifted);
                Value correction = math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, m, safeMax));
                Value tileSum = vector::ReductionOp::create(
                    b, loc, vector::CombiningKind::ADD, p);
                Value newSum = arith::AddFOp::create(
                    b, loc, arith::MulFOp::create(b, loc, l, correction),
                    tileSum);
                Value weighted = arith::MulFOp::create(
                    b, loc, acc,
                    vector::BroadcastOp::create(b, loc, vVec, correction));
                for (auto [j, t] : llvm::enumerate(keyRows)) {
                  Value v = vector::TransferReadOp::create(
                      b, loc, vVec, a.values, ValueRange{bi, kvHead, t, zero},
                      padding, ArrayRef<bool>{true});
                  Value weight = vector::ExtractOp::create(
                      b, loc, p, ArrayRef<int64_t>{int64_t(j)});
                  weighted = vector::FMAOp::create(
                      b, loc, vector::BroadcastOp::create(b, loc, vVec, weight),
                      v, weighted);
                }
                return {newMax, newSum, weighted};
              };
              if (!mask) {
                scf::YieldOp::create(b, loc, computeTile(b, loc));
                return;
              }
              // A tile the mask hides whole (the future of a causal row:
              // -inf, or the dtype's lowest value as exported models add)
              // changes nothing once a visible key set the maximum: each of
              // its weights exp(s - m) underflows to 0. It is skipped.
              Value hidden = f32Const(b, -1e30f);
              Value maskMax = vector::ReductionOp::create(
                  b, loc, vector::CombiningKind::MAXNUMF, mask,
                  arith::FastMathFlags::nnan);
              Value visible = arith::OrIOp::create(
                  b, loc,
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                        maskMax, hidden),
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ULE,
                                        state[0], hidden));
              auto tile = scf::IfOp::create(
                  b, loc, visible,
                  [&](OpBuilder &b, Location loc) {
                    scf::YieldOp::create(b, loc, computeTile(b, loc));
                  },
                  [&](OpBuilder &b, Location loc) {
                    scf::YieldOp::create(b, loc, state);
                  });
              scf::YieldOp::create(b, loc, tile.getResults());
            });

        // The row: the weighted sum over the sum of the weights (0 for a
        // row without keys).
        Value sum = tiles.getResult(1);
        Value positive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, sum, f32Const(b, 0.0f));
        Value divisor =
            arith::SelectOp::create(b, loc, positive, sum, f32Const(b, 1.0f));
        Value row = arith::DivFOp::create(
            b, loc, tiles.getResult(2),
            vector::BroadcastOp::create(b, loc, vVec, divisor));
        SmallVector<OpFoldResult> offsets = {bi, hi, si, b.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                           b.getIndexAttr(1),
                                           b.getIndexAttr(valueSize)};
        SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
        auto sliceType = RankedTensorType::get({1, 1, 1, valueSize}, f32);
        Value slice = tensor::ExtractSliceOp::create(b, loc, sliceType, out,
                                                     offsets, sizes, strides);
        Value written =
            vector::TransferWriteOp::create(
                b, loc, row, slice, ValueRange{zero, zero, zero, zero},
                AffineMap::getMinorIdentityMap(4, 1, b.getContext()),
                ArrayRef<bool>{true})
                .getResult();
        auto inParallel = scf::InParallelOp::create(b, loc);
        b.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(b, loc, written, out, offsets,
                                              sizes, strides);
      });
  Value result = forall.getResult(0);
  if (result.getType() != output.getType())
    result = tensor::CastOp::create(b, loc, output.getType(), result);
  return result;
}

namespace {
struct FuseAttentionPass final
    : edge::impl::FuseAttentionPassBase<FuseAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    // The scores of a tile are reduced by halving (reduceLanes).
    if (keyTile < 1 || !llvm::isPowerOf2_64(keyTile)) {
      getOperation().emitError("edge-fuse-attention: key-tile must be a "
                               "power of two, got ")
          << keyTile.getValue();
      return signalPassFailure();
    }
    SmallVector<MatMulOp> outputs;
    getOperation().walk([&](MatMulOp op) { outputs.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (MatMulOp output : outputs) {
      std::optional<Attention> attention = matchAttention(output);
      if (!attention)
        continue;
      // The shape readers read a tensor of the scores' sizes that holds
      // nothing: [B, H, S, T] from the query and the keys.
      if (!attention->shapeUsers.empty()) {
        Location loc = output.getLoc();
        rewriter.setInsertionPointAfter(attention->scores);
        auto scores = cast<RankedTensorType>(output.getLhs().getType());
        SmallVector<OpFoldResult> sizes = {
            tensor::getMixedSize(rewriter, loc, attention->query, 0),
            rewriter.getIndexAttr(scores.getDimSize(1)),
            tensor::getMixedSize(rewriter, loc, attention->query, 2),
            tensor::getMixedSize(rewriter, loc, attention->keys, 2)};
        Value shaped = tensor::EmptyOp::create(rewriter, loc, sizes,
                                               scores.getElementType());
        for (ShapeOp shape : attention->shapeUsers)
          rewriter.modifyOpInPlace(shape,
                                   [&] { shape->setOperand(0, shaped); });
      }
      rewriter.setInsertionPoint(output);
      Value fused =
          buildKernel(rewriter, output.getLoc(), *attention, output, keyTile);
      rewriter.replaceOp(output, fused);
    }
    // The scores, the softmax and the repeated heads are dead now.
    RewritePatternSet none(&getContext());
    (void)applyPatternsGreedily(getOperation(), std::move(none));
  }
};
} // namespace
