//===- FakeMixedModel.c - A model split across a CPU and a GPU ------------===//
//
// Stands in for a library edge-compile makes for --devices=cpu,gpu: input
// x: f32[6]; y = (x + w) + 2x. Partition 0 on the GPU computes x + w with
// the GPU runtime's NVIDIA calls (as the GPU partitions' host code does);
// entry -1 is its CPU version. Partition 1 on the CPU computes 2x and
// depends on nothing the GPU makes, so the runtime runs it while the GPU
// partition runs; partition 2 adds both. The second output says how it ran:
// flags[0] = 1 when partition 1 started while partition 0 was running (the
// GPU partition waits for it, up to 30 s), flags[1] = 1 when partition 0
// ran its GPU code.
//
//===----------------------------------------------------------------------===//

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

const int64_t edge_generated_workspace_bytes = 0;
const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input x 1 1 6\n"
                                       "output y 1 1 6\n"
                                       "output flags 1 1 2\n"
                                       "device cpu cpu\n"
                                       "device gpu nvidia nvidia:sm_90\n"
                                       "buffer 1 24\n"
                                       "buffer 1 24\n"
                                       "buffer 0 24\n"
                                       "buffer 0 24\n"
                                       "copy i0 b0\n"
                                       "run 0 1 1 1 b0 b1\n"
                                       "run 1 0 1 1 i0 b2\n"
                                       "copy b1 b3\n"
                                       "run 2 0 2 2 b3 b2 o0 o1\n";

void *edge_rt_nvidia_mgpuModuleLoad(void *data, size_t size);
void edge_rt_nvidia_mgpuModuleUnload(void *module);
void *edge_rt_nvidia_mgpuModuleGetFunction(void *module, const char *name);
void edge_rt_nvidia_mgpuLaunchKernel(void *function, intptr_t gx, intptr_t gy,
                                     intptr_t gz, intptr_t bx, intptr_t by,
                                     intptr_t bz, int32_t shared, void *stream,
                                     void **params, void **extra,
                                     size_t num_params);
void *edge_rt_nvidia_mgpuStreamCreate(void);
void edge_rt_nvidia_mgpuStreamSynchronize(void *stream);
void edge_rt_nvidia_mgpuStreamDestroy(void *stream);
void *edge_rt_nvidia_mgpuMemAlloc(uint64_t bytes, void *stream,
                                  bool host_shared);
void edge_rt_nvidia_mgpuMemFree(void *pointer, void *stream);
void edge_rt_nvidia_mgpuMemcpy(void *dst, void *src, size_t bytes,
                               void *stream);
void *edge_rt_nvidia_edge_rt_gpu_constant(const void *host, int64_t bytes);

static char kernels[] = "fake kernels";
static const float weights[6] = {10, 20, 30, 40, 50, 60};
static void *module;
static atomic_int cpu_partition_started;
static float overlapped, gpu_code_ran;

__attribute__((constructor)) static void load_kernels(void) {
  module = edge_rt_nvidia_mgpuModuleLoad(kernels, sizeof(kernels));
}

__attribute__((destructor)) static void unload_kernels(void) {
  edge_rt_nvidia_mgpuModuleUnload(module);
}

/// Waits until partition 1 has started; says whether it did in time.
static bool wait_for_cpu_partition(void) {
  for (int i = 0; i < 30000; ++i) {
    if (atomic_load(&cpu_partition_started))
      return true;
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
  }
  return false;
}

static void add_weights_on_gpu(const float *in, float *out) {
  const size_t bytes = sizeof(weights);
  void *stream = edge_rt_nvidia_mgpuStreamCreate();
  void *data = edge_rt_nvidia_mgpuMemAlloc(bytes, stream, false);
  edge_rt_nvidia_mgpuMemcpy(data, (void *)(uintptr_t)in, bytes, stream);
  void *weight = edge_rt_nvidia_edge_rt_gpu_constant(weights, (int64_t)bytes);
  void *function = edge_rt_nvidia_mgpuModuleGetFunction(module, "add_weights");
  void *params[] = {&data, &weight};
  edge_rt_nvidia_mgpuLaunchKernel(function, 1, 1, 1, 6, 1, 1, 0, stream,
                                  params, NULL, 2);
  edge_rt_nvidia_mgpuMemcpy(out, data, bytes, stream);
  edge_rt_nvidia_mgpuMemFree(data, stream);
  edge_rt_nvidia_mgpuStreamSynchronize(stream);
  edge_rt_nvidia_mgpuStreamDestroy(stream);
}

void edge_generated_entry(int32_t partition, void **buffers) {
  const float *in = buffers[0];
  float *out = buffers[1];
  switch (partition) {
  case 0:
    overlapped = wait_for_cpu_partition();
    gpu_code_ran = 1;
    add_weights_on_gpu(in, out);
    break;
  case -1:
    overlapped = 0;
    gpu_code_ran = 0;
    for (int i = 0; i < 6; ++i)
      out[i] = in[i] + weights[i];
    break;
  case 1:
    atomic_store(&cpu_partition_started, 1);
    for (int i = 0; i < 6; ++i)
      out[i] = 2 * in[i];
    break;
  case 2: {
    const float *doubled = buffers[1];
    float *y = buffers[2], *flags = buffers[3];
    for (int i = 0; i < 6; ++i)
      y[i] = in[i] + doubled[i];
    flags[0] = overlapped;
    flags[1] = gpu_code_ran;
    atomic_store(&cpu_partition_started, 0);
    break;
  }
  }
}
