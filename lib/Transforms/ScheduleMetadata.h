//===- ScheduleMetadata.h - The host schedule as runtime metadata -*- C++ -*-===//

#ifndef EDGE_LIB_TRANSFORMS_SCHEDULEMETADATA_H
#define EDGE_LIB_TRANSFORMS_SCHEDULEMETADATA_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::edge {

/// The `estimate <partition> <nanoseconds>` line of an op carrying
/// `edge.estimated_seconds`, or "" without one.
std::string formatEstimate(unsigned partition, Operation *op);

/// Writes the `device`, `buffer`, `run`, `copy` and `estimate` lines of a
/// partitioned model (its function tagged `edge.schedule` by edge-partition)
/// and turns
/// its partitions into entries: each called function gets `edge.entry = N`
/// (N: its position in the schedule), read-only arguments and public
/// visibility. Fails, with a diagnostic, on a schedule the runtime cannot
/// run. The caller erases `schedule` afterwards.
LogicalResult writeSchedule(ModuleOp module, func::FuncOp schedule,
                            llvm::raw_ostream &os);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_SCHEDULEMETADATA_H
