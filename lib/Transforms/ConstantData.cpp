//===- ConstantData.cpp - Read and build f32 constants --------------------===//

#include "ConstantData.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

/// Constants at least this large are written as resource blobs, like the
/// importer's initializers.
static constexpr size_t kResourceThresholdBytes = 256;

std::optional<SmallVector<float>> mlir::edge::readF32Constant(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    return llvm::to_vector(dense.getValues<float>());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return SmallVector<float>(*data);
  }
  return std::nullopt;
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
