/*===- Devices.h - Where a partitioned model's steps run ----------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. Each device of a partitioned model gets an        *|
|* executor: the first device runs on the caller's thread, every other        *|
|* device on a worker thread of its own. A GPU device whose code the library  *|
|* holds (a device line with a target) runs that code when its driver and     *|
|* chip are here; otherwise (no driver, no GPU, EDGE_UNAVAILABLE_DEVICES, or  *|
|* a library compiled without the GPU's toolchain) its partitions run their   *|
|* CPU version on the caller's thread, and the library says so once.          *|
|*                                                                            *|
|* A run submits the steps in schedule order without waiting: each executor   *|
|* takes its steps in that order and waits only for the steps whose buffers   *|
|* a step reads, so a GPU partition runs while the caller's thread runs the   *|
|* CPU partitions that do not depend on it. A copy runs on the executor of    *|
|* its destination. EDGE_TRACE=1 prints every step on stderr as it starts.    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_DEVICES_H
#define EDGE_LIB_RUNTIME_DEVICES_H

#include "GPU.h"
#include "Metadata.h"
#include "Profile.h"

#include <stddef.h>
#include <stdint.h>

/// The generated entry: runs `partition` on its buffers.
typedef void (*edge_rt_entry)(int32_t partition, void **buffers);

typedef struct edge_rt_executors edge_rt_executors;

/// Starts one executor per device of `metadata` (which must outlive them).
/// The GPU partitions read their weights from `gpu_constants`; each step's
/// time goes to `profile` (NULL: none). Returns NULL and writes a message
/// into `error` on failure.
edge_rt_executors *edge_rt_start_executors(const edge_rt_metadata *metadata,
                                           edge_rt_entry entry,
                                           edge_rt_gpu_constants *gpu_constants,
                                           edge_rt_profile *profile,
                                           char *error, size_t error_size);

/// Runs every step of the schedule once and returns when all are done.
/// `step_buffers[s]` holds step s's data pointers: its inputs then its
/// outputs, or a copy's source and destination. Returns 0, or nonzero with
/// the first GPU error of the run in `error`.
int edge_rt_run_steps(edge_rt_executors *executors, void *const *const *step_buffers,
                      char *error, size_t error_size);

/// Stops the worker threads and frees the executors (NULL is ignored).
void edge_rt_stop_executors(edge_rt_executors *executors);

#endif /* EDGE_LIB_RUNTIME_DEVICES_H */
