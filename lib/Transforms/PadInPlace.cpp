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
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PADINPLACEPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// Fills the border of `padded` (the part outside `[low, low + inner)`)
/// with `value`: per dimension d, the slabs below and above the interior
/// along d, spanning the interior along the dimensions before d and
/// everything along those after it, so each border element is written
/// once.
static Value fillBorder(OpBuilder &b, Location loc, Value padded, Value value,
                        ArrayRef<int64_t> inner, ArrayRef<int64_t> low,
                        ArrayRef<int64_t> high) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(padded.getType()).getShape();
  int64_t rank = shape.size();
  SmallVector<OpFoldResult> unitStrides(rank, b.getIndexAttr(1));
  for (int64_t d = 0; d < rank; ++d) {
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
      SmallVector<OpFoldResult> offsetValues =
          getAsIndexOpFoldResult(ctx, offsets);
      SmallVector<OpFoldResult> sizeValues = getAsIndexOpFoldResult(ctx, sizes);
      Value slab = tensor::ExtractSliceOp::create(b, loc, padded, offsetValues,
                                                  sizeValues, unitStrides);
      Value filled = linalg::FillOp::create(b, loc, value, slab).getResult(0);
      padded = tensor::InsertSliceOp::create(
          b, loc, filled, padded, offsetValues, sizeValues, unitStrides);
    }
  }
  return padded;
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
      findEmptyDestination(pad.getSource(), pad->getBlock());
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
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
      pad, pad.getSource(), padded, low, sizes, unitStrides);
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
