//===- edge-run-lite.c - Run a compiled edge model without C++ ------------===//
//
// edge-run-lite MODEL.so [--input FILE | --input NAME=FILE]...
//               [--output-dir DIR] [--bench N] [--threads N]
//
// The runner for machines that have neither the compiler nor protobuf (an
// AArch64 board, qemu-aarch64): plain C11 on libc and libdl. It talks to the
// model library only through the C ABI of edge-c/Model.h, resolved with
// dlsym, and reads ONNX TensorProto (.pb) and NumPy (.npy) tensors with small
// readers of its own that check every length. Every user error ends with a
// one-line "edge-run-lite: error: ..." and exit status 1.
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 200809L

#include "edge-c/Model.h"
#include "edge/Runtime/LibraryFile.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

// Tensor files are little-endian and their bytes go to the model as they
// are; function pointers come from dlsym as void *.
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "edge-run-lite assumes a little-endian host");
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
               "dlsym results must fit a function pointer");

static const char usage[] =
    "usage: edge-run-lite MODEL.so [options]\n"
    "\n"
    "Runs a model library compiled by edge-compile, through its C ABI only.\n"
    "\n"
    "options:\n"
    "  --input FILE        a tensor for the next graph input, in graph "
    "order: an\n"
    "                      ONNX TensorProto (.pb) or a NumPy array (.npy)\n"
    "  --input NAME=FILE   the tensor for the graph input NAME\n"
    "  --output-dir DIR    write the outputs as DIR/output_0.pb, "
    "output_1.pb, ...\n"
    "                      (ONNX TensorProto, in graph order)\n"
    "  --bench N           after the first run, time N more runs and print\n"
    "                      \"bench: runs=N median_ms=X min_ms=Y\"\n"
    "  --threads N         run the model's parallel loops on N threads (sets\n"
    "                      EDGE_NUM_THREADS=N for the runtime)\n"
    "  -h, --help          print this help\n"
    "\n"
    "Exit status: 0 on success, 1 on any error.\n";

enum { maxRank = 64, maxPrinted = 8, numDTypes = 17 };

/// Per dtype code: its name, its NumPy type and, for a TensorProto without
/// raw_data, the field that holds its values and the range they must fit.
/// ONNX keeps narrow integers, bool and the bits of 16-bit floats in
/// int32_data (5) and uint32 in uint64_data (11); max == 0: no range check.
static const struct {
  const char *name, *npy;
  uint32_t field;
  int64_t min;
  uint64_t max;
} dtypes[numDTypes] = {
    [EDGE_DTYPE_FLOAT32] = {"float32", "f4", 4, 0, 0},
    [EDGE_DTYPE_UINT8] = {"uint8", "u1", 5, 0, UINT8_MAX},
    [EDGE_DTYPE_INT8] = {"int8", "i1", 5, INT8_MIN, INT8_MAX},
    [EDGE_DTYPE_UINT16] = {"uint16", "u2", 5, 0, UINT16_MAX},
    [EDGE_DTYPE_INT16] = {"int16", "i2", 5, INT16_MIN, INT16_MAX},
    [EDGE_DTYPE_INT32] = {"int32", "i4", 5, INT32_MIN, INT32_MAX},
    [EDGE_DTYPE_INT64] = {"int64", "i8", 7, 0, 0},
    [EDGE_DTYPE_BOOL] = {"bool", "b1", 5, 0, 1},
    [EDGE_DTYPE_FLOAT16] = {"float16", "f2", 5, 0, UINT16_MAX},
    [EDGE_DTYPE_FLOAT64] = {"float64", "f8", 10, 0, 0},
    [EDGE_DTYPE_UINT32] = {"uint32", "u4", 11, 0, UINT32_MAX},
    [EDGE_DTYPE_UINT64] = {"uint64", "u8", 11, 0, 0},
    [EDGE_DTYPE_BFLOAT16] = {"bfloat16", "", 5, 0, UINT16_MAX},
};

static const char *dtypeName(int32_t dtype) {
  return edge_dtype_size(dtype) ? dtypes[dtype].name : "unsupported";
}

/// Starts the one-line error report; the caller finishes the line.
static void beginError(void) {
  fflush(stdout); // So that the error follows what was printed before it.
  fputs("edge-run-lite: error: ", stderr);
}

/// Reports a whole error line; false, for `return fail(...)`.
__attribute__((format(printf, 1, 2))) static bool fail(const char *format,
                                                       ...) {
  beginError();
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  return false;
}

/// Prints "float32[1,3,224,224]", or without the name "[1,3,224,224]".
static void printType(FILE *out, const char *name, const int64_t *shape,
                      size_t rank) {
  fprintf(out, "%s[", name);
  for (size_t i = 0; i < rank; ++i)
    fprintf(out, "%s%" PRId64, i ? "," : "", shape[i]);
  fputc(']', out);
}

/// A zeroed buffer aligned to a cache line, so that the generated code never
/// sees a less aligned buffer than an allocator would give it. Zero bytes
/// still allocate, so that NULL always means out of memory.
static uint8_t *allocAligned(size_t size) {
  if (size > (size_t)PTRDIFF_MAX)
    return NULL;
  // aligned_alloc wants a multiple of the alignment.
  size_t rounded = size ? (size + 63) / 64 * 64 : 64;
  uint8_t *memory = aligned_alloc(64, rounded);
  if (memory)
    memset(memory, 0, rounded);
  return memory;
}

//===----------------------------------------------------------------------===//
// Tensor files
//===----------------------------------------------------------------------===//

typedef struct Tensor {
  const char *file; // Where it comes from.
  int32_t dtype;
  size_t rank, numElements, numBytes;
  int64_t shape[maxRank];
  uint8_t *data; // From allocAligned; owned.
} Tensor;

/// Sizes and allocates `t` from its dtype and shape, rejecting unknown
/// dtypes, negative dims and sizes past PTRDIFF_MAX.
static bool allocTensor(const char *path, Tensor *t) {
  size_t elementSize = edge_dtype_size(t->dtype), elements = 1;
  if (!elementSize)
    return fail("'%s': unsupported data type %d%s", path, (int)t->dtype,
                t->dtype == 8 ? " (string)" : "");
  for (size_t i = 0; i < t->rank; ++i) {
    if (t->shape[i] < 0)
      return fail("'%s': negative dimension %" PRId64, path, t->shape[i]);
    if (t->shape[i] && elements > (size_t)PTRDIFF_MAX / (size_t)t->shape[i])
      return fail("'%s': tensor size overflows", path);
    elements *= (size_t)t->shape[i];
  }
  if (elements > (size_t)PTRDIFF_MAX / elementSize)
    return fail("'%s': tensor size overflows", path);
  t->numElements = elements;
  t->numBytes = elements * elementSize;
  if (!(t->data = allocAligned(t->numBytes)))
    return fail("out of memory reading '%s'", path);
  return true;
}

// The protobuf wire format: each field is a varint key (number << 3 | wire
// type) and a payload: 0 varint, 1 eight bytes, 2 varint length and bytes,
// 5 four bytes. Repeated scalars come one per field or packed into one
// length-delimited field; readers must accept both.

typedef struct Cursor {
  const uint8_t *pos, *end;
} Cursor;

/// False when truncated or longer than the ten bytes of a 64-bit value.
static bool readVarint(Cursor *c, uint64_t *value) {
  *value = 0;
  for (unsigned shift = 0; shift < 64 && c->pos < c->end; shift += 7) {
    uint8_t byte = *c->pos++;
    *value |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return true;
  }
  return false;
}

/// Reads a varint (wire type 0) or a fixed 8- or 4-byte value (1, 5).
static bool readScalar(Cursor *c, uint32_t wireType, uint64_t *value) {
  if (wireType == 0)
    return readVarint(c, value);
  size_t size = wireType == 1 ? 8 : 4;
  if ((size_t)(c->end - c->pos) < size)
    return false;
  *value = 0;
  for (size_t i = 0; i < size; ++i)
    *value |= (uint64_t)c->pos[i] << (8 * i);
  c->pos += size;
  return true;
}

typedef struct Field {
  uint32_t number, wireType;
  uint64_t value; // Wire types 0, 1, 5; else 0.
  Cursor bytes;   // The payload: wire type 2's bytes, or the encoded value.
} Field;

/// Reads the next field of a message; false on malformed input. Groups
/// (wire types 3, 4) are refused: onnx.proto has none.
static bool nextField(Cursor *c, Field *f) {
  uint64_t key, length;
  if (!readVarint(c, &key) || key >> 3 == 0 || key >> 3 > 0x1fffffff)
    return false;
  f->number = (uint32_t)(key >> 3);
  f->wireType = (uint32_t)(key & 7);
  f->bytes.pos = c->pos;
  if (f->wireType == 0 || f->wireType == 1 || f->wireType == 5) {
    bool ok = readScalar(c, f->wireType, &f->value);
    f->bytes.end = c->pos;
    return ok;
  }
  if (f->wireType != 2 || !readVarint(c, &length) ||
      length > (uint64_t)(c->end - c->pos))
    return false;
  f->value = 0;
  f->bytes = (Cursor){c->pos, c->pos + length};
  c->pos += length;
  return true;
}

/// Steps through the values of one occurrence of a repeated scalar field of
/// TensorProto, packed or not (the payload of an unpacked one is a single
/// value): 1 with a value, 0 at the end, -1 when malformed. `rest` starts as
/// f->bytes. float_data (4) holds fixed32, double_data (10) fixed64, dims
/// and the integer fields varints.
static int nextValue(const Field *f, Cursor *rest, uint64_t *value) {
  uint32_t wireType = f->number == 4 ? 5 : f->number == 10 ? 1 : 0;
  if (f->wireType != 2 && f->wireType != wireType)
    return -1;
  if (rest->pos == rest->end)
    return 0;
  return readScalar(rest, wireType, value) ? 1 : -1;
}

static bool malformedProto(const char *path, const Cursor *c,
                           const uint8_t *start) {
  return fail("'%s' is neither a .npy file nor a valid ONNX TensorProto "
              "(malformed near byte %zu)",
              path, (size_t)(c->pos - start));
}

/// Parses an onnx.TensorProto in two passes: the first reads dims,
/// data_type and raw_data and checks the framing of every field; the second
/// copies the typed values once their buffer exists.
static bool parseTensorProto(const char *path, const uint8_t *data, size_t size,
                             Tensor *t) {
  Cursor c = {data, data + size}, raw = {NULL, NULL}, rest;
  bool hasType = false, external = false, segmented = false;
  uint64_t value;
  Field f;
  int got;
  while (c.pos < c.end) {
    if (!nextField(&c, &f))
      return malformedProto(path, &c, data);
    if (f.number == 1) { // dims
      for (rest = f.bytes; (got = nextValue(&f, &rest, &value)) > 0;) {
        if (t->rank == maxRank)
          return fail("'%s' has more than %d dims", path, maxRank);
        t->shape[t->rank++] = (int64_t)value;
      }
      if (got < 0)
        return malformedProto(path, &c, data);
    } else if (f.number == 2 && f.wireType == 0) {
      t->dtype = (int32_t)f.value; // An enum: int32 sign-extended to 64 bits.
      hasType = true;
    } else if (f.number == 9 && f.wireType == 2) {
      raw = f.bytes;
    } else if ((f.number == 2 || f.number == 9) ||
               ((f.number == 6 || f.number == 8) && f.wireType != 2)) {
      return malformedProto(path, &c, data); // Wrong wire type.
    }
    segmented |= f.number == 3;
    external |= f.number == 13 || (f.number == 14 && f.value == 1);
  }
  if (external)
    return fail("'%s': tensors with external data are not supported", path);
  if (segmented)
    return fail("'%s': segmented tensors are not supported", path);
  if (!hasType || t->dtype == 0)
    return fail("'%s' has no data_type; is it an ONNX TensorProto?", path);
  if (!allocTensor(path, t))
    return false;
  if (raw.pos) {
    size_t rawSize = (size_t)(raw.end - raw.pos);
    if (rawSize != t->numBytes)
      return fail("'%s' has %zu bytes of raw_data, but its dims and data "
                  "type need %zu",
                  path, rawSize, t->numBytes);
    if (rawSize)
      memcpy(t->data, raw.pos, rawSize);
    return true;
  }

  uint32_t field = dtypes[t->dtype].field;
  int64_t min = dtypes[t->dtype].min;
  uint64_t max = dtypes[t->dtype].max;
  const char *fieldName = field == 4    ? "float_data"
                          : field == 5  ? "int32_data"
                          : field == 7  ? "int64_data"
                          : field == 10 ? "double_data"
                                        : "uint64_data";
  size_t elementSize = edge_dtype_size(t->dtype), count = 0;
  for (c.pos = data; c.pos < c.end && nextField(&c, &f);) {
    if (f.number != field)
      continue;
    for (rest = f.bytes; (got = nextValue(&f, &rest, &value)) > 0; ++count) {
      // int32_data holds int32 varints, sign-extended to 64 bits.
      bool fits = !max || (field == 11 ? value <= max
                                       : (int64_t)value >= min &&
                                             (int64_t)value <= (int64_t)max);
      if (!fits)
        return fail("'%s': value %" PRId64 " in %s does not fit %s", path,
                    (int64_t)value, fieldName, dtypeName(t->dtype));
      for (size_t k = 0; count < t->numElements && k < elementSize; ++k)
        t->data[count * elementSize + k] = (uint8_t)(value >> (8 * k));
    }
    if (got < 0)
      return malformedProto(path, &c, data);
  }
  if (count != t->numElements)
    return fail("'%s' holds %zu values in %s, but its dims need %zu", path,
                count, fieldName, t->numElements);
  return true;
}

// A .npy file: "\x93NUMPY", a version, a header length, then a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces, then the raw data. Only what numpy.save writes for
// numeric arrays in C order on a little-endian machine is accepted.

/// The text after "'key':" and spaces in the header [pos, end); NULL if the
/// key is missing.
static const char *npyValue(const char *pos, const char *end, const char *key) {
  for (size_t size = strlen(key); (size_t)(end - pos) >= size; ++pos)
    if (!memcmp(pos, key, size)) {
      for (pos += size; pos < end && (*pos == ' ' || *pos == ':');)
        ++pos;
      return pos;
    }
  return NULL;
}

/// A tuple of non-negative integers: "()", "(3,)", "(2, 3)".
static bool parseNpyShape(const char *pos, const char *end, Tensor *t) {
  if (!pos || pos == end || *pos++ != '(')
    return false;
  for (t->rank = 0; pos < end;) {
    while (pos < end && *pos == ' ')
      ++pos;
    if (pos < end && *pos == ')')
      return true;
    uint64_t dim = 0;
    const char *start = pos;
    for (; pos < end && *pos >= '0' && *pos <= '9'; ++pos)
      if ((dim = dim * 10 + (uint64_t)(*pos - '0')) > INT64_MAX / 10)
        return false;
    if (pos == start || t->rank == maxRank)
      return false;
    t->shape[t->rank++] = (int64_t)dim;
    while (pos < end && (*pos == ' ' || *pos == 'L')) // 'L': Python 2.
      ++pos;
    if (pos < end && *pos == ',')
      ++pos;
    else if (pos == end || *pos != ')')
      return false;
  }
  return false;
}

static bool parseNpy(const char *path, const uint8_t *data, size_t size,
                     Tensor *t) {
  unsigned major = size > 6 ? data[6] : 0;
  size_t start = major == 1 ? 10 : 12, headerSize = 0;
  if (major < 1 || major > 3)
    return fail("'%s': .npy format version %u is not supported", path, major);
  for (size_t i = 8; i < start && i < size; ++i) // Little-endian length.
    headerSize |= (size_t)data[i] << (8 * (i - 8));
  if (size < start || headerSize > size - start)
    return fail("'%s': truncated .npy header", path);

  const char *header = (const char *)data + start, *end = header + headerSize;
  const char *descr = npyValue(header, end, "'descr'");
  const char *order = npyValue(header, end, "'fortran_order'");
  if (!descr || end - descr < 5 || descr[0] != '\'' || !order ||
      !parseNpyShape(npyValue(header, end, "'shape'"), end, t))
    return fail("'%s': malformed .npy header", path);
  // Byte order does not apply to single bytes; otherwise only little-endian.
  bool ordered = descr[4] == '\'' &&
                 (descr[1] == '<' || descr[1] == '=' ||
                  (descr[3] == '1' && (descr[1] == '|' || descr[1] == '>')));
  for (t->dtype = 0; t->dtype < numDTypes && ordered; ++t->dtype)
    if (dtypes[t->dtype].npy && *dtypes[t->dtype].npy &&
        !memcmp(descr + 2, dtypes[t->dtype].npy, 2))
      break;
  if (t->dtype == numDTypes || !ordered)
    return fail("'%s': unsupported numpy dtype '%.3s' (expected a "
                "little-endian bool, integer or float type)",
                path, descr + 1);
  if (end - order >= 4 && !memcmp(order, "True", 4) && t->rank > 1)
    return fail("'%s': Fortran-ordered arrays are not supported; save "
                "numpy.ascontiguousarray(array) instead",
                path);
  if (!allocTensor(path, t))
    return false;
  size_t dataSize = size - start - headerSize;
  if (dataSize != t->numBytes)
    return fail("'%s': the array data has %zu bytes, but its shape and "
                "dtype need %zu",
                path, dataSize, t->numBytes);
  if (dataSize)
    memcpy(t->data, end, dataSize);
  return true;
}

/// Reads t->file, a .npy or TensorProto file recognized by its content.
static bool readTensorFile(Tensor *t) {
  const char *path = t->file;
  struct stat info;
  if (stat(path, &info) != 0)
    return fail("cannot read '%s': %s", path, strerror(errno));
  if (!S_ISREG(info.st_mode) || (uintmax_t)info.st_size > PTRDIFF_MAX)
    return fail("cannot read '%s': not a regular file of sensible size", path);
  FILE *file = fopen(path, "rb");
  if (!file)
    return fail("cannot read '%s': %s", path, strerror(errno));
  size_t size = (size_t)info.st_size;
  uint8_t *contents = malloc(size ? size : 1);
  bool ok = contents && fread(contents, 1, size, file) == size &&
            fgetc(file) == EOF && !ferror(file);
  fclose(file);
  if (!ok)
    fail("cannot read '%s'%s", path, contents ? "" : ": out of memory");
  else if (size >= 6 && !memcmp(contents, "\x93NUMPY", 6))
    ok = parseNpy(path, contents, size, t);
  else
    ok = parseTensorProto(path, contents, size, t);
  free(contents);
  return ok;
}

static void putVarint(FILE *file, uint64_t value) {
  for (; value > 0x7f; value >>= 7)
    fputc((int)(value & 0x7f) | 0x80, file);
  fputc((int)value, file);
}

/// Writes a TensorProto with dims (1), data_type (2), name (8) and raw_data
/// (9), in field order as protobuf serializers do.
static bool writeTensorProto(const char *path, const edge_tensor_info *info,
                             const void *data) {
  FILE *file = fopen(path, "wb");
  if (!file)
    return fail("cannot write '%s': %s", path, strerror(errno));
  for (int32_t i = 0; i < info->rank; ++i) {
    fputc(1 << 3 | 0, file);
    putVarint(file, (uint64_t)info->shape[i]);
  }
  fputc(2 << 3 | 0, file);
  putVarint(file, (uint64_t)info->dtype);
  fputc(8 << 3 | 2, file);
  putVarint(file, strlen(info->name));
  fputs(info->name, file);
  fputc(9 << 3 | 2, file);
  putVarint(file, info->num_bytes);
  fwrite(data, 1, info->num_bytes, file);
  bool ok = !ferror(file);
  if (fclose(file) != 0 || !ok)
    return fail("cannot write '%s'", path);
  return true;
}

/// mkdir -p.
static bool makeDirectories(char *path) {
  int error = 0;
  for (char *p = path + 1; !error; ++p) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    error = mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : errno;
    *p = saved;
    if (!saved)
      break;
  }
  struct stat info;
  if (error || stat(path, &info) != 0 || !S_ISDIR(info.st_mode))
    return fail("cannot create the output directory '%s': %s", path,
                strerror(error ? error : ENOTDIR));
  return true;
}

//===----------------------------------------------------------------------===//
// The model library
//===----------------------------------------------------------------------===//

typedef struct Model {
  void *library;
  edge_model *instance;
  uint32_t (*abiVersion)(void);
  edge_status (*create)(edge_model **);
  void (*destroy)(edge_model *);
  size_t (*numInputs)(const edge_model *);
  size_t (*numOutputs)(const edge_model *);
  const edge_tensor_info *(*input)(const edge_model *, size_t);
  const edge_tensor_info *(*output)(const edge_model *, size_t);
  edge_status (*run)(edge_model *, const void *const *, void *const *);
  const char *(*lastError)(const edge_model *);
  size_t (*workspaceBytes)(const edge_model *);
} Model;

/// Looks up `name` into the function pointer at `fn`. POSIX makes dlsym
/// results convertible to function pointers; memcpy does it without the
/// cast that ISO C lacks.
static bool resolve(Model *m, const char *path, const char *name, void *fn) {
  void *symbol = dlsym(m->library, name);
  if (!symbol)
    return fail("'%s' is not %s edge model library (it does not export %s)",
                path, fn == &m->abiVersion ? "an" : "a complete", name);
  memcpy(fn, &symbol, sizeof(symbol));
  return true;
}

/// A description we cannot trust would make us overrun buffers.
static bool checkInfo(const edge_tensor_info *info, const char *kind,
                      size_t index) {
  size_t elements = 1;
  for (int32_t i = 0; info && info->shape && i < info->rank; ++i)
    elements *= (size_t)info->shape[i];
  if (!info || !info->name || info->rank < 0 || info->rank > maxRank ||
      (info->rank && !info->shape) || !edge_dtype_size(info->dtype) ||
      info->num_elements != elements ||
      info->num_bytes != elements * edge_dtype_size(info->dtype))
    return fail("the model library describes %s %zu inconsistently", kind,
                index);
  return true;
}

static bool loadModel(const char *path, Model *m) {
  char fileError[512];
  if (!edge_check_library_file(path, fileError, sizeof(fileError)))
    return fail("%s", fileError);
  // Without a '/', dlopen would search the library path instead.
  char *openPath = malloc(strlen(path) + 3);
  if (!openPath)
    return fail("out of memory");
  sprintf(openPath, "%s%s", strchr(path, '/') ? "" : "./", path);
  dlerror();
  m->library = dlopen(openPath, RTLD_NOW | RTLD_LOCAL);
  free(openPath);
  if (!m->library) {
    const char *reason = dlerror();
    return fail("cannot load model '%s': %s", path,
                reason ? reason : "unknown dlopen error");
  }
  // The version is checked before anything else is called.
  if (!resolve(m, path, "edge_abi_version", &m->abiVersion))
    return false;
  uint32_t version = m->abiVersion();
  if (version != EDGE_ABI_VERSION)
    return fail("'%s' was built for edge ABI version %u, but this program "
                "supports version %u; recompile the model with a matching "
                "edge-compile",
                path, (unsigned)version, (unsigned)EDGE_ABI_VERSION);
  if (!resolve(m, path, "edge_model_create", &m->create) ||
      !resolve(m, path, "edge_model_destroy", &m->destroy) ||
      !resolve(m, path, "edge_model_num_inputs", &m->numInputs) ||
      !resolve(m, path, "edge_model_num_outputs", &m->numOutputs) ||
      !resolve(m, path, "edge_model_input", &m->input) ||
      !resolve(m, path, "edge_model_output", &m->output) ||
      !resolve(m, path, "edge_model_run", &m->run) ||
      !resolve(m, path, "edge_model_last_error", &m->lastError) ||
      !resolve(m, path, "edge_model_workspace_bytes", &m->workspaceBytes))
    return false;
  if (m->create(&m->instance) != EDGE_OK || !m->instance) {
    const char *reason = m->lastError(NULL);
    return fail("cannot create an instance of model '%s': %s", path,
                reason && *reason ? reason : "unknown error");
  }
  for (size_t i = 0; i < m->numInputs(m->instance); ++i)
    if (!checkInfo(m->input(m->instance, i), "input", i))
      return false;
  for (size_t i = 0; i < m->numOutputs(m->instance); ++i)
    if (!checkInfo(m->output(m->instance, i), "output", i))
      return false;
  return true;
}

/// Ends an error line with the list of graph inputs.
static bool failWithInputs(const Model *m) {
  size_t count = m->numInputs(m->instance);
  fputs(count ? ". Inputs: " : "", stderr);
  for (size_t i = 0; i < count; ++i) {
    const edge_tensor_info *info = m->input(m->instance, i);
    fprintf(stderr, "%s'%s': ", i ? ", " : "", info->name);
    printType(stderr, dtypeName(info->dtype), info->shape, (size_t)info->rank);
  }
  fputc('\n', stderr);
  return false;
}

/// Maps the --input arguments to one file per graph input, in graph order.
/// An argument is NAME=FILE when the text before its first '=' is the name
/// of a graph input; otherwise it is a file for the next input.
static bool assignInputs(const Model *m, char **specs, size_t numSpecs,
                         Tensor *inputs) {
  size_t count = m->numInputs(m->instance), positional = 0;
  const char *firstPositional = NULL;
  for (size_t s = 0; s < numSpecs; ++s) {
    const char *equals = strchr(specs[s], '=');
    size_t i = 0, size = equals ? (size_t)(equals - specs[s]) : 0;
    for (; equals && i < count; ++i) {
      const char *name = m->input(m->instance, i)->name;
      if (strlen(name) == size && !memcmp(name, specs[s], size))
        break;
    }
    if (!equals || i == count) {
      firstPositional = firstPositional ? firstPositional : specs[s];
      ++positional;
    } else if (inputs[i].file) {
      return fail("input '%s' is given twice", m->input(m->instance, i)->name);
    } else if (!(inputs[i].file = equals[1] ? equals + 1 : NULL)) {
      return fail("--input %s: no file after '='", specs[s]);
    }
  }
  if (positional && positional != numSpecs) {
    beginError();
    fprintf(stderr,
            "--input '%s' names no graph input; either name every input "
            "(NAME=FILE) or give them all in graph order",
            firstPositional);
    return failWithInputs(m);
  }
  if (positional == numSpecs && positional != count) {
    beginError();
    fprintf(stderr, "the model has %zu input(s) but %zu --input given", count,
            positional);
    return failWithInputs(m);
  }
  for (size_t i = 0; i < count; ++i) {
    inputs[i].file = positional ? specs[i] : inputs[i].file;
    if (!inputs[i].file) {
      beginError();
      fprintf(stderr, "no --input for graph input '%s'",
              m->input(m->instance, i)->name);
      return failWithInputs(m);
    }
  }
  return true;
}

/// Checks a tensor read for graph input `index` and says what differs.
static bool checkInput(const edge_tensor_info *info, size_t index,
                       const Tensor *t) {
  size_t rank = (size_t)info->rank, dim = 0;
  while (t->rank == rank && dim < rank && t->shape[dim] == info->shape[dim])
    ++dim;
  // numpy has no bfloat16: a bfloat16 input takes uint16 data, its bits.
  bool bfloat16Bits = info->dtype == EDGE_DTYPE_BFLOAT16 &&
                      t->dtype == EDGE_DTYPE_UINT16;
  bool dtypeFits = t->dtype == (int32_t)info->dtype || bfloat16Bits;
  if (dtypeFits && t->rank == rank && dim == rank)
    return true;
  beginError();
  fprintf(stderr, "input %zu '%s' expects ", index, info->name);
  printType(stderr, dtypeName(info->dtype), info->shape, rank);
  fprintf(stderr, ", but '%s' holds ", t->file);
  printType(stderr, dtypeName(t->dtype), t->shape, t->rank);
  if (!dtypeFits)
    fputs(" (the data type differs)\n", stderr);
  else if (t->rank != rank)
    fprintf(stderr, " (rank %zu, expected %zu)\n", t->rank, rank);
  else
    fprintf(stderr, " (dimension %zu is %" PRId64 ", expected %" PRId64 ")\n",
            dim, t->shape[dim], info->shape[dim]);
  return false;
}

/// IEEE half precision bits to single precision bits.
static uint32_t halfToFloatBits(uint32_t h) {
  uint32_t sign = (h & 0x8000) << 16, exponent = (h >> 10) & 0x1f,
           mantissa = h & 0x3ff;
  if (exponent == 31) // Infinity or NaN.
    return sign | 0x7f800000 | mantissa << 13;
  if (exponent)
    return sign | (exponent + 112) << 23 | mantissa << 13;
  if (!mantissa)
    return sign;
  // A subnormal half is a normal float: shift the leading one out.
  for (exponent = 113; !(mantissa & 0x400); --exponent)
    mantissa <<= 1;
  return sign | exponent << 23 | (mantissa & 0x3ff) << 13;
}

static void printValue(int32_t dtype, const uint8_t *p) {
  size_t size = edge_dtype_size(dtype);
  uint64_t bits = 0; // Assembled bytewise: outputs need not be aligned here.
  for (size_t i = 0; i < size; ++i)
    bits |= (uint64_t)p[i] << (8 * i);
  if (dtype == EDGE_DTYPE_FLOAT64) {
    double value;
    memcpy(&value, &bits, sizeof(value));
    printf("%g", value);
  } else if (dtype == EDGE_DTYPE_FLOAT32 || dtype == EDGE_DTYPE_FLOAT16 ||
             dtype == EDGE_DTYPE_BFLOAT16) {
    uint32_t wide = dtype == EDGE_DTYPE_FLOAT16
                        ? halfToFloatBits((uint32_t)bits)
                    : dtype == EDGE_DTYPE_BFLOAT16 ? (uint32_t)bits << 16
                                                   : (uint32_t)bits;
    float value;
    memcpy(&value, &wide, sizeof(value));
    printf("%g", value);
  } else if (dtype == EDGE_DTYPE_BOOL) {
    fputs(bits ? "true" : "false", stdout);
  } else if (dtypes[dtype].name[0] == 'u') {
    printf("%" PRIu64, bits);
  } else { // Sign-extend from `size` bytes (two's complement).
    unsigned shift = 64 - 8 * (unsigned)size;
    printf("%" PRId64, (int64_t)(bits << shift) >> shift);
  }
}

//===----------------------------------------------------------------------===//
// The driver
//===----------------------------------------------------------------------===//

typedef struct Options {
  char *model, *outputDir;
  char **inputs; // argc entries.
  size_t numInputs;
  long bench, threads;
} Options;

/// Returns false after an error; sets *help and stops at -h or --help.
static bool parseOptions(int argc, char **argv, Options *o, bool *help) {
  static const char *const names[] = {"--input", "--output-dir", "--bench",
                                      "--threads"};
  for (int i = 1; i < argc; ++i) {
    char *arg = argv[i], *value, *equals = strchr(arg, '='), *end;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
      return *help = true;
    if (arg[0] != '-' || !arg[1]) {
      if (o->model)
        return fail("unexpected argument '%s' (the model is already '%s')", arg,
                    o->model);
      o->model = arg;
      continue;
    }
    // "--name=value" or "--name value".
    size_t size =
        equals && !strncmp(arg, "--", 2) ? (size_t)(equals - arg) : strlen(arg);
    int option = 0;
    while (option < 4 &&
           (strlen(names[option]) != size || strncmp(arg, names[option], size)))
      ++option;
    if (option == 4)
      return fail("unknown option '%.*s' (see --help)", (int)size, arg);
    if (arg[size])
      value = arg + size + 1;
    else if (i + 1 < argc)
      value = argv[++i];
    else
      return fail("%s expects a value", arg);
    if (!*value)
      return fail("%s expects a value", names[option]);
    if (option < 2) {
      if (option == 0)
        o->inputs[o->numInputs++] = value;
      else
        o->outputDir = value;
      continue;
    }
    errno = 0;
    long count = strtol(value, &end, 10);
    if (*end || errno || count < 1 || count > 1000000000)
      return fail("%s expects a positive integer, got '%s'", names[option],
                  value);
    *(option == 2 ? &o->bench : &o->threads) = count;
  }
  if (!o->model)
    return fail("no model given (see --help)");
  return true;
}

static double nowMs(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static bool runModel(Model *m, const void *const *in, void *const *out,
                     double *ms) {
  double start = nowMs();
  if (m->run(m->instance, in, out) != EDGE_OK) {
    const char *reason = m->lastError(m->instance);
    return fail("running the model failed: %s",
                reason && *reason ? reason : "unknown error");
  }
  *ms = nowMs() - start;
  return true;
}

/// What one invocation owns; main frees it all, whatever happened.
typedef struct State {
  Options options;
  Model model;
  size_t numInputs, numOutputs;
  Tensor *inputs;
  const void **inputData;
  void **outputs;
  double *times;
  char *path;
} State;

/// Prints "output NAME DTYPE [DIMS]: [first values, ...]" per output.
static void printOutputs(const State *s) {
  for (size_t i = 0; i < s->numOutputs; ++i) {
    const edge_tensor_info *info = s->model.output(s->model.instance, i);
    size_t size = edge_dtype_size(info->dtype), shown = info->num_elements;
    shown = shown < maxPrinted ? shown : maxPrinted;
    printf("output %s %s ", info->name, dtypeName(info->dtype));
    printType(stdout, "", info->shape, (size_t)info->rank);
    fputs(": [", stdout);
    for (size_t k = 0; k < shown; ++k) {
      fputs(k ? ", " : "", stdout);
      printValue(info->dtype, (const uint8_t *)s->outputs[i] + k * size);
    }
    printf("%s]\n", info->num_elements > shown ? ", ..." : "");
  }
}

static bool writeOutputs(State *s, const char *dir) {
  // Room for "/output_<20 digits>.pb".
  if (!(s->path = malloc(strlen(dir) + 32)))
    return fail("out of memory");
  if (!makeDirectories(strcpy(s->path, dir)))
    return false;
  for (size_t i = 0; i < s->numOutputs; ++i) {
    sprintf(s->path, "%s/output_%zu.pb", dir, i);
    if (!writeTensorProto(s->path, s->model.output(s->model.instance, i),
                          s->outputs[i]))
      return false;
    printf("wrote %s\n", s->path);
  }
  return true;
}

/// Times `runs` more runs; the first run was the warm-up.
static bool bench(State *s, long runs) {
  if (!(s->times = malloc((size_t)runs * sizeof(double))))
    return fail("out of memory for %ld timings", runs);
  for (long i = 0; i < runs; ++i)
    if (!runModel(&s->model, s->inputData, s->outputs, &s->times[i]))
      return false;
  qsort(s->times, (size_t)runs, sizeof(double), compareDoubles);
  size_t middle = (size_t)runs / 2;
  double median = runs % 2 ? s->times[middle]
                           : (s->times[middle - 1] + s->times[middle]) / 2;
  printf("bench: runs=%ld median_ms=%.3f min_ms=%.3f\n", runs, median,
         s->times[0]);
  return true;
}

static bool runTool(State *s) {
  Model *m = &s->model;
  double start = nowMs(), latency;
  if (!loadModel(s->options.model, m))
    return false;
  printf("load: load_ms=%.3f\n", nowMs() - start);
  printf("memory: workspace_bytes=%zu\n", m->workspaceBytes(m->instance));

  s->numInputs = m->numInputs(m->instance);
  s->numOutputs = m->numOutputs(m->instance);
  // One spare entry each, so that no allocation is of zero bytes.
  s->inputs = calloc(s->numInputs + 1, sizeof(Tensor));
  s->inputData = calloc(s->numInputs + 1, sizeof(void *));
  s->outputs = calloc(s->numOutputs + 1, sizeof(void *));
  if (!s->inputs || !s->inputData || !s->outputs)
    return fail("out of memory");
  if (!assignInputs(m, s->options.inputs, s->options.numInputs, s->inputs))
    return false;
  for (size_t i = 0; i < s->numInputs; ++i) {
    if (!readTensorFile(&s->inputs[i]) ||
        !checkInput(m->input(m->instance, i), i, &s->inputs[i]))
      return false;
    s->inputData[i] = s->inputs[i].data;
  }
  for (size_t i = 0; i < s->numOutputs; ++i)
    if (!(s->outputs[i] = allocAligned(m->output(m->instance, i)->num_bytes)))
      return fail("out of memory for output %zu", i);

  if (!runModel(m, s->inputData, s->outputs, &latency))
    return false;
  printf("run: latency_ms=%.3f\n", latency);
  printOutputs(s);
  return (!s->options.outputDir || writeOutputs(s, s->options.outputDir)) &&
         (!s->options.bench || bench(s, s->options.bench));
}

int main(int argc, char **argv) {
  State s = {.options.inputs = malloc((size_t)argc * sizeof(char *))};
  bool help = false;
  bool ok = s.options.inputs ? parseOptions(argc, argv, &s.options, &help)
                             : fail("out of memory");
  if (ok && help) {
    fputs(usage, stdout);
  } else if (ok) {
    // Set before the library loads, as its runtime may read it then.
    if (s.options.threads) {
      char text[24];
      snprintf(text, sizeof(text), "%ld", s.options.threads);
      setenv("EDGE_NUM_THREADS", text, 1);
    }
    ok = runTool(&s);
  }

  for (size_t i = 0; s.inputs && i < s.numInputs; ++i)
    free(s.inputs[i].data);
  for (size_t i = 0; s.outputs && i < s.numOutputs; ++i)
    free(s.outputs[i]);
  free(s.inputs);
  free(s.inputData);
  free(s.outputs);
  free(s.times);
  free(s.path);
  free(s.options.inputs);
  if (s.model.instance)
    s.model.destroy(s.model.instance);
  if (s.model.library)
    dlclose(s.model.library);
  return ok ? 0 : 1;
}
