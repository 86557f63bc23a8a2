//===- ConstantData.cpp - Read and build weight constants -----------------===//

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

/// Constants at least this large are written as resource blobs, like the
/// importer's initializers.
static constexpr size_t kResourceThresholdBytes = 256;

bool mlir::edge::isReadableF32Elements(Attribute attr) {
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(attr))
    return dense.getElementType().isF32();
  if (auto resource = dyn_cast_or_null<DenseF32ResourceElementsAttr>(attr))
    return resource.tryGetAsArrayRef().has_value();
  return false;
}

bool mlir::edge::isReadableI8Elements(Attribute attr) {
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(attr))
    return dense.getElementType().isInteger(8);
  if (auto resource = dyn_cast_or_null<DenseI8ResourceElementsAttr>(attr))
    return resource.tryGetAsArrayRef().has_value();
  return false;
}

/// The elements of the constant `value`, of element type `T` stored as
/// `Resource` when in a blob; nullopt when `value` is no readable constant
/// of that type.
template <typename T, typename Resource>
static std::optional<SmallVector<T>> readConstant(Value value,
                                                  Type elementType) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.getElementType() != elementType)
      return std::nullopt;
    return llvm::to_vector(dense.getValues<T>());
  }
  // The resource kind checks the element type.
  if (auto resource = dyn_cast<Resource>(attr))
    if (std::optional<ArrayRef<T>> data = resource.tryGetAsArrayRef())
      return SmallVector<T>(*data);
  return std::nullopt;
}

std::optional<SmallVector<float>> mlir::edge::readF32Constant(Value value) {
  if (!value)
    return std::nullopt;
  return readConstant<float, DenseF32ResourceElementsAttr>(
      value, Float32Type::get(value.getContext()));
}

std::optional<SmallVector<int8_t>> mlir::edge::readI8Constant(Value value) {
  if (!value)
    return std::nullopt;
  return readConstant<int8_t, DenseI8ResourceElementsAttr>(
      value, IntegerType::get(value.getContext(), 8));
}

template <typename T>
static ElementsAttr makeElementsAttr(RankedTensorType type, ArrayRef<T> values,
                                     StringRef blobName) {
  if (values.size() * sizeof(T) < kResourceThresholdBytes)
    return DenseElementsAttr::get(type, values);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
      values, /*dataIsMutable=*/false);
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}

ElementsAttr mlir::edge::makeF32ElementsAttr(RankedTensorType type,
                                             ArrayRef<float> values,
                                             StringRef blobName) {
  return makeElementsAttr(type, values, blobName);
}

ElementsAttr mlir::edge::makeI8ElementsAttr(RankedTensorType type,
                                            ArrayRef<int8_t> values,
                                            StringRef blobName) {
  return makeElementsAttr(type, values, blobName);
}

std::optional<SmallVector<int8_t>> mlir::edge::readI4Constant(Value value) {
  DenseIntElementsAttr dense;
  if (!value || !matchPattern(value, m_Constant(&dense)) ||
      !dense.getElementType().isInteger(4))
    return std::nullopt;
  return llvm::map_to_vector(dense.getValues<APInt>(), [](const APInt &v) {
    return static_cast<int8_t>(v.getSExtValue());
  });
}

DenseElementsAttr mlir::edge::makeI4ElementsAttr(RankedTensorType type,
                                                 ArrayRef<int8_t> values) {
  // Dense storage holds one element per byte for widths under 8 but 1; the
  // low four bits are the value.
  SmallVector<char> bytes = llvm::map_to_vector(
      values, [](int8_t v) { return static_cast<char>(v & 0xF); });
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}
