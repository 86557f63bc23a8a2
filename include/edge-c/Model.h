/*===- edge-c/Model.h - C ABI of a compiled edge model ------------*- C -*-===*\
|*                                                                            *|
|* Every shared library that edge-compile produces exports exactly these      *|
|* functions. The header is copied beside the library as <model>.h. The ABI   *|
|* is versioned: edge_abi_version() returns EDGE_ABI_VERSION of the runtime   *|
|* the library was built with; a caller built against another major version   *|
|* must not use the library.                                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_C_MODEL_H
#define EDGE_C_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EDGE_API __attribute__((visibility("default")))
#else
#define EDGE_API
#endif

#define EDGE_ABI_VERSION 8u

/// Element types. The values are those of ONNX TensorProto.DataType so that
/// tools can map them without a table.
typedef enum edge_dtype {
  EDGE_DTYPE_FLOAT32 = 1,
  EDGE_DTYPE_UINT8 = 2,
  EDGE_DTYPE_INT8 = 3,
  EDGE_DTYPE_UINT16 = 4,
  EDGE_DTYPE_INT16 = 5,
  EDGE_DTYPE_INT32 = 6,
  EDGE_DTYPE_INT64 = 7,
  EDGE_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  EDGE_DTYPE_FLOAT16 = 10,
  EDGE_DTYPE_FLOAT64 = 11,
  EDGE_DTYPE_UINT32 = 12,
  EDGE_DTYPE_UINT64 = 13,
  EDGE_DTYPE_BFLOAT16 = 16
} edge_dtype;

/// Bytes per element of `dtype` (bool: one byte); 0 for a code the ABI
/// does not define.
static inline size_t edge_dtype_size(int32_t dtype) {
  switch (dtype) {
  case EDGE_DTYPE_UINT8:
  case EDGE_DTYPE_INT8:
  case EDGE_DTYPE_BOOL:
    return 1;
  case EDGE_DTYPE_UINT16:
  case EDGE_DTYPE_INT16:
  case EDGE_DTYPE_FLOAT16:
  case EDGE_DTYPE_BFLOAT16:
    return 2;
  case EDGE_DTYPE_FLOAT32:
  case EDGE_DTYPE_INT32:
  case EDGE_DTYPE_UINT32:
    return 4;
  case EDGE_DTYPE_INT64:
  case EDGE_DTYPE_FLOAT64:
  case EDGE_DTYPE_UINT64:
    return 8;
  default:
    return 0;
  }
}

typedef enum edge_status {
  EDGE_OK = 0,
  EDGE_ERROR_INVALID_ARGUMENT = 1,
  EDGE_ERROR_OUT_OF_MEMORY = 2,
  EDGE_ERROR_INTERNAL = 3,
  /// The device the model was compiled for (a GPU) is missing here: no
  /// driver, no such device, or its kernels do not load.
  EDGE_ERROR_DEVICE_UNAVAILABLE = 4,
  /// The library was compiled for a CPU feature this CPU lacks (say
  /// x86-64-v4 code on an AVX2 machine); the message names the target and
  /// the missing features.
  EDGE_ERROR_UNSUPPORTED_CPU = 5
} edge_status;

/// Description of one graph input or output. Tensors are dense and
/// row-major. A dimension compiled with a dynamic size (edge-compile
/// --dim=SYMBOL<=BOUND) is -1 in `shape`; `max_shape` gives the largest
/// size of every dimension and `num_elements`/`num_bytes` count them at
/// those sizes, so a buffer of `num_bytes` fits every run. `dim_names[d]`
/// names the symbol of a dynamic dimension that is an input's size
/// (shared by every dimension with that name); it is NULL for static
/// dimensions and for sizes the run computes.
typedef struct edge_tensor_info {
  const char *name;
  edge_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* `rank` entries; -1 where dynamic */
  size_t num_elements;
  size_t num_bytes;
  /* Since ABI 6. `rank` entries: the largest size of each dimension
     (== shape where static). */
  const int64_t *max_shape;
  /* Since ABI 6. `rank` entries: the symbol's name where the size is an
     input's symbol, else NULL. */
  const char *const *dim_names;
} edge_tensor_info;

typedef struct edge_model edge_model;

/// The ABI version of this library (EDGE_ABI_VERSION when it was built).
EDGE_API uint32_t edge_abi_version(void);

/// Creates an instance of the model. Instances are independent; one
/// instance must not be called from two threads at once (its runs in
/// flight, edge_model_run_async, run on threads of its own). On failure *out is NULL and
/// edge_model_last_error(NULL) gives the reason.
EDGE_API edge_status edge_model_create(edge_model **out);
/// edge_model_create with the instance's own number of threads for its
/// parallel loops (since ABI version 8): 1 to 256, or 0 for what
/// EDGE_NUM_THREADS says (edge_model_create's choice). Another count gives
/// EDGE_ERROR_INVALID_ARGUMENT.
EDGE_API edge_status edge_model_create_with_threads(uint32_t num_threads,
                                                    edge_model **out);
/// The threads the instance's parallel loops run on (since ABI version 8).
EDGE_API uint32_t edge_model_num_threads(const edge_model *model);
/// The compiler's placement and cost report of the model, as JSON text (the
/// same as edge-compile --report writes: devices, each node's device and
/// time, transfers, the predicted latency and rate), or NULL when the
/// library has none (since ABI version 8).
EDGE_API const char *edge_model_report(const edge_model *model);
EDGE_API void edge_model_destroy(edge_model *model);

EDGE_API size_t edge_model_num_inputs(const edge_model *model);
EDGE_API size_t edge_model_num_outputs(const edge_model *model);
/// NULL when `index` is out of range. The pointer lives as long as `model`.
EDGE_API const edge_tensor_info *edge_model_input(const edge_model *model,
                                                  size_t index);
EDGE_API const edge_tensor_info *edge_model_output(const edge_model *model,
                                                   size_t index);

/// Sets the shape (`rank` sizes) input `index` has in the runs started
/// after this call. Until it is called an input's shape is its max_shape.
/// Refused (EDGE_ERROR_INVALID_ARGUMENT, the message naming the input, the
/// dimension and its symbol) when a static size differs, a dynamic size
/// is negative or above its bound, or two dimensions of the input that
/// are one symbol differ; a refused shape leaves the previous one. A
/// static model accepts only its shape. Since ABI 6.
EDGE_API edge_status edge_model_set_input_shape(edge_model *model,
                                                size_t index,
                                                const int64_t *shape);

/// Writes the shape set for input `index` (`rank` sizes) into `shape`
/// (for tools that print it). Since ABI 6.
EDGE_API edge_status edge_model_input_shape(const edge_model *model,
                                            size_t index, int64_t *shape);

/// Writes the shape of output `index` (`rank` sizes) into `shape`: after a
/// run (edge_model_run, or the run edge_model_wait returned last), the
/// shape that run produced; before any run, and after
/// edge_model_set_input_shape until the next run is waited for, its sizes
/// that are symbols come from the inputs' shapes and those the run
/// computes are -1. A static output's shape is always its own. Since ABI 6.
EDGE_API edge_status edge_model_output_shape(const edge_model *model,
                                             size_t index, int64_t *shape);

/// Runs the model. `inputs[i]` points to input i's data (the elements of
/// its current shape, dense row-major, see edge_model_set_input_shape; the
/// caller keeps ownership); `outputs[i]` to a caller-owned buffer for
/// output i (num_bytes always fits; a dynamic output holds the elements
/// of the run's shape, edge_model_output_shape). Inputs that give one
/// symbol different sizes are refused (EDGE_ERROR_INVALID_ARGUMENT); sizes
/// the run reports outside their bounds fail it (EDGE_ERROR_INTERNAL).
/// Buffers need only the natural alignment of their element type and must
/// not overlap. Returns EDGE_OK or an error whose text
/// edge_model_last_error() gives.
EDGE_API edge_status edge_model_run(edge_model *model,
                                    const void *const *inputs,
                                    void *const *outputs);

/// How many runs of one instance may be in flight at once
/// (edge_model_run_async).
#define EDGE_MAX_RUNS_IN_FLIGHT 4

/// Starts a run and returns without waiting for it; `*ticket` receives the
/// number edge_model_wait takes. The buffers must stay valid and unchanged
/// until that wait returns. Runs of a model placed on several devices
/// (edge-compile --devices) are pipelined: each device takes the runs in
/// the order they were started, so it starts the next run as soon as it is
/// done with this one's partitions, while the other devices run this one's
/// later partitions (the rate --objective=throughput plans for). Each run
/// in flight has intermediate buffers of its own, allocated the first time
/// that many runs are in flight. A model on one device runs in this call.
/// A model with dynamic sizes runs at the input shapes set when this is
/// called; setting others afterwards does not change the run.
/// At most EDGE_MAX_RUNS_IN_FLIGHT runs may be in flight; another one is
/// refused (EDGE_ERROR_INVALID_ARGUMENT) until one is waited for. Errors in
/// the arguments are returned here; errors of the run by edge_model_wait.
EDGE_API edge_status edge_model_run_async(edge_model *model,
                                          const void *const *inputs,
                                          void *const *outputs,
                                          uint64_t *ticket);

/// Waits for the run `ticket` of edge_model_run_async and returns how it
/// went, as edge_model_run would have (with the text in
/// edge_model_last_error). Each run is waited for once, in any order;
/// edge_model_destroy waits for runs that were not.
EDGE_API edge_status edge_model_wait(edge_model *model, uint64_t ticket);

/// Bytes of intermediate memory one run of `model` uses at most besides its
/// inputs and outputs: the arena of the memory plan edge-compile made
/// (buffers whose lifetimes do not overlap share memory), plus the buffers
/// passed between the partitions of a model placed on several devices.
/// 0 for NULL.
EDGE_API size_t edge_model_workspace_bytes(const edge_model *model);

/// Text of the last error of `model` ("" if none; each call to
/// edge_model_run starts with none). With `model` == NULL: why the last
/// edge_model_create on this thread failed. Lives until the next call.
EDGE_API const char *edge_model_last_error(const edge_model *model);

/*===----------------------------------------------------------------------===*\
|* Text generation (since ABI 7)                                              *|
|*                                                                            *|
|* A decoder exported with a KV-cache as Hugging Face Optimum does: inputs    *|
|* `input_ids` [batch, seq] and `attention_mask` [batch, past + seq] (int64), *|
|* optionally `position_ids` [batch, seq], and a past input per cache; the    *|
|* outputs `logits` [batch, seq, vocab] (float32) and one present output per  *|
|* past, `Concat(past, new)` along the positions. edge-compile (with dynamic  *|
|* sizes) makes each present share its past's buffer (docs/llm.md): a         *|
|* generator keeps one cache per pair with room for the model's longest       *|
|* context, and a decode step copies no cache and allocates nothing.          *|
\*===----------------------------------------------------------------------===*/

/// How a sequence picks its next tokens. `temperature` 0 is greedy (the
/// first token of largest logit); otherwise tokens are drawn from
/// softmax(logits / temperature) restricted to the `top_k` most likely
/// (0: no limit) and to the fewest most likely whose probabilities reach
/// `top_p` (1: no limit), with a random generator seeded by `seed`.
/// Generation ends after `max_new_tokens` tokens, after a token of
/// `stop_tokens` (which is kept), or when the context is full.
typedef struct edge_generation_config {
  uint32_t max_new_tokens;
  float temperature;
  uint32_t top_k;
  float top_p;
  uint64_t seed;
  const int64_t *stop_tokens;
  size_t num_stop_tokens;
} edge_generation_config;

/// Why a sequence ended.
typedef enum edge_finish_reason {
  EDGE_FINISH_NONE = 0,   /* still generating */
  EDGE_FINISH_STOP = 1,   /* produced a stop token */
  EDGE_FINISH_LENGTH = 2, /* max_new_tokens reached */
  EDGE_FINISH_CONTEXT = 3 /* the model's longest context is reached */
} edge_finish_reason;

/// Time spent so far: prefill runs (prompts in) and decode runs (one new
/// token per sequence each).
typedef struct edge_generation_stats {
  double prefill_seconds;
  uint64_t prefill_tokens;
  double decode_seconds;
  uint64_t decode_tokens;
  uint64_t decode_steps;
} edge_generation_stats;

typedef struct edge_generator edge_generator;

/// Creates a generator over `model`, which it uses exclusively until
/// destroyed (the model must outlive it). Up to `max_sequences` sequences
/// (at most the model's batch bound; 0: that bound) generate at once. Fails
/// with a message (edge_model_last_error(model)) when the model does not
/// follow the convention above.
EDGE_API edge_status edge_generator_create(edge_model *model,
                                           uint32_t max_sequences,
                                           edge_generator **out);
EDGE_API void edge_generator_destroy(edge_generator *generator);

/// Adds a sequence: its prompt (copied) and configuration (NULL: greedy, 64
/// new tokens). It joins the batch at the next step; `*sequence` numbers it
/// (0, 1, ... in order of addition). Fails when the generator holds
/// max_sequences unfinished sequences or the prompt is empty or too long.
EDGE_API edge_status edge_generator_add(edge_generator *generator,
                                        const int64_t *prompt,
                                        size_t prompt_length,
                                        const edge_generation_config *config,
                                        uint32_t *sequence);

/// One run of the model: the sequences added since the last step read
/// their prompts (prefill, one run for all of them) and get their first
/// token; otherwise every unfinished sequence gets its next token (decode).
/// Finished sequences leave the batch. Does nothing when no sequence is
/// unfinished.
EDGE_API edge_status edge_generator_step(edge_generator *generator);

/// The number of sequences not finished yet (waiting or generating).
EDGE_API size_t edge_generator_unfinished(const edge_generator *generator);

/// The tokens generated so far for `sequence` (valid until the next step or
/// the generator's destruction) and why it ended (EDGE_FINISH_NONE while
/// it generates).
EDGE_API edge_status edge_generator_tokens(const edge_generator *generator,
                                           uint32_t sequence,
                                           const int64_t **tokens,
                                           size_t *count,
                                           edge_finish_reason *finished);

EDGE_API edge_status edge_generator_stats(const edge_generator *generator,
                                          edge_generation_stats *stats);

/// The buffer of cache `index` (in the order of the model's cache outputs),
/// for inspection: one row per sequence slot, each with room for the
/// longest context; its address never changes.
EDGE_API edge_status edge_generator_cache(const edge_generator *generator,
                                          size_t index, const void **data,
                                          size_t *num_bytes);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_C_MODEL_H */
