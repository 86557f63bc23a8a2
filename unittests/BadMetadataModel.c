//===- BadMetadataModel.c - A model library with malformed metadata -------===//
//
// Links with the runtime like a real model, but its metadata has a negative
// dimension: edge_model_create must fail with the parser's message.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 1 -3\n"
                                       "output y 1 1 3\n";

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  (void)buffers;
}
