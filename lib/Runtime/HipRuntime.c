//===- HipRuntime.c - The mgpu backend over the HIP runtime ---------------===//
//
// ROCm's HIP runtime (libamdhip64) is loaded with dlopen, so model libraries
// need no ROCm at link time. Its module API mirrors the CUDA driver's.
//
//===----------------------------------------------------------------------===//

#include "GPUBackend.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int hipError_t;
typedef void *hipModule_t;
typedef void *hipFunction_t;
typedef void *hipStream_t;

enum { HIP_STREAM_NON_BLOCKING = 1, HIP_MEMCPY_DEFAULT = 4 };

static struct {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **, void **);
  hipError_t (*hipStreamCreateWithFlags)(hipStream_t *, unsigned);
  hipError_t (*hipStreamDestroy)(hipStream_t);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpy)(void *, const void *, size_t, int);
  hipError_t (*hipMemcpyAsync)(void *, const void *, size_t, int, hipStream_t);
  const char *(*hipGetErrorString)(hipError_t);
} hip;

static int device_index;

static int report(hipError_t result, const char *call, char *error,
                  size_t error_size) {
  if (result == 0)
    return 0;
  const char *text =
      hip.hipGetErrorString ? hip.hipGetErrorString(result) : NULL;
  snprintf(error, error_size, "%s failed: %s (HIP error %d)", call,
           text ? text : "unknown error", result);
  return 1;
}

#define HIP_CHECK(call, args) report(hip.call args, #call, error, error_size)

static void *open_library(const char **path) {
  const char *configured = getenv("EDGE_HIP_LIBRARY");
  if (configured && *configured) {
    *path = configured;
    return dlopen(configured, RTLD_NOW | RTLD_LOCAL);
  }
  static const char *const names[] = {"libamdhip64.so", "libamdhip64.so.6",
                                      "libamdhip64.so.5"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
    *path = names[i];
    void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (library)
      return library;
  }
  return NULL;
}

static int hip_open(int device, char *error, size_t error_size) {
  const char *path = NULL;
  void *library = open_library(&path);
  if (!library) {
    snprintf(error, error_size,
             "the HIP runtime could not be loaded (%s); is ROCm installed?",
             dlerror());
    return 1;
  }
#define LOAD(name)                                                             \
  do {                                                                         \
    *(void **)&hip.name = dlsym(library, #name);                               \
    if (!hip.name) {                                                           \
      snprintf(error, error_size,                                              \
               "the HIP runtime %s lacks %s: ROCm is too old", path, #name);   \
      return 1;                                                                \
    }                                                                          \
  } while (0)
  LOAD(hipInit);
  LOAD(hipGetDeviceCount);
  LOAD(hipSetDevice);
  LOAD(hipModuleLoadData);
  LOAD(hipModuleUnload);
  LOAD(hipModuleGetFunction);
  LOAD(hipModuleLaunchKernel);
  LOAD(hipStreamCreateWithFlags);
  LOAD(hipStreamDestroy);
  LOAD(hipStreamSynchronize);
  LOAD(hipMalloc);
  LOAD(hipFree);
  LOAD(hipMemcpy);
  LOAD(hipMemcpyAsync);
  LOAD(hipGetErrorString);
#undef LOAD
  if (HIP_CHECK(hipInit, (0)))
    return 1;
  int count = 0;
  if (HIP_CHECK(hipGetDeviceCount, (&count)))
    return 1;
  if (device >= count) {
    snprintf(error, error_size,
             count == 0 ? "the HIP runtime found no AMD GPU"
                        : "there is no AMD GPU %d (EDGE_GPU_DEVICE); the "
                          "runtime found %d",
             device, count);
    return 1;
  }
  device_index = device;
  return HIP_CHECK(hipSetDevice, (device));
}

static int hip_bind_thread(char *error, size_t error_size) {
  return HIP_CHECK(hipSetDevice, (device_index));
}

static int hip_module_load(const void *data, void **module, char *error,
                           size_t error_size) {
  return HIP_CHECK(hipModuleLoadData, ((hipModule_t *)module, data));
}

static void hip_module_unload(void *module) { hip.hipModuleUnload(module); }

static int hip_get_function(void *module, const char *name, void **function,
                            char *error, size_t error_size) {
  return HIP_CHECK(hipModuleGetFunction,
                   ((hipFunction_t *)function, module, name));
}

static int hip_launch(void *function, const unsigned grid[3],
                      const unsigned block[3], unsigned shared_bytes,
                      void *stream, void **params, char *error,
                      size_t error_size) {
  return HIP_CHECK(hipModuleLaunchKernel,
                   (function, grid[0], grid[1], grid[2], block[0], block[1],
                    block[2], shared_bytes, stream, params, NULL));
}

static int hip_stream_create(void **stream, char *error, size_t error_size) {
  return HIP_CHECK(hipStreamCreateWithFlags,
                   ((hipStream_t *)stream, HIP_STREAM_NON_BLOCKING));
}

static void hip_stream_destroy(void *stream) { hip.hipStreamDestroy(stream); }

static int hip_stream_synchronize(void *stream, char *error,
                                  size_t error_size) {
  return HIP_CHECK(hipStreamSynchronize, (stream));
}

static int hip_alloc(void **pointer, size_t bytes, char *error,
                     size_t error_size) {
  return HIP_CHECK(hipMalloc, (pointer, bytes));
}

static void hip_free(void *pointer) { hip.hipFree(pointer); }

static int hip_copy(void *dst, const void *src, size_t bytes, void *stream,
                    char *error, size_t error_size) {
  if (!stream)
    return HIP_CHECK(hipMemcpy, (dst, src, bytes, HIP_MEMCPY_DEFAULT));
  return HIP_CHECK(hipMemcpyAsync,
                   (dst, src, bytes, HIP_MEMCPY_DEFAULT, stream));
}

const edge_rt_gpu_backend edge_rt_hip_backend = {
    hip_open,          hip_bind_thread,    hip_module_load,
    hip_module_unload, hip_get_function,   hip_launch,
    hip_stream_create, hip_stream_destroy, hip_stream_synchronize,
    hip_alloc,         hip_free,           hip_copy,
};
