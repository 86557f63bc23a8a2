//===- FakeModel.c - A hand-written stand-in for edge-compile's output ----===//
//
// Defines the symbols edge-compile generates, for a model with inputs
// a, b: f32[2,3] and outputs sum = a + b (f32[2,3]) and "max value" = the
// largest element of sum (an f32 scalar; its name exercises escaping).
// Linked with libedge_runtime.a and exports.map exactly like a real model.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

/// As if the memory plan had placed its intermediates in 4 KiB.
const int64_t edge_generated_workspace_bytes = 4096;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input a 1 2 2 3\n"
                                       "input b 1 2 2 3\n"
                                       "output sum 1 2 2 3\n"
                                       "output max%20value 1 0\n";

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  const float *a = buffers[0];
  const float *b = buffers[1];
  float *sum = buffers[2];
  float *max = buffers[3];
  for (int i = 0; i < 6; ++i)
    sum[i] = a[i] + b[i];
  *max = sum[0];
  for (int i = 1; i < 6; ++i)
    if (sum[i] > *max)
      *max = sum[i];
}
