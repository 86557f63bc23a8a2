//===- Metadata.c - Parser of a compiled model's metadata -----------------===//
//
// The metadata is produced by edge-compile, but a library can be damaged or
// forged, so every field is checked: sizes are overflow-checked, nothing is
// read past the terminating NUL, and every rejection says which line and why.
//
//===----------------------------------------------------------------------===//

#include "Metadata.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The tensor info exposes names and shapes as const, but the metadata owns
/// them.
static void free_owned(const void *pointer) {
  free((void *)(uintptr_t)pointer);
}

void edge_rt_free_metadata(edge_rt_metadata *metadata) {
  if (!metadata)
    return;
  size_t count = metadata->num_inputs + metadata->num_outputs;
  for (size_t i = 0; i < count; ++i) {
    free_owned(metadata->tensors[i].name);
    free_owned(metadata->tensors[i].shape);
    free_owned(metadata->tensors[i].max_shape);
    free_owned(metadata->tensors[i].dim_names);
    if (metadata->dim_symbols)
      free(metadata->dim_symbols[i]);
  }
  free(metadata->dim_symbols);
  metadata->dim_symbols = NULL;
  for (size_t i = 0; i < metadata->num_symbols; ++i)
    free(metadata->symbol_names[i]);
  free(metadata->symbol_names);
  free(metadata->symbol_bounds);
  metadata->symbol_names = NULL;
  metadata->symbol_bounds = NULL;
  free(metadata->symbol_inputs);
  free(metadata->symbol_dims);
  metadata->symbol_inputs = NULL;
  metadata->symbol_dims = NULL;
  metadata->num_symbols = 0;
  metadata->num_shape_entries = 0;
  if (metadata->bound_values)
    for (size_t i = 0; i < metadata->num_inputs; ++i)
      free(metadata->bound_values[i]);
  free(metadata->bound_values);
  free(metadata->num_bound_values);
  free(metadata->caches);
  metadata->caches = NULL;
  metadata->num_caches = 0;
  metadata->bound_values = NULL;
  metadata->num_bound_values = NULL;
  free(metadata->estimates_ns);
  metadata->estimates_ns = NULL;
  metadata->num_estimates = 0;
  for (size_t i = 0; i < metadata->num_check_sites; ++i)
    free(metadata->check_sites[i]);
  free(metadata->check_sites);
  metadata->check_sites = NULL;
  metadata->num_check_sites = 0;
  for (size_t i = 0; i < metadata->num_devices; ++i) {
    free(metadata->devices[i].name);
    free(metadata->devices[i].target);
    free(metadata->devices[i].node);
  }
  free(metadata->devices);
  metadata->devices = NULL;
  metadata->num_devices = 0;
  free(metadata->buffers);
  metadata->buffers = NULL;
  metadata->num_buffers = 0;
  for (size_t i = 0; i < metadata->num_steps; ++i)
    free(metadata->steps[i].refs);
  free(metadata->steps);
  metadata->steps = NULL;
  metadata->num_steps = 0;
  free(metadata->tensors);
  metadata->tensors = NULL;
  metadata->num_inputs = 0;
  metadata->num_outputs = 0;
}

/// A slice of the metadata text: a field between separators.
typedef struct token {
  const char *begin;
  size_t size;
} token;

typedef struct parser {
  const char *pos;
  unsigned long line;
  char *error;
  size_t error_size;
  edge_rt_metadata result;
  size_t capacity;
  size_t symbol_capacity;
  size_t device_capacity, buffer_capacity, step_capacity, check_capacity;
  /// Whether an estimate or copy-estimate line came (schedule lines may
  /// not follow).
  int estimates_seen;
} parser;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
fail(parser *p, const char *format, ...) {
  if (!p->error || p->error_size == 0)
    return -1;
  int prefix =
      snprintf(p->error, p->error_size, "metadata line %lu: ", p->line);
  if (prefix < 0 || (size_t)prefix >= p->error_size)
    return -1;
  va_list args;
  va_start(args, format);
  vsnprintf(p->error + prefix, p->error_size - (size_t)prefix, format, args);
  va_end(args);
  return -1;
}

static int is_separator(char c) { return c == ' ' || c == '\n' || c == '\0'; }

/// Reads the field at the current position (possibly empty).
static token read_token(parser *p) {
  token t = {p->pos, 0};
  while (!is_separator(p->pos[0]))
    ++p->pos;
  t.size = (size_t)(p->pos - t.begin);
  return t;
}

static int token_equals(token t, const char *word) {
  size_t n = strlen(word);
  return t.size == n && memcmp(t.begin, word, n) == 0;
}

/// Consumes the single space that precedes the field named `what`.
static int expect_space(parser *p, const char *what) {
  if (p->pos[0] != ' ')
    return fail(p, "expected a space before %s", what);
  ++p->pos;
  return 0;
}

/// Consumes the end of a line: '\n' or the end of the text.
static int expect_end_of_line(parser *p) {
  if (p->pos[0] == '\n') {
    ++p->pos;
    ++p->line;
    return 0;
  }
  if (p->pos[0] == '\0')
    return 0;
  return fail(p, "unexpected text at the end of the line");
}

/// Parses a decimal number made only of digits, at most `max`.
static int parse_number(parser *p, token t, uint64_t max, const char *what,
                        uint64_t *out) {
  if (t.size == 0)
    return fail(p, "expected %s", what);
  uint64_t value = 0;
  for (size_t i = 0; i < t.size; ++i) {
    char c = t.begin[i];
    if (c < '0' || c > '9')
      return fail(p, "%s is not a non-negative decimal number", what);
    uint64_t digit = (uint64_t)(c - '0');
    if (value > (max - digit) / 10)
      return fail(p, "%s is too large", what);
    value = value * 10 + digit;
  }
  *out = value;
  return 0;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/// Decodes an escaped name into a fresh NUL-terminated string.
static int decode_name(parser *p, token t, char **out) {
  if (t.size == 0)
    return fail(p, "expected a tensor name");
  char *name = malloc(t.size + 1);
  if (!name)
    return fail(p, "out of memory");
  size_t size = 0;
  for (size_t i = 0; i < t.size; ++i) {
    unsigned char c = (unsigned char)t.begin[i];
    if (c <= 0x20 || c >= 0x7f) {
      free(name);
      return fail(p, "tensor name contains the unescaped byte 0x%02X", c);
    }
    if (c != '%') {
      name[size++] = (char)c;
      continue;
    }
    int high = i + 1 < t.size ? hex_value(t.begin[i + 1]) : -1;
    int low = i + 2 < t.size ? hex_value(t.begin[i + 2]) : -1;
    if (high < 0 || low < 0) {
      free(name);
      return fail(p, "'%%' in a tensor name is not followed by two hex digits");
    }
    if (high == 0 && low == 0) {
      free(name);
      return fail(p, "tensor name contains a NUL byte");
    }
    name[size++] = (char)(high * 16 + low);
    i += 2;
  }
  name[size] = '\0';
  *out = name;
  return 0;
}

/// Makes room for one more element in `*array` (holding `count`).
static int reserve(parser *p, void **array, size_t *capacity, size_t count,
                   size_t element_size, const char *what) {
  if (count < *capacity)
    return 0;
  size_t grown = *capacity ? *capacity * 2 : 8;
  if (grown > SIZE_MAX / element_size)
    return fail(p, "too many %s", what);
  void *bigger = realloc(*array, grown * element_size);
  if (!bigger)
    return fail(p, "out of memory");
  *array = bigger;
  *capacity = grown;
  return 0;
}

/// Makes room for one more tensor in the result (and its dimensions'
/// symbols, kept alongside).
static int reserve_tensor(parser *p) {
  size_t count = p->result.num_inputs + p->result.num_outputs;
  size_t capacity = p->capacity;
  if (reserve(p, (void **)&p->result.tensors, &p->capacity, count,
              sizeof(edge_tensor_info), "tensors"))
    return -1;
  if (p->capacity == capacity && p->result.dim_symbols)
    return 0;
  int32_t **grown =
      realloc(p->result.dim_symbols, p->capacity * sizeof(int32_t *));
  if (!grown)
    return fail(p, "out of memory");
  p->result.dim_symbols = grown;
  for (size_t i = count; i < p->capacity; ++i)
    grown[i] = NULL;
  return 0;
}

/// Parses "symbol <index> <name> <bound>" after its first word.
static int parse_symbol(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t index, bound;
  char *name = NULL;
  if (expect_space(p, "the symbol index") ||
      parse_number(p, read_token(p), INT32_MAX, "the symbol index", &index))
    return -1;
  if (index != m->num_symbols)
    return fail(p, "symbol %lu is not the next one (%zu)",
                (unsigned long)index, m->num_symbols);
  size_t capacity = p->symbol_capacity;
  if (reserve(p, (void **)&m->symbol_names, &p->symbol_capacity,
              m->num_symbols, sizeof(char *), "symbols"))
    return -1;
  if (p->symbol_capacity != capacity) {
    int64_t *bounds =
        realloc(m->symbol_bounds, p->symbol_capacity * sizeof(int64_t));
    if (!bounds)
      return fail(p, "out of memory");
    m->symbol_bounds = bounds;
  }
  if (expect_space(p, "the symbol name") ||
      decode_name(p, read_token(p), &name))
    return -1;
  m->symbol_names[m->num_symbols] = name;
  m->symbol_bounds[m->num_symbols] = 0;
  ++m->num_symbols;
  if (expect_space(p, "the symbol bound") ||
      parse_number(p, read_token(p), INT64_MAX, "the symbol bound", &bound))
    return -1;
  // A bound of 0 would leave the symbol no size but 0: not a dynamic size.
  if (bound < 1)
    return fail(p, "the bound of symbol %lu ('%s') must be at least 1",
                (unsigned long)index, name);
  m->symbol_bounds[m->num_symbols - 1] = (int64_t)bound;
  for (size_t i = 0; i + 1 < m->num_symbols; ++i)
    if (strcmp(m->symbol_names[i], name) == 0)
      return fail(p, "symbol name used twice: '%s'", name);
  return 0;
}

/// How much of token `t` a message quotes: enough to recognize it, never
/// a whole damaged line.
static int quoted_size(token t) { return t.size < 32 ? (int)t.size : 32; }

/// Parses the number after the '$' or '?' of dimension `dim`'s token `t`.
static int parse_dimension_number(parser *p, token t, uint64_t dim,
                                  uint64_t max, const char *what,
                                  uint64_t *out) {
  char described[96];
  snprintf(described, sizeof(described), "%s of dimension %lu", what,
           (unsigned long)dim);
  token digits = {t.begin + 1, t.size - 1};
  return parse_number(p, digits, max, described, out);
}

/// Parses dimension `dim` of a tensor line: a size, `$K` (symbol K) or
/// `?B` (computed by the run, at most B). Writes its static size (-1 when
/// dynamic), its largest size and how it is known.
static int parse_dimension(parser *p, uint64_t dim, int is_input, int64_t *size,
                           int64_t *max, int32_t *symbol) {
  token t = read_token(p);
  uint64_t value;
  if (t.size > 0 && t.begin[0] == '$') {
    if (parse_dimension_number(p, t, dim, INT32_MAX, "the symbol index",
                               &value))
      return -1;
    if (value >= p->result.num_symbols)
      return fail(p,
                  "dimension %lu is $%lu, but symbol %lu is not declared "
                  "(the model declares %zu symbols)",
                  (unsigned long)dim, (unsigned long)value,
                  (unsigned long)value, p->result.num_symbols);
    *size = -1;
    *max = p->result.symbol_bounds[value];
    *symbol = (int32_t)value;
    return 0;
  }
  if (t.size > 0 && t.begin[0] == '?') {
    // An input's sizes come from the caller, so each dynamic one must be
    // a symbol the caller sets.
    if (is_input)
      return fail(p,
                  "dimension %lu is '%.*s': an input's dynamic size must be "
                  "a symbol ($K)",
                  (unsigned long)dim, quoted_size(t), t.begin);
    if (parse_dimension_number(p, t, dim, INT64_MAX, "the size bound", &value))
      return -1;
    *size = -1;
    *max = (int64_t)value;
    *symbol = EDGE_RT_DIM_COMPUTED;
    return 0;
  }
  if (parse_number(p, t, INT64_MAX, "a dimension", &value))
    return -1;
  *size = *max = (int64_t)value;
  *symbol = EDGE_RT_DIM_STATIC;
  return 0;
}

/// Parses "shapes <count>" after its first word: the entries of the
/// sizes buffer, the symbols' then every output's sizes, then those of a
/// partitioned model's intermediate values. It follows the output lines,
/// so every output is counted.
static int parse_shapes(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t count;
  if (expect_space(p, "the number of shape entries") ||
      parse_number(p, read_token(p), UINT32_MAX, "the number of shape entries",
                   &count))
    return -1;
  if (m->num_shape_entries)
    return fail(p, "a second shapes line");
  if (m->num_symbols == 0)
    return fail(p, "a shapes line needs symbols (a model without symbol "
                   "lines has no sizes buffer)");
  size_t output_dims = 0;
  for (size_t i = 0; i < m->num_outputs; ++i)
    output_dims += (size_t)m->tensors[m->num_inputs + i].rank;
  size_t expected = m->num_symbols + output_dims;
  if (count < expected)
    return fail(p,
                "the shapes line has %lu entries, but the model needs at "
                "least %zu entries (%zu symbols' sizes, then the outputs' %zu "
                "dimensions)",
                (unsigned long)count, expected, m->num_symbols, output_dims);
  m->num_shape_entries = (size_t)count;
  return 0;
}

/// Parses the fields after "input" or "output" into `info`, which owns what
/// it points to even on failure. Leaves the end of the line unread.
static int parse_tensor(parser *p, edge_tensor_info *info, int is_input,
                        int32_t **symbols_out) {
  char *name = NULL;
  if (expect_space(p, "the tensor name") ||
      decode_name(p, read_token(p), &name))
    return -1;
  info->name = name;

  uint64_t dtype;
  if (expect_space(p, "the dtype code") ||
      parse_number(p, read_token(p), INT32_MAX, "the dtype code", &dtype))
    return -1;
  size_t element_size = edge_dtype_size((int32_t)dtype);
  if (element_size == 0)
    return fail(p, "unsupported dtype code %d", (int)dtype);
  info->dtype = (edge_dtype)dtype;

  uint64_t rank;
  if (expect_space(p, "the rank") ||
      parse_number(p, read_token(p), EDGE_METADATA_MAX_RANK, "the rank", &rank))
    return -1;
  info->rank = (int32_t)rank;

  size_t slots = rank ? rank : 1;
  int64_t *shape = malloc(slots * sizeof(int64_t));
  int64_t *max_shape = malloc(slots * sizeof(int64_t));
  const char **dim_names = calloc(slots, sizeof(char *));
  int32_t *symbols = malloc(slots * sizeof(int32_t));
  info->shape = shape;
  info->max_shape = max_shape;
  info->dim_names = dim_names;
  *symbols_out = symbols;
  if (!shape || !max_shape || !dim_names || !symbols)
    return fail(p, "out of memory");

  // PTRDIFF_MAX bounds every buffer size a C program can have; a dynamic
  // size counts at its bound.
  size_t elements = 1;
  for (uint64_t i = 0; i < rank; ++i) {
    if (expect_space(p, "a dimension") ||
        parse_dimension(p, i, is_input, &shape[i], &max_shape[i], &symbols[i]))
      return -1;
    if (symbols[i] >= 0)
      dim_names[i] = p->result.symbol_names[symbols[i]];
    uint64_t dim = (uint64_t)max_shape[i];
    if (dim != 0 && elements > (size_t)PTRDIFF_MAX / dim)
      return fail(p, "the tensor's size overflows");
    elements *= (size_t)dim;
  }
  if (elements > (size_t)PTRDIFF_MAX / element_size)
    return fail(p, "the tensor's size overflows");
  info->num_elements = elements;
  info->num_bytes = elements * element_size;
  return 0;
}

/// Rejects a name already used by a tensor of the same kind.
static int check_unique(parser *p, size_t first, size_t last) {
  const char *name = p->result.tensors[last].name;
  for (size_t i = first; i < last; ++i)
    if (strcmp(p->result.tensors[i].name, name) == 0)
      return fail(p, "tensor name used twice");
  return 0;
}

/// Parses the fields after "bound": the index of an input and the bytes it
/// was bound to, as two hex digits each. Leaves the end of the line unread.
static int parse_bound_value(parser *p) {
  size_t num_inputs = p->result.num_inputs;
  uint64_t index;
  if (expect_space(p, "the input index") ||
      parse_number(p, read_token(p), UINT32_MAX, "the input index", &index))
    return -1;
  if (index >= num_inputs)
    return fail(p, "bound input %lu does not exist", (unsigned long)index);
  if (!p->result.bound_values) {
    p->result.bound_values = calloc(num_inputs, sizeof(unsigned char *));
    p->result.num_bound_values = calloc(num_inputs, sizeof(size_t));
    if (!p->result.bound_values || !p->result.num_bound_values)
      return fail(p, "out of memory");
  }
  // The run compares a bound input with these bytes: all of them, so its
  // shape must be the one they were taken at.
  const edge_tensor_info *info = &p->result.tensors[index];
  for (int32_t d = 0; d < info->rank; ++d)
    if (info->shape[d] < 0)
      return fail(p,
                  "bound input %lu ('%s') has a dynamic size at dimension %d; "
                  "only static inputs are bound",
                  (unsigned long)index, info->name, (int)d);
  if (expect_space(p, "the bound bytes"))
    return -1;
  token hex = read_token(p);
  size_t num_bytes = p->result.tensors[index].num_bytes;
  if (hex.size / 2 != num_bytes || hex.size % 2 != 0)
    return fail(p, "bound input %lu needs %zu bytes", (unsigned long)index,
                num_bytes);
  // Each further line for the input adds one more value it may take.
  size_t count = p->result.num_bound_values[index];
  if (count >= EDGE_RT_MAX_BOUND_VALUES)
    return fail(p, "input %lu has more than %d bound values",
                (unsigned long)index, EDGE_RT_MAX_BOUND_VALUES);
  unsigned char *values = realloc(p->result.bound_values[index],
                                  (count + 1) * num_bytes + 1);
  if (!values)
    return fail(p, "out of memory");
  p->result.bound_values[index] = values;
  p->result.num_bound_values[index] = count + 1;
  unsigned char *bytes = values + count * num_bytes;
  for (size_t i = 0; i < num_bytes; ++i) {
    int high = hex_value(hex.begin[2 * i]);
    int low = hex_value(hex.begin[2 * i + 1]);
    if (high < 0 || low < 0)
      return fail(p, "bound bytes must be hex digits");
    bytes[i] = (unsigned char)(high * 16 + low);
  }
  return 0;
}

/// Parses the fields after "cache": an input, the output that appends to
/// it, the axis and the capacity. The pair must agree on everything but the
/// axis, which the input's symbol sizes, within the capacity.
static int parse_cache(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t input, output, axis, capacity;
  if (expect_space(p, "the cache's input") ||
      parse_number(p, read_token(p), UINT32_MAX, "the cache's input", &input) ||
      expect_space(p, "the cache's output") ||
      parse_number(p, read_token(p), UINT32_MAX, "the cache's output",
                   &output) ||
      expect_space(p, "the cache's axis") ||
      parse_number(p, read_token(p), EDGE_METADATA_MAX_RANK, "the cache's axis",
                   &axis) ||
      expect_space(p, "the cache's capacity") ||
      parse_number(p, read_token(p), INT32_MAX, "the cache's capacity",
                   &capacity))
    return -1;
  if (input >= m->num_inputs || output >= m->num_outputs)
    return fail(p, "cache input %lu or output %lu does not exist",
                (unsigned long)input, (unsigned long)output);
  const edge_tensor_info *in = &m->tensors[input];
  const edge_tensor_info *out = &m->tensors[m->num_inputs + output];
  if (in->dtype != out->dtype || in->rank != out->rank ||
      axis >= (uint64_t)in->rank)
    return fail(p,
                "cache input '%s' and output '%s' differ in type or rank, "
                "or axis %lu is out of range",
                in->name, out->name, (unsigned long)axis);
  int32_t symbol = m->dim_symbols[input][axis];
  if (symbol < 0 || capacity < (uint64_t)m->symbol_bounds[symbol])
    return fail(p,
                "cache input '%s' needs a symbol at axis %lu within the "
                "capacity %lu",
                in->name, (unsigned long)axis, (unsigned long)capacity);
  for (size_t i = 0; i < m->num_caches; ++i)
    if (m->caches[i].input == input || m->caches[i].output == output)
      return fail(p, "input %lu or output %lu is in two caches",
                  (unsigned long)input, (unsigned long)output);
  edge_rt_cache *caches =
      realloc(m->caches, (m->num_caches + 1) * sizeof(edge_rt_cache));
  if (!caches)
    return fail(p, "out of memory");
  m->caches = caches;
  caches[m->num_caches++] = (edge_rt_cache){(size_t)input, (size_t)output,
                                            (int32_t)axis, (int64_t)capacity};
  return 0;
}

/// A device line without a node, where the first device names one.
static int check_no_node(parser *p) {
  const edge_rt_metadata *m = &p->result;
  if (m->num_devices > 1 && m->devices[0].node)
    return fail(p, "the first device names its node, this one does not");
  return 0;
}

/// Parses "device <name> <kind> [<target>] [@<node>]" after its first word.
static int parse_device(parser *p) {
  edge_rt_metadata *m = &p->result;
  if (reserve(p, (void **)&m->devices, &p->device_capacity, m->num_devices,
              sizeof(edge_rt_device), "devices"))
    return -1;
  edge_rt_device *device = &m->devices[m->num_devices];
  memset(device, 0, sizeof(*device));
  ++m->num_devices;
  if (expect_space(p, "the device name") ||
      decode_name(p, read_token(p), &device->name))
    return -1;
  for (size_t i = 0; i + 1 < m->num_devices; ++i)
    if (strcmp(m->devices[i].name, device->name) == 0)
      return fail(p, "device name used twice");
  if (expect_space(p, "the device kind"))
    return -1;
  token kind = read_token(p);
  if (token_equals(kind, "cpu"))
    device->kind = EDGE_RT_DEVICE_CPU;
  else if (token_equals(kind, "nvidia"))
    device->kind = EDGE_RT_DEVICE_NVIDIA;
  else if (token_equals(kind, "amd"))
    device->kind = EDGE_RT_DEVICE_AMD;
  else
    return fail(p, "device kind must be cpu, nvidia or amd");
  if (p->pos[0] != ' ')
    return check_no_node(p);
  ++p->pos;
  if (p->pos[0] != '@') {
    if (device->kind == EDGE_RT_DEVICE_CPU)
      return fail(p, "a CPU device has no GPU target");
    token target = read_token(p);
    size_t vendor = device->kind == EDGE_RT_DEVICE_NVIDIA ? 7 : 4;
    if (target.size <= vendor ||
        memcmp(target.begin,
               device->kind == EDGE_RT_DEVICE_NVIDIA ? "nvidia:" : "amd:",
               vendor) != 0)
      return fail(p, "a device's target must be its kind, ':' and a chip");
    if (decode_name(p, target, &device->target))
      return -1;
    if (p->pos[0] != ' ')
      return check_no_node(p);
    ++p->pos;
  }
  // The node: every device names one, or none does.
  if (p->pos[0] != '@')
    return fail(p, "expected '@' and the device's node");
  ++p->pos;
  token node = read_token(p);
  if (!node.size)
    return fail(p, "expected the device's node after '@'");
  if (m->num_devices > 1 && !m->devices[0].node)
    return fail(p, "a device names its node, but the first device does not");
  return decode_name(p, node, &device->node);
}

static int parse_device_index(parser *p, size_t *out) {
  uint64_t index;
  if (expect_space(p, "the device index") ||
      parse_number(p, read_token(p), UINT32_MAX, "the device index", &index))
    return -1;
  if (index >= p->result.num_devices)
    return fail(p, "device %lu does not exist", (unsigned long)index);
  *out = (size_t)index;
  return 0;
}

/// Parses "buffer <device> <num_bytes>" after its first word.
static int parse_buffer(parser *p) {
  edge_rt_metadata *m = &p->result;
  if (reserve(p, (void **)&m->buffers, &p->buffer_capacity, m->num_buffers,
              sizeof(edge_rt_buffer), "buffers"))
    return -1;
  edge_rt_buffer *buffer = &m->buffers[m->num_buffers];
  uint64_t bytes;
  if (parse_device_index(p, &buffer->device) ||
      expect_space(p, "the buffer size") ||
      parse_number(p, read_token(p), PTRDIFF_MAX, "the buffer size", &bytes))
    return -1;
  buffer->num_bytes = (size_t)bytes;
  buffer->element_bytes = buffer->shape_offset = buffer->rank = 0;
  ++m->num_buffers;
  if (p->pos[0] == '\n' || p->pos[0] == '\0')
    return 0;
  // A buffer of dynamic sizes: where the run's sizes are.
  uint64_t element_bytes, offset, rank;
  if (expect_space(p, "the element size") ||
      parse_number(p, read_token(p), 64, "the element size", &element_bytes) ||
      expect_space(p, "the sizes offset") ||
      parse_number(p, read_token(p), UINT32_MAX, "the sizes offset", &offset) ||
      expect_space(p, "the rank") ||
      parse_number(p, read_token(p), EDGE_METADATA_MAX_RANK, "the rank", &rank))
    return -1;
  if (element_bytes == 0 || rank == 0 || offset + rank > m->num_shape_entries)
    return fail(p,
                "buffer b%zu's sizes lie outside the sizes buffer (%zu "
                "entries)",
                m->num_buffers - 1, m->num_shape_entries);
  buffer->element_bytes = (size_t)element_bytes;
  buffer->shape_offset = (size_t)offset;
  buffer->rank = (size_t)rank;
  return 0;
}

size_t edge_rt_ref_bytes(const edge_rt_metadata *metadata, edge_rt_ref ref) {
  switch (ref.kind) {
  case 'i':
    return metadata->tensors[ref.index].num_bytes;
  case 'o':
    return metadata->tensors[metadata->num_inputs + ref.index].num_bytes;
  default:
    return metadata->buffers[ref.index].num_bytes;
  }
}

/// Bytes of `rank` sizes at `shape` with `element_bytes` each, at most
/// `max_bytes`; 0 where a size is negative (not written by the run).
static size_t run_bytes(const int64_t *shape, size_t rank, size_t element_bytes,
                        size_t max_bytes) {
  size_t bytes = element_bytes;
  for (size_t d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return 0;
    if (shape[d] && bytes > max_bytes / (size_t)shape[d])
      return max_bytes;
    bytes *= (size_t)shape[d];
  }
  return bytes < max_bytes ? bytes : max_bytes;
}

size_t edge_rt_ref_run_bytes(const edge_rt_metadata *metadata, edge_rt_ref ref,
                             const int64_t *sizes) {
  size_t max_bytes = edge_rt_ref_bytes(metadata, ref);
  if (!sizes)
    return max_bytes;
  if (ref.kind == 'b') {
    const edge_rt_buffer *buffer = &metadata->buffers[ref.index];
    if (!buffer->rank)
      return max_bytes;
    return run_bytes(sizes + buffer->shape_offset, buffer->rank,
                     buffer->element_bytes, max_bytes);
  }
  size_t t = ref.kind == 'i' ? ref.index : metadata->num_inputs + ref.index;
  const edge_tensor_info *info = &metadata->tensors[t];
  size_t element_bytes = edge_dtype_size(info->dtype);
  int64_t shape[EDGE_METADATA_MAX_RANK];
  if (ref.kind == 'i') {
    for (int32_t d = 0; d < info->rank; ++d) {
      int32_t symbol = metadata->dim_symbols[t][d];
      shape[d] = symbol >= 0 ? sizes[symbol] : info->shape[d];
    }
    return run_bytes(shape, (size_t)info->rank, element_bytes, max_bytes);
  }
  return run_bytes(edge_rt_output_sizes(metadata, sizes, ref.index),
                   (size_t)info->rank, element_bytes, max_bytes);
}

const int64_t *edge_rt_output_sizes(const edge_rt_metadata *metadata,
                                    const int64_t *sizes, size_t output) {
  const int64_t *written = sizes + metadata->num_symbols;
  for (size_t o = 0; o < output; ++o)
    written += metadata->tensors[metadata->num_inputs + o].rank;
  return written;
}

size_t edge_rt_step_num_refs(const edge_rt_step *step) {
  return step->is_copy ? 2 : step->num_inputs + step->num_outputs;
}

size_t edge_rt_step_num_pointers(const edge_rt_metadata *metadata,
                                 const edge_rt_step *step) {
  return edge_rt_step_num_refs(step) + (metadata->num_symbols ? 1 : 0);
}

size_t edge_rt_ref_device(const edge_rt_metadata *metadata, edge_rt_ref ref) {
  return ref.kind == 'b' ? metadata->buffers[ref.index].device : 0;
}

size_t edge_rt_step_device(const edge_rt_metadata *metadata,
                           const edge_rt_step *step) {
  return step->is_copy ? edge_rt_ref_device(metadata, step->refs[1])
                       : step->device;
}

size_t edge_rt_number_nodes(const edge_rt_metadata *metadata,
                            const char **names, size_t *device_nodes) {
  if (!metadata->num_devices || !metadata->devices[0].node)
    return 0;
  size_t num_nodes = 0;
  for (size_t d = 0; d < metadata->num_devices; ++d) {
    size_t n = 0;
    while (n < num_nodes && strcmp(names[n], metadata->devices[d].node) != 0)
      ++n;
    if (n == num_nodes)
      names[num_nodes++] = metadata->devices[d].node;
    device_nodes[d] = n;
  }
  return num_nodes;
}

/// Parses one ref (i<N>, o<N> or b<N>) naming an existing buffer.
static int parse_ref(parser *p, edge_rt_ref *ref) {
  if (expect_space(p, "a buffer reference"))
    return -1;
  token t = read_token(p);
  if (t.size < 2 || (t.begin[0] != 'i' && t.begin[0] != 'o' &&
                     t.begin[0] != 'b'))
    return fail(p, "a buffer reference is i<N>, o<N> or b<N>");
  token digits = {t.begin + 1, t.size - 1};
  uint64_t index;
  if (parse_number(p, digits, UINT32_MAX, "the buffer index", &index))
    return -1;
  size_t count = t.begin[0] == 'i'   ? p->result.num_inputs
                 : t.begin[0] == 'o' ? p->result.num_outputs
                                     : p->result.num_buffers;
  if (index >= count)
    return fail(p, "buffer %c%lu does not exist", t.begin[0],
                (unsigned long)index);
  ref->kind = t.begin[0];
  ref->index = (size_t)index;
  return 0;
}

/// Largest number of buffers one partition may take.
enum { MAX_PARTITION_BUFFERS = 1 << 16 };

/// Parses the rest of a "run" or "copy" line.
static int parse_step(parser *p, int is_copy) {
  edge_rt_metadata *m = &p->result;
  if (reserve(p, (void **)&m->steps, &p->step_capacity, m->num_steps,
              sizeof(edge_rt_step), "steps"))
    return -1;
  edge_rt_step *step = &m->steps[m->num_steps];
  memset(step, 0, sizeof(*step));
  ++m->num_steps;
  step->is_copy = is_copy;
  if (is_copy) {
    step->num_inputs = step->num_outputs = 1;
  } else {
    uint64_t partition, inputs, outputs;
    if (expect_space(p, "the partition") ||
        parse_number(p, read_token(p), INT32_MAX, "the partition", &partition) ||
        parse_device_index(p, &step->device) ||
        expect_space(p, "the input count") ||
        parse_number(p, read_token(p), MAX_PARTITION_BUFFERS, "the input count",
                     &inputs) ||
        expect_space(p, "the output count") ||
        parse_number(p, read_token(p), MAX_PARTITION_BUFFERS,
                     "the output count", &outputs))
      return -1;
    step->partition = (uint32_t)partition;
    step->num_inputs = (size_t)inputs;
    step->num_outputs = (size_t)outputs;
  }
  size_t count = step->num_inputs + step->num_outputs;
  step->refs = malloc((count ? count : 1) * sizeof(edge_rt_ref));
  if (!step->refs)
    return fail(p, "out of memory");
  for (size_t i = 0; i < count; ++i) {
    if (parse_ref(p, &step->refs[i]))
      return -1;
    if (i >= step->num_inputs && step->refs[i].kind == 'i')
      return fail(p, "a step writes graph input %zu", step->refs[i].index);
  }
  // A copy of dynamic sizes moves what its source holds in the run.
  if (is_copy && !m->num_symbols &&
      edge_rt_ref_bytes(m, step->refs[0]) !=
          edge_rt_ref_bytes(m, step->refs[1]))
    return fail(p, "a copy between buffers of different sizes");
  return 0;
}

/// Parses a device, buffer, run or copy line after its first word `kind`;
/// they come in that order.
static int parse_schedule_line(parser *p, token kind) {
  edge_rt_metadata *m = &p->result;
  if (token_equals(kind, "device")) {
    if (m->num_buffers || m->num_steps)
      return fail(p, "device line after a buffer or step line");
    return parse_device(p);
  }
  if (m->num_devices == 0)
    return fail(p, "schedule line before the device lines");
  if (token_equals(kind, "buffer")) {
    if (m->num_steps)
      return fail(p, "buffer line after a step line");
    return parse_buffer(p);
  }
  return parse_step(p, token_equals(kind, "copy"));
}

static int is_schedule_word(token kind) {
  return token_equals(kind, "device") || token_equals(kind, "buffer") ||
         token_equals(kind, "run") || token_equals(kind, "copy");
}

/// Parses the fields after "check": the site, numbered from 0 in order, and
/// its escaped description. Leaves the end of the line unread.
static int parse_check_site(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t site;
  if (expect_space(p, "the check site") ||
      parse_number(p, read_token(p), UINT32_MAX, "the check site", &site))
    return -1;
  if (site != m->num_check_sites)
    return fail(p, "check site %lu out of order (expected %lu)",
                (unsigned long)site, (unsigned long)m->num_check_sites);
  if (reserve(p, (void **)&m->check_sites, &p->check_capacity,
              m->num_check_sites, sizeof(char *), "check sites"))
    return -1;
  char *description = NULL;
  if (expect_space(p, "the check description") ||
      decode_name(p, read_token(p), &description))
    return -1;
  m->check_sites[m->num_check_sites++] = description;
  return 0;
}

/// Partitions an `estimate` line may name: far more than any model has,
/// few enough that the table of estimates stays small.
#define EDGE_METADATA_MAX_ESTIMATES (1u << 20)

/// Parses "<index> <nanoseconds>", the rest of an estimate line naming
/// `what` (at most `max_index`).
static int parse_estimate_fields(parser *p, const char *what,
                                 uint64_t max_index, uint64_t *index,
                                 uint64_t *nanoseconds) {
  return expect_space(p, what) ||
                 parse_number(p, read_token(p), max_index, what, index) ||
                 expect_space(p, "the estimate") ||
                 parse_number(p, read_token(p), UINT64_MAX, "the estimate",
                              nanoseconds)
             ? -1
             : 0;
}

/// Parses "estimate <partition> <nanoseconds>" after its first word.
static int parse_estimate(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t partition, nanoseconds;
  if (parse_estimate_fields(p, "the partition", EDGE_METADATA_MAX_ESTIMATES - 1,
                            &partition, &nanoseconds))
    return -1;
  if (partition >= m->num_estimates) {
    uint64_t *grown =
        realloc(m->estimates_ns, (partition + 1) * sizeof(uint64_t));
    if (!grown)
      return fail(p, "out of memory");
    memset(grown + m->num_estimates, 0,
           (partition + 1 - m->num_estimates) * sizeof(uint64_t));
    m->estimates_ns = grown;
    m->num_estimates = partition + 1;
  }
  m->estimates_ns[partition] = nanoseconds;
  return 0;
}

/// Parses "copy-estimate <step> <nanoseconds>" after its first word.
static int parse_copy_estimate(parser *p) {
  edge_rt_metadata *m = &p->result;
  uint64_t step, nanoseconds;
  if (parse_estimate_fields(p, "the step", UINT64_MAX, &step, &nanoseconds))
    return -1;
  if (step >= m->num_steps || !m->steps[step].is_copy)
    return fail(p, "copy-estimate names step %lu, which is not a copy",
                (unsigned long)step);
  m->steps[step].estimate_ns = nanoseconds;
  return 0;
}

/// Records the first input dimension each symbol sizes, where a run takes
/// its size from. Rejects a symbol that sizes no input: it would have none.
static int find_symbol_sources(parser *p) {
  edge_rt_metadata *m = &p->result;
  if (!m->num_symbols)
    return 0;
  m->symbol_inputs = malloc(m->num_symbols * sizeof(size_t));
  m->symbol_dims = malloc(m->num_symbols * sizeof(int32_t));
  if (!m->symbol_inputs || !m->symbol_dims)
    return fail(p, "out of memory");
  for (size_t s = 0; s < m->num_symbols; ++s)
    m->symbol_dims[s] = -1;
  for (size_t i = 0; i < m->num_inputs; ++i)
    for (int32_t d = 0; d < m->tensors[i].rank; ++d) {
      int32_t s = m->dim_symbols[i][d];
      if (s >= 0 && m->symbol_dims[s] < 0) {
        m->symbol_inputs[s] = i;
        m->symbol_dims[s] = d;
      }
    }
  for (size_t s = 0; s < m->num_symbols; ++s)
    if (m->symbol_dims[s] < 0)
      return fail(p,
                  "symbol %zu ('%s') sizes no input dimension, so no run "
                  "can give it a size",
                  s, m->symbol_names[s]);
  return 0;
}

static int parse_lines(parser *p) {
  token magic = read_token(p);
  if (!token_equals(magic, "edge-model"))
    return fail(p, "expected the header 'edge-model %d'",
                EDGE_METADATA_VERSION);
  uint64_t version;
  if (expect_space(p, "the format version") ||
      parse_number(p, read_token(p), UINT32_MAX, "the format version",
                   &version))
    return -1;
  if (version != EDGE_METADATA_VERSION)
    return fail(p, "format version %lu is not supported (expected %d)",
                (unsigned long)version, EDGE_METADATA_VERSION);
  if (expect_end_of_line(p))
    return -1;

  while (p->pos[0] != '\0') {
    token kind = read_token(p);
    if (token_equals(kind, "symbol")) {
      if (p->result.num_inputs || p->result.num_outputs)
        return fail(p, "symbol line after a tensor line");
      if (parse_symbol(p) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (token_equals(kind, "cache")) {
      if (p->result.num_outputs == 0 || p->result.num_shape_entries)
        return fail(p, "a cache line comes after the output lines and "
                       "before the shapes line");
      if (parse_cache(p) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (token_equals(kind, "shapes")) {
      if (p->result.num_outputs == 0)
        return fail(p, "shapes line before the output lines");
      if (parse_shapes(p) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (token_equals(kind, "check")) {
      if (p->result.num_outputs == 0)
        return fail(p, "check line before the output lines");
      if (parse_check_site(p) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (p->result.num_check_sites)
      return fail(p, "line after a check line");
    if (token_equals(kind, "estimate")) {
      if (p->result.num_outputs == 0)
        return fail(p, "estimate line before the output lines");
      if (parse_estimate(p) || expect_end_of_line(p))
        return -1;
      p->estimates_seen = 1;
      continue;
    }
    if (token_equals(kind, "copy-estimate")) {
      if (parse_copy_estimate(p) || expect_end_of_line(p))
        return -1;
      p->estimates_seen = 1;
      continue;
    }
    if (p->estimates_seen && is_schedule_word(kind))
      return fail(p, "schedule line after an estimate line");
    if (is_schedule_word(kind)) {
      if (p->result.num_outputs == 0)
        return fail(p, "schedule line before the output lines");
      if (parse_schedule_line(p, kind) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (p->result.num_devices || p->estimates_seen)
      return fail(p, "tensor or bound line after a schedule or estimate "
                     "line");
    if (token_equals(kind, "bound")) {
      if (p->result.num_outputs == 0)
        return fail(p, "bound line before the output lines");
      if (parse_bound_value(p) || expect_end_of_line(p))
        return -1;
      continue;
    }
    if (p->result.bound_values)
      return fail(p, "tensor line after a bound line");
    if (p->result.num_shape_entries || p->result.num_caches)
      return fail(p, "tensor line after a cache or shapes line");
    int is_input = token_equals(kind, "input");
    if (!is_input && !token_equals(kind, "output"))
      return fail(p, "expected a line starting with 'input', 'output', "
                     "'bound', 'device', 'buffer', 'run', 'copy', "
                     "'estimate', 'copy-estimate', 'check', 'symbol', "
                     "'cache' or 'shapes'");
    if (is_input && p->result.num_outputs != 0)
      return fail(p, "input line after an output line");
    if (reserve_tensor(p))
      return -1;
    size_t index = p->result.num_inputs + p->result.num_outputs;
    edge_tensor_info *info = &p->result.tensors[index];
    memset(info, 0, sizeof(*info));
    // Count the tensor first so that edge_rt_free_metadata releases it.
    if (is_input)
      ++p->result.num_inputs;
    else
      ++p->result.num_outputs;
    if (parse_tensor(p, info, is_input, &p->result.dim_symbols[index]) ||
        check_unique(p, is_input ? 0 : p->result.num_inputs, index) ||
        expect_end_of_line(p))
      return -1;
  }
  if (p->result.num_outputs == 0)
    return fail(p, "the model has no output");
  if (p->result.num_symbols && !p->result.num_shape_entries)
    return fail(p, "a model with symbols needs a shapes line");
  return find_symbol_sources(p);
}

int edge_rt_parse_metadata(const char *text, edge_rt_metadata *out, char *error,
                           size_t error_size) {
  if (error && error_size)
    error[0] = '\0';
  if (!out)
    return -1;
  memset(out, 0, sizeof(*out));
  parser p;
  memset(&p, 0, sizeof(p));
  p.pos = text;
  p.line = 1;
  p.error = error;
  p.error_size = error_size;
  if (!text) {
    fail(&p, "no metadata");
    return -1;
  }
  if (parse_lines(&p)) {
    edge_rt_free_metadata(&p.result);
    return -1;
  }
  *out = p.result;
  return 0;
}
