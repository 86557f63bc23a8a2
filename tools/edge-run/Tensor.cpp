//===- Tensor.cpp - Host tensors of edge-run ------------------------------===//
//
// Buffers, sizes and value formatting shared by the TensorProto and NumPy
// readers and by the output summary.
//
//===----------------------------------------------------------------------===//

#include "Tensor.h"

#include "edge/Runtime/ModelLoader.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <sys/stat.h>

using namespace edge;
using namespace edge::run;

AlignedBuffer::AlignedBuffer(size_t size) : numBytes(size) {
  constexpr size_t alignment = 64;
  if (size > std::numeric_limits<size_t>::max() - alignment)
    throw std::bad_alloc();
  // aligned_alloc wants a multiple of the alignment, and never zero bytes.
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  void *memory = std::aligned_alloc(alignment, rounded ? rounded : alignment);
  if (!memory)
    throw std::bad_alloc();
  std::memset(memory, 0, rounded ? rounded : alignment);
  bytes.reset(static_cast<uint8_t *>(memory));
}

bool run::computeNumBytes(int32_t dtype, const std::vector<int64_t> &shape,
                          size_t &numBytes, std::string &error) {
  size_t elementSize = edge_dtype_size(dtype);
  if (elementSize == 0) {
    error = "unsupported data type " + getDTypeName(dtype);
    return false;
  }
  // PTRDIFF_MAX bounds the size of any object.
  const size_t limit = static_cast<size_t>(PTRDIFF_MAX);
  size_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      error = "negative dimension " + std::to_string(dim);
      return false;
    }
    if (dim != 0 && elements > limit / static_cast<uint64_t>(dim)) {
      error = "tensor size overflows";
      return false;
    }
    elements *= static_cast<size_t>(dim);
  }
  if (elements > limit / elementSize) {
    error = "tensor size overflows";
    return false;
  }
  numBytes = elements * elementSize;
  return true;
}

bool run::readFile(const std::string &path, std::string &contents,
                   std::string &error) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "cannot read '" + path + "': not a regular file";
    return false;
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  if (stream.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  contents = std::move(buffer).str();
  return true;
}

bool run::readTensorFile(const std::string &path, HostTensor &tensor,
                         std::string &error) {
  std::string contents;
  if (!readFile(path, contents, error))
    return false;
  if (isNpy(contents))
    return parseNpy(path, contents, tensor, error);
  return parseTensorProto(path, contents, tensor, error);
}

/// IEEE half precision bits to float.
static float halfToFloat(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  float value;
  if (exponent == 0)
    value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    value = mantissa ? std::numeric_limits<float>::quiet_NaN()
                     : std::numeric_limits<float>::infinity();
  else
    value = std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
  return (bits & 0x8000) ? -value : value;
}

static float bfloat16ToFloat(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

/// Loads element `index` of a buffer of T without alignment assumptions.
template <typename T> static T load(const void *data, size_t index) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t *>(data) + index * sizeof(T),
              sizeof(T));
  return value;
}

static std::string formatFloat(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

static std::string formatElement(int32_t dtype, const void *data,
                                 size_t index) {
  switch (dtype) {
  case EDGE_DTYPE_FLOAT32:
    return formatFloat(load<float>(data, index));
  case EDGE_DTYPE_FLOAT64:
    return formatFloat(load<double>(data, index));
  case EDGE_DTYPE_FLOAT16:
    return formatFloat(halfToFloat(load<uint16_t>(data, index)));
  case EDGE_DTYPE_BFLOAT16:
    return formatFloat(bfloat16ToFloat(load<uint16_t>(data, index)));
  case EDGE_DTYPE_BOOL:
    return load<uint8_t>(data, index) ? "true" : "false";
  case EDGE_DTYPE_UINT8:
    return std::to_string(load<uint8_t>(data, index));
  case EDGE_DTYPE_INT8:
    return std::to_string(load<int8_t>(data, index));
  case EDGE_DTYPE_UINT16:
    return std::to_string(load<uint16_t>(data, index));
  case EDGE_DTYPE_INT16:
    return std::to_string(load<int16_t>(data, index));
  case EDGE_DTYPE_INT32:
    return std::to_string(load<int32_t>(data, index));
  case EDGE_DTYPE_UINT32:
    return std::to_string(load<uint32_t>(data, index));
  case EDGE_DTYPE_INT64:
    return std::to_string(load<int64_t>(data, index));
  case EDGE_DTYPE_UINT64:
    return std::to_string(load<uint64_t>(data, index));
  default:
    return "?";
  }
}

std::string run::formatValues(int32_t dtype, const void *data,
                              size_t numElements, size_t limit) {
  std::string text = "[";
  for (size_t i = 0; i < numElements && i < limit; ++i) {
    if (i)
      text += ", ";
    text += formatElement(dtype, data, i);
  }
  if (numElements > limit)
    text += ", ...";
  return text + "]";
}
