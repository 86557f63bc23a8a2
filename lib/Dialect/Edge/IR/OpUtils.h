//===- OpUtils.h - Helpers shared by the edge op implementations -*- C++ -*-===//

#ifndef EDGE_LIB_DIALECT_EDGE_IR_OPUTILS_H
#define EDGE_LIB_DIALECT_EDGE_IR_OPUTILS_H

#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::edge {

inline ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

inline Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Runs a shape rule, reports its error at `location`, and on success pushes
/// a tensor of the inferred shape with `elementType`.
template <typename RuleFn>
LogicalResult inferTensor(std::optional<Location> location, Type elementType,
                          SmallVectorImpl<Type> &inferred, RuleFn rule) {
  auto error = [&](const Twine &message) {
    (void)emitOptionalError(location, message);
  };
  FailureOr<Shape> shape = rule(error);
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

} // namespace mlir::edge

#endif // EDGE_LIB_DIALECT_EDGE_IR_OPUTILS_H
