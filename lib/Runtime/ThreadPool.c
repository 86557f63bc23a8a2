//===- ThreadPool.c - The threads parallel loops run on -------------------===//
//
// One job at a time: the thread running the model publishes a loop (body,
// context, chunks) by bumping `generation` and takes chunks itself. A
// worker joins the loop when it sees it; once the caller has run out of
// chunks it closes the loop and waits only for the workers that joined: a
// worker the machine has not scheduled yet (another process on its core)
// stays out, rather than holding up a loop the caller has finished alone.
// Each thread owns
// a contiguous block of the loop's chunks and runs it first, then takes
// what is left of the others' blocks: consecutive loops split alike (a
// convolution, then the depthwise one reading its channels) keep each
// thread on the data it wrote, in its own cache, while a thread the
// machine delays still leaves its chunks to the others. Between loops a
// worker spins for a short while (the next loop of a model usually follows
// within microseconds) and then sleeps on a condition variable.
//
//===----------------------------------------------------------------------===//

// pthreads, clock_gettime and sysconf are POSIX, beyond the C11 the runtime
// is built as.
#define _POSIX_C_SOURCE 200809L

#include "ThreadPool.h"
#include "Profile.h"

#include "RunStatus.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/// How long an idle worker, or the caller waiting for workers, spins
/// before it sleeps or yields its core.
enum { SPIN_NANOSECONDS = 1000000 };

/// Chunks per thread of a loop: enough that a delayed thread does not hold
/// up the others, few enough that claiming them costs nothing.
enum { CHUNKS_PER_THREAD = 4 };

/// The bit of `entry` that closes a loop to workers that have not joined.
#define LOOP_CLOSED ((uint_fast64_t)1 << 63)

/// One thread's block of a loop's chunks: the next one to run and the end.
/// A cache line each, so that claiming one's own chunks shares nothing.
typedef struct {
  _Alignas(64) atomic_int_fast64_t next;
  int64_t end;
} chunk_block;

/// What a worker thread starts with: its pool and its block's index (the
/// calling thread's block is 0).
typedef struct {
  edge_rt_thread_pool *pool;
  unsigned index;
} worker_start;

struct edge_rt_thread_pool {
  unsigned num_workers;
  pthread_t *workers;
  worker_start *starts;
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  atomic_uint_fast64_t generation;
  atomic_int stop;
  atomic_uint sleepers;
  /// The current loop, written before `generation` is bumped.
  edge_rt_loop_body body;
  void *ctx;
  int64_t iterations;
  int64_t num_chunks;
  /// One block per thread (num_workers + 1).
  chunk_block *blocks;
  /// The workers that joined the current loop (the low bits), and
  /// LOOP_CLOSED once the caller has run out of its chunks.
  atomic_uint_fast64_t entry;
  /// The workers that joined the current loop and are done with it.
  atomic_uint_fast64_t finished;
  /// Set by edge_rt_hold_thread_pool_workers: no worker joins a loop.
  atomic_int held;
  /// Set while the owner runs a loop: a nested loop runs serially.
  int busy;
  /// Where the owner's run reports errors (RunStatus.h); the workers report
  /// there while they run its loop.
  edge_rt_run_status *status;
};

static _Thread_local edge_rt_thread_pool *current_pool;

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int64_t now_nanoseconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/// Spins until `*value` differs from `unchanged` or the spin time is over;
/// returns the last value read.
static uint_fast64_t spin_while_equal(atomic_uint_fast64_t *value,
                                      uint_fast64_t unchanged) {
  int64_t deadline = 0;
  for (unsigned spins = 1;; ++spins) {
    uint_fast64_t current = atomic_load_explicit(value, memory_order_acquire);
    if (current != unchanged)
      return current;
    cpu_relax();
    if (spins % 256 == 0) {
      int64_t now = now_nanoseconds();
      if (!deadline)
        deadline = now + SPIN_NANOSECONDS;
      else if (now > deadline)
        return current;
    }
  }
}

/// Runs thread `self`'s block of chunks, then what the others have left.
static void run_chunks(edge_rt_thread_pool *pool, unsigned self) {
  int64_t chunks = pool->num_chunks, iterations = pool->iterations;
  unsigned threads = pool->num_workers + 1;
  for (unsigned k = 0; k < threads; ++k) {
    chunk_block *block = &pool->blocks[(self + k) % threads];
    for (;;) {
      int64_t chunk =
          atomic_fetch_add_explicit(&block->next, 1, memory_order_relaxed);
      if (chunk >= block->end)
        break;
      pool->body(pool->ctx, iterations * chunk / chunks,
                 iterations * (chunk + 1) / chunks);
    }
  }
}

/// Joins the current loop unless the caller has closed it.
static int join_loop(edge_rt_thread_pool *pool) {
  if (atomic_load_explicit(&pool->held, memory_order_relaxed))
    return 0;
  uint_fast64_t entry =
      atomic_load_explicit(&pool->entry, memory_order_acquire);
  while (!(entry & LOOP_CLOSED))
    if (atomic_compare_exchange_weak_explicit(&pool->entry, &entry, entry + 1,
                                              memory_order_acquire,
                                              memory_order_acquire))
      return 1;
  return 0;
}

static void *worker_main(void *arg) {
  const worker_start *start = arg;
  edge_rt_thread_pool *pool = start->pool;
  uint_fast64_t seen = 0;
  for (;;) {
    uint_fast64_t generation = spin_while_equal(&pool->generation, seen);
    if (generation == seen && !atomic_load(&pool->stop)) {
      // Announce the sleep before the last look at `generation`: the owner
      // bumps it before it looks at `sleepers`, so one of the two sees the
      // other (both sequentially consistent) and no wake-up is lost.
      pthread_mutex_lock(&pool->mutex);
      atomic_fetch_add(&pool->sleepers, 1);
      while ((generation = atomic_load(&pool->generation)) == seen &&
             !atomic_load(&pool->stop))
        pthread_cond_wait(&pool->wake, &pool->mutex);
      atomic_fetch_sub(&pool->sleepers, 1);
      pthread_mutex_unlock(&pool->mutex);
    }
    if (atomic_load(&pool->stop))
      return NULL;
    seen = generation;
    // Late for a loop the caller has finished: nothing to do. (Late enough
    // to see the next loop's entry open, it takes part in that one.)
    if (!join_loop(pool))
      continue;
    edge_rt_set_current_run_status(pool->status);
    run_chunks(pool, start->index);
    atomic_fetch_add_explicit(&pool->finished, 1, memory_order_release);
  }
}

static void wake_sleepers(edge_rt_thread_pool *pool) {
  if (atomic_load(&pool->sleepers) == 0)
    return;
  pthread_mutex_lock(&pool->mutex);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
}

EDGE_RT_HIDDEN edge_rt_thread_pool *
edge_rt_create_thread_pool(unsigned threads, char *error, size_t error_size) {
  if (threads <= 1)
    return NULL;
  edge_rt_thread_pool *pool = calloc(1, sizeof(edge_rt_thread_pool));
  pthread_t *workers = calloc(threads - 1, sizeof(pthread_t));
  worker_start *starts = calloc(threads - 1, sizeof(worker_start));
  chunk_block *blocks =
      aligned_alloc(_Alignof(chunk_block), threads * sizeof(chunk_block));
  if (!pool || !workers || !starts || !blocks) {
    free(pool);
    free(workers);
    free(starts);
    free(blocks);
    snprintf(error, error_size, "out of memory for a pool of %u threads",
             threads);
    return NULL;
  }
  pool->workers = workers;
  pool->starts = starts;
  pool->blocks = blocks;
  for (unsigned i = 0; i < threads; ++i) {
    atomic_init(&blocks[i].next, 0);
    blocks[i].end = 0;
  }
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->stop, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->entry, LOOP_CLOSED);
  atomic_init(&pool->finished, 0);
  atomic_init(&pool->held, 0);
  for (unsigned i = 0; i + 1 < threads; ++i) {
    starts[i].pool = pool;
    starts[i].index = i + 1;
    int failure = pthread_create(&workers[i], NULL, worker_main, &starts[i]);
    if (failure) {
      snprintf(error, error_size, "cannot start thread %u of %u: %s", i + 2,
               threads, strerror(failure));
      edge_rt_destroy_thread_pool(pool);
      return NULL;
    }
    pool->num_workers = i + 1;
  }
  return pool;
}

EDGE_RT_HIDDEN void edge_rt_destroy_thread_pool(edge_rt_thread_pool *pool) {
  if (!pool)
    return;
  atomic_store(&pool->stop, 1);
  pthread_mutex_lock(&pool->mutex);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (unsigned i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->workers[i], NULL);
  pthread_mutex_destroy(&pool->mutex);
  pthread_cond_destroy(&pool->wake);
  free(pool->workers);
  free(pool->starts);
  free(pool->blocks);
  free(pool);
}

EDGE_RT_HIDDEN void edge_rt_hold_thread_pool_workers(edge_rt_thread_pool *pool,
                                                     int held) {
  atomic_store(&pool->held, held);
}

EDGE_RT_HIDDEN edge_rt_thread_pool *
edge_rt_set_current_thread_pool(edge_rt_thread_pool *pool) {
  edge_rt_thread_pool *previous = current_pool;
  current_pool = pool;
  return previous;
}

static void run_loop(edge_rt_loop_body body, void *ctx, int64_t iterations,
                     int64_t work) {
  edge_rt_thread_pool *pool = current_pool;
  if (!pool || pool->busy || iterations < 2 ||
      work < EDGE_RT_MIN_PARALLEL_WORK) {
    if (iterations > 0)
      body(ctx, 0, iterations);
    return;
  }
  pool->busy = 1;
  int64_t threads = (int64_t)pool->num_workers + 1;
  pool->body = body;
  pool->ctx = ctx;
  pool->status = edge_rt_current_run_status();
  pool->iterations = iterations;
  pool->num_chunks = iterations < threads * CHUNKS_PER_THREAD
                         ? iterations
                         : threads * CHUNKS_PER_THREAD;
  for (int64_t t = 0; t < threads; ++t) {
    atomic_store_explicit(&pool->blocks[t].next, pool->num_chunks * t / threads,
                          memory_order_relaxed);
    pool->blocks[t].end = pool->num_chunks * (t + 1) / threads;
  }
  // Opens the loop to workers once it is set up (a worker joins with an
  // acquiring exchange), then publishes it (sequentially consistent, see
  // worker_main).
  atomic_store_explicit(&pool->finished, 0, memory_order_relaxed);
  atomic_store_explicit(&pool->entry, 0, memory_order_release);
  atomic_fetch_add(&pool->generation, 1);
  wake_sleepers(pool);
  run_chunks(pool, 0);
  // `ctx` lives on the caller's stack: every worker that joined must be
  // done with it; no other may join now.
  uint_fast64_t joined = atomic_fetch_or_explicit(&pool->entry, LOOP_CLOSED,
                                                  memory_order_acq_rel) &
                         ~LOOP_CLOSED;
  int64_t deadline = now_nanoseconds() + SPIN_NANOSECONDS;
  for (unsigned spins = 1;
       atomic_load_explicit(&pool->finished, memory_order_acquire) != joined;
       ++spins) {
    cpu_relax();
    if (spins % 256 == 0 && now_nanoseconds() > deadline)
      sched_yield();
  }
  pool->busy = 0;
}

/// How deep in edge_parallel_for calls the calling thread is.
static _Thread_local int loop_depth;

EDGE_RT_HIDDEN void edge_parallel_for(edge_rt_loop_body body, void *ctx,
                                      int64_t iterations, int64_t work,
                                      const char *nodes) {
  // A profiled step records each of its outermost loops.
  int profiled = loop_depth == 0 && edge_rt_profile_in_step();
  int64_t start = profiled ? edge_rt_profile_now() : 0;
  ++loop_depth;
  run_loop(body, ctx, iterations, work);
  --loop_depth;
  if (profiled)
    edge_rt_profile_record_loop(nodes, start, edge_rt_profile_now());
}

EDGE_RT_HIDDEN unsigned edge_rt_threads_from_environment(char *error,
                                                         size_t error_size) {
  const char *text = getenv("EDGE_NUM_THREADS");
  if (!text || !*text)
    return 1;
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || *end || value < 0 || value > EDGE_RT_MAX_THREADS) {
    snprintf(error, error_size,
             "EDGE_NUM_THREADS must be a number of threads from 1 to %d (0: "
             "one per online processor), got '%s'",
             EDGE_RT_MAX_THREADS, text);
    return 0;
  }
  if (value == 0) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online < 1                     ? 1
           : online > EDGE_RT_MAX_THREADS ? EDGE_RT_MAX_THREADS
                                          : (unsigned)online;
  }
  return (unsigned)value;
}
