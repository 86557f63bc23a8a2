//===- ConstantData.cpp - Read and build f32 constants --------------------===//

#include "ConstantData.h"

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

std::optional<SmallVector<float>> mlir::edge::readF32Constant(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !isReadableF32Elements(attr))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return llvm::to_vector(dense.getValues<float>());
  return SmallVector<float>(
      *cast<DenseF32ResourceElementsAttr>(attr).tryGetAsArrayRef());
}

ElementsAttr mlir::edge::makeF32ElementsAttr(RankedTensorType type,
                                             ArrayRef<float> values,
                                             StringRef blobName) {
  if (values.size() * sizeof(float) < kResourceThresholdBytes)
    return DenseElementsAttr::get(type, values);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
      values, /*dataIsMutable=*/false);
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}
