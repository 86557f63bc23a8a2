//===- FormFusionGroups.cpp - Group ops that become one kernel ------------===//
//
// Greedy producer-into-consumer grouping (see the pass description in
// Passes.td): visiting ops from last to first, an op joins its users' group
// when every user is in that group and the rules of the group's kind allow
// it. Only a group's first-visited op (its root, last in program order) can
// have users outside the group, so each group is single-exit and replaces
// its root in place without creating cycles.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/ModelPlacement.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FORMFUSIONGROUPSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

static bool isContraction(Operation *op) {
  return isa<ConvOp, MatMulOp, QuantizedMatMulOp, GemmOp, EinsumOp>(op);
}

static bool isReduction(Operation *op) {
  return isa<SoftmaxOp, ReduceSumOp, ReduceMeanOp, ReduceProdOp, ReduceMaxOp,
             ReduceMinOp>(op);
}

static bool isElementwise(Operation *op) {
  return op->hasTrait<ElementwiseTrait>();
}

namespace {
/// A group under construction. `ops` are in visiting order: root first.
struct Group {
  SmallVector<Operation *> ops;
  int contractions = 0;
  int reductions = 0;
  /// The attention pattern reached its first matmul: nothing more joins.
  bool closed = false;
  /// A softmax feeding the group's only contraction as its left operand:
  /// the group is becoming an attention block.
  bool attention = false;
  /// The device some op of the group is pinned to (`edge.pin`).
  StringAttr pin;
};
} // namespace

/// Whether `producer` may join `group`, all of whose users are in it.
static bool canJoin(Operation *producer, const Group &group) {
  if (group.closed)
    return false;
  // Ops pinned to different devices cannot run as one kernel.
  auto pin = producer->getAttrOfType<StringAttr>(kPinAttrName);
  if (pin && group.pin && pin != group.pin)
    return false;
  Operation *root = group.ops.front();
  if (isElementwise(producer))
    // No prologue for a contraction (it would recompute the producer per
    // tap), except inside an attention block's scale and mask.
    return group.contractions == 0 || group.attention;
  if (isReduction(producer)) {
    if (group.contractions == 0)
      return true;
    // softmax -> matmul: the start of an attention block.
    auto softmax = dyn_cast<SoftmaxOp>(producer);
    auto matmul = dyn_cast<MatMulOp>(root);
    return softmax && matmul && group.ops.size() == 1 &&
           matmul.getLhs() == softmax.getResult();
  }
  if (isContraction(producer)) {
    if (group.attention)
      return isa<MatMulOp>(producer);
    if (group.contractions != 0 || group.reductions != 0)
      return false;
    // An epilogue must not broadcast the contraction's result: it would be
    // recomputed for every copy.
    for (Operation *user : producer->getUsers())
      if (user->getResultTypes() != producer->getResultTypes())
        return false;
    return true;
  }
  return false;
}

static void addToGroup(Operation *op, Group &group) {
  if (auto pin = op->getAttrOfType<StringAttr>(kPinAttrName))
    group.pin = pin;
  if (isContraction(op)) {
    if (group.attention)
      group.closed = true;
    ++group.contractions;
  }
  if (isReduction(op)) {
    if (isa<SoftmaxOp>(op) && group.contractions == 1)
      group.attention = true;
    ++group.reductions;
  }
  group.ops.push_back(op);
}

static StringRef getGroupKind(const Group &group) {
  if (group.contractions == 2)
    return "attention";
  if (group.contractions == 1)
    return "contraction";
  if (group.reductions != 0) {
    bool hasSqrt = llvm::any_of(
        group.ops, [](Operation *op) { return isa<SqrtOp>(op); });
    return hasSqrt ? "normalization" : "reduction";
  }
  return "elementwise";
}

/// Moves `group`'s ops into a fusion group that replaces its root.
static void outlineGroup(const Group &group, OpBuilder &builder) {
  Operation *root = group.ops.front();
  SmallVector<Location> locations;
  // Program order: the visiting order reversed.
  SmallVector<Operation *> ops(llvm::reverse(group.ops));
  llvm::sort(ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op : ops)
    locations.push_back(op->getLoc());
  builder.setInsertionPoint(root);
  auto fused = FusionGroupOp::create(
      builder, builder.getFusedLoc(locations), root->getResultTypes(),
      getGroupKind(group));
  Block *body = builder.createBlock(&fused.getBody());
  for (Operation *op : ops)
    op->moveBefore(body, body->end());
  builder.setInsertionPointToEnd(body);
  YieldOp::create(builder, root->getLoc(), root->getResults());
  root->replaceUsesWithIf(fused.getResults(), [&](OpOperand &use) {
    return !fused->isProperAncestor(use.getOwner());
  });
}

namespace {
struct FormFusionGroupsPass final
    : edge::impl::FormFusionGroupsPassBase<FormFusionGroupsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<Group> groups;
    llvm::DenseMap<Operation *, int> groupOf;
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front().without_terminator())
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops)) {
      if (!isElementwise(op) && !isReduction(op) && !isContraction(op))
        continue;
      // The one group holding every user, if any.
      int target = -1;
      bool allInOneGroup = !op->use_empty();
      for (Operation *user : op->getUsers()) {
        auto it = groupOf.find(user);
        if (it == groupOf.end() || (target >= 0 && it->second != target)) {
          allInOneGroup = false;
          break;
        }
        target = it->second;
      }
      if (!allInOneGroup || !canJoin(op, groups[target])) {
        target = groups.size();
        groups.emplace_back();
      }
      addToGroup(op, groups[target]);
      groupOf[op] = target;
    }
    OpBuilder builder(&getContext());
    for (const Group &group : groups)
      if (group.ops.size() > 1)
        outlineGroup(group, builder);
  }
};
} // namespace
