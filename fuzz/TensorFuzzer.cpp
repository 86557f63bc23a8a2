//===- TensorFuzzer.cpp - Fuzz edge-run's tensor file readers -------------===//

#include "../tools/edge-run/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string contents(reinterpret_cast<const char *>(data), size);
  edge::run::HostTensor tensor;
  std::string error;
  if (edge::run::isNpy(contents))
    (void)edge::run::parseNpy("fuzz.npy", contents, tensor, error);
  else
    (void)edge::run::parseTensorProto("fuzz.pb", contents, tensor, error);
  return 0;
}
