//===- ThreadPool.h - The threads parallel loops run on ----------*- C -*-===//
//
// The generated code hands each outermost parallel loop to
// edge_parallel_for (see edge-outline-parallel-loops). A model instance
// owns a pool of `threads - 1` workers; the thread that runs the model is
// the other one. With one thread there is no pool and a loop costs one
// indirect call.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_RUNTIME_THREADPOOL_H
#define EDGE_RUNTIME_THREADPOOL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define EDGE_RT_HIDDEN __attribute__((visibility("hidden")))
#else
#define EDGE_RT_HIDDEN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Runs the iterations [begin, end) of an outlined loop.
typedef void (*edge_rt_loop_body)(void *ctx, int64_t begin, int64_t end);

typedef struct edge_rt_thread_pool edge_rt_thread_pool;

/// Most threads an instance may use.
enum { EDGE_RT_MAX_THREADS = 256 };

/// Loops estimated below this many operations run on the calling thread:
/// handing them to the workers would cost more than it saves (measured on
/// the BERT-style encoder, whose loops are small: 0.37 ms at two threads
/// with this bound, 0.50 ms with a quarter of it).
enum { EDGE_RT_MIN_PARALLEL_WORK = 65536 };

/// Starts `threads - 1` workers. NULL when `threads` <= 1 (no pool needed)
/// or when a thread cannot be started (then *error says why).
EDGE_RT_HIDDEN edge_rt_thread_pool *
edge_rt_create_thread_pool(unsigned threads, char *error, size_t error_size);
EDGE_RT_HIDDEN void edge_rt_destroy_thread_pool(edge_rt_thread_pool *pool);

/// Test hook: while `held` is nonzero the workers stay out of new loops,
/// as workers the machine has not scheduled yet would; the caller then
/// runs every chunk itself and returns without waiting for them.
EDGE_RT_HIDDEN void edge_rt_hold_thread_pool_workers(edge_rt_thread_pool *pool,
                                                     int held);

/// The pool edge_parallel_for uses on the calling thread (NULL: run
/// loops serially); returns the previous one.
EDGE_RT_HIDDEN edge_rt_thread_pool *
edge_rt_set_current_thread_pool(edge_rt_thread_pool *pool);

/// Called by the generated code: runs body over [0, iterations), split
/// over the current pool when `work` (estimated operations) is worth it.
/// Returns when every iteration has run. `nodes` (NULL or a string of the
/// library) names the ONNX nodes the loop computes, for profiles.
EDGE_RT_HIDDEN void edge_parallel_for(edge_rt_loop_body body, void *ctx,
                                      int64_t iterations, int64_t work,
                                      const char *nodes);

/// The thread count EDGE_NUM_THREADS asks for: 1 when unset; 0 (and
/// *error set) when it is not an integer in [1, EDGE_RT_MAX_THREADS].
EDGE_RT_HIDDEN unsigned edge_rt_threads_from_environment(char *error,
                                                         size_t error_size);

#ifdef __cplusplus
}
#endif

#endif // EDGE_RUNTIME_THREADPOOL_H
