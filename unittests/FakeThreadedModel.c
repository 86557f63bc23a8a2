//===- FakeThreadedModel.c - A stand-in model with a parallel loop --------===//
//
// y = 2 * x over 65536 floats, as one loop handed to the runtime's thread
// pool; input `index` is checked like a Gather's index (site 0): one out of
// [-65536, 65536) is reported from whichever thread meets it, as the code of
// edge-check-indices does. For the concurrency tests.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

enum { SIZE = 65536 };

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 1 65536\n"
                                       "input index 7 0\n"
                                       "output y 1 1 65536\n"
                                       "check 0 (fake%20gather,%20axis%200)\n";

void edge_parallel_for(void (*body)(void *, int64_t, int64_t), void *ctx,
                       int64_t iterations, int64_t work, const char *nodes);
void edge_rt_index_out_of_range(int32_t site, int64_t index, int64_t bound);

typedef struct {
  const float *x;
  int64_t index;
  float *y;
} loop_context;

static void body(void *opaque, int64_t begin, int64_t end) {
  loop_context *c = opaque;
  for (int64_t i = begin; i < end; ++i) {
    c->y[i] = 2.0f * c->x[i];
    // The last iteration checks the index: a worker usually runs it.
    if (i == SIZE - 1 && (c->index < -SIZE || c->index >= SIZE))
      edge_rt_index_out_of_range(0, c->index, SIZE);
  }
}

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  loop_context c = {buffers[0], *(const int64_t *)buffers[1], buffers[2]};
  edge_parallel_for(body, &c, SIZE, (int64_t)SIZE * 64, "fake gather");
}
