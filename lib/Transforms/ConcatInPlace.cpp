//===- ConcatInPlace.cpp - Each part written into its concatenation -------===//
//
// A concatenation is an empty tensor with its parts inserted one after the
// other (tensor.insert_slice). Bufferized as is, every part is computed
// into a buffer of its own and then copied into the concatenated one: the
// concatenation moves all its data once more. SqueezeNet's fire modules,
// Inception's branches and DenseNet's blocks all end in one.
//
//===----------------------------------------------------------------------===//

#include "EmptyDestination.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/STLExtras.h"

namespace mlir::edge {
#define GEN_PASS_DEF_CONCATINPLACEPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
/// One part of a concatenation: the op inserting it and, where its
/// producer computes it from an empty tensor, that destination.
struct Part {
  tensor::InsertSliceOp insert;
  std::optional<EmptyDestination> destination;
};
} // namespace

/// The chain of insertions starting at `first`: each next one inserts into
/// the result of the one before, that result's only use.
static SmallVector<tensor::InsertSliceOp>
getInsertChain(tensor::InsertSliceOp first) {
  SmallVector<tensor::InsertSliceOp> chain{first};
  while (chain.back()->hasOneUse()) {
    auto next = dyn_cast<tensor::InsertSliceOp>(*chain.back()->user_begin());
    if (!next || next.getDest() != chain.back().getResult() ||
        next->getBlock() != first->getBlock())
      break;
    chain.push_back(next);
  }
  return chain;
}

/// Whether `value` is available before `op`: defined outside its block or
/// earlier in it.
static bool isDefinedBefore(Value value, Operation *op) {
  Operation *def = value.getDefiningOp();
  return !def || def->getBlock() != op->getBlock() || def->isBeforeInBlock(op);
}

/// Rewrites the concatenation whose first insertion is `first` (into an
/// empty tensor) so that the producer of each part computes it directly
/// into its slice of the concatenation, as far as the order of the
/// producers allows: a part's slice is taken from the concatenation with
/// the parts before it inserted, so its producer must run after those
/// parts are computed. The other parts are still copied.
static void concatInPlace(tensor::InsertSliceOp first, RewriterBase &rewriter) {
  auto root = first.getDest().getDefiningOp<tensor::EmptyOp>();
  SmallVector<tensor::InsertSliceOp> chain = getInsertChain(first);
  if (!root || chain.size() < 2)
    return;
  Block *block = first->getBlock();
  SmallVector<Part> parts;
  for (tensor::InsertSliceOp insert : chain) {
    Part part{insert, findEmptyDestination(insert.getSource(), block)};
    // The slice is taken before the producer: its offsets and sizes must
    // exist there.
    if (part.destination &&
        !llvm::all_of(insert->getOperands().drop_front(2), [&](Value v) {
          return isDefinedBefore(v, part.destination->getProducer());
        }))
      part.destination.reset();
    parts.push_back(std::move(part));
  }

  // The parts computed in place, in the order their producers run, each
  // computed before the next one's producer starts.
  SmallVector<Part *> inPlace;
  for (Part &part : parts)
    if (part.destination)
      inPlace.push_back(&part);
  llvm::sort(inPlace, [](Part *a, Part *b) {
    return a->destination->getProducer()->isBeforeInBlock(
        b->destination->getProducer());
  });
  SmallVector<Part *> ordered;
  for (Part *part : inPlace) {
    Operation *producer = part->destination->getProducer();
    if (!ordered.empty() &&
        !isDefinedBefore(ordered.back()->insert.getSource(), producer))
      continue;
    ordered.push_back(part);
  }
  if (ordered.empty())
    return;
  Operation *firstProducer = ordered.front()->destination->getProducer();
  if (!llvm::all_of(root->getOperands(), [&](Value size) {
        return isDefinedBefore(size, firstProducer);
      }))
    return;
  if (!root->isBeforeInBlock(firstProducer))
    rewriter.moveOpBefore(root, firstProducer);

  Value concatenated = root.getResult();
  auto insertPart = [&](tensor::InsertSliceOp insert) {
    return tensor::InsertSliceOp::create(
               rewriter, insert.getLoc(), insert.getSource(), concatenated,
               insert.getMixedOffsets(), insert.getMixedSizes(),
               insert.getMixedStrides())
        .getResult();
  };
  for (Part *part : ordered) {
    tensor::InsertSliceOp insert = part->insert;
    rewriter.setInsertionPoint(part->destination->getProducer());
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, insert.getLoc(), insert.getSourceType(), concatenated,
        insert.getMixedOffsets(), insert.getMixedSizes(),
        insert.getMixedStrides());
    redirectDestination(*part->destination, slice, rewriter);
    rewriter.setInsertionPointAfterValue(insert.getSource());
    concatenated = insertPart(insert);
  }
  rewriter.setInsertionPoint(chain.back());
  for (Part &part : parts)
    if (!llvm::is_contained(ordered, &part))
      concatenated = insertPart(part.insert);
  rewriter.replaceAllUsesWith(chain.back().getResult(), concatenated);
  for (tensor::InsertSliceOp insert : llvm::reverse(chain))
    rewriter.eraseOp(insert);
}

namespace {
struct ConcatInPlacePass final
    : edge::impl::ConcatInPlacePassBase<ConcatInPlacePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> firsts;
    getOperation().walk([&](tensor::InsertSliceOp insert) {
      if (insert.getDest().getDefiningOp<tensor::EmptyOp>())
        firsts.push_back(insert);
    });
    IRRewriter rewriter(&getContext());
    for (tensor::InsertSliceOp first : firsts)
      concatInPlace(first, rewriter);
  }
};
} // namespace
