//===- DeviceList.cpp - The devices a placed module names -----------------===//

#include "DeviceList.h"

#include "edge/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::edge;

FailureOr<SmallVector<PlacedDevice>>
mlir::edge::readDeviceList(ModuleOp module) {
  auto described = module->getAttrOfType<ArrayAttr>(kDevicesAttrName);
  if (!described || described.empty())
    return module.emitError("no '")
           << kDevicesAttrName << "' attribute (run edge-place first)";
  SmallVector<PlacedDevice> devices;
  for (Attribute attr : described) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto kind = dict ? dict.getAs<StringAttr>("kind") : StringAttr();
    if (!name || !kind)
      return module.emitError("'")
             << kDevicesAttrName << "' must list {name, kind} dictionaries";
    auto target = dict.getAs<StringAttr>("target");
    auto node = dict.getAs<StringAttr>("node");
    auto latency = dict.getAs<DenseF64ArrayAttr>("transfer_latency");
    auto perByte = dict.getAs<DenseF64ArrayAttr>("transfer_seconds_per_byte");
    devices.push_back({name.getValue(), kind.getValue(),
                       target ? target.getValue() : StringRef(),
                       node ? node.getValue() : StringRef(),
                       latency ? latency.asArrayRef() : ArrayRef<double>(),
                       perByte ? perByte.asArrayRef() : ArrayRef<double>()});
  }
  for (const PlacedDevice &device : devices)
    if ((!device.transferLatency.empty() &&
         device.transferLatency.size() != devices.size()) ||
        device.transferLatency.size() != device.transferSecondsPerByte.size())
      return module.emitError("'")
             << kDevicesAttrName << "': device '" << device.name
             << "' must give transfer_latency and transfer_seconds_per_byte "
                "for each of the "
             << devices.size() << " devices";
  return devices;
}

double PlacedDevice::estimateTransferSeconds(int to, int64_t bytes) const {
  if (to < 0 || static_cast<size_t>(to) >= transferLatency.size())
    return -1;
  return transferLatency[to] + double(bytes) * transferSecondsPerByte[to];
}

FailureOr<int> mlir::edge::findDevice(ArrayRef<PlacedDevice> devices,
                                      StringRef name, Operation *op) {
  for (auto [index, device] : llvm::enumerate(devices))
    if (device.name == name)
      return static_cast<int>(index);
  return op->emitOpError("names device '")
         << name << "', which the module's '" << kDevicesAttrName
         << "' does not list";
}
