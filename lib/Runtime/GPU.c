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
#include "Visibility.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/// Emitted by edge-compile for GPU models only (edge-emit-abi-entry).
EDGE_WEAK extern const char edge_generated_device_target[];

enum { EDGE_GPU_ERROR_SIZE = 512 };

/// The process-wide state: the backend opened once, the outcome of loading
/// the device binaries, and the cache of device buffers.
static struct {
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
} gpu = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local bool thread_failed;
static _Thread_local char thread_error[EDGE_GPU_ERROR_SIZE];
static _Thread_local char taken_error[EDGE_GPU_ERROR_SIZE];
static _Thread_local bool thread_bound;
static _Thread_local edge_rt_gpu_constants *thread_constants;
/// Marks a buffer released on a stream that could not be synchronized:
/// its kernels may still run, so it is never reused, only freed at unload.
static char lost_stream;

const char *edge_rt_gpu_model_target(void) {
  return edge_generated_device_target;
}

/// The vendor whose driver runs the library's kernels.
static edge_rt_gpu_vendor model_vendor(void) {
  const char *target = edge_rt_gpu_model_target();
  return target && strncmp(target, "amd:", 4) == 0 ? EDGE_GPU_AMD
                                                   : EDGE_GPU_NVIDIA;
}

int edge_rt_gpu_open(edge_rt_gpu_vendor vendor, char *error,
                     size_t error_size) {
  pthread_mutex_lock(&gpu.lock);
  if (!gpu.opened) {
    gpu.opened = true;
    gpu.backend = vendor == EDGE_GPU_NVIDIA ? &edge_rt_cuda_backend
                                            : &edge_rt_hip_backend;
    int device = 0;
    const char *selected = getenv("EDGE_GPU_DEVICE");
    if (selected && *selected) {
      char *end = NULL;
      long value = strtol(selected, &end, 10);
      if (*end != '\0' || value < 0 || value > 1024) {
        snprintf(gpu.open_error, sizeof(gpu.open_error),
                 "EDGE_GPU_DEVICE='%s' is not a device number", selected);
        gpu.open_status = 1;
      }
      device = (int)value;
    }
    if (gpu.open_status == 0)
      gpu.open_status =
          gpu.backend->open(device, gpu.open_error, sizeof(gpu.open_error));
  }
  int status = gpu.open_status;
  if (status)
    snprintf(error, error_size, "%s", gpu.open_error);
  pthread_mutex_unlock(&gpu.lock);
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
static bool ready(void) {
  if (thread_failed)
    return false;
  if (thread_bound)
    return true;
  // The open state is written under the lock by the first thread that opens
  // the backend; a thread reads it once, before it binds the device.
  char error[EDGE_GPU_ERROR_SIZE];
  pthread_mutex_lock(&gpu.lock);
  bool usable = gpu.opened && gpu.open_status == 0;
  snprintf(error, sizeof(error), "%s",
           gpu.opened ? gpu.open_error : "the GPU was never opened");
  pthread_mutex_unlock(&gpu.lock);
  if (!usable) {
    fail(error);
    return false;
  }
  if (gpu.backend->bind_thread(error, sizeof(error))) {
    fail(error);
    return false;
  }
  thread_bound = true;
  return true;
}

int edge_rt_gpu_unavailable_reason(char *reason, size_t reason_size) {
  if (!edge_rt_gpu_model_target())
    return 0;
  int status = edge_rt_gpu_open(model_vendor(), reason, reason_size);
  if (!status) {
    pthread_mutex_lock(&gpu.lock);
    status = gpu.modules_failed;
    snprintf(reason, reason_size, "%s", gpu.module_error);
    pthread_mutex_unlock(&gpu.lock);
  }
  return status;
}

int edge_rt_gpu_check_model(char *error, size_t error_size) {
  char reason[EDGE_GPU_ERROR_SIZE];
  if (!edge_rt_gpu_unavailable_reason(reason, sizeof(reason)))
    return 0;
  snprintf(error, error_size,
           "this model was compiled for %s and cannot run here: %s "
           "(compile it with --target=cpu to run on the CPU)",
           edge_rt_gpu_model_target(), reason);
  return 1;
}

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  char error[EDGE_GPU_ERROR_SIZE];
  void *module = NULL;
  if (edge_rt_gpu_open(model_vendor(), error, sizeof(error)) == 0 &&
      gpu.backend->module_load(data, &module, error, sizeof(error)) == 0)
    return module;
  // Reported when an instance is created: a library constructor has no
  // caller to tell.
  pthread_mutex_lock(&gpu.lock);
  if (!gpu.modules_failed) {
    gpu.modules_failed = 1;
    snprintf(gpu.module_error, sizeof(gpu.module_error), "%s", error);
  }
  pthread_mutex_unlock(&gpu.lock);
  return NULL;
}

/// Frees the cached device buffers. The last module unloads when the
/// library does, after its last instance: every block is free by then,
/// including those whose free still waits for a stream to synchronize.
static void release_cached_blocks(void) {
  pthread_mutex_lock(&gpu.lock);
  for (size_t i = 0; i < gpu.num_blocks; ++i)
    gpu.backend->free(gpu.blocks[i].pointer);
  free(gpu.blocks);
  gpu.blocks = NULL;
  gpu.num_blocks = gpu.capacity = 0;
  pthread_mutex_unlock(&gpu.lock);
}

void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  release_cached_blocks();
  gpu.backend->module_unload(module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!ready())
    return NULL;
  if (!module) {
    fail("the model's GPU kernels were not loaded");
    return NULL;
  }
  char error[EDGE_GPU_ERROR_SIZE];
  void *function = NULL;
  if (gpu.backend->get_function(module, name, &function, error, sizeof(error)))
    fail(error);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t grid_x, intptr_t grid_y,
                      intptr_t grid_z, intptr_t block_x, intptr_t block_y,
                      intptr_t block_z, int32_t shared_bytes, void *stream,
                      void **params, void **extra, size_t num_params) {
  (void)extra;
  (void)num_params;
  if (!ready() || !function)
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
  char error[EDGE_GPU_ERROR_SIZE];
  if (gpu.backend->launch(function, dims, dims + 3, (unsigned)shared_bytes,
                          stream, params, error, sizeof(error)))
    fail(error);
}

void *mgpuStreamCreate(void) {
  if (!ready())
    return NULL;
  char error[EDGE_GPU_ERROR_SIZE];
  void *stream = NULL;
  if (gpu.backend->stream_create(&stream, error, sizeof(error)))
    fail(error);
  return stream;
}

/// Once `stream` has synchronized (or can never be), the buffers released
/// on it become free for reuse (or are set aside as `lost`).
static void settle_released_buffers(void *stream, void *settled_on) {
  pthread_mutex_lock(&gpu.lock);
  for (size_t i = 0; i < gpu.num_blocks; ++i)
    if (gpu.blocks[i].released_on == stream) {
      gpu.blocks[i].released_on = settled_on;
      gpu.blocks[i].free = settled_on == NULL;
    }
  pthread_mutex_unlock(&gpu.lock);
}

void mgpuStreamSynchronize(void *stream) {
  if (!ready() || !stream)
    return;
  char error[EDGE_GPU_ERROR_SIZE];
  if (gpu.backend->stream_synchronize(stream, error, sizeof(error)))
    fail(error);
  else
    settle_released_buffers(stream, NULL);
}

void mgpuStreamDestroy(void *stream) {
  if (!stream)
    return;
  // After an error the stream may still run the kernels before it: wait
  // for them before its buffers can be reused.
  char error[EDGE_GPU_ERROR_SIZE];
  bool synchronized =
      gpu.backend->stream_synchronize(stream, error, sizeof(error)) == 0;
  settle_released_buffers(stream, synchronized ? NULL : &lost_stream);
  gpu.backend->stream_destroy(stream);
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared) {
  (void)stream;
  if (!ready())
    return NULL;
  if (host_shared) {
    fail("host-shared GPU allocations are not supported");
    return NULL;
  }
  pthread_mutex_lock(&gpu.lock);
  for (size_t i = 0; i < gpu.num_blocks; ++i)
    if (gpu.blocks[i].free && gpu.blocks[i].bytes == bytes) {
      gpu.blocks[i].free = false;
      void *pointer = gpu.blocks[i].pointer;
      pthread_mutex_unlock(&gpu.lock);
      return pointer;
    }
  pthread_mutex_unlock(&gpu.lock);

  char error[EDGE_GPU_ERROR_SIZE];
  void *pointer = NULL;
  // A zero-sized buffer still needs a distinct address.
  if (gpu.backend->alloc(&pointer, bytes ? bytes : 1, error, sizeof(error))) {
    fail(error);
    return NULL;
  }
  pthread_mutex_lock(&gpu.lock);
  if (gpu.num_blocks == gpu.capacity) {
    size_t capacity = gpu.capacity ? 2 * gpu.capacity : 64;
    struct block *grown = realloc(gpu.blocks, capacity * sizeof(*grown));
    if (!grown) {
      pthread_mutex_unlock(&gpu.lock);
      gpu.backend->free(pointer);
      fail("out of host memory for the GPU buffer table");
      return NULL;
    }
    gpu.blocks = grown;
    gpu.capacity = capacity;
  }
  gpu.blocks[gpu.num_blocks++] = (struct block){pointer, bytes, false, NULL};
  pthread_mutex_unlock(&gpu.lock);
  return pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  if (!pointer)
    return;
  // Kernels queued on `stream` may still use the buffer: it is reused only
  // after the stream synchronizes. Without a stream the free is immediate.
  pthread_mutex_lock(&gpu.lock);
  for (size_t i = 0; i < gpu.num_blocks; ++i)
    if (gpu.blocks[i].pointer == pointer) {
      gpu.blocks[i].released_on = stream;
      gpu.blocks[i].free = stream == NULL;
      break;
    }
  pthread_mutex_unlock(&gpu.lock);
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (!ready() || bytes == 0)
    return;
  char error[EDGE_GPU_ERROR_SIZE];
  if (gpu.backend->copy(dst, src, bytes, stream, error, sizeof(error)))
    fail(error);
}

struct edge_rt_gpu_constants {
  struct constant {
    const void *host;
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
    gpu.backend->free(constants->entries[i].device);
  free(constants->entries);
  free(constants);
}

edge_rt_gpu_constants *
edge_rt_gpu_set_constants(edge_rt_gpu_constants *constants) {
  edge_rt_gpu_constants *previous = thread_constants;
  thread_constants = constants;
  return previous;
}

void *edge_rt_gpu_constant(const void *host, int64_t bytes) {
  edge_rt_gpu_constants *constants = thread_constants;
  if (!ready())
    return NULL;
  if (!constants) {
    fail("a GPU kernel ran outside a model instance");
    return NULL;
  }
  for (size_t n = 0; n < constants->count; ++n) {
    size_t i = (constants->next + n) % constants->count;
    if (constants->entries[i].host == host) {
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
  if (gpu.backend->alloc(&device, size, error, sizeof(error))) {
    fail(error);
    return NULL;
  }
  // Synchronous: the kernels that read the weight run on another stream.
  if (bytes > 0 && gpu.backend->copy(device, host, (size_t)bytes, NULL, error,
                                     sizeof(error))) {
    gpu.backend->free(device);
    fail(error);
    return NULL;
  }
  constants->entries[constants->count++] = (struct constant){host, device};
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
