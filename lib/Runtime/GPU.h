/*===- GPU.h - Running a model's kernels on an NVIDIA or AMD GPU --*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. A model compiled with --target=nvidia:CHIP or     *|
|* amd:CHIP launches its kernels through the mgpu* functions its host code    *|
|* calls (MLIR's GPU-to-LLVM calling convention), implemented here over the   *|
|* CUDA driver API or the HIP runtime. Both are loaded with dlopen when the   *|
|* library is, so a model library has no link-time GPU dependency; where the *|
|* driver or the device is missing, creating an instance fails with a        *|
|* message saying so. EDGE_CUDA_LIBRARY and EDGE_HIP_LIBRARY name another     *|
|* driver library; EDGE_GPU_DEVICE picks a device (default 0).                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_GPU_H
#define EDGE_LIB_RUNTIME_GPU_H

#include <stddef.h>
#include <stdint.h>

typedef enum { EDGE_GPU_NVIDIA, EDGE_GPU_AMD } edge_rt_gpu_vendor;

/// Loads the vendor's driver and opens the selected device, once per
/// process (later calls return the first result). Returns 0, or nonzero
/// with a message in `error`.
int edge_rt_gpu_open(edge_rt_gpu_vendor vendor, char *error,
                     size_t error_size);

/// The GPU a model library was compiled for ("nvidia:sm_90"), or NULL for
/// a CPU model.
const char *edge_rt_gpu_model_target(void);

/// Why the library's code for `vendor`'s GPU cannot run here (no driver, no
/// device, an older driver, kernels that did not load): returns nonzero
/// with the reason in `reason`, or 0 when it can.
int edge_rt_gpu_vendor_unavailable_reason(edge_rt_gpu_vendor vendor,
                                          char *reason, size_t reason_size);

/// Checks that a GPU model can run here: its driver and device opened and
/// its kernels loaded. Returns 0, or nonzero with a message in `error`.
int edge_rt_gpu_check_model(char *error, size_t error_size);

/// The weights one model instance keeps in device memory.
typedef struct edge_rt_gpu_constants edge_rt_gpu_constants;

edge_rt_gpu_constants *edge_rt_gpu_constants_create(void);
/// Frees the device copies (NULL is ignored).
void edge_rt_gpu_constants_destroy(edge_rt_gpu_constants *constants);

/// Makes `constants` the instance whose weights this thread's kernels read;
/// returns the previous one.
edge_rt_gpu_constants *
edge_rt_gpu_set_constants(edge_rt_gpu_constants *constants);

/// Called by the generated code: the device copy of the weight at `host`
/// (`bytes` long) for the current instance, uploaded on first use.
void *edge_rt_gpu_constant(const void *host, int64_t bytes);

/// The first GPU error on this thread since the last call (and clears it),
/// or NULL. Once an error happened, the thread's further GPU calls do
/// nothing until it is taken.
const char *edge_rt_gpu_take_error(void);

#endif /* EDGE_LIB_RUNTIME_GPU_H */
