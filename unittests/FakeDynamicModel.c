//===- FakeDynamicModel.c - A stand-in for a model with dynamic sizes -----===//
//
// As edge-compile --dim='batch<=8' would build it: inputs x: f32[batch, 4]
// and y: f32[batch, 1]; outputs sum = x + y (f32[batch, 4]) and rowmax, the
// largest element of each row of sum (f32[?], a size the run computes, at
// most 8). The entry takes the sizes buffer after the outputs: batch (the
// runtime writes it), then the outputs' sizes, which the entry writes.
//
// To test the runtime's checks of those sizes, the entry misreports them
// as a broken library would when x's first element is one of two markers
// no test data has: FAKE_REPORT_ABOVE_BOUND (rowmax's size one above its
// bound) or FAKE_REPORT_OTHER_STATIC (sum's static dimension 1 as 3).
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

#define FAKE_REPORT_ABOVE_BOUND 1e30f
#define FAKE_REPORT_OTHER_STATIC -1e30f

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "symbol 0 batch 8\n"
                                       "input x 1 2 $0 4\n"
                                       "input y 1 2 $0 1\n"
                                       "output sum 1 2 $0 4\n"
                                       "output rowmax 1 1 ?8\n"
                                       "shapes 4\n"
                                       "estimate 0 100\n";

/// sum = x + y (y broadcast along each row), rowmax = each row's largest.
static void add_rows(int64_t batch, const float *x, const float *y, float *sum,
                     float *rowmax) {
  for (int64_t r = 0; r < batch; ++r) {
    rowmax[r] = x[r * 4] + y[r];
    for (int64_t c = 0; c < 4; ++c) {
      sum[r * 4 + c] = x[r * 4 + c] + y[r];
      if (sum[r * 4 + c] > rowmax[r])
        rowmax[r] = sum[r * 4 + c];
    }
  }
}

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  const float *x = buffers[0];
  const float *y = buffers[1];
  float *sum = buffers[2];
  float *rowmax = buffers[3];
  int64_t *sizes = buffers[4];
  int64_t batch = sizes[0];
  add_rows(batch, x, y, sum, rowmax);
  // sum's sizes, then rowmax's: one value per row.
  sizes[1] = batch;
  sizes[2] = 4;
  sizes[3] = batch;
  if (batch > 0 && x[0] == FAKE_REPORT_ABOVE_BOUND)
    sizes[3] = 9;
  if (batch > 0 && x[0] == FAKE_REPORT_OTHER_STATIC)
    sizes[2] = 3;
}
