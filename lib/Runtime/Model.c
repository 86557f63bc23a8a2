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

#include "Metadata.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define EDGE_HIDDEN __attribute__((visibility("hidden")))
#else
#define EDGE_HIDDEN
#endif

/// Defined by the object file edge-compile emits.
EDGE_HIDDEN extern const char edge_generated_metadata[];
/// `buffers` holds the input data pointers, then the output data pointers.
EDGE_HIDDEN void edge_generated_entry(void **buffers);

enum { EDGE_ERROR_SIZE = 512 };

struct edge_model {
  edge_rt_metadata metadata;
  /// Inputs then outputs, handed to edge_generated_entry.
  void **buffers;
  char last_error[EDGE_ERROR_SIZE];
};

/// Why the last edge_model_create on this thread failed.
static _Thread_local char create_error[EDGE_ERROR_SIZE];

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static edge_status
set_error(edge_model *model, edge_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(model->last_error, sizeof(model->last_error), format, args);
  va_end(args);
  return status;
}

EDGE_API uint32_t edge_abi_version(void) { return EDGE_ABI_VERSION; }

EDGE_API edge_status edge_model_create(edge_model **out) {
  create_error[0] = '\0';
  if (!out) {
    snprintf(create_error, sizeof(create_error),
             "edge_model_create: the output pointer is NULL");
    return EDGE_ERROR_INVALID_ARGUMENT;
  }
  *out = NULL;
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
  size_t count = model->metadata.num_inputs + model->metadata.num_outputs;
  model->buffers = calloc(count ? count : 1, sizeof(void *));
  if (!model->buffers) {
    edge_rt_free_metadata(&model->metadata);
    free(model);
    snprintf(create_error, sizeof(create_error), "out of memory");
    return EDGE_ERROR_OUT_OF_MEMORY;
  }
  *out = model;
  return EDGE_OK;
}

EDGE_API void edge_model_destroy(edge_model *model) {
  if (!model)
    return;
  edge_rt_free_metadata(&model->metadata);
  free(model->buffers);
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

/// Checks that every buffer of a non-empty tensor is given.
static edge_status check_buffers(edge_model *model, const void *const *buffers,
                                 const edge_tensor_info *tensors, size_t count,
                                 const char *kind) {
  if (count == 0)
    return EDGE_OK;
  if (!buffers)
    return set_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                     "edge_model_run: the %s array is NULL", kind);
  for (size_t i = 0; i < count; ++i)
    if (!buffers[i] && tensors[i].num_bytes != 0)
      return set_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                       "edge_model_run: %s %zu ('%s') is NULL", kind, i,
                       tensors[i].name);
  return EDGE_OK;
}

EDGE_API edge_status edge_model_run(edge_model *model,
                                    const void *const *inputs,
                                    void *const *outputs) {
  if (!model)
    return EDGE_ERROR_INVALID_ARGUMENT;
  model->last_error[0] = '\0';
  size_t num_inputs = model->metadata.num_inputs;
  size_t num_outputs = model->metadata.num_outputs;
  const edge_tensor_info *tensors = model->metadata.tensors;
  edge_status status =
      check_buffers(model, inputs, tensors, num_inputs, "input");
  if (status == EDGE_OK)
    status = check_buffers(model, (const void *const *)outputs,
                           tensors + num_inputs, num_outputs, "output");
  if (status != EDGE_OK)
    return status;
  if (model->metadata.bound_values)
    for (size_t i = 0; i < num_inputs; ++i) {
      const unsigned char *bound = model->metadata.bound_values[i];
      if (bound && tensors[i].num_bytes != 0 &&
          memcmp(inputs[i], bound, tensors[i].num_bytes) != 0)
        return set_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                         "edge_model_run: input %zu ('%s') differs from the "
                         "value it was bound to at compile time "
                         "(--bind-input); recompile the model to run it with "
                         "other values",
                         i, tensors[i].name);
    }

  // The generated code only reads the input buffers.
  for (size_t i = 0; i < num_inputs; ++i)
    model->buffers[i] = (void *)(uintptr_t)inputs[i];
  for (size_t i = 0; i < num_outputs; ++i)
    model->buffers[num_inputs + i] = outputs[i];
  edge_generated_entry(model->buffers);
  return EDGE_OK;
}

EDGE_API const char *edge_model_last_error(const edge_model *model) {
  return model ? model->last_error : create_error;
}
