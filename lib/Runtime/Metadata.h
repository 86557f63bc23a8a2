/*===- Metadata.h - Parser of a compiled model's metadata ---------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. edge-compile embeds the graph's interface as the  *|
|* text `edge_generated_metadata`:                                            *|
|*                                                                            *|
|*   edge-model 1                                                             *|
|*   input <name> <dtype-code> <rank> <d0> <d1> ...                           *|
|*   output <name> <dtype-code> <rank> <d0> ...                               *|
|*   bound <input-index> <hex bytes>                                          *|
|*   cache <input-index> <output-index> <axis> <capacity>                     *|
|*                                                                            *|
|* A model with dynamic sizes first lists its symbols, numbered from 0:       *|
|*                                                                            *|
|*   symbol <index> <name> <bound>         bound >= 1, the largest size       *|
|*                                                                            *|
|* then writes a dimension as <size>, $K (symbol K's size; every symbol       *|
|* sizes some input) or ?B (outputs only: a size the run computes, at most    *|
|* B), and right after its outputs `shapes <count>`: its entry takes one      *|
|* more buffer, `count` int64s (count >= symbols + the outputs' ranks): the   *|
|* symbols' sizes, then every output's sizes, which the run writes, then     *|
|* (partitioned models) the sizes of values that cross partitions. Its bound *|
|* inputs are static.                                                         *|
|*                                                                            *|
|* Input lines come first, then output lines, each in graph order, then the   *|
|* bound lines of inputs fixed at compile time (edge-compile --bind-input),   *|
|* separated by '\n' (a final '\n' is optional). Fields are separated by one  *|
|* space.                                                                     *|
|* A partitioned model then lists its devices, its intermediate buffers and   *|
|* the steps of its host schedule, in this order:                             *|
|*                                                                            *|
|*   device <name> <kind> [<target>]       kind: cpu, nvidia or amd           *|
|*   buffer <device-index> <num_bytes> [<element_bytes> <offset> <rank>]     *|
|*                                         intermediate buffer b<N>; with a  *|
|*                                         dynamic size, num_bytes is its    *|
|*                                         largest and its run's sizes are   *|
|*                                         at <offset> in the sizes buffer   *|
|*   run <partition> <device-index> <num_in> <num_out> <ref>...               *|
|*   copy <source-ref> <target-ref>                                           *|
|*                                                                            *|
|* A ref is i<N> (graph input), o<N> (graph output) or b<N>. A model without  *|
|* device lines is partition 0, called with the inputs then the outputs.      *|
|* A GPU device with a target (nvidia:sm_90) has GPU code: its partition P is *|
|* entry P, and entry -1-P is P's CPU version, run when the GPU is absent.    *|
|* Without a target, entry P is the CPU version. With dynamic sizes, every   *|
|* partition also takes the run's sizes buffer, after its outputs, and a     *|
|* copy moves the bytes its source holds in the run.                         *|
|* Then the cost model's estimates of partitions' and copies' times, for     *|
|* profiles:                                                                  *|
|*                                                                            *|
|*   estimate <partition> <nanoseconds>                                       *|
|*   copy-estimate <step> <nanoseconds>    a copy step's (steps numbered     *|
|*                                         from 0, runs and copies alike)    *|
|*                                                                            *|
|* Last come the index check sites of the generated code, numbered from 0:    *|
|*                                                                            *|
|*   check <site> <escaped description>     e.g. node%20'g'%20(edge.gather)   *|
|*                                                                            *|
|* In names, every byte <= 0x20, >= 0x7f and '%' is written as %XX (two hex   *|
|* digits). The parser trusts nothing: malformed text is rejected with a      *|
|* message, never read out of bounds.                                         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_METADATA_H
#define EDGE_LIB_RUNTIME_METADATA_H

#include "edge-c/Model.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The only metadata format version this runtime reads.
#define EDGE_METADATA_VERSION 1

/// Largest rank the parser accepts.
#define EDGE_METADATA_MAX_RANK 64

typedef enum edge_rt_device_kind {
  EDGE_RT_DEVICE_CPU,
  EDGE_RT_DEVICE_NVIDIA,
  EDGE_RT_DEVICE_AMD
} edge_rt_device_kind;

typedef struct edge_rt_device {
  char *name;
  edge_rt_device_kind kind;
  /// The GPU the library holds code for (`nvidia:sm_90`), or NULL: the
  /// device's partitions then only have their CPU version.
  char *target;
  /// The machine the device is on (`@NODE` on its line), or NULL when the
  /// whole schedule runs on one.
  char *node;
} edge_rt_device;

typedef struct edge_rt_buffer {
  size_t device;
  /// The largest size; with `rank` > 0, the run's size is `element_bytes`
  /// times the `rank` sizes at `shape_offset` in the run's sizes buffer.
  size_t num_bytes;
  size_t element_bytes;
  size_t shape_offset;
  size_t rank;
} edge_rt_buffer;

/// A buffer a step uses: kind 'i' (graph input), 'o' (graph output) or 'b'
/// (intermediate buffer), and its index.
typedef struct edge_rt_ref {
  char kind;
  size_t index;
} edge_rt_ref;

/// One step of the host schedule: run a partition on a device with
/// `num_inputs` then `num_outputs` buffers, or copy refs[0] to refs[1].
typedef struct edge_rt_step {
  int is_copy;
  uint32_t partition;
  size_t device;
  size_t num_inputs, num_outputs;
  edge_rt_ref *refs;
  /// A copy's time as the placer estimated it (0: none given).
  uint64_t estimate_ns;
} edge_rt_step;

/// The parsed interface of a model. `tensors` holds the inputs, then the
/// outputs; names and shapes are owned by the structure. `bound_values` is
/// NULL when no input is bound, else it and `num_bound_values` have
/// `num_inputs` entries: the values an input may take (fixed with
/// --bind-input, or implied by the declared shapes of what it decides),
/// `num_bound_values[i]` of `num_bytes` bytes each, one after the other; or
/// NULL and 0 for an input that takes any value.
enum { EDGE_RT_MAX_BOUND_VALUES = 4096 };

/// How a dimension's size is known: static, an input's symbol (`$K`), or
/// computed by the run (`?B`).
enum { EDGE_RT_DIM_STATIC = -1, EDGE_RT_DIM_COMPUTED = -2 };

/// An output that appends to an input along `axis` and shares its buffer
/// (a decoder's KV-cache, `present = Concat(past, new)`): the generated
/// code reads the input and writes the output as views of one buffer laid
/// out with room for `capacity` positions along `axis`, and writes only the
/// positions after the input's.
typedef struct edge_rt_cache {
  size_t input;
  size_t output;
  int32_t axis;
  int64_t capacity;
} edge_rt_cache;

typedef struct edge_rt_metadata {
  edge_tensor_info *tensors;
  /// Per tensor, `rank` entries: the symbol index of each dimension, or
  /// EDGE_RT_DIM_STATIC / EDGE_RT_DIM_COMPUTED.
  int32_t **dim_symbols;
  /// The symbols of a model with dynamic sizes, and the int64 entries of
  /// its sizes buffer (0: a static model).
  char **symbol_names;
  int64_t *symbol_bounds;
  size_t num_symbols;
  size_t num_shape_entries;
  /// Per symbol, the first input dimension it sizes (every symbol sizes
  /// one): where a run takes the symbol's size from, found once here.
  size_t *symbol_inputs;
  int32_t *symbol_dims;
  size_t num_inputs;
  size_t num_outputs;
  unsigned char **bound_values;
  size_t *num_bound_values;
  /// The outputs that share an input's buffer as a cache.
  edge_rt_cache *caches;
  size_t num_caches;
  /// The schedule of a partitioned model (all empty otherwise).
  edge_rt_device *devices;
  size_t num_devices;
  edge_rt_buffer *buffers;
  size_t num_buffers;
  edge_rt_step *steps;
  size_t num_steps;
  /// The compiler's estimate of each partition's time (the cost model's,
  /// docs/placement.md), in nanoseconds; 0 where none was given.
  uint64_t *estimates_ns;
  size_t num_estimates;
  /// check_sites[s] describes index check site s (RunStatus.h).
  char **check_sites;
  size_t num_check_sites;
} edge_rt_metadata;

/// Bytes of the buffer `ref` names: its largest size.
size_t edge_rt_ref_bytes(const edge_rt_metadata *metadata, edge_rt_ref ref);

/// Bytes `ref` holds in a run whose sizes buffer is `sizes` (NULL for a
/// static model): at most edge_rt_ref_bytes, 0 where a size is unknown.
size_t edge_rt_ref_run_bytes(const edge_rt_metadata *metadata, edge_rt_ref ref,
                             const int64_t *sizes);

/// Output `output`'s sizes as a run wrote them in its sizes buffer `sizes`
/// (after the symbols', in output order).
const int64_t *edge_rt_output_sizes(const edge_rt_metadata *metadata,
                                    const int64_t *sizes, size_t output);

/// The pointers a step passes: its refs, then the run's sizes buffer for a
/// model with dynamic sizes.
size_t edge_rt_step_num_pointers(const edge_rt_metadata *metadata,
                                 const edge_rt_step *step);

/// The refs of `step`: its inputs then its outputs, or a copy's source and
/// destination.
size_t edge_rt_step_num_refs(const edge_rt_step *step);

/// The device holding `ref`: graph inputs and outputs are on the first.
size_t edge_rt_ref_device(const edge_rt_metadata *metadata, edge_rt_ref ref);

/// The device whose executor runs `step`: a run on its device, a copy on
/// its destination's.
size_t edge_rt_step_device(const edge_rt_metadata *metadata,
                           const edge_rt_step *step);

/// Numbers the nodes (machines) the devices are on, in order of first
/// appearance: node r runs as MPI rank r. Writes each node's name into
/// `names` and each device's node into `device_nodes` (both with room for
/// a device each) and returns the count; 0 when no device names a node.
size_t edge_rt_number_nodes(const edge_rt_metadata *metadata,
                            const char **names, size_t *device_nodes);

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
