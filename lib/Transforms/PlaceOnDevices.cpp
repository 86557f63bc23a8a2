//===- PlaceOnDevices.cpp - Record the placer's choice on the ops ---------===//

#include "edge/Placement/ModelPlacement.h"
#include "edge/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PLACEONDEVICESPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
struct PlaceOnDevicesPass final
    : edge::impl::PlaceOnDevicesPassBase<PlaceOnDevicesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model = findModelFunction(module);
    if (!model) {
      module.emitError("expected one public model function to place");
      return signalPassFailure();
    }
    llvm::Expected<DeviceSet> deviceSet = loadDevices(devices);
    if (!deviceSet) {
      module.emitError(llvm::toString(deviceSet.takeError()));
      return signalPassFailure();
    }
    SmallVector<DevicePin> parsedPins;
    for (const std::string &text : pins) {
      std::string error;
      DevicePin pin;
      if (failed(parseDevicePin(text, pin, error))) {
        module.emitError(error);
        return signalPassFailure();
      }
      parsedPins.push_back(pin);
    }
    PlacementObjective goal;
    std::string error;
    if (failed(parsePlacementObjective(objective, goal, error))) {
      module.emitError(error);
      return signalPassFailure();
    }
    llvm::Expected<std::vector<ProfileFeedback>> feedback =
        loadProfileFeedback(profileFeedback);
    if (!feedback) {
      module.emitError(llvm::toString(feedback.takeError()));
      return signalPassFailure();
    }
    FailureOr<ModelPlacement> placed =
        placeModel(model, *deviceSet, parsedPins, goal, *feedback);
    if (failed(placed))
      return signalPassFailure();

    Builder builder(&getContext());
    for (auto [node, op] : llvm::enumerate(placed->ops)) {
      int device = placed->placement.device[node];
      op->setAttr(kDeviceAttrName,
                  builder.getStringAttr(deviceSet->devices[device].name));
      op->setAttr(kEstimatedSecondsAttrName,
                  builder.getF64FloatAttr(
                      placed->problem.nodeSeconds[node][device]));
    }
    SmallVector<Attribute> described;
    for (auto [index, device] : llvm::enumerate(deviceSet->devices)) {
      SmallVector<NamedAttribute> fields = {
          builder.getNamedAttr("name", builder.getStringAttr(device.name)),
          builder.getNamedAttr(
              "kind", builder.getStringAttr(getDeviceKindName(device.kind)))};
      if (!device.machine.empty())
        fields.push_back(builder.getNamedAttr(
            "node", builder.getStringAttr(device.machine)));
      // The schedule's copies carry the placer's estimate, which profiles
      // put beside the measured time.
      fields.push_back(builder.getNamedAttr(
          "transfer_latency",
          builder.getDenseF64ArrayAttr(placed->problem.latencySeconds[index])));
      fields.push_back(builder.getNamedAttr(
          "transfer_seconds_per_byte",
          builder.getDenseF64ArrayAttr(placed->problem.secondsPerByte[index])));
      described.push_back(builder.getDictionaryAttr(fields));
    }
    module->setAttr(kDevicesAttrName, builder.getArrayAttr(described));
  }
};
} // namespace
