//===- Tensor.h - Host tensors of edge-run ----------------------*- C++ -*-===//
//
// A dense row-major tensor in host memory, and the file formats edge-run
// reads and writes it in: ONNX TensorProto (.pb) and NumPy (.npy). Every
// reader validates the file completely and reports errors as text.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_TOOLS_EDGE_RUN_TENSOR_H
#define EDGE_TOOLS_EDGE_RUN_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace edge {
namespace run {

/// A byte buffer aligned to a cache line, so that generated code never sees
/// a less aligned buffer than an allocator would give it.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  /// Allocates `size` zeroed bytes; throws std::bad_alloc on failure.
  explicit AlignedBuffer(size_t size);

  uint8_t *data() { return bytes.get(); }
  const uint8_t *data() const { return bytes.get(); }
  size_t size() const { return numBytes; }

private:
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], Free> bytes;
  size_t numBytes = 0;
};

struct HostTensor {
  /// The name stored in the file (TensorProto only; may be empty).
  std::string name;
  /// ONNX TensorProto.DataType code.
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  AlignedBuffer data;
};

/// Computes the byte size of a tensor, rejecting unsupported dtypes, negative
/// dimensions and sizes that overflow. Returns false and sets `error`.
bool computeNumBytes(int32_t dtype, const std::vector<int64_t> &shape,
                     size_t &numBytes, std::string &error);

/// Reads a whole file. Returns false and sets `error` on failure.
bool readFile(const std::string &path, std::string &contents,
              std::string &error);

/// Parses the contents of an ONNX TensorProto file read from `path`: its
/// raw_data or the typed value fields.
bool parseTensorProto(const std::string &path, const std::string &contents,
                      HostTensor &tensor, std::string &error);

/// Writes `data` as a TensorProto with `name`, dims, data_type and raw_data.
bool writeTensorProto(const std::string &path, const std::string &name,
                      int32_t dtype, const int64_t *shape, size_t rank,
                      const void *data, size_t numBytes, std::string &error);

/// True when `contents` starts with the NumPy magic string.
bool isNpy(const std::string &contents);

/// Parses a .npy file (format 1.0, 2.0 or 3.0; little-endian, C order).
bool parseNpy(const std::string &path, const std::string &contents,
              HostTensor &tensor, std::string &error);

/// Reads a tensor from a .npy or TensorProto file, recognized by content.
bool readTensorFile(const std::string &path, HostTensor &tensor,
                    std::string &error);

/// Formats the first `limit` elements: "[1, 2.5, ...]".
std::string formatValues(int32_t dtype, const void *data, size_t numElements,
                         size_t limit);

} // namespace run
} // namespace edge

#endif // EDGE_TOOLS_EDGE_RUN_TENSOR_H
