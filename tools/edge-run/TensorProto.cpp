//===- TensorProto.cpp - ONNX TensorProto files for edge-run --------------===//
//
// Reads tensors as the ONNX backend test data stores them: raw_data, or one
// of the typed value fields (float_data, int32_data, int64_data, double_data,
// uint64_data). Writes outputs with raw_data.
//
//===----------------------------------------------------------------------===//

#include "Tensor.h"

#include "edge/Runtime/ModelLoader.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <type_traits>

using namespace edge;
using namespace edge::run;

static_assert(
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "raw_data is little-endian; edge-run assumes a little-endian host");

namespace {
/// Copies typed values into the tensor's buffer, narrowing each one to the
/// element type after a range check.
class TypedCopier {
public:
  TypedCopier(const std::string &path, HostTensor &tensor, size_t numElements,
              std::string &error)
      : path(path), tensor(tensor), numElements(numElements), error(error) {}

  /// `Field` is a repeated protobuf field; `Element` the stored type.
  template <typename Element, typename Field>
  bool copy(const Field &values, const char *fieldName, int64_t min,
            uint64_t max) {
    if (static_cast<size_t>(values.size()) != numElements) {
      error = "'" + path + "' holds " + std::to_string(values.size()) +
              " values in " + fieldName + ", but its dims need " +
              std::to_string(numElements);
      return false;
    }
    uint8_t *out = tensor.data.data();
    for (size_t i = 0; i < numElements; ++i) {
      auto value = values.Get(static_cast<int>(i));
      if (!inRange(value, min, max)) {
        error = "'" + path + "': value " + std::to_string(value) + " in " +
                fieldName + " does not fit " + getDTypeName(tensor.dtype);
        return false;
      }
      Element element = static_cast<Element>(value);
      std::memcpy(out + i * sizeof(Element), &element, sizeof(Element));
    }
    return true;
  }

private:
  template <typename T>
  static bool inRange(T value, int64_t min, uint64_t max) {
    if constexpr (std::is_floating_point_v<T>) {
      return true;
    } else if constexpr (std::is_signed_v<T>) {
      return value >= min && (value < 0 || static_cast<uint64_t>(value) <= max);
    } else {
      return static_cast<uint64_t>(value) <= max;
    }
  }

  const std::string &path;
  HostTensor &tensor;
  size_t numElements;
  std::string &error;
};
} // namespace

/// Fills `tensor.data` from the typed value field that `dtype` uses.
static bool copyTypedData(const std::string &path,
                          const onnx::TensorProto &proto, HostTensor &tensor,
                          size_t numElements, std::string &error) {
  TypedCopier copier(path, tensor, numElements, error);
  switch (tensor.dtype) {
  case EDGE_DTYPE_FLOAT32:
    return copier.copy<float>(proto.float_data(), "float_data", 0, 0);
  case EDGE_DTYPE_FLOAT64:
    return copier.copy<double>(proto.double_data(), "double_data", 0, 0);
  case EDGE_DTYPE_INT64:
    return copier.copy<int64_t>(proto.int64_data(), "int64_data", INT64_MIN,
                                INT64_MAX);
  case EDGE_DTYPE_UINT32:
    return copier.copy<uint32_t>(proto.uint64_data(), "uint64_data", 0,
                                 UINT32_MAX);
  case EDGE_DTYPE_UINT64:
    return copier.copy<uint64_t>(proto.uint64_data(), "uint64_data", 0,
                                 UINT64_MAX);
  case EDGE_DTYPE_INT32:
    return copier.copy<int32_t>(proto.int32_data(), "int32_data", INT32_MIN,
                                INT32_MAX);
  case EDGE_DTYPE_INT16:
    return copier.copy<int16_t>(proto.int32_data(), "int32_data", INT16_MIN,
                                INT16_MAX);
  case EDGE_DTYPE_INT8:
    return copier.copy<int8_t>(proto.int32_data(), "int32_data", INT8_MIN,
                               INT8_MAX);
  case EDGE_DTYPE_UINT16:
  case EDGE_DTYPE_FLOAT16:
  case EDGE_DTYPE_BFLOAT16:
    // Half-precision values are stored as their bit patterns.
    return copier.copy<uint16_t>(proto.int32_data(), "int32_data", 0,
                                 UINT16_MAX);
  case EDGE_DTYPE_UINT8:
    return copier.copy<uint8_t>(proto.int32_data(), "int32_data", 0, UINT8_MAX);
  case EDGE_DTYPE_BOOL:
    return copier.copy<uint8_t>(proto.int32_data(), "int32_data", 0, 1);
  default:
    error =
        "'" + path + "': unsupported data type " + getDTypeName(tensor.dtype);
    return false;
  }
}

bool run::parseTensorProto(const std::string &path, const std::string &contents,
                           HostTensor &tensor, std::string &error) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(contents)) {
    error = "'" + path + "' is neither a .npy file nor an ONNX TensorProto";
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL ||
      proto.external_data_size() != 0) {
    error = "'" + path + "': tensors with external data are not supported";
    return false;
  }
  if (proto.has_segment()) {
    error = "'" + path + "': segmented tensors are not supported";
    return false;
  }
  if (!proto.has_data_type() ||
      proto.data_type() == onnx::TensorProto::UNDEFINED) {
    error = "'" + path + "' has no data_type; is it an ONNX TensorProto?";
    return false;
  }

  tensor.name = proto.name();
  tensor.dtype = proto.data_type();
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  size_t numBytes = 0;
  std::string sizeError;
  if (!computeNumBytes(tensor.dtype, tensor.shape, numBytes, sizeError)) {
    error = "'" + path + "': " + sizeError;
    return false;
  }
  size_t numElements = numBytes / edge_dtype_size(tensor.dtype);
  // Every element is stored in the file (at least a byte each, as raw data
  // or in a packed field): dims that claim more are refused before the
  // buffer is allocated.
  if (numElements > contents.size()) {
    error = "'" + path + "': its dims describe " + std::to_string(numElements) +
            " elements, more than its " + std::to_string(contents.size()) +
            " bytes can hold";
    return false;
  }
  tensor.data = AlignedBuffer(numBytes);

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != numBytes) {
      error = "'" + path + "' has " + std::to_string(raw.size()) +
              " bytes of raw_data, but its dims and data type need " +
              std::to_string(numBytes);
      return false;
    }
    std::memcpy(tensor.data.data(), raw.data(), numBytes);
    return true;
  }
  return copyTypedData(path, proto, tensor, numElements, error);
}

bool run::writeTensorProto(const std::string &path, const std::string &name,
                           int32_t dtype, const int64_t *shape, size_t rank,
                           const void *data, size_t numBytes,
                           std::string &error) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(dtype);
  for (size_t i = 0; i < rank; ++i)
    proto.add_dims(shape[i]);
  proto.set_raw_data(data, numBytes);
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  if (!stream || !proto.SerializeToOstream(&stream)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  stream.close();
  if (!stream) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}
