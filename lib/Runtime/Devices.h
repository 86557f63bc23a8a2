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
|* its destination. Several runs may be in flight, each in a slot of its own  *|
|* buffers: an executor takes each run's steps in schedule order, and a later *|
|* run's step that is ready passes an earlier run's step that still waits for *|
|* another device, so a device starts the next run as soon as it is free (a   *|
|* pipeline).                                                                 *|
|* EDGE_TRACE=1 prints every step on stderr as it starts.                     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_DEVICES_H
#define EDGE_LIB_RUNTIME_DEVICES_H

#include "GPU.h"
#include "Metadata.h"
#include "Profile.h"
#include "RunStatus.h"
#include "ThreadPool.h"

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>

/// The generated entry: runs `partition` on its buffers.
typedef void (*edge_rt_entry)(int32_t partition, void **buffers);

typedef struct edge_rt_executors edge_rt_executors;

/// Starts one executor per device of `metadata` (which must outlive them),
/// for up to `num_slots` runs in flight. The GPU partitions read their
/// weights from `gpu_constants`; the host's parallel loops run on
/// `host_pool` once a worker thread runs them; each step's time goes to
/// `profile` (NULL: none). Returns NULL and writes a message into `error`
/// on failure.
edge_rt_executors *edge_rt_start_executors(const edge_rt_metadata *metadata,
                                           edge_rt_entry entry,
                                           edge_rt_gpu_constants *gpu_constants,
                                           edge_rt_thread_pool *host_pool,
                                           edge_rt_profile *profile,
                                           size_t num_slots, char *error,
                                           size_t error_size);

/// Submits every step of the schedule as run slot `slot` (which must not
/// be in flight). `step_buffers[s]` holds step s's data pointers: its
/// inputs then its outputs, or a copy's source and destination; they must
/// stay valid until edge_rt_wait_run returns. Index errors go to
/// `run_status`; profile events to run `profile_run`. With
/// `wait_on_caller`, the host's steps run in this call on the caller's
/// thread (as long as no run has been submitted without it); without, the
/// call returns at once and a host worker thread runs them, so that the
/// next run's first steps overlap this run's last. Returns nonzero with a
/// message when a thread cannot start.
int edge_rt_submit_run(edge_rt_executors *executors, size_t slot,
                       void *const *const *step_buffers,
                       edge_rt_run_status *run_status, uint32_t profile_run,
                       bool wait_on_caller, char *error, size_t error_size);

/// Waits until every step of run slot `slot` is done. Returns 0, or
/// nonzero with the first GPU error of the run in `error`.
int edge_rt_wait_run(edge_rt_executors *executors, size_t slot, char *error,
                     size_t error_size);

/// Stops the worker threads and frees the executors (NULL is ignored).
void edge_rt_stop_executors(edge_rt_executors *executors);

#endif /* EDGE_LIB_RUNTIME_DEVICES_H */
