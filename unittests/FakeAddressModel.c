//===- FakeAddressModel.c - A fake model that reports where its input is --===//
//
// Its one output is the address of the buffer its input arrived in, so that
// a test can tell whether a caller's array reached the model without a copy
// (the Python module's zero-copy inputs).
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 2 4 4\n"
                                       "output address 7 0";

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  *(int64_t *)buffers[1] = (int64_t)(uintptr_t)buffers[0];
}
