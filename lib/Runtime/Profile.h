/*===- Profile.h - Measured times of a model's partitions ---------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. With EDGE_PROFILE=FILE.json, an instance records  *|
|* when each step of each run (a partition, a copy; the whole model when it   *|
|* is not partitioned) starts and ends, on which device, and writes them when *|
|* it is destroyed: Chrome trace events (chrome://tracing, Perfetto) plus an  *|
|* `edge` summary that puts each partition's median time beside the cost     *|
|* model's estimate (the metadata's `estimate` lines), also printed on        *|
|* stderr. The kernels of a step are recorded too: a GPU kernel from its     *|
|* launch to the end of its stream's work (profiling synchronizes after each *|
|* one), a CPU loop (edge_parallel_for) from its start to its end.           *|
|*                                                                            *|
|* Under mpirun, writing the profile is collective: every rank sends its      *|
|* events to rank 0, which writes one file with a process per node, clocks   *|
|* aligned by round trips (exact for ranks of one kernel). A message between *|
|* nodes is timed from the start of its send (the tensor ready) to its      *|
|* arrival, beside the placer's estimate, and each network link's messages, *|
|* bytes and time per run are summed beside the placer's prediction.         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_PROFILE_H
#define EDGE_LIB_RUNTIME_PROFILE_H

#include "Metadata.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct edge_rt_profile edge_rt_profile;

/// Starts a profile when EDGE_PROFILE names a file, else returns NULL.
/// `metadata` must outlive it.
edge_rt_profile *edge_rt_profile_start(const edge_rt_metadata *metadata);

/// Nanoseconds on the profile's clock.
int64_t edge_rt_profile_now(void);

/// Starts a run and returns its number, for the events of its steps (runs
/// may overlap). Returns 0 for NULL.
uint32_t edge_rt_profile_begin_run(edge_rt_profile *profile);

/// Records step `step` of run `run` (SIZE_MAX: the whole model of an
/// unpartitioned library) from `start` to `end`; `how` says what ran ("GPU
/// code", "CPU version", ...). Thread-safe; NULL is ignored.
void edge_rt_profile_record(edge_rt_profile *profile, uint32_t run,
                            size_t step, const char *how, int64_t start,
                            int64_t end);

/// Records a message of copy step `step` of run `run` between this node
/// and another: sent (`send`) or received, `bytes` bytes, from when this
/// process started it (the tensor ready, or the receive posted) to when it
/// was done. Thread-safe; NULL is ignored.
void edge_rt_profile_record_message(edge_rt_profile *profile, uint32_t run,
                                    size_t step, bool send, size_t bytes,
                                    int64_t start, int64_t end);

/// Says that the calling thread now runs step `step` of run `run` of
/// `profile` (NULL: no profiled step), so that the kernels it launches are
/// recorded with it.
void edge_rt_profile_enter_step(edge_rt_profile *profile, uint32_t run,
                                size_t step);

/// Whether the calling thread runs a profiled step.
int edge_rt_profile_in_step(void);

/// Records kernel `kernel` (a name that lives as long as the profile) of
/// the calling thread's step, from `start` to `end`.
void edge_rt_profile_record_kernel(const char *kernel, int64_t start,
                                   int64_t end);

/// Records the calling thread's step's next CPU loop (the outermost
/// parallel loops, numbered in the order the step runs them), from `start`
/// to `end`; `nodes` (NULL or a name that lives as long as the profile)
/// names the ONNX nodes it computes.
void edge_rt_profile_record_loop(const char *nodes, int64_t start, int64_t end);

/// Writes the profile to its file and frees it (NULL is ignored). Returns
/// 0, or nonzero with a message on stderr when the file cannot be written.
int edge_rt_profile_finish(edge_rt_profile *profile);

#endif /* EDGE_LIB_RUNTIME_PROFILE_H */
