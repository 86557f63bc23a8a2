//===- CudaDriver.c - The mgpu backend over the CUDA driver API -----------===//
//
// The CUDA driver (libcuda.so.1, installed with the NVIDIA kernel driver) is
// loaded with dlopen, so model libraries need no CUDA at link time. Only
// the driver API's stable entry points are used, under their versioned
// names where the driver exports several (cuMemAlloc_v2, ...).
//
//===----------------------------------------------------------------------===//

#include "GPUBackend.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef unsigned long long CUdeviceptr;

enum { CU_STREAM_NON_BLOCKING = 1 };

static struct {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy_v2)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc_v2)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree_v2)(CUdeviceptr);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuGetErrorString)(CUresult, const char **);
} cu;

static CUcontext context;

/// Writes "CALL failed: DRIVER'S TEXT (code N)" into `error`.
static int report(CUresult result, const char *call, char *error,
                  size_t error_size) {
  if (result == 0)
    return 0;
  const char *text = NULL;
  if (!cu.cuGetErrorString || cu.cuGetErrorString(result, &text) != 0 || !text)
    text = "unknown error";
  snprintf(error, error_size, "%s failed: %s (CUDA error %d)", call, text,
           result);
  return 1;
}

#define CU_CHECK(call, args) report(cu.call args, #call, error, error_size)

static int cuda_open(int device, char *error, size_t error_size) {
  const char *path = getenv("EDGE_CUDA_LIBRARY");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    snprintf(error, error_size,
             "the CUDA driver could not be loaded (%s); is an NVIDIA driver "
             "installed?",
             dlerror());
    return 1;
  }
#define LOAD(name)                                                             \
  do {                                                                         \
    *(void **)&cu.name = dlsym(library, #name);                                \
    if (!cu.name) {                                                            \
      snprintf(error, error_size,                                              \
               "the CUDA driver %s lacks %s: the driver is too old", path,     \
               #name);                                                         \
      return 1;                                                                \
    }                                                                          \
  } while (0)
  LOAD(cuInit);
  LOAD(cuDeviceGetCount);
  LOAD(cuDeviceGet);
  LOAD(cuDevicePrimaryCtxRetain);
  LOAD(cuCtxSetCurrent);
  LOAD(cuModuleLoadData);
  LOAD(cuModuleUnload);
  LOAD(cuModuleGetFunction);
  LOAD(cuLaunchKernel);
  LOAD(cuStreamCreate);
  LOAD(cuStreamDestroy_v2);
  LOAD(cuStreamSynchronize);
  LOAD(cuMemAlloc_v2);
  LOAD(cuMemFree_v2);
  LOAD(cuMemcpy);
  LOAD(cuMemcpyAsync);
  LOAD(cuGetErrorString);
#undef LOAD
  if (CU_CHECK(cuInit, (0)))
    return 1;
  int count = 0;
  if (CU_CHECK(cuDeviceGetCount, (&count)))
    return 1;
  if (device >= count) {
    snprintf(error, error_size,
             count == 0 ? "the CUDA driver found no NVIDIA GPU"
                        : "there is no NVIDIA GPU %d (EDGE_GPU_DEVICE); the "
                          "driver found %d",
             device, count);
    return 1;
  }
  CUdevice handle;
  if (CU_CHECK(cuDeviceGet, (&handle, device)) ||
      CU_CHECK(cuDevicePrimaryCtxRetain, (&context, handle)))
    return 1;
  return CU_CHECK(cuCtxSetCurrent, (context));
}

static int cuda_bind_thread(char *error, size_t error_size) {
  return CU_CHECK(cuCtxSetCurrent, (context));
}

static int cuda_module_load(const void *data, void **module, char *error,
                            size_t error_size) {
  return CU_CHECK(cuModuleLoadData, ((CUmodule *)module, data));
}

static void cuda_module_unload(void *module) { cu.cuModuleUnload(module); }

static int cuda_get_function(void *module, const char *name, void **function,
                             char *error, size_t error_size) {
  return CU_CHECK(cuModuleGetFunction, ((CUfunction *)function, module, name));
}

static int cuda_launch(void *function, const unsigned grid[3],
                       const unsigned block[3], unsigned shared_bytes,
                       void *stream, void **params, char *error,
                       size_t error_size) {
  return CU_CHECK(cuLaunchKernel,
                  (function, grid[0], grid[1], grid[2], block[0], block[1],
                   block[2], shared_bytes, stream, params, NULL));
}

static int cuda_stream_create(void **stream, char *error, size_t error_size) {
  return CU_CHECK(cuStreamCreate, ((CUstream *)stream, CU_STREAM_NON_BLOCKING));
}

static void cuda_stream_destroy(void *stream) { cu.cuStreamDestroy_v2(stream); }

static int cuda_stream_synchronize(void *stream, char *error,
                                   size_t error_size) {
  return CU_CHECK(cuStreamSynchronize, (stream));
}

static int cuda_alloc(void **pointer, size_t bytes, char *error,
                      size_t error_size) {
  CUdeviceptr address = 0;
  if (CU_CHECK(cuMemAlloc_v2, (&address, bytes)))
    return 1;
  *pointer = (void *)(uintptr_t)address;
  return 0;
}

static void cuda_free(void *pointer) {
  cu.cuMemFree_v2((CUdeviceptr)(uintptr_t)pointer);
}

static int cuda_copy(void *dst, const void *src, size_t bytes, void *stream,
                     char *error, size_t error_size) {
  CUdeviceptr to = (CUdeviceptr)(uintptr_t)dst;
  CUdeviceptr from = (CUdeviceptr)(uintptr_t)src;
  if (!stream)
    return CU_CHECK(cuMemcpy, (to, from, bytes));
  return CU_CHECK(cuMemcpyAsync, (to, from, bytes, stream));
}

const edge_rt_gpu_backend edge_rt_cuda_backend = {
    cuda_open,          cuda_bind_thread,    cuda_module_load,
    cuda_module_unload, cuda_get_function,   cuda_launch,
    cuda_stream_create, cuda_stream_destroy, cuda_stream_synchronize,
    cuda_alloc,         cuda_free,           cuda_copy,
};
