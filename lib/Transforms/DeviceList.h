//===- DeviceList.h - The devices a placed module names ---------*- C++ -*-===//
//
// edge-place records the devices as the module attribute `edge.devices`: a
// list of {name, kind} dictionaries, the first device holding the graph's
// inputs and outputs. Partitioning and the schedule metadata read it back.
// The compiler adds `target` (`nvidia:sm_90`) to the GPU devices whose
// partitions it compiles for their GPU (besides their CPU version), and
// edge-place each device's `transfer_latency` and `transfer_seconds_per_byte`
// to every device (the placer's link costs: the schedule's copy estimates).
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_DEVICELIST_H
#define EDGE_LIB_TRANSFORMS_DEVICELIST_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::edge {

struct PlacedDevice {
  StringRef name, kind;
  /// Empty where the device's partitions only have CPU code.
  StringRef target;
  /// The machine the device is on; empty when all are on one.
  StringRef node;
  /// Per device, the placer's fixed cost and cost per byte of a copy from
  /// this device to it, in seconds; empty where edge-place did not say.
  ArrayRef<double> transferLatency, transferSecondsPerByte;

  /// The placer's estimate of copying `bytes` bytes to device `to`, in
  /// seconds, or a negative number where it has none.
  double estimateTransferSeconds(int to, int64_t bytes) const;
};

/// The module's `edge.devices`, in order. Fails, with a diagnostic, when the
/// attribute is missing, empty or malformed.
FailureOr<SmallVector<PlacedDevice>> readDeviceList(ModuleOp module);

/// The index of the device called `name`; fails, with a diagnostic on `op`,
/// when the list has none.
FailureOr<int> findDevice(ArrayRef<PlacedDevice> devices, StringRef name,
                          Operation *op);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_DEVICELIST_H
