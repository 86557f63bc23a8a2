//===- GPU.c - MLIR's mgpu calls over the CUDA driver or the HIP runtime --===//
//
// The host code of a GPU model (gpu-to-llvm) loads its device binary from a
// library constructor (mgpuModuleLoad), then per run creates a stream,
// allocates device buffers, copies, launches kernels and synchronizes. Each
// call goes to the backend of the vendor the model was compiled for.
//
// Errors cannot be returned through the mgpu calls: the first one on a
// thread is kept (edge_rt_gpu_take_error), the thread's later calls do
// nothing, and the runtime reports it when the run returns. A failure at
// library load (no driver, no device) is kept for edge_model_create.
//
// Device buffers are cached by size: a freed buffer is reused by the next
// allocation of the same size once the stream it was freed on synchronized,
// so repeated runs allocate nothing.
//
//===----------------------------------------------------------------------===//

#include "GPU.h"
#include "GPUBackend.h"
#include "Profile.h"
#include "Visibility.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/// Emitted by edge-compile for GPU models only (edge-emit-abi-entry).
EDGE_WEAK extern const char edge_generated_device_target[];

enum { EDGE_GPU_ERROR_SIZE = 512 };

/// The process-wide state of one vendor's GPU: the backend opened once,
/// the outcome of loading the device binaries, and the cache of device
/// buffers. A library whose partitions run on an NVIDIA and an AMD GPU
/// uses both.
typedef struct gpu_state {
  edge_rt_gpu_vendor vendor;
  pthread_mutex_t lock;
  bool opened;
  int open_status;
  char open_error[EDGE_GPU_ERROR_SIZE];
  const edge_rt_gpu_backend *backend;
  int modules_failed;
  char module_error[EDGE_GPU_ERROR_SIZE];
  /// Device buffers: in use, released on a stream whose kernels may still
  /// read them (`released_on`), or free for reuse (`free`).
  struct block {
    void *pointer;
    size_t bytes;
    bool free;
    void *released_on;
  } * blocks;
  size_t num_blocks;
  size_t capacity;
  /// The name of each kernel function looked up, for profiles.
  struct kernel_name {
    void *function;
    const char *name;
  } * kernels;
  size_t num_kernels, kernel_capacity;
} gpu_state;

static gpu_state states[2] = {
    [EDGE_GPU_NVIDIA] = {.vendor = EDGE_GPU_NVIDIA,
                         .lock = PTHREAD_MUTEX_INITIALIZER,
                         .backend = &edge_rt_cuda_backend},
    [EDGE_GPU_AMD] = {.vendor = EDGE_GPU_AMD,
                      .lock = PTHREAD_MUTEX_INITIALIZER,
                      .backend = &edge_rt_hip_backend},
};

static _Thread_local bool thread_failed;
static _Thread_local char thread_error[EDGE_GPU_ERROR_SIZE];
static _Thread_local char taken_error[EDGE_GPU_ERROR_SIZE];
/// Whether each vendor's device is current on this thread.
static _Thread_local bool thread_bound[2];
static _Thread_local edge_rt_gpu_constants *thread_constants;
/// Marks a buffer released on a stream that could not be synchronized:
/// its kernels may still run, so it is never reused, only freed at unload.
static char lost_stream;

const char *edge_rt_gpu_model_target(void) {
  return edge_generated_device_target;
}

/// The vendor whose driver runs the kernels of a library compiled for one
/// GPU (the plain mgpu* calls).
static edge_rt_gpu_vendor model_vendor(void) {
  const char *target = edge_rt_gpu_model_target();
  return target && strncmp(target, "amd:", 4) == 0 ? EDGE_GPU_AMD
                                                   : EDGE_GPU_NVIDIA;
}

static gpu_state *model_state(void) { return &states[model_vendor()]; }

int edge_rt_gpu_open(edge_rt_gpu_vendor vendor, char *error,
                     size_t error_size) {
  gpu_state *g = &states[vendor];
  pthread_mutex_lock(&g->lock);
  if (!g->opened) {
    g->opened = true;
    int device = 0;
    const char *selected = getenv("EDGE_GPU_DEVICE");
    if (selected && *selected) {
      char *end = NULL;
      long value = strtol(selected, &end, 10);
      if (*end != '\0' || value < 0 || value > 1024) {
        snprintf(g->open_error, sizeof(g->open_error),
                 "EDGE_GPU_DEVICE='%s' is not a device number", selected);
        g->open_status = 1;
      }
      device = (int)value;
    }
    if (g->open_status == 0)
      g->open_status =
          g->backend->open(device, g->open_error, sizeof(g->open_error));
  }
  int status = g->open_status;
  if (status)
    snprintf(error, error_size, "%s", g->open_error);
  pthread_mutex_unlock(&g->lock);
  return status;
}

/// Keeps the thread's first error.
static void fail(const char *message) {
  if (thread_failed)
    return;
  thread_failed = true;
  snprintf(thread_error, sizeof(thread_error), "%s", message);
}

/// Whether this thread may make GPU calls: no earlier error, the backend
/// open and the device current on this thread.
static bool ready(gpu_state *g) {
  if (thread_failed)
    return false;
  if (thread_bound[g->vendor])
    return true;
  // The open state is written under the lock by the first thread that opens
  // the backend; a thread reads it once, before it binds the device.
  char error[EDGE_GPU_ERROR_SIZE];
  pthread_mutex_lock(&g->lock);
  bool usable = g->opened && g->open_status == 0;
  snprintf(error, sizeof(error), "%s",
           g->opened ? g->open_error : "the GPU was never opened");
  pthread_mutex_unlock(&g->lock);
  if (!usable) {
    fail(error);
    return false;
  }
  if (g->backend->bind_thread(error, sizeof(error))) {
    fail(error);
    return false;
  }
  thread_bound[g->vendor] = true;
  return true;
}

int edge_rt_gpu_vendor_unavailable_reason(edge_rt_gpu_vendor vendor,
                                          char *reason, size_t reason_size) {
  gpu_state *g = &states[vendor];
  int status = edge_rt_gpu_open(vendor, reason, reason_size);
  if (!status) {
    pthread_mutex_lock(&g->lock);
    status = g->modules_failed;
    snprintf(reason, reason_size, "%s", g->module_error);
    pthread_mutex_unlock(&g->lock);
  }
  return status;
}

int edge_rt_gpu_check_model(char *error, size_t error_size) {
  char reason[EDGE_GPU_ERROR_SIZE];
  if (!edge_rt_gpu_model_target() ||
      !edge_rt_gpu_vendor_unavailable_reason(model_vendor(), reason,
                                             sizeof(reason)))
    return 0;
  snprintf(error, error_size,
           "this model was compiled for %s and cannot run here: %s "
           "(compile it with --target=cpu to run on the CPU)",
           edge_rt_gpu_model_target(), reason);
  return 1;
}

static void *module_load(gpu_state *g, void *data) {
  char error[EDGE_GPU_ERROR_SIZE];
  void *module = NULL;
  if (edge_rt_gpu_open(g->vendor, error, sizeof(error)) == 0 &&
      g->backend->module_load(data, &module, error, sizeof(error)) == 0)
    return module;
  // Reported when an instance is created: a library constructor has no
  // caller to tell.
  pthread_mutex_lock(&g->lock);
  if (!g->modules_failed) {
    g->modules_failed = 1;
    snprintf(g->module_error, sizeof(g->module_error), "%s", error);
  }
  pthread_mutex_unlock(&g->lock);
  return NULL;
}

/// Frees the cached device buffers and forgets the kernels' names. The
/// last module unloads when the library does, after its last instance:
/// every block is free by then, including those whose free still waits for
/// a stream to synchronize.
static void release_cached_blocks(gpu_state *g) {
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < g->num_blocks; ++i)
    g->backend->free(g->blocks[i].pointer);
  free(g->blocks);
  g->blocks = NULL;
  g->num_blocks = g->capacity = 0;
  free(g->kernels);
  g->kernels = NULL;
  g->num_kernels = g->kernel_capacity = 0;
  pthread_mutex_unlock(&g->lock);
}

static void module_unload(gpu_state *g, void *module) {
  if (!module)
    return;
  release_cached_blocks(g);
  g->backend->module_unload(module);
}

static void *get_function(gpu_state *g, void *module, const char *name) {
  if (!ready(g))
    return NULL;
  if (!module) {
    fail("the model's GPU kernels were not loaded");
    return NULL;
  }
  char error[EDGE_GPU_ERROR_SIZE];
  void *function = NULL;
  if (g->backend->get_function(module, name, &function, error, sizeof(error))) {
    fail(error);
    return NULL;
  }
  // `name` is a constant of the library, which outlives its instances'
  // profiles; a name that cannot be kept only goes missing from profiles.
  pthread_mutex_lock(&g->lock);
  if (g->num_kernels == g->kernel_capacity) {
    size_t capacity = g->kernel_capacity ? 2 * g->kernel_capacity : 16;
    struct kernel_name *grown =
        realloc(g->kernels, capacity * sizeof(*grown));
    if (grown) {
      g->kernels = grown;
      g->kernel_capacity = capacity;
    }
  }
  if (g->num_kernels < g->kernel_capacity)
    g->kernels[g->num_kernels++] = (struct kernel_name){function, name};
  pthread_mutex_unlock(&g->lock);
  return function;
}

static const char *kernel_name(gpu_state *g, void *function) {
  const char *name = NULL;
  pthread_mutex_lock(&g->lock);
  for (size_t i = g->num_kernels; i-- > 0 && !name;)
    if (g->kernels[i].function == function)
      name = g->kernels[i].name;
  pthread_mutex_unlock(&g->lock);
  return name;
}

static void launch_kernel(gpu_state *g, void *function, intptr_t grid_x,
                          intptr_t grid_y, intptr_t grid_z, intptr_t block_x,
                          intptr_t block_y, intptr_t block_z,
                          int32_t shared_bytes, void *stream, void **params) {
  if (!ready(g) || !function)
    return;
  intptr_t sizes[6] = {grid_x, grid_y, grid_z, block_x, block_y, block_z};
  unsigned dims[6];
  for (int i = 0; i < 6; ++i) {
    if (sizes[i] <= 0 || sizes[i] > INT32_MAX) {
      char error[EDGE_GPU_ERROR_SIZE];
      snprintf(error, sizeof(error),
               "a kernel launch has %s size %ld in dimension %d, beyond what "
               "a GPU launch takes",
               i < 3 ? "grid" : "block", (long)sizes[i], i % 3);
      fail(error);
      return;
    }
    dims[i] = (unsigned)sizes[i];
  }
  // A profiled step times each kernel to the end of its stream's work.
  bool profiled = edge_rt_profile_in_step();
  int64_t start = profiled ? edge_rt_profile_now() : 0;
  char error[EDGE_GPU_ERROR_SIZE];
  if (g->backend->launch(function, dims, dims + 3, (unsigned)shared_bytes,
                          stream, params, error, sizeof(error))) {
    fail(error);
    return;
  }
  if (!profiled)
    return;
  if (g->backend->stream_synchronize(stream, error, sizeof(error)))
    fail(error);
  else
    edge_rt_profile_record_kernel(kernel_name(g, function), start,
                                  edge_rt_profile_now());
}

static void *stream_create(gpu_state *g) {
  if (!ready(g))
    return NULL;
  char error[EDGE_GPU_ERROR_SIZE];
  void *stream = NULL;
  if (g->backend->stream_create(&stream, error, sizeof(error)))
    fail(error);
  return stream;
}

/// Once `stream` has synchronized (or can never be), the buffers released
/// on it become free for reuse (or are set aside as `lost`).
static void settle_released_buffers(gpu_state *g, void *stream,
                                    void *settled_on) {
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < g->num_blocks; ++i)
    if (g->blocks[i].released_on == stream) {
      g->blocks[i].released_on = settled_on;
      g->blocks[i].free = settled_on == NULL;
    }
  pthread_mutex_unlock(&g->lock);
}

static void stream_synchronize(gpu_state *g, void *stream) {
  if (!ready(g) || !stream)
    return;
  char error[EDGE_GPU_ERROR_SIZE];
  if (g->backend->stream_synchronize(stream, error, sizeof(error)))
    fail(error);
  else
    settle_released_buffers(g, stream, NULL);
}

static void stream_destroy(gpu_state *g, void *stream) {
  if (!stream)
    return;
  // After an error the stream may still run the kernels before it: wait
  // for them before its buffers can be reused.
  char error[EDGE_GPU_ERROR_SIZE];
  bool synchronized =
      g->backend->stream_synchronize(stream, error, sizeof(error)) == 0;
  settle_released_buffers(g, stream, synchronized ? NULL : &lost_stream);
  g->backend->stream_destroy(stream);
}

static void *mem_alloc(gpu_state *g, uint64_t bytes, bool host_shared) {
  if (!ready(g))
    return NULL;
  if (host_shared) {
    fail("host-shared GPU allocations are not supported");
    return NULL;
  }
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < g->num_blocks; ++i)
    if (g->blocks[i].free && g->blocks[i].bytes == bytes) {
      g->blocks[i].free = false;
      void *pointer = g->blocks[i].pointer;
      pthread_mutex_unlock(&g->lock);
      return pointer;
    }
  pthread_mutex_unlock(&g->lock);

  char error[EDGE_GPU_ERROR_SIZE];
  void *pointer = NULL;
  // A zero-sized buffer still needs a distinct address.
  if (g->backend->alloc(&pointer, bytes ? bytes : 1, error, sizeof(error))) {
    fail(error);
    return NULL;
  }
  pthread_mutex_lock(&g->lock);
  if (g->num_blocks == g->capacity) {
    size_t capacity = g->capacity ? 2 * g->capacity : 64;
    struct block *grown = realloc(g->blocks, capacity * sizeof(*grown));
    if (!grown) {
      pthread_mutex_unlock(&g->lock);
      g->backend->free(pointer);
      fail("out of host memory for the GPU buffer table");
      return NULL;
    }
    g->blocks = grown;
    g->capacity = capacity;
  }
  g->blocks[g->num_blocks++] = (struct block){pointer, bytes, false, NULL};
  pthread_mutex_unlock(&g->lock);
  return pointer;
}

static void mem_free(gpu_state *g, void *pointer, void *stream) {
  if (!pointer)
    return;
  // Kernels queued on `stream` may still use the buffer: it is reused only
  // after the stream synchronizes. Without a stream the free is immediate.
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < g->num_blocks; ++i)
    if (g->blocks[i].pointer == pointer) {
      g->blocks[i].released_on = stream;
      g->blocks[i].free = stream == NULL;
      break;
    }
  pthread_mutex_unlock(&g->lock);
}

static void mem_copy(gpu_state *g, void *dst, void *src, size_t bytes,
                     void *stream) {
  if (!ready(g) || bytes == 0)
    return;
  char error[EDGE_GPU_ERROR_SIZE];
  if (g->backend->copy(dst, src, bytes, stream, error, sizeof(error)))
    fail(error);
}

struct edge_rt_gpu_constants {
  /// A weight's device copy on one vendor's GPU.
  struct constant {
    const void *host;
    gpu_state *gpu;
    void *device;
  } * entries;
  size_t count;
  size_t capacity;
  /// Where the next lookup starts: every run asks for the weights in the
  /// same order, so each lookup is one comparison.
  size_t next;
};

edge_rt_gpu_constants *edge_rt_gpu_constants_create(void) {
  return calloc(1, sizeof(edge_rt_gpu_constants));
}

void edge_rt_gpu_constants_destroy(edge_rt_gpu_constants *constants) {
  if (!constants)
    return;
  for (size_t i = 0; i < constants->count; ++i)
    constants->entries[i].gpu->backend->free(constants->entries[i].device);
  free(constants->entries);
  free(constants);
}

edge_rt_gpu_constants *
edge_rt_gpu_set_constants(edge_rt_gpu_constants *constants) {
  edge_rt_gpu_constants *previous = thread_constants;
  thread_constants = constants;
  return previous;
}

static void *constant(gpu_state *g, const void *host, int64_t bytes) {
  edge_rt_gpu_constants *constants = thread_constants;
  if (!ready(g))
    return NULL;
  if (!constants) {
    fail("a GPU kernel ran outside a model instance");
    return NULL;
  }
  for (size_t n = 0; n < constants->count; ++n) {
    size_t i = (constants->next + n) % constants->count;
    if (constants->entries[i].host == host && constants->entries[i].gpu == g) {
      constants->next = i + 1;
      return constants->entries[i].device;
    }
  }
  if (constants->count == constants->capacity) {
    size_t capacity = constants->capacity ? 2 * constants->capacity : 64;
    struct constant *grown =
        realloc(constants->entries, capacity * sizeof(*grown));
    if (!grown) {
      fail("out of host memory for the GPU weight table");
      return NULL;
    }
    constants->entries = grown;
    constants->capacity = capacity;
  }
  char error[EDGE_GPU_ERROR_SIZE];
  void *device = NULL;
  size_t size = bytes > 0 ? (size_t)bytes : 1;
  if (g->backend->alloc(&device, size, error, sizeof(error))) {
    fail(error);
    return NULL;
  }
  // Synchronous: the kernels that read the weight run on another stream.
  if (bytes > 0 && g->backend->copy(device, host, (size_t)bytes, NULL, error,
                                     sizeof(error))) {
    g->backend->free(device);
    fail(error);
    return NULL;
  }
  constants->entries[constants->count++] = (struct constant){host, g, device};
  constants->next = constants->count;
  return device;
}

const char *edge_rt_gpu_take_error(void) {
  if (!thread_failed)
    return NULL;
  thread_failed = false;
  snprintf(taken_error, sizeof(taken_error), "%s", thread_error);
  return taken_error;
}

// The mgpu* calls of MLIR's GPU-to-LLVM host code. The plain names serve a
// library compiled for one GPU (the vendor of its device target); the
// vendor's prefix (edge_rt_nvidia_, edge_rt_amd_) serves the partitions of
// a library with several kinds of device, whose host code edge-compile
// binds to its device's vendor.
#define EDGE_GPU_ENTRY_POINTS(PREFIX, STATE)                                   \
  void *PREFIX##mgpuModuleLoad(void *data, size_t size) {                      \
    (void)size;                                                                \
    return module_load(STATE, data);                                           \
  }                                                                            \
  void PREFIX##mgpuModuleUnload(void *module) {                                \
    module_unload(STATE, module);                                              \
  }                                                                            \
  void *PREFIX##mgpuModuleGetFunction(void *module, const char *name) {        \
    return get_function(STATE, module, name);                                  \
  }                                                                            \
  void PREFIX##mgpuLaunchKernel(                                               \
      void *function, intptr_t grid_x, intptr_t grid_y, intptr_t grid_z,       \
      intptr_t block_x, intptr_t block_y, intptr_t block_z,                    \
      int32_t shared_bytes, void *stream, void **params, void **extra,         \
      size_t num_params) {                                                     \
    (void)extra;                                                               \
    (void)num_params;                                                          \
    launch_kernel(STATE, function, grid_x, grid_y, grid_z, block_x, block_y,   \
                  block_z, shared_bytes, stream, params);                      \
  }                                                                            \
  void *PREFIX##mgpuStreamCreate(void) { return stream_create(STATE); }        \
  void PREFIX##mgpuStreamSynchronize(void *stream) {                           \
    stream_synchronize(STATE, stream);                                         \
  }                                                                            \
  void PREFIX##mgpuStreamDestroy(void *stream) {                               \
    stream_destroy(STATE, stream);                                             \
  }                                                                            \
  void *PREFIX##mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared) { \
    (void)stream;                                                              \
    return mem_alloc(STATE, bytes, host_shared);                               \
  }                                                                            \
  void PREFIX##mgpuMemFree(void *pointer, void *stream) {                      \
    mem_free(STATE, pointer, stream);                                          \
  }                                                                            \
  void PREFIX##mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {  \
    mem_copy(STATE, dst, src, bytes, stream);                                  \
  }                                                                            \
  void *PREFIX##edge_rt_gpu_constant(const void *host, int64_t bytes) {        \
    return constant(STATE, host, bytes);                                       \
  }

EDGE_GPU_ENTRY_POINTS(, model_state())
EDGE_GPU_ENTRY_POINTS(edge_rt_nvidia_, &states[EDGE_GPU_NVIDIA])
EDGE_GPU_ENTRY_POINTS(edge_rt_amd_, &states[EDGE_GPU_AMD])
