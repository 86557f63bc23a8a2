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
    devices.push_back({name.getValue(), kind.getValue(),
                       target ? target.getValue() : StringRef(),
                       node ? node.getValue() : StringRef()});
  }
  return devices;
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
