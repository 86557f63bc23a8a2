//===- Types.cpp - ONNX element types and tensors to MLIR -----------------===//

#include "GraphImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/StringExtras.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::edge::onnx_import;
using onnx::TensorProto;

Type mlir::edge::onnx_import::convertElementType(int32_t dataType,
                                                 MLIRContext *context) {
  Builder b(context);
  switch (dataType) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::BOOL:
    return b.getI1Type();
  // MLIR arithmetic is on signless integers; the unsigned ONNX types keep
  // their width here and their ONNX code in the function signature.
  case TensorProto::INT8:
  case TensorProto::UINT8:
  case kOnnxInt4:
  case kOnnxUInt4:
    return b.getIntegerType(8);
  case TensorProto::INT16:
  case TensorProto::UINT16:
    return b.getIntegerType(16);
  case TensorProto::INT32:
  case TensorProto::UINT32:
    return b.getIntegerType(32);
  case TensorProto::INT64:
  case TensorProto::UINT64:
    return b.getIntegerType(64);
  default:
    return {};
  }
}

bool mlir::edge::onnx_import::isUnsignedDataType(int32_t dataType) {
  return dataType == TensorProto::UINT8 || dataType == TensorProto::UINT16 ||
         dataType == TensorProto::UINT32 || dataType == TensorProto::UINT64 ||
         dataType == kOnnxUInt4;
}

std::string mlir::edge::onnx_import::getElementTypeName(int32_t dataType) {
  // The types of ONNX 1.14 to 1.18 (opsets 19 to 23), which the linked
  // ONNX 1.12 does not name.
  static constexpr std::pair<int32_t, StringLiteral> kNewerTypes[] = {
      {17, "FLOAT8E4M3FN"},   {18, "FLOAT8E4M3FNUZ"}, {19, "FLOAT8E5M2"},
      {20, "FLOAT8E5M2FNUZ"}, {kOnnxUInt4, "UINT4"},  {kOnnxInt4, "INT4"},
      {23, "FLOAT4E2M1"}};
  for (auto [code, name] : kNewerTypes)
    if (dataType == code)
      return name.str();
  if (TensorProto::DataType_IsValid(dataType))
    return TensorProto::DataType_Name(
        static_cast<TensorProto::DataType>(dataType));
  return "data type " + std::to_string(dataType);
}

size_t mlir::edge::onnx_import::getRawElementSize(int32_t dataType) {
  switch (dataType) {
  case TensorProto::BOOL:
  case TensorProto::INT8:
  case TensorProto::UINT8:
  case kOnnxInt4:
  case kOnnxUInt4:
    return 1;
  case TensorProto::INT16:
  case TensorProto::UINT16:
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
    return 2;
  case TensorProto::INT32:
  case TensorProto::UINT32:
  case TensorProto::FLOAT:
    return 4;
  case TensorProto::INT64:
  case TensorProto::UINT64:
  case TensorProto::DOUBLE:
  case TensorProto::COMPLEX64:
    return 8;
  case TensorProto::COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

int64_t mlir::edge::onnx_import::getStoredElementCount(int32_t dataType,
                                                       int64_t count) {
  return isInt4DataType(dataType) ? count / 2 + count % 2 : count;
}

std::optional<int64_t>
mlir::edge::onnx_import::getElementCount(ArrayRef<int64_t> dims,
                                         int64_t limit) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0 || (dim > 0 && count > limit / dim))
      return std::nullopt;
    count *= dim;
  }
  // A zero dimension after huge ones still describes no elements.
  if (count > limit)
    return std::nullopt;
  return count;
}

/// Appends the low `size` bytes of `value` (little-endian host).
template <typename T>
static void appendBytes(std::vector<char> &bytes, T value, size_t size) {
  char buffer[sizeof(T)];
  std::memcpy(buffer, &value, sizeof(T));
  bytes.insert(bytes.end(), buffer, buffer + size);
}

std::vector<char>
mlir::edge::onnx_import::getTensorBytes(const TensorProto &tensor,
                                        size_t elementSize) {
  if (tensor.has_raw_data())
    return std::vector<char>(tensor.raw_data().begin(),
                             tensor.raw_data().end());
  std::vector<char> bytes;
  switch (tensor.data_type()) {
  case TensorProto::FLOAT:
    for (float v : tensor.float_data())
      appendBytes(bytes, v, 4);
    break;
  case TensorProto::DOUBLE:
    for (double v : tensor.double_data())
      appendBytes(bytes, v, 8);
    break;
  case TensorProto::INT64:
    for (int64_t v : tensor.int64_data())
      appendBytes(bytes, v, 8);
    break;
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    for (uint64_t v : tensor.uint64_data())
      appendBytes(bytes, v, elementSize);
    break;
  default: // int32_data holds the narrow integer, bool and 16-bit float types.
    for (int32_t v : tensor.int32_data())
      appendBytes(bytes, v, elementSize);
    break;
  }
  return bytes;
}

/// `count` 4-bit elements packed two per byte (the first in the low half)
/// as one byte each, sign-extended when `isSigned`.
static std::vector<char> unpackInt4(ArrayRef<char> packed, int64_t count,
                                    bool isSigned) {
  std::vector<char> values(count);
  for (int64_t i = 0; i < count; ++i) {
    int nibble = getPackedNibble(packed.data(), i);
    values[i] =
        static_cast<char>(isSigned && nibble >= 8 ? nibble - 16 : nibble);
  }
  return values;
}

FailureOr<ElementsAttr>
mlir::edge::onnx_import::convertTensor(const TensorProto &tensor, Location loc,
                                       size_t resourceThreshold) {
  MLIRContext *context = loc.getContext();
  // checkModel has loaded external data and checked the sizes; these checks
  // guard tensors that reach here by other paths (--bind-input files).
  if (tensor.data_location() == TensorProto::EXTERNAL)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' keeps its data in an external file, which is "
                             "only read for tensors of a model file";
  Type elementType = convertElementType(tensor.data_type(), context);
  if (!elementType)
    return emitError(loc) << "tensor '" << tensor.name() << "' has element type "
                          << getElementTypeName(tensor.data_type())
                          << ", which is not supported";
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  size_t elementSize = getRawElementSize(tensor.data_type());
  std::optional<int64_t> count = getElementCount(
      shape, std::numeric_limits<int64_t>::max() / elementSize);
  if (!count)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has invalid dimensions";
  auto type = RankedTensorType::get(shape, elementType);
  std::vector<char> bytes = getTensorBytes(tensor, elementSize);
  int64_t stored = getStoredElementCount(tensor.data_type(), *count);
  if (bytes.size() != static_cast<size_t>(stored) * elementSize)
    return emitError(loc) << "tensor '" << tensor.name() << "' holds "
                          << bytes.size() << " bytes of data, expected "
                          << stored * elementSize;
  if (isInt4DataType(tensor.data_type()))
    bytes = unpackInt4(bytes, *count, tensor.data_type() == kOnnxInt4);

  if (elementType.isInteger(1)) {
    SmallVector<bool> values;
    for (char byte : bytes)
      values.push_back(byte != 0);
    return ElementsAttr(DenseElementsAttr::get(type, values));
  }
  if (bytes.size() >= resourceThreshold) {
    std::string blobName = "onnx_" + tensor.name();
    for (char &c : blobName)
      if (!llvm::isAlnum(c) && c != '_' && c != '.')
        c = '_';
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        bytes, /*align=*/64, /*dataIsMutable=*/false);
    return ElementsAttr(
        DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
  }
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes));
}
