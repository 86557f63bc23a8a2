//===- Model.c - The C ABI of a compiled model ----------------------------===//
//
// Implements edge-c/Model.h over the two symbols edge-compile generates: the
// metadata text and the entry point. Only the functions of Model.h are
// exported from a model library (see exports.map); everything else, the
// generated symbols included, stays local to it.
//
// None of the exported functions calls another one: a process that loads two
// model libraries must never have one library's runtime bind to the other's.
//
//===----------------------------------------------------------------------===//

#include "Allocator.h"
#include "CPUFeatures.h"
#include "Devices.h"
#include "GPU.h"
#include "Metadata.h"
#include "ModelInternal.h"
#include "Profile.h"
#include "RunStatus.h"
#include "ThreadPool.h"
#include "Visibility.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/// Defined by the object file edge-compile emits.
EDGE_HIDDEN extern const char edge_generated_metadata[];
/// The CPU target of the code and the features it needs (CPUFeatures.h);
/// weak: a library without it (a test's stand-in model) runs anywhere.
EDGE_WEAK extern const char edge_generated_cpu_requirement[];
/// The compiler's placement and cost report, JSON (weak: a stand-in model,
/// or a model whose report could not be made, has none).
EDGE_WEAK extern const char edge_generated_report[];
/// The arena of the memory plan (the largest, for a partitioned model).
EDGE_HIDDEN extern const int64_t edge_generated_workspace_bytes;
/// Runs one partition; `buffers` holds its input data pointers, then its
/// output data pointers. An unpartitioned model is partition 0 of the
/// graph's inputs and outputs.
EDGE_HIDDEN void edge_generated_entry(int32_t partition, void **buffers);

enum { EDGE_ERROR_SIZE = 512 };

/// Alignment of intermediate buffers: a cache line, and the widest vector.
enum { EDGE_BUFFER_ALIGNMENT = 64 };

/// One run in flight (edge_model_run_async) and, for a partitioned model,
/// the buffers it runs on: a run in flight keeps its own intermediates.
typedef struct flight {
  /// 0: the slot is free.
  uint64_t ticket;
  /// Submitted to the executors (a partitioned model) and not yet waited
  /// for; otherwise the run is over and `status`/`device_error` say how.
  bool submitted;
  edge_rt_run_status status;
  char device_error[EDGE_ERROR_SIZE];
  /// A partitioned model's data pointers of every step, one after another
  /// (`step_buffers` points at each step's), and the arenas of its
  /// intermediate buffers, one per device; NULL until the slot is first
  /// used.
  void **pointers;
  void ***step_buffers;
  unsigned char **arenas;
  /// A model with dynamic sizes: the entry's sizes buffer of this run
  /// (`num_shape_entries` int64s), so that runs in flight keep their own:
  /// the symbols' sizes taken from the input shapes when the run started,
  /// then the outputs' sizes the run wrote. NULL for a static model.
  int64_t *sizes;
  /// A partitioned model with cache outputs run on dense buffers
  /// (stage_caches): the inputs and outputs the steps get, the model's
  /// cache buffers in place of the caller's, and the caller's outputs,
  /// into which the presents are copied once the run is over.
  const void **staged_inputs;
  void **staged_outputs, **caller_outputs;
  bool staged;
} flight;

struct edge_model {
  edge_rt_metadata metadata;
  /// Inputs then outputs (then, with dynamic sizes, the run's sizes
  /// buffer), handed to edge_generated_entry.
  void **buffers;
  /// Each tensor's shape, at `shape_offsets[t]` in `shapes`: the inputs'
  /// as set (edge_model_set_input_shape), the outputs' of the run waited
  /// for last. A static model's never change.
  int64_t *shapes;
  size_t *shape_offsets;
  /// Whether the outputs' shapes are a run's: set when a run is waited
  /// for, cleared when an input's shape is set (the outputs' shapes then
  /// follow the inputs' until the next run).
  bool ran;
  /// The runs in flight, and the ticket of the next one.
  flight flights[EDGE_MAX_RUNS_IN_FLIGHT];
  uint64_t last_ticket;
  /// A partitioned model's executors of its devices.
  edge_rt_executors *executors;
  /// The threads its parallel loops run on.
  uint32_t num_threads;
  /// The workers of the parallel loops (EDGE_NUM_THREADS - 1 threads);
  /// NULL with one thread.
  edge_rt_thread_pool *pool;
  /// A GPU model's (or GPU partitions') weights in device memory (GPU.h);
  /// NULL for the CPU.
  edge_rt_gpu_constants *gpu_constants;
  /// Measured times, with EDGE_PROFILE (Profile.h); NULL otherwise.
  edge_rt_profile *profile;
  /// Whether this instance keeps the buffer cache alive (Allocator.h).
  int holds_allocator;
  /// For each cache output (edge_rt_cache), the buffer edge_model_run
  /// lays the cache out in, since its callers pass a dense past and
  /// present; allocated by the first run. A generator (Generate.c) runs on
  /// its own caches instead (`direct_caches`).
  void **cache_buffers;
  bool direct_caches;
  char last_error[EDGE_ERROR_SIZE];
};

/// Why the last edge_model_create on this thread failed.
static _Thread_local char create_error[EDGE_ERROR_SIZE];

EDGE_HIDDEN edge_status edge_rt_model_error(edge_model *model,
                                            edge_status status,
                                            const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(model->last_error, sizeof(model->last_error), format, args);
  va_end(args);
  return status;
}

EDGE_API uint32_t edge_abi_version(void) { return EDGE_ABI_VERSION; }

static void destroy_model(edge_model *model);

/// Sets up a model's tensor shapes, every tensor at its largest shape, and
/// with dynamic sizes each run slot's sizes buffer. Returns nonzero when
/// out of memory.
static int init_shapes(edge_model *model) {
  const edge_rt_metadata *m = &model->metadata;
  size_t count = m->num_inputs + m->num_outputs, total = 0;
  model->shape_offsets = calloc(count ? count : 1, sizeof(size_t));
  if (!model->shape_offsets)
    return -1;
  for (size_t t = 0; t < count; ++t) {
    model->shape_offsets[t] = total;
    total += (size_t)m->tensors[t].rank;
  }
  model->shapes = calloc(total ? total : 1, sizeof(int64_t));
  if (!model->shapes)
    return -1;
  for (size_t t = 0; t < count; ++t)
    memcpy(model->shapes + model->shape_offsets[t], m->tensors[t].max_shape,
           (size_t)m->tensors[t].rank * sizeof(int64_t));
  for (size_t i = 0; m->num_shape_entries && i < EDGE_MAX_RUNS_IN_FLIGHT; ++i)
    if (!(model->flights[i].sizes =
              calloc(m->num_shape_entries, sizeof(int64_t))))
      return -1;
  return 0;
}

/// The shape of tensor `t` (an input, or `num_inputs` + an output).
static int64_t *tensor_shape(const edge_model *model, size_t t) {
  return model->shapes + model->shape_offsets[t];
}

/// Symbol `s`'s size in the inputs' current shapes: its first input
/// dimension's (resolve_symbols checks that the others agree).
static int64_t symbol_size(const edge_model *model, int32_t s) {
  const edge_rt_metadata *m = &model->metadata;
  return tensor_shape(model, m->symbol_inputs[s])[m->symbol_dims[s]];
}

/// Writes each symbol's size, taken from the inputs' current shapes, into
/// `sizes` (`num_symbols` entries). Returns EDGE_OK, or an error naming the
/// two input dimensions that give a symbol different sizes.
static edge_status resolve_symbols(edge_model *model, const char *function,
                                   int64_t *sizes) {
  const edge_rt_metadata *m = &model->metadata;
  for (size_t s = 0; s < m->num_symbols; ++s)
    sizes[s] = symbol_size(model, (int32_t)s);
  for (size_t i = 0; i < m->num_inputs; ++i) {
    const int64_t *shape = tensor_shape(model, i);
    for (int32_t d = 0; d < m->tensors[i].rank; ++d) {
      int32_t s = m->dim_symbols[i][d];
      if (s < 0 || shape[d] == sizes[s])
        continue;
      size_t j = m->symbol_inputs[s];
      int32_t e = m->symbol_dims[s];
      return edge_rt_model_error(
          model, EDGE_ERROR_INVALID_ARGUMENT,
          "%s: inputs '%s' (dimension %d) and '%s' (dimension "
          "%d) give '%s' different sizes: %lld and %lld",
          function, m->tensors[j].name, (int)e, m->tensors[i].name, (int)d,
          m->symbol_names[s], (long long)sizes[s], (long long)shape[d]);
    }
  }
  return EDGE_OK;
}

/// Checks the size the run reported for dimension `d` of output `o` (in
/// `sizes`, the run's sizes buffer): the generated code promises sizes
/// within the bounds, static sizes unchanged and symbols' sizes as given.
static edge_status check_output_size(edge_model *model, const char *function,
                                     size_t o, int32_t d, int64_t size,
                                     const int64_t *sizes) {
  const edge_rt_metadata *m = &model->metadata;
  size_t t = m->num_inputs + o;
  const edge_tensor_info *info = &m->tensors[t];
  int32_t symbol = m->dim_symbols[t][d];
  if (size < 0 || size > info->max_shape[d])
    return edge_rt_model_error(
        model, EDGE_ERROR_INTERNAL,
        "%s: the run gave output '%s' dimension %d the size "
        "%lld, outside 0 to its bound %lld",
        function, info->name, (int)d, (long long)size,
        (long long)info->max_shape[d]);
  if (symbol == EDGE_RT_DIM_STATIC && size != info->shape[d])
    return edge_rt_model_error(
        model, EDGE_ERROR_INTERNAL,
        "%s: the run gave output '%s' dimension %d the size "
        "%lld, but its size is static: %lld",
        function, info->name, (int)d, (long long)size,
        (long long)info->shape[d]);
  if (symbol >= 0 && size != sizes[symbol])
    return edge_rt_model_error(
        model, EDGE_ERROR_INTERNAL,
        "%s: the run gave output '%s' dimension %d the size "
        "%lld, but it is '%s', which the inputs give as %lld",
        function, info->name, (int)d, (long long)size, m->symbol_names[symbol],
        (long long)sizes[symbol]);
  return EDGE_OK;
}

/// Checks the outputs' sizes the run in `f` wrote after the symbols' and
/// makes them the outputs' shapes (edge_model_output_shape); on an error
/// the shapes stay as they were.
static edge_status take_output_shapes(edge_model *model, const flight *f,
                                      const char *function) {
  const edge_rt_metadata *m = &model->metadata;
  const int64_t *written = f->sizes + m->num_symbols;
  size_t output_dims = 0;
  for (size_t o = 0; o < m->num_outputs; ++o) {
    output_dims += (size_t)m->tensors[m->num_inputs + o].rank;
    const edge_tensor_info *info = &m->tensors[m->num_inputs + o];
    for (int32_t d = 0; d < info->rank; ++d, ++written) {
      edge_status status =
          check_output_size(model, function, o, d, *written, f->sizes);
      if (status != EDGE_OK)
        return status;
    }
  }
  size_t first = model->shape_offsets[m->num_inputs];
  memcpy(model->shapes + first, f->sizes + m->num_symbols,
         output_dims * sizeof(int64_t));
  return EDGE_OK;
}

static size_t align_up(size_t size) {
  return (size + EDGE_BUFFER_ALIGNMENT - 1) / EDGE_BUFFER_ALIGNMENT *
         EDGE_BUFFER_ALIGNMENT;
}

static void free_flight(const edge_rt_metadata *m, flight *f) {
  if (f->arenas)
    for (size_t d = 0; d < m->num_devices; ++d)
      free(f->arenas[d]);
  free(f->arenas);
  free(f->pointers);
  free(f->step_buffers);
  free(f->staged_inputs);
  free(f->staged_outputs);
  free(f->caller_outputs);
  f->arenas = NULL;
  f->pointers = NULL;
  f->step_buffers = NULL;
  f->staged_inputs = NULL;
  f->staged_outputs = f->caller_outputs = NULL;
}

/// Allocates the buffers of a partitioned model's run slot `f` (once per
/// slot): each step's pointer array and the intermediate buffers, one
/// arena per device (each device's memory). Returns EDGE_OK or
/// EDGE_ERROR_OUT_OF_MEMORY.
static edge_status allocate_flight(const edge_rt_metadata *m, flight *f) {
  if (f->step_buffers)
    return EDGE_OK;
  size_t count = 0;
  for (size_t s = 0; s < m->num_steps; ++s)
    count += edge_rt_step_num_pointers(m, &m->steps[s]);
  size_t *arena_sizes = calloc(m->num_devices, sizeof(size_t));
  f->pointers = calloc(count ? count : 1, sizeof(void *));
  f->step_buffers = calloc(m->num_steps ? m->num_steps : 1, sizeof(void **));
  f->arenas = calloc(m->num_devices, sizeof(unsigned char *));
  // Where each intermediate buffer lies, while the steps' pointers are set.
  void **intermediates =
      calloc(m->num_buffers ? m->num_buffers : 1, sizeof(void *));
  edge_status status = EDGE_OK;
  if (!arena_sizes || !f->pointers || !f->step_buffers || !f->arenas ||
      !intermediates)
    status = EDGE_ERROR_OUT_OF_MEMORY;
  for (size_t b = 0; status == EDGE_OK && b < m->num_buffers; ++b) {
    size_t *size = &arena_sizes[m->buffers[b].device];
    size_t bytes = align_up(m->buffers[b].num_bytes);
    if (bytes < m->buffers[b].num_bytes || *size > SIZE_MAX - bytes)
      status = EDGE_ERROR_OUT_OF_MEMORY;
    else
      *size += bytes;
  }
  for (size_t d = 0; status == EDGE_OK && d < m->num_devices; ++d)
    if (arena_sizes[d]) {
      f->arenas[d] = aligned_alloc(EDGE_BUFFER_ALIGNMENT, arena_sizes[d]);
      if (!f->arenas[d])
        status = EDGE_ERROR_OUT_OF_MEMORY;
      arena_sizes[d] = 0; // now the offset of the next buffer
    }
  for (size_t b = 0; status == EDGE_OK && b < m->num_buffers; ++b) {
    size_t device = m->buffers[b].device;
    intermediates[b] = f->arenas[device] + arena_sizes[device];
    arena_sizes[device] += align_up(m->buffers[b].num_bytes);
  }
  free(arena_sizes);
  if (status != EDGE_OK) {
    free(intermediates);
    free_flight(m, f);
    return status;
  }
  // Intermediate buffers stay where they are: only the graph's inputs and
  // outputs change from run to run (submit_schedule).
  void **next = f->pointers;
  for (size_t s = 0; s < m->num_steps; ++s) {
    f->step_buffers[s] = next;
    next += edge_rt_step_num_pointers(m, &m->steps[s]);
    for (size_t i = 0; i < edge_rt_step_num_refs(&m->steps[s]); ++i)
      if (m->steps[s].refs[i].kind == 'b')
        f->step_buffers[s][i] = intermediates[m->steps[s].refs[i].index];
  }
  free(intermediates);
  return EDGE_OK;
}

/// Starts a partitioned model: the buffers of its first run slot and the
/// executors of its devices. Sets create_error on failure.
static edge_status start_partitions(edge_model *model) {
  const edge_rt_metadata *m = &model->metadata;
  if (allocate_flight(m, &model->flights[0]) != EDGE_OK) {
    snprintf(create_error, sizeof(create_error),
             "out of memory for the model's intermediate buffers");
    return EDGE_ERROR_OUT_OF_MEMORY;
  }
  char error[EDGE_ERROR_SIZE];
  model->executors = edge_rt_start_executors(
      m, edge_generated_entry, model->gpu_constants, model->pool,
      model->profile, EDGE_MAX_RUNS_IN_FLIGHT, error, sizeof(error));
  if (!model->executors) {
    snprintf(create_error, sizeof(create_error), "%s", error);
    return EDGE_ERROR_INTERNAL;
  }
  return EDGE_OK;
}

/// Submits the host schedule of a partitioned model as run slot `f`: each
/// partition on its device's executor, each transfer as a copy between the
/// devices' buffers. Returns nonzero with a message in `f->device_error` when
/// the run cannot start.
static int submit_schedule(edge_model *model, flight *f,
                           const void *const *inputs, void *const *outputs,
                           uint32_t profile_run, bool wait_on_caller) {
  const edge_rt_metadata *m = &model->metadata;
  for (size_t s = 0; s < m->num_steps; ++s) {
    const edge_rt_step *step = &m->steps[s];
    for (size_t i = 0; i < edge_rt_step_num_refs(step); ++i) {
      edge_rt_ref ref = step->refs[i];
      if (ref.kind == 'i') // partitions only read their inputs
        f->step_buffers[s][i] = (void *)(uintptr_t)inputs[ref.index];
      else if (ref.kind == 'o')
        f->step_buffers[s][i] = outputs[ref.index];
    }
    // Every step of a model with dynamic sizes reads the run's sizes.
    if (m->num_symbols)
      f->step_buffers[s][edge_rt_step_num_refs(step)] = f->sizes;
  }
  return edge_rt_submit_run(model->executors, (size_t)(f - model->flights),
                            (void *const *const *)f->step_buffers, &f->status,
                            profile_run, wait_on_caller, f->device_error,
                            sizeof(f->device_error));
}

EDGE_API const char *edge_model_report(const edge_model *model) {
  (void)model;
  return edge_generated_report;
}

EDGE_API uint32_t edge_model_num_threads(const edge_model *model) {
  return model ? model->num_threads : 0;
}

EDGE_API edge_status edge_model_create(edge_model **out) {
  return edge_model_create_with_threads(0, out);
}

EDGE_API edge_status edge_model_create_with_threads(uint32_t num_threads,
                                                    edge_model **out) {
  create_error[0] = '\0';
  if (!out) {
    snprintf(create_error, sizeof(create_error),
             "edge_model_create: the output pointer is NULL");
    return EDGE_ERROR_INVALID_ARGUMENT;
  }
  *out = NULL;
  if (num_threads > EDGE_RT_MAX_THREADS) {
    snprintf(create_error, sizeof(create_error),
             "edge_model_create_with_threads: a model runs on 1 to %d "
             "threads (0: EDGE_NUM_THREADS), not %u",
             EDGE_RT_MAX_THREADS, num_threads);
    return EDGE_ERROR_INVALID_ARGUMENT;
  }
  // Before anything runs code compiled for the target.
  if (edge_rt_check_cpu(edge_generated_cpu_requirement, create_error,
                        sizeof(create_error)))
    return EDGE_ERROR_UNSUPPORTED_CPU;
  edge_model *model = calloc(1, sizeof(edge_model));
  if (!model) {
    snprintf(create_error, sizeof(create_error), "out of memory");
    return EDGE_ERROR_OUT_OF_MEMORY;
  }
  // A library whose metadata does not parse was not built by a matching
  // edge-compile (or was damaged): report it as an internal error.
  char error[EDGE_ERROR_SIZE];
  if (edge_rt_parse_metadata(edge_generated_metadata, &model->metadata, error,
                             sizeof(error))) {
    snprintf(create_error, sizeof(create_error),
             "the model library's metadata is invalid: %s", error);
    free(model);
    return EDGE_ERROR_INTERNAL;
  }
  const edge_rt_metadata *m = &model->metadata;
  size_t count = m->num_inputs + m->num_outputs;
  model->buffers = calloc(count + 1, sizeof(void *));
  if (!model->buffers || init_shapes(model)) {
    destroy_model(model);
    snprintf(create_error, sizeof(create_error), "out of memory");
    return EDGE_ERROR_OUT_OF_MEMORY;
  }
  unsigned threads =
      num_threads ? num_threads
                  : edge_rt_threads_from_environment(error, sizeof(error));
  model->num_threads = threads;
  if (threads > 1)
    model->pool = edge_rt_create_thread_pool(threads, error, sizeof(error));
  if (threads == 0 || (threads > 1 && !model->pool)) {
    destroy_model(model);
    snprintf(create_error, sizeof(create_error), "%s", error);
    return threads == 0 ? EDGE_ERROR_INVALID_ARGUMENT : EDGE_ERROR_INTERNAL;
  }
  // The generated code of a model with dynamic sizes reads its sizes
  // buffer on the host; the compiler builds such models for the CPU only.
  if (m->num_symbols && edge_rt_gpu_model_target()) {
    snprintf(create_error, sizeof(create_error),
             "the model library's metadata is invalid: a model with dynamic "
             "sizes ('%s', ...) runs on the CPU, but the library holds code "
             "for %s",
             m->symbol_names[0], edge_rt_gpu_model_target());
    destroy_model(model);
    return EDGE_ERROR_INTERNAL;
  }
  int gpu_code = edge_rt_gpu_model_target() != NULL;
  for (size_t d = 0; d < m->num_devices; ++d)
    gpu_code |= m->devices[d].target != NULL;
  if (gpu_code) {
    // A partitioned library falls back to the CPU version of its GPU
    // partitions where the GPU cannot run them (Devices.h).
    if (!m->num_devices &&
        edge_rt_gpu_check_model(create_error, sizeof(create_error))) {
      destroy_model(model);
      return EDGE_ERROR_DEVICE_UNAVAILABLE;
    }
    model->gpu_constants = edge_rt_gpu_constants_create();
    if (!model->gpu_constants) {
      destroy_model(model);
      snprintf(create_error, sizeof(create_error), "out of memory");
      return EDGE_ERROR_OUT_OF_MEMORY;
    }
  }
  model->profile = edge_rt_profile_start(&model->metadata);
  if (model->metadata.num_devices) {
    edge_status status = start_partitions(model);
    if (status != EDGE_OK) {
      destroy_model(model);
      return status;
    }
  }
  edge_rt_allocator_acquire();
  model->holds_allocator = 1;
  *out = model;
  return EDGE_OK;
}

EDGE_API void edge_model_destroy(edge_model *model) { destroy_model(model); }

static void destroy_model(edge_model *model) {
  if (!model)
    return;
  if (model->holds_allocator)
    edge_rt_allocator_release();
  edge_rt_stop_executors(model->executors);
  edge_rt_profile_finish(model->profile);
  edge_rt_gpu_constants_destroy(model->gpu_constants);
  edge_rt_destroy_thread_pool(model->pool);
  for (size_t i = 0; i < EDGE_MAX_RUNS_IN_FLIGHT; ++i) {
    free_flight(&model->metadata, &model->flights[i]);
    free(model->flights[i].sizes);
  }
  for (size_t i = 0; model->cache_buffers && i < model->metadata.num_caches;
       ++i)
    free(model->cache_buffers[i]);
  free(model->cache_buffers);
  edge_rt_free_metadata(&model->metadata);
  free(model->buffers);
  free(model->shapes);
  free(model->shape_offsets);
  free(model);
}

EDGE_API size_t edge_model_num_inputs(const edge_model *model) {
  return model ? model->metadata.num_inputs : 0;
}

EDGE_API size_t edge_model_num_outputs(const edge_model *model) {
  return model ? model->metadata.num_outputs : 0;
}

EDGE_API const edge_tensor_info *edge_model_input(const edge_model *model,
                                                  size_t index) {
  if (!model || index >= model->metadata.num_inputs)
    return NULL;
  return &model->metadata.tensors[index];
}

EDGE_API const edge_tensor_info *edge_model_output(const edge_model *model,
                                                   size_t index) {
  if (!model || index >= model->metadata.num_outputs)
    return NULL;
  return &model->metadata.tensors[model->metadata.num_inputs + index];
}

/// Whether input `index` holds no element in its current shape.
static bool is_empty_input(const edge_model *model, size_t index) {
  const int64_t *shape = tensor_shape(model, index);
  for (int32_t d = 0; d < model->metadata.tensors[index].rank; ++d)
    if (shape[d] == 0)
      return true;
  return false;
}

/// Checks that every buffer of a non-empty tensor is given (`first`: the
/// index of the first of these tensors among the model's).
static edge_status check_buffers(edge_model *model, const char *function,
                                 const void *const *buffers, size_t first,
                                 size_t count, const char *kind) {
  const edge_tensor_info *tensors = model->metadata.tensors + first;
  if (count == 0)
    return EDGE_OK;
  if (!buffers)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: the %s array is NULL", function, kind);
  for (size_t i = 0; i < count; ++i)
    if (!buffers[i] && tensors[i].num_bytes != 0 &&
        !(first == 0 && is_empty_input(model, i)))
      return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                                 "%s: %s %zu ('%s') is NULL", function, kind, i,
                                 tensors[i].name);
  return EDGE_OK;
}

/// Checks a run's buffers and the inputs bound at compile time.
static edge_status check_run(edge_model *model, const char *function,
                             const void *const *inputs, void *const *outputs) {
  size_t num_inputs = model->metadata.num_inputs;
  size_t num_outputs = model->metadata.num_outputs;
  const edge_tensor_info *tensors = model->metadata.tensors;
  edge_status status =
      check_buffers(model, function, inputs, 0, num_inputs, "input");
  if (status == EDGE_OK)
    status = check_buffers(model, function, (const void *const *)outputs,
                           num_inputs, num_outputs, "output");
  if (status != EDGE_OK || !model->metadata.bound_values)
    return status;
  for (size_t i = 0; i < num_inputs; ++i) {
    const unsigned char *bound = model->metadata.bound_values[i];
    size_t count = model->metadata.num_bound_values[i];
    size_t num_bytes = tensors[i].num_bytes;
    if (!bound || num_bytes == 0)
      continue;
    int allowed = 0;
    for (size_t k = 0; k < count && !allowed; ++k)
      allowed = memcmp(inputs[i], bound + k * num_bytes, num_bytes) == 0;
    if (!allowed)
      return edge_rt_model_error(
          model, EDGE_ERROR_INVALID_ARGUMENT,
          "%s: input %zu ('%s') holds a value the library was "
          "not compiled for: it was fixed at compile time "
          "(--bind-input), or decides shapes that the model "
          "declares; recompile the model to run it with other "
          "values",
          function, i, tensors[i].name);
  }
  return EDGE_OK;
}

/// A free run slot, or NULL (with the error set) when every slot holds a
/// run that was not waited for.
static flight *find_free_flight(edge_model *model, const char *function) {
  for (size_t i = 0; i < EDGE_MAX_RUNS_IN_FLIGHT; ++i)
    if (!model->flights[i].ticket)
      return &model->flights[i];
  edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                      "%s: %d runs are already in flight; wait for one "
                      "(edge_model_wait) before starting another",
                      function, EDGE_MAX_RUNS_IN_FLIGHT);
  return NULL;
}

EDGE_HIDDEN void edge_rt_copy_positions(void *to, size_t to_capacity,
                                        const void *from, size_t from_capacity,
                                        size_t outer, size_t positions,
                                        size_t position_bytes) {
  for (size_t o = 0; o < outer; ++o)
    memmove((unsigned char *)to + o * to_capacity * position_bytes,
            (const unsigned char *)from + o * from_capacity * position_bytes,
            positions * position_bytes);
}

EDGE_HIDDEN void edge_rt_cache_layout(const edge_rt_metadata *m,
                                      const edge_rt_cache *cache,
                                      const int64_t *shape, size_t *outer,
                                      size_t *position_bytes) {
  const edge_tensor_info *info = &m->tensors[cache->input];
  *outer = 1;
  *position_bytes = edge_dtype_size(info->dtype);
  for (int32_t d = 0; d < info->rank; ++d) {
    if (d < cache->axis)
      *outer *= (size_t)shape[d];
    else if (d > cache->axis)
      *position_bytes *= (size_t)shape[d];
  }
}

/// The bytes of cache `c`'s buffer for the largest run.
static size_t cache_buffer_bytes(const edge_rt_metadata *m, size_t c) {
  const edge_rt_cache *cache = &m->caches[c];
  size_t outer, position_bytes;
  edge_rt_cache_layout(m, cache, m->tensors[cache->input].max_shape, &outer,
                       &position_bytes);
  return outer * (size_t)cache->capacity * position_bytes;
}

/// Allocates the cache buffers of edge_model_run (stage_caches) once.
/// Returns nonzero when out of memory.
static int allocate_cache_buffers(edge_model *model) {
  const edge_rt_metadata *m = &model->metadata;
  if (!m->num_caches || model->direct_caches || model->cache_buffers)
    return 0;
  if (!(model->cache_buffers = calloc(m->num_caches, sizeof(void *))))
    return -1;
  for (size_t c = 0; c < m->num_caches; ++c)
    if (!(model->cache_buffers[c] = calloc(1, cache_buffer_bytes(m, c) + 1)))
      return -1;
  return 0;
}

/// Cache outputs of a run given dense buffers: the run works in the
/// model's cache buffers, with the past copied in before (`before`) and the
/// present copied out after.
static void stage_caches(edge_model *model, flight *f,
                         const void *const *inputs, void *const *outputs,
                         bool before) {
  const edge_rt_metadata *m = &model->metadata;
  if (!m->num_caches || model->direct_caches)
    return;
  for (size_t c = 0; c < m->num_caches; ++c) {
    const edge_rt_cache *cache = &m->caches[c];
    void *buffer = model->cache_buffers[c];
    size_t outer, position_bytes;
    if (before) {
      const int64_t *shape = tensor_shape(model, cache->input);
      edge_rt_cache_layout(m, cache, shape, &outer, &position_bytes);
      size_t past = (size_t)shape[cache->axis];
      if (past)
        edge_rt_copy_positions(buffer, (size_t)cache->capacity,
                               inputs[cache->input], past, outer, past,
                               position_bytes);
      model->buffers[cache->input] = buffer;
      model->buffers[m->num_inputs + cache->output] = buffer;
      continue;
    }
    // The output's sizes as the run wrote them, checked before use.
    const int64_t *written = edge_rt_output_sizes(m, f->sizes, cache->output);
    const edge_tensor_info *info = &m->tensors[m->num_inputs + cache->output];
    for (int32_t d = 0; d < info->rank; ++d)
      if (written[d] < 0 || written[d] > info->max_shape[d] ||
          (d == cache->axis && written[d] > cache->capacity))
        return; // finish_run reports the size.
    edge_rt_cache_layout(m, cache, written, &outer, &position_bytes);
    size_t present = (size_t)written[cache->axis];
    edge_rt_copy_positions(outputs[cache->output], present, buffer,
                           (size_t)cache->capacity, outer, present,
                           position_bytes);
  }
}

/// Substitutes the model's cache buffers for the dense caches of a
/// partitioned model's run (whose steps take the buffers directly), after
/// copying the past in; finish_run copies the present out. The cache
/// buffers serve one run at a time.
static edge_status stage_partitioned_caches(edge_model *model, flight *f,
                                            const char *function,
                                            const void *const **inputs,
                                            void *const **outputs) {
  const edge_rt_metadata *m = &model->metadata;
  for (size_t i = 0; i < EDGE_MAX_RUNS_IN_FLIGHT; ++i)
    if (&model->flights[i] != f && model->flights[i].submitted &&
        model->flights[i].staged) {
      f->staged = false;
      return edge_rt_model_error(
          model, EDGE_ERROR_INVALID_ARGUMENT,
          "%s: a run with dense caches is in flight; a model with cache "
          "outputs (%s) runs one such run at a time: wait for it first, or "
          "generate with edge_generator_*",
          function, m->tensors[m->num_inputs + m->caches[0].output].name);
    }
  if (!f->staged_inputs) {
    f->staged_inputs = calloc(m->num_inputs + 1, sizeof(void *));
    f->staged_outputs = calloc(m->num_outputs + 1, sizeof(void *));
    f->caller_outputs = calloc(m->num_outputs + 1, sizeof(void *));
    if (!f->staged_inputs || !f->staged_outputs || !f->caller_outputs) {
      f->staged = false;
      return edge_rt_model_error(model, EDGE_ERROR_OUT_OF_MEMORY,
                                 "%s: out of memory", function);
    }
  }
  memcpy(f->staged_inputs, *inputs, m->num_inputs * sizeof(void *));
  memcpy(f->staged_outputs, *outputs, m->num_outputs * sizeof(void *));
  memcpy(f->caller_outputs, *outputs, m->num_outputs * sizeof(void *));
  stage_caches(model, f, *inputs, *outputs, /*before=*/true);
  for (size_t c = 0; c < m->num_caches; ++c) {
    f->staged_inputs[m->caches[c].input] = model->cache_buffers[c];
    f->staged_outputs[m->caches[c].output] = model->cache_buffers[c];
  }
  *inputs = f->staged_inputs;
  *outputs = f->staged_outputs;
  return EDGE_OK;
}

/// Runs an unpartitioned model on the caller's thread.
static void run_whole_model(edge_model *model, flight *f,
                            const void *const *inputs, void *const *outputs,
                            uint32_t profile_run) {
  size_t num_inputs = model->metadata.num_inputs;
  // The generated code only reads the input buffers.
  for (size_t i = 0; i < num_inputs; ++i)
    model->buffers[i] = (void *)(uintptr_t)inputs[i];
  for (size_t i = 0; i < model->metadata.num_outputs; ++i)
    model->buffers[num_inputs + i] = outputs[i];
  stage_caches(model, f, inputs, outputs, /*before=*/true);
  model->buffers[num_inputs + model->metadata.num_outputs] = f->sizes;
  edge_rt_run_status *previous_status =
      edge_rt_set_current_run_status(&f->status);
  edge_rt_gpu_constants *previous_constants =
      edge_rt_gpu_set_constants(model->gpu_constants);
  int64_t start = model->profile ? edge_rt_profile_now() : 0;
  edge_rt_profile_enter_step(model->profile, profile_run, SIZE_MAX);
  edge_generated_entry(0, model->buffers);
  edge_rt_profile_enter_step(NULL, 0, 0);
  if (model->profile)
    edge_rt_profile_record(model->profile, profile_run, SIZE_MAX,
                           model->gpu_constants ? "GPU code" : "CPU code",
                           start, edge_rt_profile_now());
  edge_rt_gpu_set_constants(previous_constants);
  edge_rt_set_current_run_status(previous_status);
  const char *failure = model->gpu_constants ? edge_rt_gpu_take_error() : NULL;
  if (failure)
    snprintf(f->device_error, sizeof(f->device_error), "the GPU failed: %s",
             failure);
  if (!atomic_load(&f->status.failed) && !f->device_error[0])
    stage_caches(model, f, inputs, outputs, /*before=*/false);
}

/// Checks a run's arguments and starts it in a free slot, returned in
/// `*started`: a partitioned model's steps go to its executors (the host's
/// run in this call with `wait_on_caller`), an unpartitioned model runs in
/// this call.
static edge_status start_run(edge_model *model, const char *function,
                             const void *const *inputs, void *const *outputs,
                             bool wait_on_caller, flight **started) {
  const edge_rt_metadata *m = &model->metadata;
  edge_status status = check_run(model, function, inputs, outputs);
  if (status != EDGE_OK)
    return status;
  flight *f = find_free_flight(model, function);
  if (!f)
    return EDGE_ERROR_INVALID_ARGUMENT;
  if (m->num_symbols) {
    // The run's own copy of the sizes: later shapes do not change it.
    status = resolve_symbols(model, function, f->sizes);
    if (status != EDGE_OK)
      return status;
    // Sizes the run does not write stay out of range: finish_run notices.
    for (size_t i = m->num_symbols; i < m->num_shape_entries; ++i)
      f->sizes[i] = -1;
  }
  memset(&f->status, 0, sizeof(f->status));
  f->device_error[0] = '\0';
  if (allocate_cache_buffers(model))
    return edge_rt_model_error(
        model, EDGE_ERROR_OUT_OF_MEMORY,
        "%s: out of memory for the buffers of the cache outputs", function);
  if (m->num_devices && allocate_flight(m, f) != EDGE_OK)
    return edge_rt_model_error(
        model, EDGE_ERROR_OUT_OF_MEMORY,
        "%s: out of memory for another run's intermediate "
        "buffers",
        function);
  f->staged = m->num_devices && m->num_caches && !model->direct_caches;
  if (f->staged) {
    status = stage_partitioned_caches(model, f, function, &inputs, &outputs);
    if (status != EDGE_OK)
      return status;
  }
  // Parallel loops on this thread run on this instance's pool.
  edge_rt_thread_pool *previous_pool =
      edge_rt_set_current_thread_pool(model->pool);
  uint32_t profile_run = edge_rt_profile_begin_run(model->profile);
  if (!m->num_devices) {
    run_whole_model(model, f, inputs, outputs, profile_run);
  } else if (submit_schedule(model, f, inputs, outputs, profile_run,
                             wait_on_caller)) {
    status = edge_rt_model_error(model, EDGE_ERROR_INTERNAL, "%s: %s", function,
                                 f->device_error);
  } else {
    f->submitted = true;
  }
  edge_rt_set_current_thread_pool(previous_pool);
  if (status == EDGE_OK) {
    f->ticket = ++model->last_ticket;
    *started = f;
  }
  return status;
}

/// Waits for the run in slot `f`, frees the slot and reports how the run
/// went.
static edge_status finish_run(edge_model *model, flight *f,
                              const char *function) {
  if (f->submitted)
    edge_rt_wait_run(model->executors, (size_t)(f - model->flights),
                     f->device_error, sizeof(f->device_error));
  f->submitted = false;
  f->ticket = 0;
  bool staged = f->staged;
  f->staged = false;
  edge_rt_run_status *run = &f->status;
  if (atomic_load(&run->failed)) {
    const edge_rt_metadata *m = &model->metadata;
    const char *site = run->site >= 0 && (size_t)run->site < m->num_check_sites
                           ? m->check_sites[run->site]
                           : "an indexing op";
    if (run->is_size)
      return edge_rt_model_error(
          model, EDGE_ERROR_INVALID_ARGUMENT,
          "%s: %s: this run's values give %lld elements along "
          "dimension %d, the model declares %lld; the outputs of "
          "this run are not valid",
          function, site, (long long)run->index, (int)run->dim,
          (long long)run->bound);
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: %s: index %lld is out of range for a dimension of "
        "size %lld (valid: %lld to %lld); the outputs of this "
        "run are not valid",
        function, site, (long long)run->index, (long long)run->bound,
        -(long long)run->bound, (long long)run->bound - 1);
  }
  if (f->device_error[0])
    return edge_rt_model_error(model, EDGE_ERROR_INTERNAL, "%s: %s", function,
                               f->device_error);
  if (staged)
    stage_caches(model, f, NULL, f->caller_outputs, /*before=*/false);
  if (model->metadata.num_symbols) {
    edge_status status = take_output_shapes(model, f, function);
    if (status != EDGE_OK)
      return status;
  }
  model->ran = true;
  return EDGE_OK;
}

EDGE_API edge_status edge_model_run(edge_model *model,
                                    const void *const *inputs,
                                    void *const *outputs) {
  static const char function[] = "edge_model_run";
  if (!model)
    return EDGE_ERROR_INVALID_ARGUMENT;
  model->last_error[0] = '\0';
  flight *f = NULL;
  edge_status status = start_run(model, function, inputs, outputs,
                                 /*wait_on_caller=*/true, &f);
  return status == EDGE_OK ? finish_run(model, f, function) : status;
}

EDGE_API edge_status edge_model_run_async(edge_model *model,
                                          const void *const *inputs,
                                          void *const *outputs,
                                          uint64_t *ticket) {
  static const char function[] = "edge_model_run_async";
  if (!model)
    return EDGE_ERROR_INVALID_ARGUMENT;
  model->last_error[0] = '\0';
  if (!ticket)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: the ticket pointer is NULL", function);
  *ticket = 0;
  flight *f = NULL;
  edge_status status = start_run(model, function, inputs, outputs,
                                 /*wait_on_caller=*/false, &f);
  if (status == EDGE_OK)
    *ticket = f->ticket;
  return status;
}

EDGE_API edge_status edge_model_wait(edge_model *model, uint64_t ticket) {
  static const char function[] = "edge_model_wait";
  if (!model)
    return EDGE_ERROR_INVALID_ARGUMENT;
  model->last_error[0] = '\0';
  for (size_t i = 0; ticket && i < EDGE_MAX_RUNS_IN_FLIGHT; ++i)
    if (model->flights[i].ticket == ticket)
      return finish_run(model, &model->flights[i], function);
  return edge_rt_model_error(
      model, EDGE_ERROR_INVALID_ARGUMENT,
      "%s: no run in flight has ticket %llu (each run is waited "
      "for once)",
      function, (unsigned long long)ticket);
}

/// Checks `size` for dimension `d` of input `index`: a static size must be
/// unchanged, a symbol's within 0 to its bound.
static edge_status check_input_size(edge_model *model, const char *function,
                                    size_t index, int32_t d, int64_t size) {
  const edge_rt_metadata *m = &model->metadata;
  const edge_tensor_info *info = &m->tensors[index];
  int32_t symbol = m->dim_symbols[index][d];
  if (symbol < 0 && size != info->shape[d])
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: input '%s' dimension %d must be %lld, got %lld", function,
        info->name, (int)d, (long long)info->shape[d], (long long)size);
  if (symbol >= 0 && (size < 0 || size > info->max_shape[d]))
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: input '%s' dimension %d ('%s') is %lld, outside "
        "0 to its bound %lld (edge-compile --dim=%s<=N sets "
        "the bound)",
        function, info->name, (int)d, m->symbol_names[symbol], (long long)size,
        (long long)info->max_shape[d], m->symbol_names[symbol]);
  return EDGE_OK;
}

/// Checks that the dimensions of input `index` that are one symbol (a
/// square [n, n]) get one size in `shape`.
static edge_status check_repeated_symbols(edge_model *model,
                                          const char *function, size_t index,
                                          const int64_t *shape) {
  const edge_rt_metadata *m = &model->metadata;
  const edge_tensor_info *info = &m->tensors[index];
  const int32_t *symbols = m->dim_symbols[index];
  for (int32_t d = 0; d < info->rank; ++d)
    for (int32_t e = 0; symbols[d] >= 0 && e < d; ++e)
      if (symbols[e] == symbols[d] && shape[e] != shape[d])
        return edge_rt_model_error(
            model, EDGE_ERROR_INVALID_ARGUMENT,
            "%s: input '%s' dimensions %d and %d are both '%s' "
            "but have different sizes: %lld and %lld",
            function, info->name, (int)e, (int)d, m->symbol_names[symbols[d]],
            (long long)shape[e], (long long)shape[d]);
  return EDGE_OK;
}

EDGE_HIDDEN edge_status edge_rt_model_set_input_shape(edge_model *model,
                                                      const char *function,
                                                      size_t index,
                                                      const int64_t *shape) {
  const edge_rt_metadata *m = &model->metadata;
  if (index >= m->num_inputs)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: the model has %zu inputs, not %zu",
                               function, m->num_inputs, index + 1);
  const edge_tensor_info *info = &m->tensors[index];
  if (!shape && info->rank)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: the shape of input '%s' is NULL", function,
                               info->name);
  for (int32_t d = 0; d < info->rank; ++d) {
    edge_status status = check_input_size(model, function, index, d, shape[d]);
    if (status != EDGE_OK)
      return status;
  }
  edge_status status = check_repeated_symbols(model, function, index, shape);
  if (status != EDGE_OK)
    return status;
  if (info->rank)
    memcpy(tensor_shape(model, index), shape,
           (size_t)info->rank * sizeof(int64_t));
  // The outputs' shapes follow the inputs' again until the next run.
  model->ran = false;
  return EDGE_OK;
}

EDGE_API edge_status edge_model_set_input_shape(edge_model *model, size_t index,
                                                const int64_t *shape) {
  if (!model)
    return EDGE_ERROR_INVALID_ARGUMENT;
  model->last_error[0] = '\0';
  return edge_rt_model_set_input_shape(model, "edge_model_set_input_shape",
                                       index, shape);
}

EDGE_HIDDEN const edge_rt_metadata *
edge_rt_model_metadata(const edge_model *model) {
  return &model->metadata;
}

EDGE_HIDDEN edge_status edge_rt_model_run_on_caches(edge_model *model,
                                                    const char *function,
                                                    const void *const *inputs,
                                                    void *const *outputs) {
  model->last_error[0] = '\0';
  model->direct_caches = true;
  flight *f = NULL;
  edge_status status = start_run(model, function, inputs, outputs,
                                 /*wait_on_caller=*/true, &f);
  if (status == EDGE_OK)
    status = finish_run(model, f, function);
  model->direct_caches = false;
  return status;
}

/// Copies tensor `t`'s shape into `shape` (which may be NULL for a
/// scalar).
static void copy_shape(const edge_model *model, size_t t, int64_t *shape) {
  int32_t rank = model->metadata.tensors[t].rank;
  if (rank)
    memcpy(shape, tensor_shape(model, t), (size_t)rank * sizeof(int64_t));
}

EDGE_API edge_status edge_model_input_shape(const edge_model *model,
                                            size_t index, int64_t *shape) {
  if (!model || index >= model->metadata.num_inputs ||
      (!shape && model->metadata.tensors[index].rank))
    return EDGE_ERROR_INVALID_ARGUMENT;
  copy_shape(model, index, shape);
  return EDGE_OK;
}

EDGE_API edge_status edge_model_output_shape(const edge_model *model,
                                             size_t index, int64_t *shape) {
  if (!model || index >= model->metadata.num_outputs)
    return EDGE_ERROR_INVALID_ARGUMENT;
  const edge_rt_metadata *m = &model->metadata;
  size_t t = m->num_inputs + index;
  if (!shape && m->tensors[t].rank)
    return EDGE_ERROR_INVALID_ARGUMENT;
  copy_shape(model, t, shape);
  if (model->ran || !m->num_symbols)
    return EDGE_OK;
  // Before a run: the symbols' sizes from the inputs, computed ones unknown.
  for (int32_t d = 0; d < m->tensors[t].rank; ++d) {
    int32_t symbol = m->dim_symbols[t][d];
    if (symbol >= 0)
      shape[d] = symbol_size(model, symbol);
    else if (symbol == EDGE_RT_DIM_COMPUTED)
      shape[d] = -1;
  }
  return EDGE_OK;
}

EDGE_API size_t edge_model_workspace_bytes(const edge_model *model) {
  if (!model)
    return 0;
  size_t bytes = edge_generated_workspace_bytes > 0
                     ? (size_t)edge_generated_workspace_bytes
                     : 0;
  const edge_rt_metadata *m = &model->metadata;
  for (size_t b = 0; b < m->num_buffers; ++b)
    bytes += align_up(m->buffers[b].num_bytes);
  return bytes;
}

EDGE_API const char *edge_model_last_error(const edge_model *model) {
  return model ? model->last_error : create_error;
}
