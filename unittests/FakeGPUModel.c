//===- FakeGPUModel.c - A stand-in for a model compiled for a GPU ---------===//
//
// Calls the runtime's mgpu functions the way edge-compile's GPU host code
// does: a library constructor loads the kernels and a destructor unloads
// them (which frees the runtime's cache of device buffers); each run creates
// a stream, stages the input in a device buffer, launches a kernel that adds
// a weight (the device copy the runtime keeps per instance), copies the
// result back and frees the buffer. Model: x f32[6] -> y = x + w.
// EDGE_FAKE_TARGET names the GPU (each build of this file is its own
// library, so each test opens a driver of its own).
//
//===----------------------------------------------------------------------===//

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const int64_t edge_generated_workspace_bytes = 0;
const char edge_generated_device_target[] = EDGE_FAKE_TARGET;
const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 1 6\n"
                                       "output y 1 1 6\n";

void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t shared,
                      void *stream, void **params, void **extra,
                      size_t num_params);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared);
void mgpuMemFree(void *pointer, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void *edge_rt_gpu_constant(const void *host, int64_t bytes);

static char kernels[] = "fake kernels";
static const float weights[6] = {10, 20, 30, 40, 50, 60};
static void *module;

__attribute__((constructor)) static void load_kernels(void) {
  module = mgpuModuleLoad(kernels, sizeof(kernels));
}

__attribute__((destructor)) static void unload_kernels(void) {
  mgpuModuleUnload(module);
}

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  const size_t bytes = sizeof(weights);
  void *stream = mgpuStreamCreate();
  void *data = mgpuMemAlloc(bytes, stream, false);
  mgpuMemcpy(data, buffers[0], bytes, stream);
  void *weight = edge_rt_gpu_constant(weights, (int64_t)bytes);
  void *function = mgpuModuleGetFunction(module, "add_weights");
  void *params[] = {&data, &weight};
  mgpuLaunchKernel(function, 1, 1, 1, 6, 1, 1, 0, stream, params, NULL, 2);
  mgpuMemcpy(buffers[1], data, bytes, stream);
  mgpuMemFree(data, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
