//===- CostReport.h - Cost estimates and placement of a model --*- C++ -*-===//
//
// `edge-compile --report=FILE.json`: for every node of the model function
// (a fusion group or a single op with a cost), its FLOPs, bytes and roofline
// time on each described device, with totals, and the placement the placer
// chooses (ModelPlacement.h) with its estimated time and memory per device.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_COSTREPORT_H
#define EDGE_PLACEMENT_COSTREPORT_H

#include "edge/Placement/DeviceModel.h"
#include "edge/Placement/ModelPlacement.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::edge {

/// Writes the report of the public function of `module` (edge dialect) to
/// `os` and, if `dot` is given, the placed graph as Graphviz DOT (nodes
/// coloured by device, edges crossing devices in red with their bytes).
/// Fails, with a diagnostic, on a pin naming no node or device.
LogicalResult
writeCostReport(ModuleOp module, const DeviceSet &devices,
                llvm::ArrayRef<DevicePin> pins, llvm::raw_ostream &os,
                llvm::raw_ostream *dot = nullptr,
                PlacementObjective objective = PlacementObjective::Latency,
                llvm::ArrayRef<ProfileFeedback> feedback = {});

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_COSTREPORT_H
