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

EDGE_HIDDEN void edge_rt_index_out_of_range(int32_t site, int64_t index,
                                            int64_t bound) {
  edge_rt_run_status *status = current_status;
  if (!status)
    return;
  int expected = 0;
  if (!atomic_compare_exchange_strong(&status->failed, &expected, 1))
    return;
  status->site = site;
  status->index = index;
  status->bound = bound;
}
