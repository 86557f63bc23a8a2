//===- MetadataFuzzer.cpp - Fuzz the runtime's metadata parser ------------===//
//
// The runtime parses the text a model library embeds; a corrupt or hostile
// library must get an error, never an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "Metadata.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  edge_rt_metadata metadata;
  char error[128];
  if (edge_rt_parse_metadata(text.c_str(), &metadata, error, sizeof(error)) ==
      0)
    edge_rt_free_metadata(&metadata);
  return 0;
}
