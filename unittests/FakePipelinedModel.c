//===- FakePipelinedModel.c - A two-stage model for pipelined runs --------===//
//
// Stands in for a model placed on two CPU devices with the throughput
// objective: input x: f32[1] = the run's number k (negative for the last
// run of a stream). Stage 1, partition 0 on cpu1 (a worker thread), makes
// 10 * |k| and says that run |k| has started; stage 2, partition 1 on cpu0
// (the host), adds 1 and, unless run k is the last, waits (up to ten
// seconds) for stage 1 of run |k| + 1 to start: `overlapped` is 1 when it
// did, which only happens when the runtime starts the next run's first
// stage while this run's last stage runs.
//
//===----------------------------------------------------------------------===//

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 1 1\n"
                                       "output y 1 1 1\n"
                                       "output overlapped 1 1 1\n"
                                       "device cpu0 cpu\n"
                                       "device cpu1 cpu\n"
                                       "buffer 1 4\n"
                                       "buffer 1 4\n"
                                       "buffer 0 4\n"
                                       "copy i0 b0\n"
                                       "run 0 1 1 1 b0 b1\n"
                                       "copy b1 b2\n"
                                       "run 1 0 1 2 b2 o0 o1\n";

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
/// The highest run whose first stage has started.
static int latest_started;

void edge_generated_entry(int32_t partition, void **buffers) {
  const float *in = buffers[0];
  float *out = buffers[1];
  if (partition == 0) {
    int run = (int)fabsf(in[0]);
    pthread_mutex_lock(&lock);
    if (run > latest_started)
      latest_started = run;
    pthread_cond_broadcast(&started);
    pthread_mutex_unlock(&lock);
    out[0] = in[0] * 10;
    return;
  }
  out[0] = fabsf(in[0]) + 1;
  float *overlapped = buffers[2];
  overlapped[0] = 0;
  if (in[0] < 0)
    return;
  int next = (int)(in[0] / 10) + 1;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&lock);
  int waited = 0;
  while (latest_started < next && !waited)
    waited = pthread_cond_timedwait(&started, &lock, &deadline) != 0;
  overlapped[0] = latest_started >= next;
  pthread_mutex_unlock(&lock);
}
