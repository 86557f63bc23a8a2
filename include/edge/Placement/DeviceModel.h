//===- DeviceModel.h - Devices the placer and cost model know --*- C++ -*-===//
//
// A device description lists the devices a model may run on (kind, peak
// compute, memory bandwidth and capacity, kernel launch overhead) and the
// links between them. It comes from `edge-compile --devices`: a JSON file
// (format in docs/placement.md) or a comma-separated list of built-in
// presets. Every time estimate is a roofline: the larger of compute time and
// memory time, plus the launch overhead.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_DEVICEMODEL_H
#define EDGE_PLACEMENT_DEVICEMODEL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::edge {

enum class DeviceKind { CPU, NVIDIA, AMD };

struct Device {
  std::string name;
  DeviceKind kind = DeviceKind::CPU;
  std::string chip;
  /// What the device's code is generated for, as `edge-compile --target`
  /// writes it (`cpu:cortex-a76`, `nvidia:sm_90`); empty for the compiling
  /// machine's CPU (`cpu`).
  std::string target;
  /// Sustained f32 throughput, in GFLOP/s.
  double peakGflops = 0;
  /// Sustained memory bandwidth, in GB/s.
  double memoryBandwidthGBps = 0;
  /// Memory the device can hold, in bytes.
  double memoryBytes = 0;
  /// Fixed cost of launching one kernel, in microseconds.
  double launchOverheadUs = 0;
  /// Edge ops the device cannot run ("edge.scatter_nd"); a node holding one
  /// is placed elsewhere.
  std::vector<std::string> unsupportedOps;

  bool supports(llvm::StringRef opName) const;
};

struct Link {
  std::string from, to;
  double bandwidthGBps = 0;
  double latencyUs = 0;
};

struct DeviceSet {
  llvm::SmallVector<Device> devices;
  llvm::SmallVector<Link> links;

  const Device *find(llvm::StringRef name) const;
  /// The link between two devices (either direction), if any.
  const Link *findLink(llvm::StringRef a, llvm::StringRef b) const;
};

llvm::StringRef getDeviceKindName(DeviceKind kind);

/// Names of the built-in presets (`--devices=host,h100`).
llvm::ArrayRef<llvm::StringRef> getDevicePresetNames();

/// Parses a device description file (JSON). Errors name the offending field,
/// e.g. `devices[1].peak_gflops: expected a positive number`.
llvm::Expected<DeviceSet> parseDeviceDescription(llvm::StringRef json);

/// Builds a device set from preset names (a repeated name gives another
/// device: host, host1, ...); every pair of devices is joined by a
/// PCIe-class link.
llvm::Expected<DeviceSet> getPresetDevices(llvm::StringRef commaSeparated);

/// Seconds one kernel of `flops` operations moving `bytes` takes on `device`.
double estimateKernelSeconds(const Device &device, int64_t flops,
                             int64_t bytes);

/// Seconds moving `bytes` over `link`.
double estimateTransferSeconds(const Link &link, int64_t bytes);

/// Reads `--devices`: a JSON file when `spec` names one, else presets.
llvm::Expected<DeviceSet> loadDevices(llvm::StringRef spec);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_DEVICEMODEL_H
