//===- ConstantData.h - Read and build weight constants ---------*- C++ -*-===//
//
// Rewrites that compute new weights at compile time (batch-norm folding,
// weight packing, int8 and int4 quantization, dequantization of constant
// weights at import) read constants stored inline or as resource blobs and
// write their results the way the importer writes initializers.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_DIALECT_EDGE_IR_CONSTANTDATA_H
#define EDGE_DIALECT_EDGE_IR_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir::edge {

/// Whether `attr` holds f32 elements that readF32Constant can read (dense,
/// or a resource blob that is loaded).
bool isReadableF32Elements(Attribute attr);
/// The same for 8-bit integer elements (readI8Constant).
bool isReadableI8Elements(Attribute attr);

/// The f32 elements of a constant (dense or resource) that `value` is, if
/// it is one.
std::optional<SmallVector<float>> readF32Constant(Value value);

/// The elements of an 8-bit integer constant (dense or resource) that
/// `value` is, if it is one, as stored (signless: the caller knows whether
/// they are signed).
std::optional<SmallVector<int8_t>> readI8Constant(Value value);

/// `values` as the attribute of a constant of `type`: a resource blob
/// named `blobName` when large (like the importer's initializers), inline
/// otherwise.
ElementsAttr makeF32ElementsAttr(RankedTensorType type, ArrayRef<float> values,
                                 StringRef blobName);
ElementsAttr makeI8ElementsAttr(RankedTensorType type, ArrayRef<int8_t> values,
                                StringRef blobName);

/// The elements of a 4-bit integer constant that `value` is, if it is one,
/// sign-extended to a byte each.
std::optional<SmallVector<int8_t>> readI4Constant(Value value);

/// `values` (each in [-8, 7]) as the attribute of an i4 constant of `type`.
/// Always inline: resource blobs have no 4-bit element kind. The library
/// stores them two per byte; only the compiler's memory holds one per byte.
DenseElementsAttr makeI4ElementsAttr(RankedTensorType type,
                                     ArrayRef<int8_t> values);

} // namespace mlir::edge

#endif // EDGE_DIALECT_EDGE_IR_CONSTANTDATA_H
