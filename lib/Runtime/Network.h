/*===- Network.h - Tensors between machines over Open MPI ---------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. A library placed on several nodes (machines)      *|
|* runs as one MPI rank per node under mpirun: rank r runs the partitions of  *|
|* the r-th node of the schedule's device lines, and a copy between devices   *|
|* of two nodes is an MPI message from one rank to the other. Open MPI's      *|
|* libmpi.so.40 is loaded with dlopen, so model libraries link nothing of     *|
|* MPI and run without it in one process. Every wait for a peer ends after    *|
|* EDGE_NETWORK_TIMEOUT_MS (default 60000) with an error naming the node: a   *|
|* rank that died or a link that stalled never hangs a run. After such an     *|
|* error the process leaves the job without finalizing MPI, and mpirun ends   *|
|* the other ranks, so that none waits on it either.                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_NETWORK_H
#define EDGE_LIB_RUNTIME_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Joins the MPI job that mpirun started for a library of `num_nodes`
/// nodes. Returns this process's rank (its node's index), -1 when the
/// process was not started by mpirun (every node then runs here), or -2
/// with a message in `error` (no Open MPI, or a job of another size).
int edge_rt_network_join(size_t num_nodes, const char *first_node, char *error,
                         size_t error_size);

/// A message to or from another node in flight.
typedef struct edge_rt_message {
  void *request;
  /// When the wait for the peer started and when it ends with a timeout.
  double started, deadline;
  size_t bytes;
  /// "sending N bytes to node 'b' (rank 1)", for errors.
  char what[192];
} edge_rt_message;

/// Starts sending `bytes` bytes of `data` to `rank` (node `node`, for
/// messages) as message `tag`, or receiving them into `data` from it:
/// messages of several tags may be in flight at once, in any order.
/// Returns nonzero with a message on failure.
int edge_rt_network_start(edge_rt_message *message, void *data, size_t bytes,
                          bool send, int rank, const char *node, int tag,
                          char *error, size_t error_size);

/// Whether `message` is done: 1 when the peer took it (or it came), 0
/// while in flight, -1 with a message on failure, on timeout
/// (EDGE_NETWORK_TIMEOUT_MS after it started) or for a longer message.
int edge_rt_network_poll(edge_rt_message *message, char *error,
                         size_t error_size);

/// This process's rank in the job it joined, or -1 when it is in none.
int edge_rt_network_rank(void);

/// What a rank sent rank 0 with edge_rt_network_gather.
typedef struct edge_rt_gathered {
  /// Its bytes, with a NUL after them (free() them).
  char *data;
  size_t bytes;
  /// The rank's CLOCK_MONOTONIC minus rank 0's, in nanoseconds, and how
  /// far off that may be: 0 and 0 for a rank on rank 0's kernel (the same
  /// boot id: one clock), else from the round trip of several that took
  /// the least time, accurate to half of it.
  int64_t clock_offset_ns, clock_uncertainty_ns;
} edge_rt_gathered;

/// Collective, after the job's runs: every rank calls it once. Rank r > 0
/// sends `bytes` bytes of `data` to rank 0; rank 0 returns an array of one
/// entry per rank in `*gathered` (free() it; its entry 0 is empty), each
/// other rank's bytes and clock offset. `node_names` names each rank's
/// node, for errors. Returns the job's size, or -1 with a message: not in
/// a job, an earlier exchange failed, or a peer that did not answer within
/// EDGE_NETWORK_TIMEOUT_MS.
int edge_rt_network_gather(const char *data, size_t bytes,
                           const char *const *node_names,
                           edge_rt_gathered **gathered, char *error,
                           size_t error_size);

/// Sends `bytes` bytes of `data` to `rank` (node `node`) as message `tag`,
/// or receives them into `data`, and waits for it, polling without pause
/// (for round trips that time clocks and links). Returns nonzero with a
/// message on failure or timeout.
int edge_rt_network_exchange(void *data, size_t bytes, bool send, int rank,
                             const char *node, int tag, char *error,
                             size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_NETWORK_H */
