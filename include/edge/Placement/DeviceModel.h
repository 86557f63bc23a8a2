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
  /// The machine the device belongs to (the description's `node`); empty
  /// when every device is on one machine. Devices of different machines
  /// exchange data over a NetworkLink.
  std::string machine;

  bool supports(llvm::StringRef opName) const;
};

struct Link {
  std::string from, to;
  double bandwidthGBps = 0;
  double latencyUs = 0;
};

/// A network link between two machines: every transfer between a device
/// of one and a device of the other crosses it, one after another.
struct NetworkLink {
  std::string from, to;
  /// The preset its figures come from (`wifi-6`), or empty.
  std::string preset;
  /// Goodput (what the application gets), in megabits per second.
  double bandwidthMbps = 0;
  /// One-way latency, in microseconds.
  double latencyUs = 0;
  /// Fraction of packets lost and sent again, in [0, 1).
  double lossRate = 0;
  /// Fixed cost of one message beyond the latency (the transport's own
  /// work), in microseconds.
  double messageOverheadUs = 0;

  /// Seconds before a message's first byte: latency and overhead.
  double getFixedSeconds() const;
  /// Seconds per byte at the goodput less the share sent again.
  double getSecondsPerByte() const;
};

struct DeviceSet {
  llvm::SmallVector<Device> devices;
  llvm::SmallVector<Link> links;
  llvm::SmallVector<NetworkLink> network;

  const Device *find(llvm::StringRef name) const;
  /// The link between two devices (either direction), if any.
  const Link *findLink(llvm::StringRef a, llvm::StringRef b) const;
  /// The network link between two machines (either direction), if any.
  const NetworkLink *findNetworkLink(llvm::StringRef a,
                                     llvm::StringRef b) const;
  /// The machines of the devices, in order of first appearance (empty when
  /// every device is on one machine).
  llvm::SmallVector<llvm::StringRef> getMachines() const;
};

llvm::StringRef getDeviceKindName(DeviceKind kind);

/// Names of the built-in presets (`--devices=host,h100`).
llvm::ArrayRef<llvm::StringRef> getDevicePresetNames();

/// Names of the built-in network presets (`ethernet-1g`, `wifi-6`, ...).
llvm::ArrayRef<llvm::StringRef> getNetworkPresetNames();

/// Parses a device description file (JSON). Errors name the offending field,
/// e.g. `devices[1].peak_gflops: expected a positive number`.
llvm::Expected<DeviceSet> parseDeviceDescription(llvm::StringRef json);

/// Builds a device set from preset names (a repeated name gives another
/// device: host, host1, ...); every pair of devices of one machine is
/// joined by a PCIe-class link. `PRESET@NODE` puts the device, called
/// `PRESET@NODE`, on machine NODE; a network preset among the names joins
/// every pair of machines.
llvm::Expected<DeviceSet> getPresetDevices(llvm::StringRef commaSeparated);

/// Seconds one kernel of `flops` operations moving `bytes` takes on `device`.
double estimateKernelSeconds(const Device &device, int64_t flops,
                             int64_t bytes);

/// Seconds moving `bytes` over `link`.
double estimateTransferSeconds(const Link &link, int64_t bytes);

/// Seconds moving `bytes` in one message over a network link: latency and
/// message overhead, then the bytes at the goodput less the lost share.
double estimateTransferSeconds(const NetworkLink &link, int64_t bytes);

/// Reads `--devices`: a JSON file when `spec` names one, else presets.
llvm::Expected<DeviceSet> loadDevices(llvm::StringRef spec);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_DEVICEMODEL_H
