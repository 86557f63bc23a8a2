/*===- Metadata.h - Parser of a compiled model's metadata ---------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. edge-compile embeds the graph's interface as the  *|
|* text `edge_generated_metadata`:                                            *|
|*                                                                            *|
|*   edge-model 1                                                             *|
|*   input <name> <dtype-code> <rank> <d0> <d1> ...                           *|
|*   output <name> <dtype-code> <rank> <d0> ...                               *|
|*   bound <input-index> <hex bytes>                                          *|
|*                                                                            *|
|* Input lines come first, then output lines, each in graph order, then the   *|
|* bound lines of inputs fixed at compile time (edge-compile --bind-input),   *|
|* separated by '\n' (a final '\n' is optional). Fields are separated by one *|
|* space.                                                                     *|
|* In names, every byte <= 0x20, >= 0x7f and '%' is written as %XX (two hex   *|
|* digits). The parser trusts nothing: malformed text is rejected with a      *|
|* message, never read out of bounds.                                         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_METADATA_H
#define EDGE_LIB_RUNTIME_METADATA_H

#include "edge-c/Model.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The only metadata format version this runtime reads.
#define EDGE_METADATA_VERSION 1

/// Largest rank the parser accepts.
#define EDGE_METADATA_MAX_RANK 64

/// The parsed interface of a model. `tensors` holds the inputs, then the
/// outputs; names and shapes are owned by the structure. `bound_values` is
/// NULL when no input is bound, else it has `num_inputs` entries: the bytes
/// an input was bound to at compile time (`num_bytes` of them), or NULL.
typedef struct edge_rt_metadata {
  edge_tensor_info *tensors;
  size_t num_inputs;
  size_t num_outputs;
  unsigned char **bound_values;
} edge_rt_metadata;

/// Parses `text` into `*out`. Returns 0 on success. Otherwise returns -1,
/// leaves `*out` empty and writes a NUL-terminated message into `error`
/// (at most `error_size` bytes, naming the offending line).
int edge_rt_parse_metadata(const char *text, edge_rt_metadata *out, char *error,
                           size_t error_size);

/// Releases what edge_rt_parse_metadata allocated and empties `*metadata`.
void edge_rt_free_metadata(edge_rt_metadata *metadata);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_METADATA_H */
