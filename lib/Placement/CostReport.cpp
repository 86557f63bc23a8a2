//===- CostReport.cpp - Per-op cost estimates on each device --------------===//

#include "edge/Placement/CostReport.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::edge;

/// The ONNX nodes an op came from: the names in its location, joined by
/// '+' when rewrites merged nodes (a convolution with its batch norm).
static std::string getNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string joined;
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations()) {
      std::string name = getNodeName(part);
      if (!name.empty())
        joined += (joined.empty() ? "" : "+") + name;
    }
  return joined;
}

LogicalResult mlir::edge::writeCostReport(ModuleOp module,
                                          const DeviceSet &devices,
                                          llvm::raw_ostream &os) {
  func::FuncOp model;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isDeclaration())
      model = func;
  if (!model)
    return module.emitError("no model function to report on");

  llvm::json::Array deviceList;
  for (const Device &device : devices.devices)
    deviceList.push_back(llvm::json::Object{
        {"name", device.name},
        {"kind", getDeviceKindName(device.kind)},
        {"chip", device.chip},
        {"peak_gflops", device.peakGflops},
        {"memory_bandwidth_gbps", device.memoryBandwidthGBps},
        {"memory_gb", device.memoryBytes / 1e9},
        {"launch_overhead_us", device.launchOverheadUs}});
  llvm::json::Array links;
  for (const Link &link : devices.links)
    links.push_back(llvm::json::Object{{"from", link.from},
                                       {"to", link.to},
                                       {"bandwidth_gbps", link.bandwidthGBps},
                                       {"latency_us", link.latencyUs}});

  llvm::json::Array ops;
  std::vector<double> totals(devices.devices.size(), 0);
  int64_t totalFlops = 0, totalBytes = 0;
  model.walk([&](CostOpInterface op) {
    int64_t flops = op.estimateFlops(), bytes = op.estimateBytes();
    totalFlops += flops;
    totalBytes += bytes;
    llvm::json::Object seconds;
    for (auto [index, device] : llvm::enumerate(devices.devices)) {
      double time = estimateKernelSeconds(device, flops, bytes);
      totals[index] += time;
      seconds[device.name] = time;
    }
    ops.push_back(llvm::json::Object{
        {"node", getNodeName(op->getLoc())},
        {"op", op->getName().getStringRef()},
        {"flops", flops},
        {"bytes", bytes},
        {"seconds", std::move(seconds)}});
  });
  llvm::json::Object totalSeconds;
  for (auto [index, device] : llvm::enumerate(devices.devices))
    totalSeconds[device.name] = totals[index];

  llvm::json::Object report{
      {"devices", std::move(deviceList)},
      {"links", std::move(links)},
      {"ops", std::move(ops)},
      {"totals",
       llvm::json::Object{{"flops", totalFlops},
                          {"bytes", totalBytes},
                          {"seconds_if_all_on", std::move(totalSeconds)}}}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  return success();
}
