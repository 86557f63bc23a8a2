//===- PadInPlace.cpp - Fill only a pad's border --------------------------===//
//
// A convolution's padded input is the largest copy in a CNN: bufferized
// as is, tensor.pad fills the whole padded buffer, then copies its source
// into the interior. Filling only the border and letting the producer
// write straight into the interior leaves the border fill alone.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PADINPLACEPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

/// Whether every use of `value` is by `user` or nested in it (a tiled
/// kernel's body may slice its destination as well as its block argument).
static bool usedOnlyWithin(Value value, Operation *user) {
  return llvm::all_of(value.getUses(), [&](OpOperand &use) {
    return user->isAncestor(use.getOwner());
  });
}

namespace {
/// Where a pad's source gets its storage: `use` takes `empty` through
/// `reshapes` (innermost first) as its destination.
struct EmptyDestination {
  OpOperand *use = nullptr;
  tensor::EmptyOp empty;
  SmallVector<Operation *> reshapes;
};
} // namespace

/// The tensor.empty, possibly reshaped, that `value` is; null otherwise.
/// Appends the reshapes applied to it (innermost first) to `reshapes`.
static tensor::EmptyOp getReshapedEmpty(Value value,
                                        SmallVector<Operation *> &reshapes) {
  Operation *def = value.getDefiningOp();
  if (auto empty = dyn_cast_or_null<tensor::EmptyOp>(def))
    return empty;
  if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return nullptr;
  tensor::EmptyOp empty = getReshapedEmpty(def->getOperand(0), reshapes);
  if (empty)
    reshapes.push_back(def);
  return empty;
}

/// The destination, an empty tensor of `source`'s type, from which
/// `source` is computed in place: through the destinations of
/// destination-passing ops (linalg ops, scf.forall) and reshapes, each
/// intermediate value used only on that path, all in `block`.
static std::optional<EmptyDestination> findEmptyDestination(Value source,
                                                            Block *block) {
  Value value = source;
  Operation *consumer = nullptr;
  while (true) {
    auto result = dyn_cast<OpResult>(value);
    if (!result || result.getOwner()->getBlock() != block ||
        (consumer && !usedOnlyWithin(value, consumer)))
      return std::nullopt;
    Operation *owner = result.getOwner();
    OpOperand *next = nullptr;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(owner))
      next = &owner->getOpOperand(0);
    else if (auto forall = dyn_cast<scf::ForallOp>(owner))
      next = forall.getTiedOpOperand(result);
    else if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
      next = dps.getTiedOpOperand(result);
    if (!next)
      return std::nullopt;
    EmptyDestination destination;
    destination.empty = getReshapedEmpty(next->get(), destination.reshapes);
    if (destination.empty) {
      if (destination.empty.getType() != source.getType())
        return std::nullopt;
      destination.use = next;
      return destination;
    }
    value = next->get();
    consumer = owner;
  }
}

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
  Operation *producer = destination ? destination->use->getOwner() : nullptr;
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
    // The producer's destination becomes the interior, reshaped as the
    // empty tensor was (a fresh copy of the reshapes: the originals may be
    // shared with other users of the empty tensor).
    Value interior = tensor::ExtractSliceOp::create(rewriter, loc, padded, low,
                                                    sizes, unitStrides);
    for (Operation *reshape : destination->reshapes) {
      IRMapping mapping;
      mapping.map(reshape->getOperand(0), interior);
      interior = rewriter.clone(*reshape, mapping)->getResult(0);
    }
    rewriter.replaceUsesWithIf(
        destination->use->get(), interior,
        [&](OpOperand &use) { return producer->isAncestor(use.getOwner()); });
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
