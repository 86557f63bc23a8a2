/*===- Devices.h - Where a partitioned model's steps run ----------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. Each device of a partitioned model gets an        *|
|* executor: the first device runs on the caller's thread; every other CPU    *|
|* device on a worker thread of its own, so partitions on different CPU       *|
|* devices really run in separate execution contexts and their data moves by  *|
|* copies between their buffers. A GPU device whose driver or chip is absent  *|
|* (or, until the GPU backends land, any GPU device: the library holds the    *|
|* CPU version of every partition) falls back to the caller's thread, and the *|
|* library says so once on stderr. EDGE_UNAVAILABLE_DEVICES=NAME,... treats   *|
|* the named devices as absent; EDGE_TRACE=1 prints every step on stderr.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_DEVICES_H
#define EDGE_LIB_RUNTIME_DEVICES_H

#include "Metadata.h"

#include <stddef.h>
#include <stdint.h>

/// The generated entry: runs `partition` on its buffers.
typedef void (*edge_rt_entry)(int32_t partition, void **buffers);

typedef struct edge_rt_executors edge_rt_executors;

/// Starts one executor per device of `metadata`. Returns NULL and writes a
/// message into `error` on failure.
edge_rt_executors *edge_rt_start_executors(const edge_rt_metadata *metadata,
                                           edge_rt_entry entry, char *error,
                                           size_t error_size);

/// Runs `partition` on `device`'s executor and waits for it. `metadata`
/// must outlive the executors.
void edge_rt_run_on_device(edge_rt_executors *executors, size_t device,
                           int32_t partition, void **buffers);

/// Whether EDGE_TRACE asks for the steps on stderr.
int edge_rt_tracing(const edge_rt_executors *executors);

/// Stops the worker threads and frees the executors (NULL is ignored).
void edge_rt_stop_executors(edge_rt_executors *executors);

#endif /* EDGE_LIB_RUNTIME_DEVICES_H */
