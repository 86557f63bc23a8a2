//===- PadInPlace.cpp - Fill only a pad's border --------------------------===//
//
// A convolution's padded input is the largest copy in a CNN: bufferized
// as is, tensor.pad fills the whole padded buffer, then copies its source
// into the interior. Filling only the border and letting the producer
// write straight into the interior leaves the border fill alone.
//
//===----------------------------------------------------------------------===//

#include "EmptyDestination.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PADINPLACEPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// Fills the slice of `tensor` at `offsets` of `sizes` (unit strides) with
/// `value`; returns the tensor with the slice inserted back.
static Value fillSlice(OpBuilder &b, Location loc, Value tensor, Value value,
                       ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> offsetValues = getAsIndexOpFoldResult(ctx, offsets);
  SmallVector<OpFoldResult> sizeValues = getAsIndexOpFoldResult(ctx, sizes);
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(b, loc, tensor, offsetValues,
                                               sizeValues, strides);
  Value filled = linalg::FillOp::create(b, loc, value, slice).getResult(0);
  return tensor::InsertSliceOp::create(b, loc, filled, tensor, offsetValues,
                                       sizeValues, strides);
}

/// Fills the border columns of `padded`, whose last dimension is padded
/// by `low` and `high`, with `value`. The right border of each row and the
/// left border of the next one are adjacent in memory, and mostly in one
/// cache line: they are filled as one run of `low + high` elements per
/// row (a view of rows starting at the first row's right border), which
/// writes each such line once rather than in two passes over the rows.
/// The first row's left border and the last row's right border are runs
/// of their own, unless a border row holds them already
/// (`firstRowFilled`, `lastRowFilled`).
static Value fillBorderColumns(OpBuilder &b, Location loc, Value padded,
                               Value value, int64_t innerWidth, int64_t low,
                               int64_t high, bool firstRowFilled,
                               bool lastRowFilled) {
  auto type = cast<RankedTensorType>(padded.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  int64_t width = shape.back();
  int64_t rows = type.getNumElements() / width;
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < rank; ++d)
    all.front().push_back(d);
  Value flat = tensor::CollapseShapeOp::create(b, loc, padded, all);
  if (rows > 1) {
    // Row r of this view starts at row r's right border; its first
    // `low + high` elements are that border and row r + 1's left one.
    int64_t start = low + innerWidth;
    int64_t length = (rows - 1) * width;
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(start)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(length)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1)};
    Value span =
        tensor::ExtractSliceOp::create(b, loc, flat, offsets, sizes, strides);
    SmallVector<ReassociationIndices> split = {{0, 1}};
    SmallVector<int64_t> rowShape = {rows - 1, width};
    Value view = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(rowShape, type.getElementType()), span,
        split);
    view = fillSlice(b, loc, view, value, {0, 0}, {rows - 1, low + high});
    span = tensor::CollapseShapeOp::create(b, loc, view, split);
    flat = tensor::InsertSliceOp::create(b, loc, span, flat, offsets, sizes,
                                         strides);
  }
  if (low > 0 && !firstRowFilled)
    flat = fillSlice(b, loc, flat, value, {0}, {low});
  if (high > 0 && !lastRowFilled)
    flat = fillSlice(b, loc, flat, value, {rows * width - high}, {high});
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
}

/// Fills the border of `padded` (the part outside `[low, low + inner)`)
/// with `value`: per dimension d, the slabs below and above the interior
/// along d, spanning the interior along the dimensions before d and
/// everything along those after it, so each border element is written
/// once; but a last dimension padded on both sides of several rows has
/// its border columns filled in pairs across rows (fillBorderColumns),
/// which rewrites the few corners the other slabs hold.
static Value fillBorder(OpBuilder &b, Location loc, Value padded, Value value,
                        ArrayRef<int64_t> inner, ArrayRef<int64_t> low,
                        ArrayRef<int64_t> high) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(padded.getType()).getShape();
  int64_t rank = shape.size();
  // Border columns on both sides of the rows of a multi-row tensor are
  // filled in pairs (fillBorderColumns), other borders as slabs.
  int64_t last = rank - 1;
  bool columnPairs = rank > 1 && low[last] > 0 && high[last] > 0 &&
                     !llvm::is_contained(shape, 0) &&
                     ShapedType::getNumElements(shape) / shape[last] > 1;
  for (int64_t d = 0; d < (columnPairs ? last : rank); ++d) {
    for (bool above : {false, true}) {
      int64_t width = above ? high[d] : low[d];
      if (width == 0)
        continue;
      SmallVector<int64_t> offsets, sizes;
      for (int64_t i = 0; i < rank; ++i) {
        if (i < d) {
          offsets.push_back(low[i]);
          sizes.push_back(inner[i]);
        } else if (i == d) {
          offsets.push_back(above ? low[i] + inner[i] : 0);
          sizes.push_back(width);
        } else {
          offsets.push_back(0);
          sizes.push_back(shape[i]);
        }
      }
      if (llvm::is_contained(sizes, 0))
        continue;
      padded = fillSlice(b, loc, padded, value, offsets, sizes);
    }
  }
  if (!columnPairs)
    return padded;
  // The first row lies in a lower slab when a dimension before the last
  // is padded below, the last row in an upper slab when one is padded
  // above.
  bool firstRowFilled =
      llvm::any_of(low.drop_back(), [](int64_t w) { return w > 0; });
  bool lastRowFilled =
      llvm::any_of(high.drop_back(), [](int64_t w) { return w > 0; });
  return fillBorderColumns(b, loc, padded, value, inner.back(), low.back(),
                           high.back(), firstRowFilled, lastRowFilled);
}

/// Rewrites `pad` as a border fill and an interior insertion, moving the
/// source's producer into the interior when it has a tensor.empty
/// destination. A pad that is not static or not uniform stays.
static void padInPlace(tensor::PadOp pad, RewriterBase &rewriter) {
  Value value = pad.getConstantPaddingValue();
  ArrayRef<int64_t> lowWidths = pad.getStaticLow();
  ArrayRef<int64_t> highWidths = pad.getStaticHigh();
  RankedTensorType sourceType = pad.getSourceType();
  RankedTensorType paddedType = pad.getResultType();
  if (!value || ShapedType::isDynamicShape(lowWidths) ||
      ShapedType::isDynamicShape(highWidths) || !sourceType.hasStaticShape() ||
      !paddedType.hasStaticShape())
    return;
  // The padded tensor is created before the producer, where the padding
  // value must already exist: a constant defined later is cloned there.
  std::optional<EmptyDestination> destination =
      findEmptyDestination(pad.getSource(), pad->getBlock(),
                           /*sharedViews=*/true);
  Operation *producer = destination ? destination->getProducer() : nullptr;
  Operation *valueDef = value.getDefiningOp();
  bool valueDefinedLater = producer && valueDef &&
                           valueDef->getBlock() == pad->getBlock() &&
                           !valueDef->isBeforeInBlock(producer);
  if (valueDefinedLater && !isa<arith::ConstantOp>(valueDef))
    producer = nullptr;
  rewriter.setInsertionPoint(producer ? producer : pad.getOperation());
  if (producer && valueDefinedLater)
    value = rewriter.clone(*valueDef)->getResult(0);

  Location loc = pad.getLoc();
  ArrayRef<int64_t> inner = sourceType.getShape();
  MLIRContext *ctx = pad.getContext();
  SmallVector<OpFoldResult> low = getAsIndexOpFoldResult(ctx, lowWidths);
  SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(ctx, inner);
  SmallVector<OpFoldResult> unitStrides(inner.size(), rewriter.getIndexAttr(1));
  Value padded = tensor::EmptyOp::create(rewriter, loc, paddedType.getShape(),
                                         paddedType.getElementType());
  padded =
      fillBorder(rewriter, loc, padded, value, inner, lowWidths, highWidths);
  if (producer) {
    Value interior = tensor::ExtractSliceOp::create(rewriter, loc, padded, low,
                                                    sizes, unitStrides);
    redirectDestination(*destination, interior, rewriter);
    rewriter.setInsertionPoint(pad);
  }
  Value source = pad.getSource();
  auto filled = rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
      pad, source, padded, low, sizes, unitStrides);
  if (!producer)
    return;
  // The source, the producer's result it is a view of, and every other
  // view of that result now live in the padded buffer's interior. Another
  // reader after the pad (a residual add beside the convolution, a strided
  // downsampling reading the producer's blocked result) would read them
  // after the insertion "wrote" that interior, a conflict bufferization
  // resolves by copying the whole source out first: each reads the same
  // view of the padded tensor's interior instead, the same values, where
  // nothing writes. `chain` is the source back through reshapes to the
  // producer's result; views are built when a reader needs one.
  SmallVector<Value> chain = {source};
  while (Operation *def = chain.back().getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
      break;
    chain.push_back(def->getOperand(0));
  }
  rewriter.setInsertionPointAfter(filled);
  DenseMap<Value, Value> views;
  std::function<Value(Value)> getView = [&](Value value) -> Value {
    if (Value view = views.lookup(value))
      return view;
    Value view;
    auto level = llvm::find(chain, value);
    if (value == source) {
      view = tensor::ExtractSliceOp::create(rewriter, loc, filled, low, sizes,
                                            unitStrides);
    } else if (level != chain.end()) {
      // A reshape gave the value before it on the chain: reshaped back.
      Operation *reshape = std::prev(level)->getDefiningOp();
      Value next = getView(*std::prev(level));
      auto type = cast<RankedTensorType>(value.getType());
      if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(reshape))
        view = tensor::ExpandShapeOp::create(
            rewriter, loc, type, next, collapse.getReassociationIndices());
      else
        view = tensor::CollapseShapeOp::create(
            rewriter, loc, type, next,
            cast<tensor::ExpandShapeOp>(reshape).getReassociationIndices());
    } else {
      // Another reshape of a value with a view: the same reshape of it.
      Operation *reshape = value.getDefiningOp();
      IRMapping mapping;
      mapping.map(reshape->getOperand(0), getView(reshape->getOperand(0)));
      view = rewriter.clone(*reshape, mapping)->getResult(0);
    }
    views[value] = view;
    return view;
  };
  DominanceInfo dominance;
  SmallVector<Value> sameData(chain);
  for (size_t i = 0; i < sameData.size(); ++i) {
    Value value = sameData[i];
    for (OpOperand &use : llvm::make_early_inc_range(value.getUses())) {
      Operation *user = use.getOwner();
      if (dominance.properlyDominates(filled.getOperation(), user)) {
        rewriter.modifyOpInPlace(user, [&] { use.set(getView(value)); });
        continue;
      }
      if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user) &&
          !llvm::is_contained(sameData, user->getResult(0)))
        sameData.push_back(user->getResult(0));
    }
  }
}

namespace {
struct PadInPlacePass final : edge::impl::PadInPlacePassBase<PadInPlacePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      padInPlace(pad, rewriter);
  }
};
} // namespace
