/*===- ModelInternal.h - What the runtime's parts share about a model -*- C
-*-===*\
|*                                                                            *|
|* Internal to the runtime: the functions Generate.c runs a model with. They  *|
|* are hidden, so that an exported function never calls another (Model.c).   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_MODELINTERNAL_H
#define EDGE_LIB_RUNTIME_MODELINTERNAL_H

#include "Metadata.h"
#include "Visibility.h"

#include "edge-c/Model.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The model's parsed metadata.
EDGE_HIDDEN const edge_rt_metadata *
edge_rt_model_metadata(const edge_model *model);

/// edge_model_set_input_shape, with errors naming `function`.
EDGE_HIDDEN edge_status edge_rt_model_set_input_shape(edge_model *model,
                                                      const char *function,
                                                      size_t index,
                                                      const int64_t *shape);

/// Sets the model's last error; returns `status`.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
EDGE_HIDDEN edge_status
edge_rt_model_error(edge_model *model, edge_status status, const char *format,
                    ...);

/// edge_model_run where each cache output's buffer is its input's, laid
/// out for the capacity (edge_rt_cache): the caller owns the caches and the
/// run copies none of them.
EDGE_HIDDEN edge_status edge_rt_model_run_on_caches(edge_model *model,
                                                    const char *function,
                                                    const void *const *inputs,
                                                    void *const *outputs);

/// Copies `positions` positions of `outer` rows, `position_bytes` each,
/// between layouts with room for `from_capacity` and `to_capacity`
/// positions per row (the buffers may overlap).
EDGE_HIDDEN void edge_rt_copy_positions(void *to, size_t to_capacity,
                                        const void *from, size_t from_capacity,
                                        size_t outer, size_t positions,
                                        size_t position_bytes);

/// The rows (the dimensions before the axis) and the bytes of one position
/// (the dimensions after it) of cache `cache` at `shape`.
EDGE_HIDDEN void edge_rt_cache_layout(const edge_rt_metadata *m,
                                      const edge_rt_cache *cache,
                                      const int64_t *shape, size_t *outer,
                                      size_t *position_bytes);

#ifdef __cplusplus
}
#endif

#endif // EDGE_LIB_RUNTIME_MODELINTERNAL_H
