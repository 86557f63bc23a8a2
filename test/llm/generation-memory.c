//===- generation-memory.c - A decode step allocates and copies nothing ---===//
//
// generation-memory MODEL.so PROMPT_LENGTH STEPS
//
// Loads a decoder library compiled with a KV-cache, prefills one prompt,
// then runs STEPS decode steps and checks for each that
// - it allocates nothing: this program defines malloc, calloc, realloc and
//   free (linked with --export-dynamic, the library's calls bind to them)
//   and counts the calls made during the step;
// - it moves no cache: it defines memcpy and memmove as well and counts
//   the calls that move at least one sequence's cache positions of one
//   layer;
// - the caches stay where they are (edge_generator_cache), and the past
//   positions of each cache keep their bytes while the new position
//   changes: the step wrote into the cache in place.
// Prints what it measured; exits 1 on a failed check.
//
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE
#include "edge-c/Model.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static bool counting;
static size_t allocations, large_moves, large_move_bytes;
/// Moves of this many bytes or more count as moving a cache.
static size_t large_threshold = SIZE_MAX;

void *malloc(size_t size) {
  allocations += counting;
  return __libc_malloc(size);
}
void *calloc(size_t count, size_t size) {
  allocations += counting;
  return __libc_calloc(count, size);
}
void *realloc(void *pointer, size_t size) {
  allocations += counting;
  return __libc_realloc(pointer, size);
}
void free(void *pointer) { __libc_free(pointer); }

static void count_move(size_t size) {
  if (counting && size >= large_threshold) {
    ++large_moves;
    large_move_bytes += size;
  }
}
void *memcpy(void *to, const void *from, size_t size) {
  count_move(size);
  unsigned char *t = to;
  const unsigned char *f = from;
  for (size_t i = 0; i < size; ++i)
    t[i] = f[i];
  return to;
}
void *memmove(void *to, const void *from, size_t size) {
  count_move(size);
  unsigned char *t = to;
  const unsigned char *f = from;
  if (t < f)
    for (size_t i = 0; i < size; ++i)
      t[i] = f[i];
  else
    for (size_t i = size; i-- > 0;)
      t[i] = f[i];
  return to;
}

#define RESOLVE(name)                                                          \
  typeof(&name) p_##name = (typeof(&name))dlsym(library, #name)

static int fail(const char *message) {
  fprintf(stderr, "generation-memory: %s\n", message);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return fail("usage: generation-memory MODEL.so PROMPT_LENGTH STEPS");
  int prompt_length = atoi(argv[2]), steps = atoi(argv[3]);
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return fail(dlerror());
  RESOLVE(edge_model_create);
  RESOLVE(edge_model_destroy);
  RESOLVE(edge_model_last_error);
  RESOLVE(edge_generator_create);
  RESOLVE(edge_generator_destroy);
  RESOLVE(edge_generator_add);
  RESOLVE(edge_generator_step);
  RESOLVE(edge_generator_cache);
  RESOLVE(edge_model_num_inputs);
  RESOLVE(edge_model_input);
  if (!p_edge_generator_cache || !p_edge_generator_step)
    return fail("the library lacks the generation API");
  edge_model *model = NULL;
  if (p_edge_model_create(&model) != EDGE_OK)
    return fail(p_edge_model_last_error(NULL));
  edge_generator *generator = NULL;
  if (p_edge_generator_create(model, 1, &generator) != EDGE_OK)
    return fail(p_edge_model_last_error(model));
  int64_t prompt[512];
  if (prompt_length < 1 || prompt_length > 512 || steps < 1)
    return fail("PROMPT_LENGTH must be 1 to 512 and STEPS positive");
  for (int i = 0; i < prompt_length; ++i)
    prompt[i] = (i * 7 + 3) % 50;
  edge_generation_config config = {
      (uint32_t)steps + 1, 0.0f, 0, 1.0f, 0, NULL, 0};
  uint32_t sequence;
  if (p_edge_generator_add(generator, prompt, (size_t)prompt_length, &config,
                           &sequence) != EDGE_OK ||
      p_edge_generator_step(generator) != EDGE_OK)
    return fail(p_edge_model_last_error(model));

  const void *cache;
  size_t cache_bytes;
  if (p_edge_generator_cache(generator, 0, &cache, &cache_bytes) != EDGE_OK)
    return fail("no cache 0");
  // Cache 0 belongs to the first past input, [1, heads, past, head_dim]:
  // one slot is [heads][capacity][head_dim].
  const edge_tensor_info *past = NULL;
  for (size_t i = 0; i < p_edge_model_num_inputs(model) && !past; ++i)
    if (strncmp(p_edge_model_input(model, i)->name, "past", 4) == 0)
      past = p_edge_model_input(model, i);
  if (!past || past->rank != 4)
    return fail("no past input of rank 4");
  size_t position_bytes = (size_t)past->max_shape[3] * 4;
  size_t rows = (size_t)past->max_shape[1];
  size_t capacity = cache_bytes / (rows * position_bytes);
  unsigned char *before = __libc_malloc(cache_bytes);
  int failures = 0;
  for (int step = 0; step < steps; ++step) {
    int position = prompt_length + step; // the position this step writes
    memcpy(before, cache, cache_bytes);
    // Any copy of the past of one row (a layer's head) counts.
    large_threshold = 64 * (size_t)(position > 1 ? position : 1);
    allocations = large_moves = large_move_bytes = 0;
    counting = true;
    edge_status status = p_edge_generator_step(generator);
    counting = false;
    if (status != EDGE_OK)
      return fail(p_edge_model_last_error(model));
    const void *now;
    size_t now_bytes;
    p_edge_generator_cache(generator, 0, &now, &now_bytes);
    // Only the new position may change: the past stays as it was.
    size_t changed = 0, elsewhere = 0;
    for (size_t i = 0; i < cache_bytes; ++i)
      if (((const unsigned char *)cache)[i] != before[i]) {
        ++changed;
        elsewhere += (i / position_bytes) % capacity != (size_t)position;
      }
    printf("step %d: %zu allocations, %zu moves of >= %zu bytes, cache at "
           "%p (%s), %zu bytes changed, %zu outside position %d\n",
           step, allocations, large_moves, large_threshold, now,
           now == cache ? "same" : "MOVED", changed, elsewhere, position);
    if (allocations || large_moves || now != cache || !changed || elsewhere)
      ++failures;
  }
  p_edge_generator_destroy(generator);
  p_edge_model_destroy(model);
  __libc_free(before);
  if (failures)
    return fail("a decode step allocated, copied a cache or did not write "
                "the cache in place");
  printf("ok: no allocation, no cache copy, caches in place\n");
  return 0;
}
