/*===- GPUBackend.h - One GPU vendor's driver behind the mgpu calls -*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime: GPU.c implements MLIR's mgpu* calls over one of   *|
|* these tables, filled from the CUDA driver (CudaDriver.c) or the HIP        *|
|* runtime (HipRuntime.c) found with dlopen. Every function returns 0 on      *|
|* success or writes a message naming the failing driver call into `error`.  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_GPUBACKEND_H
#define EDGE_LIB_RUNTIME_GPUBACKEND_H

#include <stddef.h>

typedef struct edge_rt_gpu_backend {
  /// Loads the driver library and opens device `device` (made current on
  /// the calling thread).
  int (*open)(int device, char *error, size_t error_size);
  /// Makes the device current on the calling thread.
  int (*bind_thread)(char *error, size_t error_size);
  int (*module_load)(const void *data, void **module, char *error,
                     size_t error_size);
  void (*module_unload)(void *module);
  int (*get_function)(void *module, const char *name, void **function,
                      char *error, size_t error_size);
  int (*launch)(void *function, const unsigned grid[3],
                const unsigned block[3], unsigned shared_bytes, void *stream,
                void **params, char *error, size_t error_size);
  int (*stream_create)(void **stream, char *error, size_t error_size);
  void (*stream_destroy)(void *stream);
  int (*stream_synchronize)(void *stream, char *error, size_t error_size);
  int (*alloc)(void **pointer, size_t bytes, char *error, size_t error_size);
  void (*free)(void *pointer);
  /// Copies in either direction, ordered on `stream` (NULL: synchronous).
  int (*copy)(void *dst, const void *src, size_t bytes, void *stream,
              char *error, size_t error_size);
} edge_rt_gpu_backend;

extern const edge_rt_gpu_backend edge_rt_cuda_backend;
extern const edge_rt_gpu_backend edge_rt_hip_backend;

#endif /* EDGE_LIB_RUNTIME_GPUBACKEND_H */
