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

#include <stddef.h>

/// Joins the MPI job that mpirun started for a library of `num_nodes`
/// nodes. Returns this process's rank (its node's index), -1 when the
/// process was not started by mpirun (every node then runs here), or -2
/// with a message in `error` (no Open MPI, or a job of another size).
int edge_rt_network_join(size_t num_nodes, const char *first_node, char *error,
                         size_t error_size);

/// Sends `bytes` bytes to `rank` (node `node`, for messages) as message
/// `tag`, waiting until the peer takes them. Returns nonzero with a message
/// on failure or timeout.
int edge_rt_network_send(const void *data, size_t bytes, int rank,
                         const char *node, int tag, char *error,
                         size_t error_size);

/// Receives `bytes` bytes from `rank` (node `node`) as message `tag`.
/// Returns nonzero with a message on failure, timeout or a longer
/// message.
int edge_rt_network_receive(void *data, size_t bytes, int rank,
                            const char *node, int tag, char *error,
                            size_t error_size);

#endif /* EDGE_LIB_RUNTIME_NETWORK_H */
