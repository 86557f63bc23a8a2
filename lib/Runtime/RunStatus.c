//===- RunStatus.c - Errors the generated code finds during a run ---------===//

#include "RunStatus.h"

#include <stddef.h>

static _Thread_local edge_rt_run_status *current_status;

EDGE_HIDDEN edge_rt_run_status *
edge_rt_set_current_run_status(edge_rt_run_status *status) {
  edge_rt_run_status *previous = current_status;
  current_status = status;
  return previous;
}

EDGE_HIDDEN edge_rt_run_status *edge_rt_current_run_status(void) {
  return current_status;
}

/// Records the first report of the current run.
static void report(int32_t site, int is_size, int32_t dim, int64_t index,
                   int64_t bound) {
  edge_rt_run_status *status = current_status;
  if (!status)
    return;
  int expected = 0;
  if (!atomic_compare_exchange_strong(&status->failed, &expected, 1))
    return;
  status->site = site;
  status->is_size = is_size;
  status->dim = dim;
  status->index = index;
  status->bound = bound;
}

EDGE_HIDDEN void edge_rt_index_out_of_range(int32_t site, int64_t index,
                                            int64_t bound) {
  report(site, 0, 0, index, bound);
}

EDGE_HIDDEN void edge_rt_size_mismatch(int32_t site, int32_t dim, int64_t size,
                                       int64_t declared) {
  report(site, 1, dim, size, declared);
}
