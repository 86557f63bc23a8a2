//===- DevicesFuzzer.cpp - Fuzz the device description parser -------------===//

#include "edge/Placement/DeviceModel.h"

#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef json(reinterpret_cast<const char *>(data), size);
  llvm::Expected<mlir::edge::DeviceSet> devices =
      mlir::edge::parseDeviceDescription(json);
  if (!devices)
    llvm::consumeError(devices.takeError());
  return 0;
}
