//===- ModelPlacement.h - Place a model's ops on devices --------*- C++ -*-===//
//
// Builds the placement problem (Placer.h) of a model function and solves it.
// The nodes are the function's top-level ops with a cost (fusion groups once
// edge-form-fusion-groups ran, single ops otherwise) plus two pseudo-nodes
// pinned to the first device for the graph's inputs and outputs, which live
// in the caller's (host) memory. Shared by `edge-place` and the cost report.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_MODELPLACEMENT_H
#define EDGE_PLACEMENT_MODELPLACEMENT_H

#include "edge/Placement/DeviceModel.h"
#include "edge/Placement/Placer.h"
#include "edge/Placement/ProfileFeedback.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::edge {

/// The attribute pinning an op to a device: `edge.pin = "gpu0"`.
inline constexpr const char *kPinAttrName = "edge.pin";

/// A user's pin (`--pin NODE=DEVICE`): ops from ONNX node NODE must run on
/// DEVICE.
struct DevicePin {
  std::string node, device;
};

/// Parses `NODE=DEVICE`; on failure, `error` says why.
LogicalResult parseDevicePin(llvm::StringRef text, DevicePin &pin,
                             std::string &error);

/// The ONNX nodes an op came from: the names in its location, joined by
/// '+' when rewrites or fusion merged nodes (`conv1+bn1+relu1`).
std::string getNodeName(Location loc);

/// The values `op` reads: its operands and what its regions (a fusion
/// group's body) use from above.
llvm::SetVector<Value> getValuesReadBy(Operation *op);

/// The model function: the only public function with a body.
func::FuncOp findModelFunction(ModuleOp module);

struct ModelPlacement {
  PlacementProblem problem;
  /// The placed ops, in program order; node i is ops[i].
  SmallVector<Operation *> ops;
  /// Each op's estimates (CostOpInterface), read once.
  SmallVector<int64_t> flops, bytes;
  int inputNode = 0, outputNode = 0;
  /// The placer's answer (always feasible).
  Placement placement;
};

/// Places the ops of `model` on `devices`, honouring `edge.pin` attributes
/// and `pins`. Fails, with a diagnostic, on a pin naming no node or device,
/// devices without a link, or when no placement fits the devices' memory. Each
/// of `feedback`, in order, then corrects the nodes' times with measured ones
/// and places again (ProfileFeedback.h); fails when a profile's partitions are
/// not the placement's.
FailureOr<ModelPlacement>
placeModel(func::FuncOp model, const DeviceSet &devices,
           llvm::ArrayRef<DevicePin> pins,
           PlacementObjective objective = PlacementObjective::Latency,
           llvm::ArrayRef<ProfileFeedback> feedback = {});

/// Parses `latency` or `throughput`; on failure, `error` says why.
LogicalResult parsePlacementObjective(llvm::StringRef text,
                                      PlacementObjective &objective,
                                      std::string &error);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_MODELPLACEMENT_H
