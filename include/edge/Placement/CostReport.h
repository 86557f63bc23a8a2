//===- CostReport.h - Per-op cost estimates on each device ------*- C++ -*-===//
//
// `edge-compile --report=FILE.json`: for every op of the model function
// that has a cost (CostOpInterface), its FLOPs, bytes and roofline time on
// each described device, with totals. The input the placer works from.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_COSTREPORT_H
#define EDGE_PLACEMENT_COSTREPORT_H

#include "edge/Placement/DeviceModel.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::edge {

/// Writes the report of the public function of `module` (edge dialect).
LogicalResult writeCostReport(ModuleOp module, const DeviceSet &devices,
                              llvm::raw_ostream &os);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_COSTREPORT_H
