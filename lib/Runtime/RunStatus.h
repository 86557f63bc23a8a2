/*===- RunStatus.h - Errors the generated code finds during a run -*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. An op that indexes with data (Gather, Scatter*,   *|
|* ...) checks every index it reads (edge-check-indices); one out of range    *|
|* is replaced by 0, so nothing outside a buffer is touched, and reported     *|
|* through edge_rt_index_out_of_range. The report goes to the run of the     *|
|* thread that makes it: edge_model_run installs its instance's status on    *|
|* its thread, and the thread pool and device executors carry it to the      *|
|* threads that run the instance's loops and partitions. The first report of  *|
|* a run wins; edge_model_run then fails with a message naming the node.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_RUNSTATUS_H
#define EDGE_LIB_RUNTIME_RUNSTATUS_H

#include "Visibility.h"

#include <stdatomic.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edge_rt_run_status {
  /// Set by the first report; the fields below are written by that report
  /// only, and read after the run's threads have joined.
  atomic_int failed;
  int32_t site;
  /// An index out of range: `index` and `bound`. A slice size other than
  /// the declared one (`is_size`): dimension `dim`, `index` the size the
  /// run computed and `bound` the declared one.
  int is_size;
  int32_t dim;
  int64_t index;
  int64_t bound;
} edge_rt_run_status;

/// Makes `status` the one reports on this thread go to; returns the
/// previous one (NULL: reports are dropped).
EDGE_HIDDEN edge_rt_run_status *
edge_rt_set_current_run_status(edge_rt_run_status *status);
EDGE_HIDDEN edge_rt_run_status *edge_rt_current_run_status(void);

/// Called by the generated code: index `index` of check site `site` is not
/// in [-bound, bound).
EDGE_HIDDEN void edge_rt_index_out_of_range(int32_t site, int64_t index,
                                            int64_t bound);
/// Called by the generated code: a slice computed at run time (check site
/// `site`) has `size` elements along dimension `dim`, the model declares
/// `declared`.
EDGE_HIDDEN void edge_rt_size_mismatch(int32_t site, int32_t dim, int64_t size,
                                       int64_t declared);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_RUNSTATUS_H */
