//===- PartitionOrder.h - How placed ops group into partitions --*- C++ -*-===//
//
// Partitions are maximal runs of ops on one device in a topological order
// that stays on a device as long as one of its ops is ready, so each
// device's work is cut into as few functions as the dependencies allow.
// edge-partition outlines them; the placer reads a profile's partitions
// back onto its nodes (ProfileFeedback.h) with the same grouping.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_PARTITIONORDER_H
#define EDGE_PLACEMENT_PARTITIONORDER_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::edge {

struct PartitionOps {
  int device = 0;
  SmallVector<Operation *> ops;
};

/// Whether `op` is a constant the graph returns: constants get no device
/// (each partition clones those it uses), except these, which the first
/// device produces.
bool isReturnedConstant(Operation &op);

/// Groups `placed` (each op of a block, in block order, with its device)
/// into partitions, numbered as the schedule calls them.
SmallVector<PartitionOps>
formPartitions(const llvm::MapVector<Operation *, int> &placed);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_PARTITIONORDER_H
