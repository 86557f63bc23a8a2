//===- PartitionOrder.cpp - How placed ops group into partitions ----------===//

#include "edge/Placement/PartitionOrder.h"

#include "edge/Placement/ModelPlacement.h"

#include <set>

using namespace mlir;
using namespace mlir::edge;

bool mlir::edge::isReturnedConstant(Operation &op) {
  return op.hasTrait<OpTrait::ConstantLike>() &&
         llvm::is_contained(op.getUsers(), op.getBlock()->getTerminator());
}

SmallVector<PartitionOps>
mlir::edge::formPartitions(const llvm::MapVector<Operation *, int> &placed) {
  // Dependencies between placed ops, and each op's position in the block.
  llvm::DenseMap<Operation *, unsigned> position, pending;
  llvm::DenseMap<Operation *, SmallVector<Operation *>> users;
  for (auto [index, entry] : llvm::enumerate(placed))
    position[entry.first] = index;
  for (auto &[op, device] : placed) {
    llvm::SmallPtrSet<Operation *, 4> producers;
    for (Value value : getValuesReadBy(op))
      if (Operation *def = value.getDefiningOp(); def && placed.count(def))
        producers.insert(def);
    pending[op] = producers.size();
    for (Operation *producer : producers)
      users[producer].push_back(op);
  }
  // Ready ops ordered by position: stay on the current device while it has
  // a ready op, else move to the device of the earliest ready op.
  std::set<std::pair<unsigned, Operation *>> ready;
  for (auto &[op, device] : placed)
    if (pending[op] == 0)
      ready.insert({position[op], op});
  SmallVector<PartitionOps> partitions;
  while (!ready.empty()) {
    auto next = ready.begin();
    if (!partitions.empty())
      for (auto it = ready.begin(); it != ready.end(); ++it)
        if (placed.lookup(it->second) == partitions.back().device) {
          next = it;
          break;
        }
    Operation *op = next->second;
    ready.erase(next);
    int device = placed.lookup(op);
    if (partitions.empty() || partitions.back().device != device)
      partitions.push_back({device, {}});
    partitions.back().ops.push_back(op);
    for (Operation *user : users[op])
      if (--pending[user] == 0)
        ready.insert({position[user], user});
  }
  return partitions;
}
