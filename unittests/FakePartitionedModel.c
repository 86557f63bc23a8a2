//===- FakePartitionedModel.c - A model split across three devices --------===//
//
// Stands in for a partitioned edge-compile output: input a: f32[4]; y = a * 2
// + 1, computed by partition 0 on cpu1 (a * 2) and partition 1 on gpu0
// (+ 1), then partition 2 on cpu0 copies y into the second output and
// writes, as its third output, where the partitions ran: flags[0] = 1 when
// partition 0 ran on another thread than partition 2 (cpu1 has a worker
// thread of its own), flags[1] = 1 when partition 1 ran on the same thread
// as partition 2 (gpu0 is absent, so its partition runs on the caller's).
//
//===----------------------------------------------------------------------===//

#include <pthread.h>
#include <stdint.h>

/// The largest partition arena; the four 16-byte buffers between
/// partitions take 64 bytes each on top.
const int64_t edge_generated_workspace_bytes = 1000;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input a 1 1 4\n"
                                       "output y 1 1 4\n"
                                       "output y_copy 1 1 4\n"
                                       "output flags 1 1 2\n"
                                       "device cpu0 cpu\n"
                                       "device cpu1 cpu\n"
                                       "device gpu0 nvidia\n"
                                       "buffer 1 16\n"
                                       "buffer 1 16\n"
                                       "buffer 2 16\n"
                                       "buffer 2 16\n"
                                       "copy i0 b0\n"
                                       "run 0 1 1 1 b0 b1\n"
                                       "copy b1 b2\n"
                                       "run 1 2 1 1 b2 b3\n"
                                       "copy b3 o0\n"
                                       "run 2 0 1 2 o0 o1 o2\n";

static pthread_t ran_on[3];

void edge_generated_entry(int32_t partition, void **buffers) {
  ran_on[partition] = pthread_self();
  const float *in = buffers[0];
  float *out = buffers[1];
  switch (partition) {
  case 0:
    for (int i = 0; i < 4; ++i)
      out[i] = in[i] * 2;
    break;
  case 1:
    for (int i = 0; i < 4; ++i)
      out[i] = in[i] + 1;
    break;
  case 2: {
    for (int i = 0; i < 4; ++i)
      out[i] = in[i];
    float *flags = buffers[2];
    flags[0] = !pthread_equal(ran_on[0], ran_on[2]);
    flags[1] = pthread_equal(ran_on[1], ran_on[2]);
    break;
  }
  }
}
