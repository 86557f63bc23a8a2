//===- Devices.c - Where a partitioned model's steps run ------------------===//

// pthreads and dlopen are POSIX, beyond the C11 the runtime is built as.
#define _POSIX_C_SOURCE 200809L

#include "Devices.h"
#include "Environment.h"
#include "RunStatus.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// A worker thread that runs one partition at a time for the caller.
typedef struct worker {
  pthread_t thread;
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  edge_rt_entry entry;
  int32_t partition;
  void **buffers;
  /// The run of the instance the partition belongs to (RunStatus.h).
  edge_rt_run_status *status;
  int pending;
  int stopping;
} worker;

struct edge_rt_executors {
  size_t num_devices;
  /// workers[d] is NULL where device d runs on the caller's thread.
  worker **workers;
  edge_rt_entry entry;
  const edge_rt_metadata *metadata;
  int trace;
};

static void *worker_main(void *argument) {
  worker *w = argument;
  pthread_mutex_lock(&w->mutex);
  for (;;) {
    while (!w->pending && !w->stopping)
      pthread_cond_wait(&w->changed, &w->mutex);
    if (w->stopping)
      break;
    pthread_mutex_unlock(&w->mutex);
    edge_rt_set_current_run_status(w->status);
    w->entry(w->partition, w->buffers);
    pthread_mutex_lock(&w->mutex);
    w->pending = 0;
    pthread_cond_broadcast(&w->changed);
  }
  pthread_mutex_unlock(&w->mutex);
  return NULL;
}

static worker *start_worker(edge_rt_entry entry) {
  worker *w = calloc(1, sizeof(worker));
  if (!w)
    return NULL;
  w->entry = entry;
  pthread_mutex_init(&w->mutex, NULL);
  pthread_cond_init(&w->changed, NULL);
  if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
    pthread_mutex_destroy(&w->mutex);
    pthread_cond_destroy(&w->changed);
    free(w);
    return NULL;
  }
  return w;
}

static void stop_worker(worker *w) {
  pthread_mutex_lock(&w->mutex);
  w->stopping = 1;
  pthread_cond_broadcast(&w->changed);
  pthread_mutex_unlock(&w->mutex);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mutex);
  pthread_cond_destroy(&w->changed);
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

/// Why device `d` cannot run its partitions itself, or NULL for a CPU
/// device that can.
static const char *unavailable_reason(const edge_rt_device *device) {
  if (edge_rt_environment_lists("EDGE_UNAVAILABLE_DEVICES", device->name))
    return "listed in EDGE_UNAVAILABLE_DEVICES";
  static const char *const cuda[] = {"libcuda.so.1", "libcuda.so", NULL};
  static const char *const hip[] = {"libamdhip64.so", "libamdhip64.so.6",
                                    "libamdhip64.so.5", NULL};
  switch (device->kind) {
  case EDGE_RT_DEVICE_CPU:
    return NULL;
  case EDGE_RT_DEVICE_NVIDIA: {
    int gpus = count_gpus(cuda, "cuInit", "cuDeviceGetCount");
    if (gpus < 0)
      return "no CUDA driver (libcuda.so.1 not found)";
    if (gpus == 0)
      return "the CUDA driver finds no GPU";
    return "this library holds no NVIDIA code yet, only the CPU version of "
           "its partitions";
  }
  case EDGE_RT_DEVICE_AMD: {
    int gpus = count_gpus(hip, NULL, "hipGetDeviceCount");
    if (gpus < 0)
      return "no HIP runtime (libamdhip64.so not found)";
    if (gpus == 0)
      return "the HIP runtime finds no GPU";
    return "this library holds no AMD code yet, only the CPU version of its "
           "partitions";
  }
  }
  return "unknown device kind";
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

/// Set once this library has reported its fallbacks.
static atomic_int fallbacks_reported;

edge_rt_executors *edge_rt_start_executors(const edge_rt_metadata *metadata,
                                           edge_rt_entry entry, char *error,
                                           size_t error_size) {
  edge_rt_executors *executors = calloc(1, sizeof(edge_rt_executors));
  size_t count = metadata->num_devices;
  if (executors)
    executors->workers = calloc(count ? count : 1, sizeof(worker *));
  if (!executors || !executors->workers) {
    free(executors);
    snprintf(error, error_size, "out of memory");
    return NULL;
  }
  executors->num_devices = count;
  executors->entry = entry;
  executors->metadata = metadata;
  const char *trace = getenv("EDGE_TRACE");
  executors->trace = trace && *trace && strcmp(trace, "0") != 0;
  int report = !atomic_exchange(&fallbacks_reported, 1);
  for (size_t d = 0; d < count; ++d) {
    const edge_rt_device *device = &metadata->devices[d];
    const char *reason = unavailable_reason(device);
    if (reason) {
      if (report)
        fprintf(stderr,
                "edge: device '%s' (%s) is not used: %s; its partitions run "
                "on the host CPU\n",
                device->name, kind_name(device->kind), reason);
      continue;
    }
    if (d == 0)
      continue;
    executors->workers[d] = start_worker(entry);
    if (!executors->workers[d]) {
      edge_rt_stop_executors(executors);
      snprintf(error, error_size, "cannot start a thread for device '%s'",
               device->name);
      return NULL;
    }
  }
  return executors;
}

void edge_rt_run_on_device(edge_rt_executors *executors, size_t device,
                           int32_t partition, void **buffers) {
  worker *w = device < executors->num_devices ? executors->workers[device]
                                              : NULL;
  if (executors->trace)
    fprintf(stderr, "edge: run partition %d on %s (%s thread)\n",
            (int)partition,
            device < executors->num_devices
                ? executors->metadata->devices[device].name
                : "?",
            w ? "its own" : "the caller's");
  if (!w) {
    executors->entry(partition, buffers);
    return;
  }
  pthread_mutex_lock(&w->mutex);
  w->partition = partition;
  w->buffers = buffers;
  w->status = edge_rt_current_run_status();
  w->pending = 1;
  pthread_cond_broadcast(&w->changed);
  while (w->pending)
    pthread_cond_wait(&w->changed, &w->mutex);
  pthread_mutex_unlock(&w->mutex);
}

int edge_rt_tracing(const edge_rt_executors *executors) {
  return executors->trace;
}

void edge_rt_stop_executors(edge_rt_executors *executors) {
  if (!executors)
    return;
  for (size_t d = 0; d < executors->num_devices; ++d)
    if (executors->workers[d])
      stop_worker(executors->workers[d]);
  free(executors->workers);
  free(executors);
}
