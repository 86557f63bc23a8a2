//===- Generate.c - Text generation over a decoder with a KV-cache --------===//
//
// Implements the generation part of edge-c/Model.h. A generator owns one
// buffer per cache of the model, with a row of `capacity` positions for
// each of its sequence slots, and runs the model directly on them
// (edge_rt_model_run_on_caches): the present outputs are written in place
// after the past, so a decode step moves no cache and allocates nothing.
//
// The batch shares one length: slot s's positions 0 .. length-1 are its
// tokens where its mask row says so and padding elsewhere (its prompt is
// left-padded to the longest prompt of its prefill; sequences that join
// later leave the others a gap of masked positions). Positions ids count
// each sequence's own tokens, so padding changes no result.
//
//===----------------------------------------------------------------------===//

// clock_gettime is POSIX, beyond the C11 the runtime is built as.
#define _POSIX_C_SOURCE 200809L

#include "ModelInternal.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NO_SLOT = -1 };

typedef struct sequence {
  int64_t *prompt;
  size_t prompt_length;
  edge_generation_config config;
  int64_t *stop_tokens;
  int64_t *tokens;
  size_t count;
  edge_finish_reason finished;
  uint64_t random_state;
  /// The position id of the next token the model reads.
  int64_t next_position;
  int32_t slot;
} sequence;

/// A cache's buffer and its layout per slot.
typedef struct cache_buffer {
  unsigned char *data;
  size_t rows;           // per slot: the dimensions between batch and axis
  size_t position_bytes; // the dimensions after the axis
  size_t slot_bytes;
} cache_buffer;

struct edge_generator {
  edge_model *model;
  const edge_rt_metadata *m;
  size_t ids_input, mask_input, positions_input, logits_output;
  size_t max_sequences, max_prompt, max_length, vocab;
  int64_t capacity;
  cache_buffer *caches;
  const void **inputs;
  void **outputs;
  int64_t *ids, *mask, *positions;
  float *logits;
  /// max_sequences x capacity: 1 where a slot's position holds its token.
  unsigned char *slot_mask;
  /// The sequence in each slot; slots 0 .. active-1 are in the batch.
  uint32_t *slots;
  size_t active;
  size_t length;
  sequence *sequences;
  size_t num_sequences, sequences_capacity;
  /// vocab-sized scratch of sampling.
  float *probabilities;
  uint32_t *order;
  edge_generation_stats stats;
};

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *const kCreate = "edge_generator_create";

/// The input or output named `name`, or SIZE_MAX.
static size_t find_tensor(const edge_rt_metadata *m, bool input,
                          const char *name) {
  size_t first = input ? 0 : m->num_inputs;
  size_t count = input ? m->num_inputs : m->num_outputs;
  for (size_t i = 0; i < count; ++i)
    if (strcmp(m->tensors[first + i].name, name) == 0)
      return i;
  return SIZE_MAX;
}

/// Whether input (or output, with `input` false) `index` is in a cache.
static bool is_cache_tensor(const edge_rt_metadata *m, bool input,
                            size_t index) {
  for (size_t c = 0; c < m->num_caches; ++c)
    if ((input ? m->caches[c].input : m->caches[c].output) == index)
      return true;
  return false;
}

/// Whether input `index` is an int64 [symbol, symbol] tensor (token ids,
/// masks, positions); sets the symbols.
static bool is_token_input(const edge_rt_metadata *m, size_t index,
                           int32_t *batch, int32_t *length) {
  const edge_tensor_info *info = &m->tensors[index];
  if (info->dtype != EDGE_DTYPE_INT64 || info->rank != 2)
    return false;
  *batch = m->dim_symbols[index][0];
  *length = m->dim_symbols[index][1];
  return *batch >= 0 && *length >= 0;
}

/// Checks the model against the convention and finds its tensors.
static edge_status describe_model(edge_generator *g) {
  const edge_rt_metadata *m = g->m;
  edge_model *model = g->model;
  g->ids_input = find_tensor(m, true, "input_ids");
  g->mask_input = find_tensor(m, true, "attention_mask");
  g->positions_input = find_tensor(m, true, "position_ids");
  g->logits_output = find_tensor(m, false, "logits");
  int32_t batch, seq, mask_batch, total, positions_batch, positions_seq;
  if (g->ids_input == SIZE_MAX || g->mask_input == SIZE_MAX ||
      g->logits_output == SIZE_MAX)
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: the model needs inputs 'input_ids' and 'attention_mask' and an "
        "output 'logits' (the convention of decoders exported with a "
        "KV-cache, docs/llm.md)",
        kCreate);
  if (!is_token_input(m, g->ids_input, &batch, &seq) ||
      !is_token_input(m, g->mask_input, &mask_batch, &total) ||
      mask_batch != batch ||
      (g->positions_input != SIZE_MAX &&
       (!is_token_input(m, g->positions_input, &positions_batch,
                        &positions_seq) ||
        positions_batch != batch || positions_seq != seq)))
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: 'input_ids' and 'position_ids' must be int64 [batch, seq] and "
        "'attention_mask' int64 [batch, total], each size dynamic (compile "
        "with --dim='batch<=N' --dim='seq<=N' ...)",
        kCreate);
  const edge_tensor_info *logits =
      &m->tensors[m->num_inputs + g->logits_output];
  if (logits->dtype != EDGE_DTYPE_FLOAT32 || logits->rank != 3 ||
      logits->shape[2] <= 0)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: 'logits' must be float32 [batch, seq, "
                               "vocab] with a static vocabulary",
                               kCreate);
  g->vocab = (size_t)logits->shape[2];
  if (!m->num_caches)
    return edge_rt_model_error(
        model, EDGE_ERROR_INVALID_ARGUMENT,
        "%s: the model has no cache output (a present output that is "
        "Concat(past input, new) along a dynamic axis)",
        kCreate);
  int32_t past = -1;
  g->capacity = INT64_MAX;
  for (size_t c = 0; c < m->num_caches; ++c) {
    const edge_rt_cache *cache = &m->caches[c];
    const edge_tensor_info *info = &m->tensors[cache->input];
    const int32_t *symbols = m->dim_symbols[cache->input];
    bool static_rest = cache->axis >= 1 && symbols[0] == batch;
    for (int32_t d = 1; d < info->rank; ++d)
      if (d != cache->axis && info->shape[d] < 0)
        static_rest = false;
    if (!static_rest || (past >= 0 && symbols[cache->axis] != past))
      return edge_rt_model_error(
          model, EDGE_ERROR_INVALID_ARGUMENT,
          "%s: cache input '%s' must be [batch, ..., past, ...] with the "
          "batch of 'input_ids', one past length for every cache and static "
          "sizes elsewhere",
          kCreate, info->name);
    past = symbols[cache->axis];
    if (cache->capacity < g->capacity)
      g->capacity = cache->capacity;
  }
  for (size_t i = 0; i < m->num_inputs; ++i)
    if (i != g->ids_input && i != g->mask_input && i != g->positions_input &&
        !is_cache_tensor(m, true, i))
      return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                                 "%s: the generator does not know what to "
                                 "give input '%s'",
                                 kCreate, m->tensors[i].name);
  for (size_t o = 0; o < m->num_outputs; ++o)
    if (o != g->logits_output && !is_cache_tensor(m, false, o))
      return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                                 "%s: the generator does not know what to "
                                 "do with output '%s'",
                                 kCreate, m->tensors[m->num_inputs + o].name);
  // A decode step at length L reads L past positions and L + 1 mask
  // entries into a cache of L + 1.
  int64_t length = g->capacity;
  if (m->symbol_bounds[total] < length)
    length = m->symbol_bounds[total];
  if (m->symbol_bounds[past] + 1 < length)
    length = m->symbol_bounds[past] + 1;
  g->max_length = (size_t)length;
  g->max_prompt = (size_t)m->symbol_bounds[seq];
  if (g->max_prompt > g->max_length)
    g->max_prompt = g->max_length;
  if (!g->max_sequences)
    g->max_sequences = (size_t)m->symbol_bounds[batch];
  if (g->max_sequences > (size_t)m->symbol_bounds[batch])
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: %zu sequences exceed the model's batch "
                               "bound %lld",
                               kCreate, g->max_sequences,
                               (long long)m->symbol_bounds[batch]);
  return EDGE_OK;
}

EDGE_API void edge_generator_destroy(edge_generator *g) {
  if (!g)
    return;
  for (size_t c = 0; g->caches && c < g->m->num_caches; ++c)
    free(g->caches[c].data);
  free(g->caches);
  for (size_t s = 0; s < g->num_sequences; ++s) {
    free(g->sequences[s].prompt);
    free(g->sequences[s].stop_tokens);
    free(g->sequences[s].tokens);
  }
  free(g->sequences);
  free(g->inputs);
  free(g->outputs);
  free(g->ids);
  free(g->mask);
  free(g->positions);
  free(g->logits);
  free(g->slot_mask);
  free(g->slots);
  free(g->probabilities);
  free(g->order);
  free(g);
}

/// Writes (zeros, which calloc's memory already holds) to every page of
/// `bytes` at `data`: a large calloc maps pages lazily, and the steps would
/// otherwise fault them in, the first prefill of a long prompt most (a
/// tenth of its time for the benchmark's decoders).
static void commit_pages(void *data, size_t bytes) {
  volatile unsigned char *byte = data;
  for (size_t offset = 0; offset < bytes; offset += 4096)
    byte[offset] = 0;
}

EDGE_API edge_status edge_generator_create(edge_model *model,
                                           uint32_t max_sequences,
                                           edge_generator **out) {
  if (!model || !out)
    return EDGE_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  edge_generator *g = calloc(1, sizeof(edge_generator));
  if (!g)
    return EDGE_ERROR_OUT_OF_MEMORY;
  g->model = model;
  g->m = edge_rt_model_metadata(model);
  g->max_sequences = max_sequences;
  edge_status status = describe_model(g);
  if (status != EDGE_OK) {
    edge_generator_destroy(g);
    return status;
  }
  const edge_rt_metadata *m = g->m;
  size_t slots = g->max_sequences, prompt = g->max_prompt;
  bool ok = (g->caches = calloc(m->num_caches, sizeof(cache_buffer))) &&
            (g->inputs = calloc(m->num_inputs, sizeof(void *))) &&
            (g->outputs = calloc(m->num_outputs, sizeof(void *))) &&
            (g->ids = calloc(slots * prompt, sizeof(int64_t))) &&
            (g->positions = calloc(slots * prompt, sizeof(int64_t))) &&
            (g->mask = calloc(slots * g->max_length, sizeof(int64_t))) &&
            (g->logits = calloc(slots * prompt * g->vocab, sizeof(float))) &&
            (g->slot_mask = calloc(slots * (size_t)g->capacity, 1)) &&
            (g->slots = calloc(slots, sizeof(uint32_t))) &&
            (g->probabilities = calloc(g->vocab, sizeof(float))) &&
            (g->order = calloc(g->vocab, sizeof(uint32_t)));
  for (size_t c = 0; ok && c < m->num_caches; ++c) {
    const edge_rt_cache *cache = &m->caches[c];
    cache_buffer *buffer = &g->caches[c];
    int64_t one_slot[EDGE_METADATA_MAX_RANK];
    const edge_tensor_info *info = &m->tensors[cache->input];
    memcpy(one_slot, info->max_shape, (size_t)info->rank * sizeof(int64_t));
    one_slot[0] = 1;
    edge_rt_cache_layout(m, cache, one_slot, &buffer->rows,
                         &buffer->position_bytes);
    buffer->slot_bytes =
        buffer->rows * (size_t)cache->capacity * buffer->position_bytes;
    // Zeros: positions never written hold finite values, which masks hide.
    ok = (buffer->data = calloc(slots, buffer->slot_bytes)) != NULL;
    if (ok)
      commit_pages(buffer->data, slots * buffer->slot_bytes);
  }
  if (ok)
    commit_pages(g->logits, slots * prompt * g->vocab * sizeof(float));
  if (!ok) {
    edge_generator_destroy(g);
    return edge_rt_model_error(model, EDGE_ERROR_OUT_OF_MEMORY,
                               "%s: out of memory for the caches", kCreate);
  }
  *out = g;
  return EDGE_OK;
}

static size_t count_unfinished(const edge_generator *g) {
  size_t count = 0;
  for (size_t s = 0; s < g->num_sequences; ++s)
    count += g->sequences[s].finished == EDGE_FINISH_NONE;
  return count;
}

EDGE_API size_t edge_generator_unfinished(const edge_generator *g) {
  return g ? count_unfinished(g) : 0;
}

EDGE_API edge_status edge_generator_add(edge_generator *g,
                                        const int64_t *prompt,
                                        size_t prompt_length,
                                        const edge_generation_config *config,
                                        uint32_t *sequence_out) {
  static const char function[] = "edge_generator_add";
  if (!g)
    return EDGE_ERROR_INVALID_ARGUMENT;
  edge_model *model = g->model;
  if (!prompt || !prompt_length || prompt_length > g->max_prompt)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: a prompt needs 1 to %zu tokens, not %zu "
                               "(the model's bounds of seq and the context)",
                               function, g->max_prompt, prompt_length);
  for (size_t i = 0; i < prompt_length; ++i)
    if (prompt[i] < 0 || (size_t)prompt[i] >= g->vocab)
      return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                                 "%s: prompt token %zu is %lld, outside the "
                                 "vocabulary of %zu",
                                 function, i, (long long)prompt[i], g->vocab);
  edge_generation_config defaults = {64, 0.0f, 0, 1.0f, 0, NULL, 0};
  const edge_generation_config *c = config ? config : &defaults;
  if (!c->max_new_tokens || !(c->temperature >= 0) || !(c->top_p > 0) ||
      !(c->top_p <= 1) || (c->num_stop_tokens && !c->stop_tokens))
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: max_new_tokens must be positive, "
                               "temperature at least 0, top_p in (0, 1], and "
                               "stop_tokens set when counted",
                               function);
  if (count_unfinished(g) >= g->max_sequences)
    return edge_rt_model_error(model, EDGE_ERROR_INVALID_ARGUMENT,
                               "%s: %zu sequences are unfinished, the most "
                               "this generator takes; step until one ends",
                               function, g->max_sequences);
  if (g->num_sequences == g->sequences_capacity) {
    size_t capacity = g->sequences_capacity ? 2 * g->sequences_capacity : 8;
    sequence *grown = realloc(g->sequences, capacity * sizeof(sequence));
    if (!grown)
      return EDGE_ERROR_OUT_OF_MEMORY;
    g->sequences = grown;
    g->sequences_capacity = capacity;
  }
  sequence *s = &g->sequences[g->num_sequences];
  memset(s, 0, sizeof(*s));
  s->prompt = malloc(prompt_length * sizeof(int64_t));
  s->tokens = malloc(c->max_new_tokens * sizeof(int64_t));
  s->stop_tokens =
      c->num_stop_tokens ? malloc(c->num_stop_tokens * sizeof(int64_t)) : NULL;
  if (!s->prompt || !s->tokens || (c->num_stop_tokens && !s->stop_tokens)) {
    free(s->prompt);
    free(s->tokens);
    free(s->stop_tokens);
    return EDGE_ERROR_OUT_OF_MEMORY;
  }
  memcpy(s->prompt, prompt, prompt_length * sizeof(int64_t));
  if (c->num_stop_tokens)
    memcpy(s->stop_tokens, c->stop_tokens,
           c->num_stop_tokens * sizeof(int64_t));
  s->prompt_length = prompt_length;
  s->config = *c;
  s->config.stop_tokens = s->stop_tokens;
  // splitmix64's state: distinct streams for one seed's sequences.
  s->random_state = c->seed ^ (0x9E3779B97F4A7C15ull * (g->num_sequences + 1));
  s->slot = NO_SLOT;
  if (sequence_out)
    *sequence_out = (uint32_t)g->num_sequences;
  ++g->num_sequences;
  return EDGE_OK;
}

static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Whether token a ranks before b: larger probability, then lower id.
static bool ranks_before(const float *p, uint32_t a, uint32_t b) {
  return p[a] > p[b] || (p[a] == p[b] && a < b);
}

/// Restores the heap of `order[root .. end)` whose root ranks last.
static void sift_down(const float *p, uint32_t *order, size_t root,
                      size_t end) {
  for (size_t child; (child = 2 * root + 1) < end; root = child) {
    if (child + 1 < end && ranks_before(p, order[child], order[child + 1]))
      ++child;
    if (!ranks_before(p, order[root], order[child]))
      return;
    uint32_t t = order[root];
    order[root] = order[child];
    order[child] = t;
  }
}

/// Sorts `order` by rank (heap sort: in place, no allocation).
static void sort_by_rank(const float *p, uint32_t *order, size_t n) {
  for (size_t start = n / 2; start-- > 0;)
    sift_down(p, order, start, n);
  for (size_t end = n; end-- > 1;) {
    uint32_t t = order[0];
    order[0] = order[end];
    order[end] = t;
    sift_down(p, order, 0, end);
  }
}

/// The next token of `s` from its logits.
static int64_t choose_token(edge_generator *g, sequence *s,
                            const float *logits) {
  size_t vocab = g->vocab;
  size_t best = 0;
  for (size_t v = 1; v < vocab; ++v)
    if (logits[v] > logits[best])
      best = v;
  if (s->config.temperature <= 0)
    return (int64_t)best;
  float *p = g->probabilities;
  for (size_t v = 0; v < vocab; ++v) {
    p[v] = expf((logits[v] - logits[best]) / s->config.temperature);
    g->order[v] = (uint32_t)v;
  }
  sort_by_rank(p, g->order, vocab);
  size_t kept =
      s->config.top_k && s->config.top_k < vocab ? s->config.top_k : vocab;
  double total = 0;
  for (size_t i = 0; i < kept; ++i)
    total += p[g->order[i]];
  if (s->config.top_p < 1) {
    double sum = 0;
    size_t i = 0;
    while (i < kept && sum < s->config.top_p * total)
      sum += p[g->order[i++]];
    kept = i ? i : 1;
    total = sum > 0 ? sum : p[g->order[0]];
  }
  double u = (double)(next_random(&s->random_state) >> 11) * 0x1.0p-53 * total;
  for (size_t i = 0; i < kept; ++i) {
    u -= p[g->order[i]];
    if (u < 0)
      return (int64_t)g->order[i];
  }
  return (int64_t)g->order[kept - 1];
}

/// Appends `token` to `s` and ends it where its configuration says.
static void append_token(sequence *s, int64_t token) {
  s->tokens[s->count++] = token;
  for (size_t i = 0; i < s->config.num_stop_tokens; ++i)
    if (s->stop_tokens[i] == token)
      s->finished = EDGE_FINISH_STOP;
  if (!s->finished && s->count >= s->config.max_new_tokens)
    s->finished = EDGE_FINISH_LENGTH;
}

/// Runs the model on `batch` slots from `first`, reading `seq` new
/// positions after `past` (the inputs are in g->ids, mask, positions).
static edge_status run_model(edge_generator *g, const char *function,
                             size_t first, size_t batch, size_t seq,
                             size_t past) {
  const edge_rt_metadata *m = g->m;
  edge_model *model = g->model;
  int64_t tokens[2] = {(int64_t)batch, (int64_t)seq};
  int64_t mask[2] = {(int64_t)batch, (int64_t)(past + seq)};
  edge_status status =
      edge_rt_model_set_input_shape(model, function, g->ids_input, tokens);
  if (status == EDGE_OK)
    status =
        edge_rt_model_set_input_shape(model, function, g->mask_input, mask);
  if (status == EDGE_OK && g->positions_input != SIZE_MAX)
    status = edge_rt_model_set_input_shape(model, function, g->positions_input,
                                           tokens);
  g->inputs[g->ids_input] = g->ids;
  g->inputs[g->mask_input] = g->mask;
  if (g->positions_input != SIZE_MAX)
    g->inputs[g->positions_input] = g->positions;
  g->outputs[g->logits_output] = g->logits;
  for (size_t c = 0; status == EDGE_OK && c < m->num_caches; ++c) {
    const edge_rt_cache *cache = &m->caches[c];
    const edge_tensor_info *info = &m->tensors[cache->input];
    int64_t shape[EDGE_METADATA_MAX_RANK];
    memcpy(shape, info->shape, (size_t)info->rank * sizeof(int64_t));
    shape[0] = (int64_t)batch;
    shape[cache->axis] = (int64_t)past;
    status =
        edge_rt_model_set_input_shape(model, function, cache->input, shape);
    void *data = g->caches[c].data + first * g->caches[c].slot_bytes;
    g->inputs[cache->input] = data;
    g->outputs[cache->output] = data;
  }
  if (status != EDGE_OK)
    return status;
  return edge_rt_model_run_on_caches(model, function, g->inputs, g->outputs);
}

/// Slot `slot`'s mask row.
static unsigned char *mask_row(edge_generator *g, size_t slot) {
  return g->slot_mask + slot * (size_t)g->capacity;
}

/// Moves finished sequences out of the batch: the last slot takes each
/// freed one (a copy of one sequence's cache, once per sequence that ends).
static void retire_finished(edge_generator *g) {
  for (size_t i = 0; i < g->active;) {
    sequence *s = &g->sequences[g->slots[i]];
    if (!s->finished) {
      ++i;
      continue;
    }
    s->slot = NO_SLOT;
    size_t last = --g->active;
    if (i != last) {
      for (size_t c = 0; c < g->m->num_caches; ++c) {
        cache_buffer *cache = &g->caches[c];
        edge_rt_copy_positions(
            cache->data + i * cache->slot_bytes, (size_t)g->capacity,
            cache->data + last * cache->slot_bytes, (size_t)g->capacity,
            cache->rows, g->length, cache->position_bytes);
      }
      memcpy(mask_row(g, i), mask_row(g, last), g->length);
      g->slots[i] = g->slots[last];
      g->sequences[g->slots[i]].slot = (int32_t)i;
    }
  }
  if (!g->active)
    g->length = 0;
}

/// Prefills the waiting sequences in one run; `*ran` says whether it did
/// (they wait while the batch's length leaves no room for their prompts).
static edge_status prefill(edge_generator *g, bool *ran) {
  static const char function[] = "edge_generator_step";
  *ran = false;
  size_t first = g->active, count = 0, longest = 0;
  for (size_t s = 0; s < g->num_sequences; ++s) {
    sequence *seq = &g->sequences[s];
    if (seq->finished || seq->slot != NO_SLOT)
      continue;
    if (seq->prompt_length > longest)
      longest = seq->prompt_length;
    g->slots[first + count++] = (uint32_t)s;
  }
  if (!count)
    return EDGE_OK;
  size_t length = g->length > longest ? g->length : longest;
  if (length > g->max_length)
    return EDGE_OK;
  *ran = true;
  // The batch's slots leave the new positions masked.
  for (size_t i = 0; i < first; ++i)
    memset(mask_row(g, i) + g->length, 0, length - g->length);
  size_t past = length - longest;
  for (size_t j = 0; j < count; ++j) {
    sequence *s = &g->sequences[g->slots[first + j]];
    s->slot = (int32_t)(first + j);
    size_t padding = longest - s->prompt_length;
    unsigned char *row = mask_row(g, first + j);
    memset(row, 0, length);
    memset(row + length - s->prompt_length, 1, s->prompt_length);
    for (size_t t = 0; t < longest; ++t) {
      bool real = t >= padding;
      g->ids[j * longest + t] = real ? s->prompt[t - padding] : s->prompt[0];
      g->positions[j * longest + t] = real ? (int64_t)(t - padding) : 0;
    }
    for (size_t t = 0; t < length; ++t)
      g->mask[j * length + t] = row[t];
  }
  double start = now_seconds();
  edge_status status = run_model(g, function, first, count, longest, past);
  if (status != EDGE_OK) {
    for (size_t j = 0; j < count; ++j)
      g->sequences[g->slots[first + j]].slot = NO_SLOT;
    return status;
  }
  g->stats.prefill_seconds += now_seconds() - start;
  for (size_t j = 0; j < count; ++j) {
    sequence *s = &g->sequences[g->slots[first + j]];
    g->stats.prefill_tokens += s->prompt_length;
    s->next_position = (int64_t)s->prompt_length;
    append_token(
        s,
        choose_token(g, s, g->logits + (j * longest + longest - 1) * g->vocab));
  }
  g->active += count;
  g->length = length;
  return EDGE_OK;
}

/// One token for every sequence in the batch.
static edge_status decode(edge_generator *g) {
  static const char function[] = "edge_generator_step";
  size_t batch = g->active, past = g->length;
  if (past + 1 > g->max_length) {
    for (size_t i = 0; i < batch; ++i)
      g->sequences[g->slots[i]].finished = EDGE_FINISH_CONTEXT;
    return EDGE_OK;
  }
  for (size_t i = 0; i < batch; ++i) {
    sequence *s = &g->sequences[g->slots[i]];
    g->ids[i] = s->tokens[s->count - 1];
    g->positions[i] = s->next_position;
    const unsigned char *row = mask_row(g, i);
    for (size_t t = 0; t < past; ++t)
      g->mask[i * (past + 1) + t] = row[t];
    g->mask[i * (past + 1) + past] = 1;
  }
  double start = now_seconds();
  edge_status status = run_model(g, function, 0, batch, 1, past);
  if (status != EDGE_OK)
    return status;
  g->stats.decode_seconds += now_seconds() - start;
  g->stats.decode_tokens += batch;
  ++g->stats.decode_steps;
  g->length = past + 1;
  for (size_t i = 0; i < batch; ++i) {
    sequence *s = &g->sequences[g->slots[i]];
    mask_row(g, i)[past] = 1;
    ++s->next_position;
    append_token(s, choose_token(g, s, g->logits + i * g->vocab));
  }
  return EDGE_OK;
}

EDGE_API edge_status edge_generator_step(edge_generator *g) {
  if (!g)
    return EDGE_ERROR_INVALID_ARGUMENT;
  bool ran = false;
  edge_status status = prefill(g, &ran);
  if (status == EDGE_OK && !ran && g->active)
    status = decode(g);
  retire_finished(g);
  return status;
}

EDGE_API edge_status edge_generator_tokens(const edge_generator *g,
                                           uint32_t sequence_index,
                                           const int64_t **tokens,
                                           size_t *count,
                                           edge_finish_reason *finished) {
  if (!g || sequence_index >= g->num_sequences)
    return EDGE_ERROR_INVALID_ARGUMENT;
  const sequence *s = &g->sequences[sequence_index];
  if (tokens)
    *tokens = s->tokens;
  if (count)
    *count = s->count;
  if (finished)
    *finished = s->finished;
  return EDGE_OK;
}

EDGE_API edge_status edge_generator_stats(const edge_generator *g,
                                          edge_generation_stats *stats) {
  if (!g || !stats)
    return EDGE_ERROR_INVALID_ARGUMENT;
  *stats = g->stats;
  return EDGE_OK;
}

EDGE_API edge_status edge_generator_cache(const edge_generator *g, size_t index,
                                          const void **data,
                                          size_t *num_bytes) {
  if (!g || index >= g->m->num_caches)
    return EDGE_ERROR_INVALID_ARGUMENT;
  if (data)
    *data = g->caches[index].data;
  if (num_bytes)
    *num_bytes = g->max_sequences * g->caches[index].slot_bytes;
  return EDGE_OK;
}
