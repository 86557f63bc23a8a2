//===- Devices.c - Where a partitioned model's steps run ------------------===//

// pthreads and dlopen are POSIX, beyond the C11 the runtime is built as.
#define _POSIX_C_SOURCE 200809L

#include "Devices.h"
#include "Environment.h"
#include "Network.h"
#include "RunStatus.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EDGE_RT_ERROR_TEXT_SIZE = 320 };

/// The network thread's pause between polls of its messages: from 20 us
/// (a message that is about to come) to 1 ms (one a peer's partition is
/// still computing). Each poll takes the core of the rank's partitions for
/// a moment: capped at 200 or 50 us, a stream of mobilenet_v2 over two
/// ranks of one core each ran 7-20% slower than with 1 ms. While an
/// executor waits for a step's inputs, its core is idle and the pause
/// stays at 20 us, so that a message it waits for is seen at once (a
/// median of 293 runs/s against 273 in seven rounds). A profiled run polls
/// at least every 50 us, so that its messages' times are measured to that.
enum {
  MIN_POLL_PAUSE_NS = 20000,
  MAX_POLL_PAUSE_NS = 1000000,
  PROFILED_MAX_POLL_PAUSE_NS = 50000
};

/// How a device's partitions run.
typedef enum placement {
  /// Its own code (CPU, or GPU code for a device with a target).
  RUN_OWN_CODE,
  /// The CPU version of a GPU device's partitions: entry -1-P.
  RUN_CPU_VERSION,
} placement;

/// A worker thread that runs its device's steps, run after run. Its queue
/// and stop flag are guarded by the executors' run_lock, and it sleeps on
/// their step_done (signalled by every finished step and every new item).
typedef struct worker {
  pthread_t thread;
  struct edge_rt_executors *executors;
  /// Parallel loops of the steps it runs go to this pool (NULL: none).
  edge_rt_thread_pool *pool;
  /// A ring of submitted items (slot * num_steps + step): [head, tail)
  /// are still to run. It holds every step of every slot at once.
  size_t *queue;
  size_t capacity, head, tail;
  /// Whether a run's items may start out of schedule order (the network
  /// thread's messages, matched by tag).
  bool any_order;
  int stopping;
} worker;

/// One run in flight: its buffers, which steps are done, its index-check
/// status, its profile run and its first GPU or network error.
typedef struct run_slot {
  void *const *const *step_buffers;
  bool *done;
  size_t remaining;
  edge_rt_run_status *run_status;
  uint32_t profile_run;
  char error_text[EDGE_RT_ERROR_TEXT_SIZE];
} run_slot;

/// A message of the network thread in flight: copy `step` of the run in
/// `slot`, started at `start` (profile time).
typedef struct exchange {
  size_t slot, step;
  int64_t start;
  edge_rt_message message;
} exchange;

/// What this process does with a step of a schedule on several nodes.
typedef enum step_role {
  /// Runs it (every step when one process runs every node).
  STEP_HERE,
  /// A copy to another node's device: sends the source.
  STEP_SEND,
  /// A copy from another node's device: receives the destination.
  STEP_RECEIVE,
  /// Another node's: done as far as this process is concerned.
  STEP_ELSEWHERE,
} step_role;

struct edge_rt_executors {
  const edge_rt_metadata *metadata;
  edge_rt_entry entry;
  edge_rt_gpu_constants *gpu_constants;
  edge_rt_profile *profile;
  int trace;
  /// Per device: its worker (NULL: the host's executor) and how it runs.
  worker **workers;
  placement *placements;
  bool *gpu_code;
  /// Per step: the steps whose results it reads.
  size_t **dependencies;
  size_t *num_dependencies;
  /// The host's executor: the caller's thread until the first run that
  /// returns before it is done; from then on, a worker with the caller's
  /// thread pool (so that runs of the caller and of the host never mix).
  worker *host;
  edge_rt_thread_pool *host_pool;

  /// A schedule on several nodes: this process's rank (its node's index;
  /// -1 when every node runs here), and each device's node index.
  int rank;
  size_t *device_nodes;
  const char **node_names;
  /// Under mpirun, what this process does with each step (NULL: runs all).
  step_role *roles;
  /// Under mpirun, the thread that sends tensors to other nodes and
  /// receives theirs (network_main): a message waits for its peer, which
  /// on a device's executor would hold up its next steps (a stream's next
  /// run); the steps that read a received tensor wait for its receive as
  /// for any step they depend on.
  worker *network;
  /// The network thread's messages in flight, and the items it starts
  /// (each room for every step of every slot).
  exchange *flying;
  size_t *starting;
  /// Executors waiting for a step's inputs (under run_lock): while one
  /// waits, its core has time for the network thread's polls.
  size_t waiting_executors;

  /// The runs in flight; run_lock guards their progress.
  pthread_mutex_t run_lock;
  pthread_cond_t step_done;
  size_t num_slots;
  run_slot *slots;
};

static const char *ref_device_name(const edge_rt_metadata *m, edge_rt_ref ref) {
  return m->devices[edge_rt_ref_device(m, ref)].name;
}

static bool is_local(const edge_rt_executors *x, size_t d) {
  return x->rank < 0 || x->device_nodes[d] == (size_t)x->rank;
}

static step_role find_role(const edge_rt_executors *x, size_t s) {
  const edge_rt_metadata *m = x->metadata;
  const edge_rt_step *step = &m->steps[s];
  if (!step->is_copy)
    return is_local(x, step->device) ? STEP_HERE : STEP_ELSEWHERE;
  bool from = is_local(x, edge_rt_ref_device(m, step->refs[0]));
  bool to = is_local(x, edge_rt_ref_device(m, step->refs[1]));
  return from && to ? STEP_HERE
         : from     ? STEP_SEND
         : to       ? STEP_RECEIVE
                    : STEP_ELSEWHERE;
}

/// Step `s`'s role in this process, found once when it joins the job.
static step_role get_role(const edge_rt_executors *x, size_t s) {
  return x->roles ? x->roles[s] : STEP_HERE;
}

/// Keeps the run's first error.
static void record_error(edge_rt_executors *x, run_slot *run,
                         const char *text) {
  pthread_mutex_lock(&x->run_lock);
  if (!run->error_text[0])
    snprintf(run->error_text, sizeof(run->error_text), "%s", text);
  pthread_mutex_unlock(&x->run_lock);
}

/// The bytes copy step `s` moves in a run: with dynamic sizes, what the
/// source holds in this run, which the target (an output of the run's
/// sizes) has room for.
static size_t copy_bytes(const edge_rt_metadata *m, const edge_rt_step *step,
                         void **buffers) {
  const int64_t *sizes = m->num_symbols ? (const int64_t *)buffers[2] : NULL;
  size_t bytes = edge_rt_ref_run_bytes(m, step->refs[0], sizes);
  size_t room = edge_rt_ref_run_bytes(m, step->refs[1], sizes);
  if (step->refs[1].kind != 'b' && room < bytes)
    bytes = room;
  return bytes;
}

/// Starts sending or receiving copy `s` of the run in `slot` between
/// nodes. Returns nonzero with a message on failure.
static int start_exchange(edge_rt_executors *x, size_t slot, size_t s,
                          edge_rt_message *message, char *error,
                          size_t error_size) {
  const edge_rt_metadata *m = x->metadata;
  const edge_rt_step *step = &m->steps[s];
  void **buffers = (void **)(uintptr_t)x->slots[slot].step_buffers[s];
  size_t bytes = copy_bytes(m, step, buffers);
  bool send = get_role(x, s) == STEP_SEND;
  size_t peer =
      x->device_nodes[edge_rt_ref_device(m, step->refs[send ? 1 : 0])];
  const char *node = x->node_names[peer];
  if (x->trace)
    fprintf(
        stderr, "edge: %s %c%zu on %s -> %c%zu on %s (node %s, %zu bytes)\n",
        send ? "send" : "receive", step->refs[0].kind, step->refs[0].index,
        ref_device_name(m, step->refs[0]), step->refs[1].kind,
        step->refs[1].index, ref_device_name(m, step->refs[1]), node, bytes);
  // A tag per slot and step matches each message of a run with its
  // receive, whatever order the messages of runs in flight take.
  int tag = (int)(slot * m->num_steps + s);
  return edge_rt_network_start(message, send ? buffers[0] : buffers[1], bytes,
                               send, (int)peer, node, tag, error, error_size);
}

static void wait_for_dependencies(edge_rt_executors *x, run_slot *run,
                                  size_t s) {
  pthread_mutex_lock(&x->run_lock);
  for (size_t i = 0; i < x->num_dependencies[s]; ++i)
    while (!run->done[x->dependencies[s][i]])
      pthread_cond_wait(&x->step_done, &x->run_lock);
  pthread_mutex_unlock(&x->run_lock);
}

static void mark_done(edge_rt_executors *x, run_slot *run, size_t s) {
  pthread_mutex_lock(&x->run_lock);
  run->done[s] = true;
  --run->remaining;
  pthread_cond_broadcast(&x->step_done);
  pthread_mutex_unlock(&x->run_lock);
}

/// Runs step `s` of the run in `slot` on the calling thread once the steps
/// it reads are done.
static void execute_step(edge_rt_executors *x, size_t slot, size_t s) {
  const edge_rt_metadata *m = x->metadata;
  const edge_rt_step *step = &m->steps[s];
  run_slot *run = &x->slots[slot];
  void **buffers = (void **)(uintptr_t)run->step_buffers[s];
  wait_for_dependencies(x, run, s);
  int64_t start = x->profile ? edge_rt_profile_now() : 0;
  if (step->is_copy) {
    size_t bytes = copy_bytes(m, step, buffers);
    if (x->trace)
      fprintf(stderr, "edge: copy %c%zu on %s -> %c%zu on %s (%zu bytes)\n",
              step->refs[0].kind, step->refs[0].index,
              ref_device_name(m, step->refs[0]), step->refs[1].kind,
              step->refs[1].index, ref_device_name(m, step->refs[1]), bytes);
    if (bytes)
      memcpy(buffers[1], buffers[0], bytes);
    if (x->profile)
      edge_rt_profile_record(x->profile, run->profile_run, s, "memcpy", start,
                             edge_rt_profile_now());
    mark_done(x, run, s);
    return;
  }
  size_t d = step->device;
  int32_t partition = (int32_t)step->partition;
  bool gpu = x->gpu_code[d];
  if (x->placements[d] == RUN_CPU_VERSION)
    partition = -1 - partition;
  if (x->trace)
    fprintf(stderr, "edge: run partition %u on %s (%s%s)\n", step->partition,
            m->devices[d].name,
            x->workers[d] ? "its own thread"
            : x->host     ? "the host's thread"
                          : "the caller's thread",
            gpu                                      ? ", GPU code"
            : x->placements[d] == RUN_CPU_VERSION ? ", CPU version"
                                                     : "");
  edge_rt_set_current_run_status(run->run_status);
  edge_rt_profile_enter_step(x->profile, run->profile_run, s);
  if (gpu) {
    edge_rt_gpu_constants *previous =
        edge_rt_gpu_set_constants(x->gpu_constants);
    x->entry(partition, buffers);
    edge_rt_gpu_set_constants(previous);
    const char *failure = edge_rt_gpu_take_error();
    if (failure) {
      char text[EDGE_RT_ERROR_TEXT_SIZE];
      snprintf(text, sizeof(text), "the GPU failed: %s", failure);
      record_error(x, run, text);
    }
  } else {
    x->entry(partition, buffers);
  }
  edge_rt_profile_enter_step(NULL, 0, 0);
  if (x->profile)
    edge_rt_profile_record(x->profile, run->profile_run, s,
                           gpu ? "GPU code"
                           : x->placements[d] == RUN_CPU_VERSION
                               ? "CPU version"
                               : "CPU code",
                           start, edge_rt_profile_now());
  mark_done(x, run, s);
}

/// Whether queued item `i` (an index into [head, tail)) may run now: the
/// steps it reads are done, and (on a device) no earlier item of its run
/// is still queued, so that a run's steps keep their schedule order.
/// Runs in other slots may pass a run whose next step waits for another
/// device: without that, a device that ends a run (the copy of its outputs
/// back) would hold its next run's first partition until the last device
/// is done, and a pipeline of devices would run one run at a time.
/// Called with run_lock held.
static bool is_ready(const edge_rt_executors *x, const worker *w, size_t i) {
  size_t num_steps = x->metadata->num_steps;
  size_t item = w->queue[i % w->capacity];
  size_t slot = item / num_steps, s = item % num_steps;
  for (size_t earlier = w->head; earlier < i && !w->any_order; ++earlier)
    if (w->queue[earlier % w->capacity] / num_steps == slot)
      return false;
  const run_slot *run = &x->slots[slot];
  for (size_t k = 0; k < x->num_dependencies[s]; ++k)
    if (!run->done[x->dependencies[s][k]])
      return false;
  return true;
}

/// Takes item `i` out of the queue, keeping the others' order.
static size_t take_item(worker *w, size_t i) {
  size_t item = w->queue[i % w->capacity];
  for (; i > w->head; --i)
    w->queue[i % w->capacity] = w->queue[(i - 1) % w->capacity];
  ++w->head;
  return item;
}

static void *worker_main(void *argument) {
  worker *w = argument;
  edge_rt_executors *x = w->executors;
  size_t num_steps = x->metadata->num_steps;
  edge_rt_set_current_thread_pool(w->pool);
  pthread_mutex_lock(&x->run_lock);
  for (;;) {
    size_t i = w->head;
    while (i < w->tail && !is_ready(x, w, i))
      ++i;
    if (i == w->tail) {
      if (w->head == w->tail && w->stopping)
        break;
      bool waiting = w->head != w->tail;
      x->waiting_executors += waiting;
      pthread_cond_wait(&x->step_done, &x->run_lock);
      x->waiting_executors -= waiting;
      continue;
    }
    size_t item = take_item(w, i);
    pthread_mutex_unlock(&x->run_lock);
    execute_step(x, item / num_steps, item % num_steps);
    pthread_mutex_lock(&x->run_lock);
  }
  pthread_mutex_unlock(&x->run_lock);
  return NULL;
}

/// Ends exchange `e`: records its time and marks its step done, or records
/// `error` as its run's error.
static void finish_exchange(edge_rt_executors *x, const exchange *e,
                            const char *error) {
  run_slot *run = &x->slots[e->slot];
  if (error)
    record_error(x, run, error);
  else if (x->profile)
    edge_rt_profile_record_message(x->profile, run->profile_run, e->step,
                                   get_role(x, e->step) == STEP_SEND,
                                   e->message.bytes, e->start,
                                   edge_rt_profile_now());
  mark_done(x, run, e->step);
}

/// The network thread: starts every send whose tensor is ready and every
/// receive at once, then polls the messages in flight (MPI_Test) until
/// each is done, so that messages of several steps and runs overlap and a
/// slow peer holds up only the steps that need its tensor.
static void *network_main(void *argument) {
  worker *w = argument;
  edge_rt_executors *x = w->executors;
  size_t num_steps = x->metadata->num_steps;
  exchange *flying = x->flying;
  size_t *starting = x->starting;
  size_t num_flying = 0;
  long pause_ns = MIN_POLL_PAUSE_NS;
  long max_pause_ns =
      x->profile ? PROFILED_MAX_POLL_PAUSE_NS : MAX_POLL_PAUSE_NS;
  char error[EDGE_RT_ERROR_TEXT_SIZE];
  pthread_mutex_lock(&x->run_lock);
  for (;;) {
    size_t num_starting = 0;
    // Taking item i moves the earlier ones, which were not ready, up one
    // place: the next to look at is i + 1 either way.
    for (size_t i = w->head; i < w->tail; ++i)
      if (is_ready(x, w, i))
        starting[num_starting++] = take_item(w, i);
    if (!num_flying && !num_starting) {
      if (w->head == w->tail && w->stopping)
        break;
      pthread_cond_wait(&x->step_done, &x->run_lock);
      continue;
    }
    bool executor_waits = x->waiting_executors > 0;
    pthread_mutex_unlock(&x->run_lock);
    for (size_t i = 0; i < num_starting; ++i) {
      exchange *e = &flying[num_flying];
      e->slot = starting[i] / num_steps;
      e->step = starting[i] % num_steps;
      e->start = x->profile ? edge_rt_profile_now() : 0;
      if (start_exchange(x, e->slot, e->step, &e->message, error,
                         sizeof(error)))
        finish_exchange(x, e, error);
      else
        ++num_flying;
    }
    bool progressed = false;
    for (size_t i = 0; i < num_flying;) {
      int done = edge_rt_network_poll(&flying[i].message, error, sizeof(error));
      if (!done) {
        ++i;
        continue;
      }
      finish_exchange(x, &flying[i], done < 0 ? error : NULL);
      flying[i] = flying[--num_flying];
      progressed = true;
    }
    // Polling costs the devices' cores CPU time: the pause between polls
    // grows while nothing moves (a peer still computing) and is short again
    // once a message moves or starts.
    if (progressed || num_starting || executor_waits)
      pause_ns = MIN_POLL_PAUSE_NS;
    else if (pause_ns < max_pause_ns)
      pause_ns = 2 * pause_ns < max_pause_ns ? 2 * pause_ns : max_pause_ns;
    if (!progressed && num_flying) {
      struct timespec pause = {0, pause_ns};
      nanosleep(&pause, NULL);
    }
    pthread_mutex_lock(&x->run_lock);
  }
  pthread_mutex_unlock(&x->run_lock);
  return NULL;
}

static void enqueue(edge_rt_executors *x, worker *w, size_t item) {
  pthread_mutex_lock(&x->run_lock);
  w->queue[w->tail++ % w->capacity] = item;
  pthread_cond_broadcast(&x->step_done);
  pthread_mutex_unlock(&x->run_lock);
}

static worker *start_worker(edge_rt_executors *x, edge_rt_thread_pool *pool,
                            void *(*thread_main)(void *)) {
  worker *w = calloc(1, sizeof(worker));
  if (!w)
    return NULL;
  w->executors = x;
  w->pool = pool;
  w->any_order = thread_main == network_main;
  size_t steps = x->metadata->num_steps ? x->metadata->num_steps : 1;
  w->capacity = x->num_slots * steps;
  w->queue = calloc(w->capacity, sizeof(size_t));
  if (!w->queue) {
    free(w);
    return NULL;
  }
  if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
    free(w->queue);
    free(w);
    return NULL;
  }
  return w;
}

static void stop_worker(edge_rt_executors *x, worker *w) {
  pthread_mutex_lock(&x->run_lock);
  w->stopping = 1;
  pthread_cond_broadcast(&x->step_done);
  pthread_mutex_unlock(&x->run_lock);
  pthread_join(w->thread, NULL);
  free(w->queue);
  free(w);
}

/// Counts the GPUs of a driver loaded with dlopen: `init` then `count`
/// (the CUDA driver API and the HIP runtime have the same shapes). Returns
/// -1 when the library is absent.
static int count_gpus(const char *const *libraries, const char *init_name,
                      const char *count_name) {
  void *library = NULL;
  for (; *libraries && !library; ++libraries)
    library = dlopen(*libraries, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return -1;
  typedef int (*init_fn)(unsigned);
  typedef int (*count_fn)(int *);
  init_fn init = (init_fn)dlsym(library, init_name);
  count_fn count = (count_fn)dlsym(library, count_name);
  int devices = 0;
  if (!count || (init && init(0) != 0) || count(&devices) != 0)
    devices = 0;
  dlclose(library);
  return devices;
}

/// Why a GPU device without GPU code in the library cannot run its
/// partitions (they run their CPU version either way; the reason says
/// what is missing).
static const char *no_gpu_code_reason(const edge_rt_device *device) {
  static const char *const cuda[] = {"libcuda.so.1", "libcuda.so", NULL};
  static const char *const hip[] = {"libamdhip64.so", "libamdhip64.so.6",
                                    "libamdhip64.so.5", NULL};
  if (device->kind == EDGE_RT_DEVICE_NVIDIA) {
    int gpus = count_gpus(cuda, "cuInit", "cuDeviceGetCount");
    if (gpus < 0)
      return "no CUDA driver (libcuda.so.1 not found)";
    if (gpus == 0)
      return "the CUDA driver finds no GPU";
  } else {
    int gpus = count_gpus(hip, NULL, "hipGetDeviceCount");
    if (gpus < 0)
      return "no HIP runtime (libamdhip64.so not found)";
    if (gpus == 0)
      return "the HIP runtime finds no GPU";
  }
  return "the library was compiled without code for it (no target, or its "
         "toolchain was missing)";
}

/// Decides how device `d` runs: writes why its partitions fall back to the
/// host CPU into `reason`, or leaves it empty.
static placement place_device(edge_rt_executors *x, size_t d, char *reason,
                              size_t reason_size) {
  const edge_rt_device *device = &x->metadata->devices[d];
  reason[0] = '\0';
  bool listed =
      edge_rt_environment_lists("EDGE_UNAVAILABLE_DEVICES", device->name);
  if (device->kind == EDGE_RT_DEVICE_CPU) {
    if (listed)
      snprintf(reason, reason_size, "listed in EDGE_UNAVAILABLE_DEVICES");
    return RUN_OWN_CODE;
  }
  if (!device->target) {
    snprintf(reason, reason_size, "%s",
             listed ? "listed in EDGE_UNAVAILABLE_DEVICES"
                    : no_gpu_code_reason(device));
    return RUN_OWN_CODE;
  }
  if (listed) {
    snprintf(reason, reason_size, "listed in EDGE_UNAVAILABLE_DEVICES");
    return RUN_CPU_VERSION;
  }
  edge_rt_gpu_vendor vendor = device->kind == EDGE_RT_DEVICE_NVIDIA
                                  ? EDGE_GPU_NVIDIA
                                  : EDGE_GPU_AMD;
  if (edge_rt_gpu_vendor_unavailable_reason(vendor, reason, reason_size))
    return RUN_CPU_VERSION;
  x->gpu_code[d] = true;
  return RUN_OWN_CODE;
}

static const char *kind_name(edge_rt_device_kind kind) {
  switch (kind) {
  case EDGE_RT_DEVICE_CPU:
    return "cpu";
  case EDGE_RT_DEVICE_NVIDIA:
    return "nvidia";
  case EDGE_RT_DEVICE_AMD:
    return "amd";
  }
  return "?";
}

/// For each step, the steps that last wrote the buffers it reads.
static int find_dependencies(edge_rt_executors *x) {
  const edge_rt_metadata *m = x->metadata;
  size_t count = m->num_steps ? m->num_steps : 1;
  x->dependencies = calloc(count, sizeof(size_t *));
  x->num_dependencies = calloc(count, sizeof(size_t));
  if (!x->dependencies || !x->num_dependencies)
    return -1;
  for (size_t s = 0; s < m->num_steps; ++s) {
    const edge_rt_step *step = &m->steps[s];
    size_t reads = step->is_copy ? 1 : step->num_inputs;
    x->dependencies[s] = calloc(reads ? reads : 1, sizeof(size_t));
    if (!x->dependencies[s])
      return -1;
    for (size_t r = 0; r < reads; ++r) {
      edge_rt_ref ref = step->refs[r];
      if (ref.kind == 'i')
        continue;
      // The last earlier step that writes the buffer.
      for (size_t p = s; p-- > 0;) {
        const edge_rt_step *producer = &m->steps[p];
        size_t first = producer->is_copy ? 1 : producer->num_inputs;
        size_t end = edge_rt_step_num_refs(producer);
        bool writes = false;
        for (size_t w = first; w < end && !writes; ++w)
          writes = producer->refs[w].kind == ref.kind &&
                   producer->refs[w].index == ref.index;
        if (writes) {
          x->dependencies[s][x->num_dependencies[s]++] = p;
          break;
        }
      }
    }
  }
  return 0;
}

/// Set once this library has reported its fallbacks.
static atomic_int fallbacks_reported;

/// A schedule whose devices name nodes: numbers the nodes in order of
/// first appearance and joins the MPI job when mpirun started this process
/// (x->rank: this node; -1: every node runs here). Returns nonzero with a
/// message on failure.
static int join_nodes(edge_rt_executors *x, char *error, size_t error_size) {
  const edge_rt_metadata *m = x->metadata;
  x->rank = -1;
  if (!m->num_devices || !m->devices[0].node)
    return 0;
  x->device_nodes = calloc(m->num_devices, sizeof(size_t));
  x->node_names = calloc(m->num_devices, sizeof(char *));
  if (!x->device_nodes || !x->node_names) {
    snprintf(error, error_size, "out of memory");
    return 1;
  }
  size_t num_nodes = edge_rt_number_nodes(m, x->node_names, x->device_nodes);
  if (num_nodes < 2)
    return 0;
  int rank =
      edge_rt_network_join(num_nodes, x->node_names[0], error, error_size);
  if (rank == -2)
    return 1;
  if (rank >= 0 && m->num_symbols) {
    snprintf(
        error, error_size,
        "the library has dynamic sizes, which runs on several nodes "
        "cannot exchange yet; compile it with static sizes (--dim=NAME=SIZE)");
    return 1;
  }
  x->rank = rank;
  if (rank >= 0) {
    x->roles = calloc(m->num_steps ? m->num_steps : 1, sizeof(step_role));
    if (!x->roles) {
      snprintf(error, error_size, "out of memory");
      return 1;
    }
    for (size_t s = 0; s < m->num_steps; ++s)
      x->roles[s] = find_role(x, s);
  }
  size_t items = x->num_slots * (m->num_steps ? m->num_steps : 1);
  if (rank >= 0 && (!(x->flying = calloc(items, sizeof(exchange))) ||
                    !(x->starting = calloc(items, sizeof(size_t))) ||
                    !(x->network = start_worker(x, NULL, network_main)))) {
    snprintf(error, error_size,
             "cannot start the thread that sends and receives tensors");
    return 1;
  }
  if (x->trace && rank < 0)
    fprintf(stderr,
            "edge: the library spans %zu nodes; outside mpirun every node "
            "runs in this process\n",
            num_nodes);
  else if (x->trace)
    fprintf(stderr, "edge: this process is node %s (rank %d of %zu)\n",
            x->node_names[rank], rank, num_nodes);
  return 0;
}

edge_rt_executors *edge_rt_start_executors(const edge_rt_metadata *metadata,
                                           edge_rt_entry entry,
                                           edge_rt_gpu_constants *gpu_constants,
                                           edge_rt_thread_pool *host_pool,
                                           edge_rt_profile *profile,
                                           size_t num_slots, char *error,
                                           size_t error_size) {
  edge_rt_executors *x = calloc(1, sizeof(edge_rt_executors));
  size_t count = metadata->num_devices ? metadata->num_devices : 1;
  size_t steps = metadata->num_steps ? metadata->num_steps : 1;
  bool allocated = false;
  if (x) {
    x->metadata = metadata;
    x->num_slots = num_slots ? num_slots : 1;
    x->workers = calloc(count, sizeof(worker *));
    x->placements = calloc(count, sizeof(placement));
    x->gpu_code = calloc(count, sizeof(bool));
    x->slots = calloc(x->num_slots, sizeof(run_slot));
    pthread_mutex_init(&x->run_lock, NULL);
    pthread_cond_init(&x->step_done, NULL);
    allocated = x->workers && x->placements && x->gpu_code && x->slots;
    for (size_t i = 0; allocated && i < x->num_slots; ++i)
      allocated = (x->slots[i].done = calloc(steps, sizeof(bool))) != NULL;
  }
  if (!allocated || find_dependencies(x)) {
    edge_rt_stop_executors(x);
    snprintf(error, error_size, "out of memory");
    return NULL;
  }
  x->entry = entry;
  x->gpu_constants = gpu_constants;
  x->host_pool = host_pool;
  x->profile = profile;
  const char *trace = getenv("EDGE_TRACE");
  x->trace = trace && *trace && strcmp(trace, "0") != 0;
  if (join_nodes(x, error, error_size)) {
    edge_rt_stop_executors(x);
    return NULL;
  }
  int report = !atomic_exchange(&fallbacks_reported, 1);
  for (size_t d = 0; d < metadata->num_devices; ++d) {
    const edge_rt_device *device = &metadata->devices[d];
    // Another node's device runs in another process.
    if (!is_local(x, d))
      continue;
    char reason[320];
    x->placements[d] = place_device(x, d, reason, sizeof(reason));
    if (reason[0]) {
      if (report)
        fprintf(stderr,
                "edge: device '%s' (%s) is not used: %s; its partitions run "
                "on the host CPU\n",
                device->name, kind_name(device->kind), reason);
      continue;
    }
    if (d == 0)
      continue;
    x->workers[d] = start_worker(x, NULL, worker_main);
    if (!x->workers[d]) {
      edge_rt_stop_executors(x);
      snprintf(error, error_size, "cannot start a thread for device '%s'",
               device->name);
      return NULL;
    }
  }
  return x;
}

int edge_rt_submit_run(edge_rt_executors *x, size_t slot,
                       void *const *const *step_buffers,
                       edge_rt_run_status *run_status, uint32_t profile_run,
                       bool wait_on_caller, char *error, size_t error_size) {
  const edge_rt_metadata *m = x->metadata;
  if (!wait_on_caller && !x->host) {
    x->host = start_worker(x, x->host_pool, worker_main);
    if (!x->host) {
      snprintf(error, error_size, "cannot start a thread for the host");
      return 1;
    }
  }
  run_slot *run = &x->slots[slot];
  pthread_mutex_lock(&x->run_lock);
  run->step_buffers = step_buffers;
  run->run_status = run_status;
  run->profile_run = profile_run;
  run->error_text[0] = '\0';
  memset(run->done, 0, m->num_steps * sizeof(bool));
  run->remaining = m->num_steps;
  pthread_mutex_unlock(&x->run_lock);

  for (size_t s = 0; s < m->num_steps; ++s) {
    step_role role = get_role(x, s);
    if (role == STEP_ELSEWHERE) {
      mark_done(x, run, s);
      continue;
    }
    worker *w = role == STEP_SEND || role == STEP_RECEIVE
                    ? x->network
                    : x->workers[edge_rt_step_device(m, &m->steps[s])];
    if (!w)
      w = x->host;
    if (w)
      enqueue(x, w, slot * m->num_steps + s);
    else
      execute_step(x, slot, s);
  }
  return 0;
}

int edge_rt_wait_run(edge_rt_executors *x, size_t slot, char *error,
                     size_t error_size) {
  run_slot *run = &x->slots[slot];
  pthread_mutex_lock(&x->run_lock);
  while (run->remaining)
    pthread_cond_wait(&x->step_done, &x->run_lock);
  int failed = run->error_text[0] != '\0';
  if (failed)
    snprintf(error, error_size, "%s", run->error_text);
  pthread_mutex_unlock(&x->run_lock);
  return failed;
}

void edge_rt_stop_executors(edge_rt_executors *x) {
  if (!x)
    return;
  const edge_rt_metadata *m = x->metadata;
  if (x->host)
    stop_worker(x, x->host);
  if (x->network)
    stop_worker(x, x->network);
  if (x->workers)
    for (size_t d = 0; d < m->num_devices; ++d)
      if (x->workers[d])
        stop_worker(x, x->workers[d]);
  if (x->dependencies)
    for (size_t s = 0; s < m->num_steps; ++s)
      free(x->dependencies[s]);
  if (x->slots)
    for (size_t i = 0; i < x->num_slots; ++i)
      free(x->slots[i].done);
  free(x->slots);
  free(x->dependencies);
  free(x->num_dependencies);
  free(x->workers);
  free(x->placements);
  free(x->gpu_code);
  free(x->device_nodes);
  free(x->node_names);
  free(x->roles);
  free(x->flying);
  free(x->starting);
  pthread_mutex_destroy(&x->run_lock);
  pthread_cond_destroy(&x->step_done);
  free(x);
}
