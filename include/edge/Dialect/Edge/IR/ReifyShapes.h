//===- ReifyShapes.h - Run-time sizes of edge op results --------*- C++ -*-===//

#ifndef EDGE_DIALECT_EDGE_IR_REIFYSHAPES_H
#define EDGE_DIALECT_EDGE_IR_REIFYSHAPES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::edge {

/// Attaches ReifyRankedShapedTypeOpInterface to the edge ops that take
/// dynamic sizes (called when the dialect loads).
void attachReifyShapeModels(MLIRContext *context);

/// The output size of a window (convolution, pooling) sliding over `size`
/// elements, computed at run time (ONNX's rule, as inferWindowOutputSizes).
Value createWindowOutputSize(OpBuilder &b, Location loc, Value size,
                             int64_t kernel, int64_t stride, int64_t dilation,
                             int64_t padBegin, int64_t padEnd, bool ceilMode);

/// The dynamic sizes of `result` when `input` is reshaped to it, in order:
/// one dynamic size takes the elements the static ones leave; several come
/// from the groups of dimensions the reshape collapses or expands
/// (getReshapeGroups).
SmallVector<Value> getReshapeDynamicSizes(
    OpBuilder &b, Location loc, Value input, RankedTensorType result,
    std::optional<ArrayRef<int64_t>> groupLengths = std::nullopt);

/// The value and dimension furthest up the use-def chain whose size
/// dimension `dim` of `value` always has, by the ops' size rules (the batch
/// of a matmul is its lhs's, a transpose's sizes are its input's): a
/// function argument, or the first result whose size is computed rather
/// than forwarded. Two sizes with the same source are equal at run time.
std::pair<Value, int64_t> traceSizeSource(Value value, int64_t dim);

} // namespace mlir::edge

#endif // EDGE_DIALECT_EDGE_IR_REIFYSHAPES_H
