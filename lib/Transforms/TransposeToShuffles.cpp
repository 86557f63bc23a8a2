//===- TransposeToShuffles.cpp - Register transposes as shuffle stages ----===//
//
// See the pass description in Passes.td: square blocks of a 2-D
// vector.transpose are transposed in log2(lanes) stages of two-source
// shuffles instead of element by element.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::edge {
#define GEN_PASS_DEF_TRANSPOSETOSHUFFLESPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

namespace {

/// The shuffle masks of the stage that exchanges bit `bit` of the row index
/// with the same bit of the column index, for the rows `a` (bit clear) and
/// `b` (bit set) of a square block: element c of the new `a` is a[c] where
/// c has the bit clear and b[c - 2^bit] where it is set; the new `b` is the
/// mirror image. Indices count into a's lanes then b's, as vector.shuffle
/// does.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
getExchangeMasks(int64_t lanes, unsigned bit) {
  int64_t step = int64_t{1} << bit;
  SmallVector<int64_t> low, high;
  for (int64_t c = 0; c < lanes; ++c) {
    bool set = c & step;
    low.push_back(set ? lanes + c - step : c);
    high.push_back(set ? lanes + c : c + step);
  }
  return {low, high};
}

struct TransposeToShuffles final : OpRewritePattern<vector::TransposeOp> {
  TransposeToShuffles(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    VectorType source = op.getSourceVectorType();
    if (source.getRank() != 2 || source.isScalable())
      return rewriter.notifyMatchFailure(op, "not a fixed 2-D vector");
    int64_t rows = source.getDimSize(0);
    int64_t columns = source.getDimSize(1);
    if (columns % lanes != 0 || rows < 2 || rows * 4 <= lanes)
      return rewriter.notifyMatchFailure(
          op, "rows are not whole registers, or too few to fill a square");
    // A transpose of a broadcast is a broadcast, which the canonical
    // patterns fold and LLVM emits as splats: no shuffles needed.
    if (op.getVector().getDefiningOp<vector::BroadcastOp>())
      return rewriter.notifyMatchFailure(op, "transposes a broadcast");

    Location loc = op.getLoc();
    Type element = source.getElementType();
    auto laneType = VectorType::get({lanes}, element);
    auto resultRowType = VectorType::get({rows}, element);
    Value padding = ub::PoisonOp::create(rewriter, loc, laneType);
    SmallVector<Value> resultRows(
        columns, ub::PoisonOp::create(rewriter, loc, resultRowType));
    // The stages' masks and the source rows, the same for every square.
    SmallVector<std::pair<SmallVector<int64_t>, SmallVector<int64_t>>> masks;
    for (unsigned bit = 0, stages = llvm::Log2_64(lanes); bit < stages; ++bit)
      masks.push_back(getExchangeMasks(lanes, bit));
    SmallVector<Value> sourceRows;
    for (int64_t r = 0; r < rows; ++r)
      sourceRows.push_back(vector::ExtractOp::create(
          rewriter, loc, op.getVector(), ArrayRef<int64_t>{r}));

    // Square blocks: `lanes` source rows from `chunk`, `lanes` columns
    // from `block`; each becomes `lanes` result rows from `block`, filling
    // their elements from `chunk`.
    for (int64_t chunk = 0; chunk < rows; chunk += lanes) {
      int64_t chunkRows = std::min(lanes, rows - chunk);
      for (int64_t block = 0; block < columns; block += lanes) {
        SmallVector<Value> square;
        for (int64_t r = 0; r < lanes; ++r) {
          if (r >= chunkRows) {
            square.push_back(padding);
            continue;
          }
          Value row = sourceRows[chunk + r];
          if (columns != lanes)
            row = vector::ExtractStridedSliceOp::create(
                rewriter, loc, row, ArrayRef<int64_t>{block},
                ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
          square.push_back(row);
        }
        for (auto [bit, stageMasks] : llvm::enumerate(masks)) {
          const auto &[lowMask, highMask] = stageMasks;
          int64_t step = int64_t{1} << bit;
          for (int64_t r = 0; r < lanes; ++r) {
            if (r & step)
              continue;
            Value a = square[r], b = square[r | step];
            square[r] = vector::ShuffleOp::create(rewriter, loc, a, b, lowMask);
            square[r | step] =
                vector::ShuffleOp::create(rewriter, loc, a, b, highMask);
          }
        }
        for (int64_t j = 0; j < lanes; ++j) {
          Value piece = square[j];
          if (chunkRows != lanes)
            piece = vector::ExtractStridedSliceOp::create(
                rewriter, loc, piece, ArrayRef<int64_t>{0},
                ArrayRef<int64_t>{chunkRows}, ArrayRef<int64_t>{1});
          resultRows[block + j] =
              chunkRows == rows
                  ? piece
                  : vector::InsertStridedSliceOp::create(
                        rewriter, loc, piece, resultRows[block + j],
                        ArrayRef<int64_t>{chunk}, ArrayRef<int64_t>{1});
        }
      }
    }
    Value result =
        ub::PoisonOp::create(rewriter, loc, op.getResultVectorType());
    for (auto [index, row] : llvm::enumerate(resultRows))
      result = vector::InsertOp::create(rewriter, loc, row, result,
                                        ArrayRef<int64_t>{int64_t(index)});
    rewriter.replaceOp(op, result);
    return success();
  }

  int64_t lanes;
};

struct TransposeToShufflesPass final
    : edge::impl::TransposeToShufflesPassBase<TransposeToShufflesPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 2 || !llvm::isPowerOf2_64(lanes)) {
      getOperation().emitError("edge-transpose-to-shuffles: lanes must be a "
                               "power of two of at least 2, not ")
          << int64_t(lanes);
      return signalPassFailure();
    }
    // The epilogue's elementwise ops (an activation, a clamp) move before
    // the transpose, onto the accumulators' full vectors of channels.
    RewritePatternSet sink(&getContext());
    vector::populateSinkVectorOpsPatterns(sink);
    if (failed(applyPatternsGreedily(getOperation(), std::move(sink))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposeToShuffles>(&getContext(), lanes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
