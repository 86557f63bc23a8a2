//===- EmptyDestination.cpp - Producers computed into an empty tensor -----===//
//
// See EmptyDestination.h.
//
//===----------------------------------------------------------------------===//

#include "EmptyDestination.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;
using namespace mlir::edge;

/// Whether every use of `value` is by `user` or nested in it (a tiled
/// kernel's body may slice its destination as well as its block argument).
static bool usedOnlyWithin(Value value, Operation *user) {
  return llvm::all_of(value.getUses(), [&](OpOperand &use) {
    return user->isAncestor(use.getOwner());
  });
}

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

std::optional<EmptyDestination>
mlir::edge::findEmptyDestination(Value source, Block *block, bool sharedViews) {
  Value value = source;
  Operation *consumer = nullptr;
  // Whether `value` holds the source's data: nothing but reshapes since.
  bool sourceData = true;
  while (true) {
    auto result = dyn_cast<OpResult>(value);
    if (!result || result.getOwner()->getBlock() != block ||
        (consumer && !(sharedViews && sourceData) &&
         !usedOnlyWithin(value, consumer)))
      return std::nullopt;
    Operation *owner = result.getOwner();
    sourceData = sourceData &&
                 isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(owner);
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

void mlir::edge::redirectDestination(const EmptyDestination &destination,
                                     Value storage, RewriterBase &rewriter) {
  for (Operation *reshape : destination.reshapes) {
    IRMapping mapping;
    mapping.map(reshape->getOperand(0), storage);
    storage = rewriter.clone(*reshape, mapping)->getResult(0);
  }
  Operation *producer = destination.getProducer();
  rewriter.replaceUsesWithIf(
      destination.use->get(), storage,
      [&](OpOperand &use) { return producer->isAncestor(use.getOwner()); });
}
