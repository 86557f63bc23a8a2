//===- InlineFusionGroups.cpp - Replace fusion groups by their bodies -----===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_INLINEFUSIONGROUPSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
struct InlineFusionGroupsPass final
    : edge::impl::InlineFusionGroupsPassBase<InlineFusionGroupsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<FusionGroupOp> groups;
    getOperation().walk([&](FusionGroupOp group) { groups.push_back(group); });
    for (FusionGroupOp group : groups) {
      Block &body = group.getBody().front();
      auto yield = cast<YieldOp>(body.getTerminator());
      group.replaceAllUsesWith(yield.getValues());
      yield.erase();
      group->getBlock()->getOperations().splice(
          group->getIterator(), body.getOperations());
      group.erase();
    }
  }
};
} // namespace
