//===- FakeCudaDriver.c - A CUDA driver stand-in for the runtime's tests --===//
//
// Exports the driver API entry points the runtime's CUDA backend loads,
// over host memory: device buffers are malloc'ed, copies are memcpy, and a
// kernel is a host function found by name that the launch calls with the
// kernel parameters. Counters let the tests see what the runtime did.
// FAKE_CUDA_DEVICES sets the device count (default 1); FAKE_CUDA_FAIL names
// an entry point (cuLaunchKernel, cuMemcpyAsync, ...) that then fails on
// every call, as a driver does after a fault.
//
//===----------------------------------------------------------------------===//

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_LAUNCH_FAILED = 719,
  CUDA_ERROR_NOT_FOUND = 500
};

int fake_cuda_allocations;
int fake_cuda_copies;

static int context_token;
static int stream_token;

static bool failing(const char *call) {
  const char *failing_call = getenv("FAKE_CUDA_FAIL");
  return failing_call && strcmp(failing_call, call) == 0;
}

CUresult cuInit(unsigned flags) { return flags == 0 ? 0 : 1; }

CUresult cuDeviceGetCount(int *count) {
  const char *devices = getenv("FAKE_CUDA_DEVICES");
  *count = devices ? atoi(devices) : 1;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  (void)device;
  *context = &context_token;
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(void *context) {
  return context == &context_token ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  *module = (void *)image;
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(void *module) {
  (void)module;
  return CUDA_SUCCESS;
}

/// The fake's only kernel: data[i] += weights[i] for i < 6.
static void add_weights(void **params) {
  float *data = *(float **)params[0];
  const float *weights = *(const float **)params[1];
  for (int i = 0; i < 6; ++i)
    data[i] += weights[i];
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  (void)module;
  if (strcmp(name, "add_weights") != 0)
    return CUDA_ERROR_NOT_FOUND;
  *function = (void *)add_weights;
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz, (void)shared;
  (void)stream, (void)extra;
  if (failing("cuLaunchKernel"))
    return CUDA_ERROR_LAUNCH_FAILED;
  ((void (*)(void **))function)(params);
  return CUDA_SUCCESS;
}

CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  if (failing("cuStreamCreate"))
    return CUDA_ERROR_LAUNCH_FAILED;
  *stream = &stream_token;
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(void *stream) {
  (void)stream;
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(void *stream) {
  if (failing("cuStreamSynchronize"))
    return CUDA_ERROR_LAUNCH_FAILED;
  return stream == &stream_token ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuMemAlloc_v2(unsigned long long *pointer, size_t bytes) {
  if (failing("cuMemAlloc_v2"))
    return CUDA_ERROR_OUT_OF_MEMORY;
  ++fake_cuda_allocations;
  *pointer = (unsigned long long)(size_t)malloc(bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(unsigned long long pointer) {
  free((void *)(size_t)pointer);
  return CUDA_SUCCESS;
}

CUresult cuMemcpy(unsigned long long dst, unsigned long long src,
                  size_t bytes) {
  if (failing("cuMemcpy"))
    return CUDA_ERROR_LAUNCH_FAILED;
  ++fake_cuda_copies;
  memcpy((void *)(size_t)dst, (const void *)(size_t)src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyAsync(unsigned long long dst, unsigned long long src,
                       size_t bytes, void *stream) {
  (void)stream;
  if (failing("cuMemcpyAsync"))
    return CUDA_ERROR_LAUNCH_FAILED;
  return cuMemcpy(dst, src, bytes);
}

CUresult cuGetErrorString(CUresult error, const char **text) {
  *text = error == CUDA_ERROR_LAUNCH_FAILED   ? "unspecified launch failure"
          : error == CUDA_ERROR_OUT_OF_MEMORY ? "out of memory"
                                              : "fake driver error";
  return CUDA_SUCCESS;
}
