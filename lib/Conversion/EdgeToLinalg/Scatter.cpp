//===- Scatter.cpp - Lower edge scatter ops to loops on tensors -----------===//
//
// A scatter writes data-dependent positions in update order (the last of
// duplicate indices wins), which no linalg op expresses. It lowers to an
// scf.for nest over the updates that carries the result tensor:
// tensor.extract / tensor.insert per update, which bufferization turns into
// in-place stores into one copy of the data.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// An index read from an index tensor, as `index`, wrapped when negative.
Value loadIndex(OpBuilder &b, Location loc, Value indices,
                ValueRange coordinates, int64_t extent) {
  Value raw = tensor::ExtractOp::create(b, loc, indices, coordinates);
  return extractIndexValue(b, loc, raw, b.getIndexAttr(extent));
}

/// Combines the value at `position` of `accumulator` with `update` and
/// stores it there.
Value storeUpdate(OpBuilder &b, Location loc, Value accumulator,
                  ValueRange position, Value update, StringRef reduction) {
  Value value = update;
  if (reduction != "none") {
    Value old = tensor::ExtractOp::create(b, loc, accumulator, position);
    if (reduction == "add")
      value = createAdd(b, loc, old, update);
    else if (reduction == "mul")
      value = createMul(b, loc, old, update);
    else if (reduction == "max")
      value = createMax(b, loc, old, update);
    else
      value = createMin(b, loc, old, update);
  }
  return tensor::InsertOp::create(b, loc, value, accumulator, position);
}

/// Builds the loop nest over `updates` carrying `data`; `target` maps the
/// update coordinates to the position written.
Value buildScatterLoops(
    OpBuilder &b, Location loc, Value data, Value updates, StringRef reduction,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        target) {
  ArrayRef<int64_t> shape = cast<ShapedType>(updates.getType()).getShape();
  if (llvm::is_contained(shape, 0))
    return data;
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t size : shape) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, size));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location nested, ValueRange ivs,
          ValueRange iterArgs) -> scf::ValueVector {
        Value update = tensor::ExtractOp::create(nb, nested, updates, ivs);
        SmallVector<Value> position = target(nb, nested, ivs);
        return {storeUpdate(nb, nested, iterArgs[0], position, update,
                            reduction)};
      });
  return nest.results.front();
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    int64_t extent =
        cast<ShapedType>(op.getData().getType()).getDimSize(axis);
    Value indices = adaptor.getIndices();
    Value result = buildScatterLoops(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(),
        [&](OpBuilder &b, Location loc, ValueRange ivs) {
          SmallVector<Value> position(ivs);
          position[axis] = loadIndex(b, loc, indices, ivs, extent);
          return position;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> data =
        cast<ShapedType>(op.getData().getType()).getShape();
    ArrayRef<int64_t> indicesShape =
        cast<ShapedType>(op.getIndices().getType()).getShape();
    int64_t depth = indicesShape.back();
    size_t tupleRank = indicesShape.size() - 1;
    Value indices = adaptor.getIndices();
    Value result = buildScatterLoops(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(),
        [&](OpBuilder &b, Location loc, ValueRange ivs) {
          // ivs = tuple coordinates, then coordinates within the slice.
          SmallVector<Value> tuple(ivs.take_front(tupleRank));
          tuple.push_back(Value());
          SmallVector<Value> position;
          for (int64_t k = 0; k < depth; ++k) {
            tuple.back() = arith::ConstantIndexOp::create(b, loc, k);
            position.push_back(loadIndex(b, loc, indices, tuple, data[k]));
          }
          llvm::append_range(position, ivs.drop_front(tupleRank));
          return position;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::edge::populateScatterPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering>(
      patterns.getContext());
}
