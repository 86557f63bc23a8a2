//===- ReductionOps.cpp - Reduction edge ops: types and folders -----------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "OpUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::edge;

/// The reduced shape, after checking `axes` (sorted, unique, in range;
/// empty = all).
static FailureOr<Shape> inferReducedShape(ArrayRef<int64_t> shape,
                                          ArrayRef<int64_t> axes,
                                          bool keepDims,
                                          std::optional<Location> location) {
  int64_t rank = shape.size();
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(location, "axis ", axis,
                               " is out of range for rank ", rank);
    if (index > 0 && axes[index - 1] >= axis)
      return emitOptionalError(location, "axes must be sorted and unique");
  }
  Shape result;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = axes.empty() || llvm::is_contained(axes, d);
    if (!reduced)
      result.push_back(shape[d]);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> location,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getAxesAttr() || !adaptor.getKeepDimsAttr())
    return emitOptionalError(location, "reduction needs axes and keep_dims");
  FailureOr<Shape> shape =
      inferReducedShape(shapeOf(adaptor.getInput()), adaptor.getAxes(),
                        adaptor.getKeepDims(), location);
  if (failed(shape))
    return failure();
  inferred.push_back(
      RankedTensorType::get(*shape, elementTypeOf(adaptor.getInput())));
  return success();
}

#define EDGE_REDUCE_INFER(OpTy)                                                \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *, std::optional<Location> location, Adaptor adaptor,        \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(location, adaptor, inferred);                           \
  }                                                                            \
  int64_t OpTy::estimateFlops() {                                              \
    return getNumElements(shapeOf(getInput()));                                \
  }
EDGE_REDUCE_INFER(ReduceSumOp)
EDGE_REDUCE_INFER(ReduceMeanOp)
EDGE_REDUCE_INFER(ReduceProdOp)
EDGE_REDUCE_INFER(ReduceMaxOp)
EDGE_REDUCE_INFER(ReduceMinOp)
#undef EDGE_REDUCE_INFER

namespace {
enum class Combine { Sum, Mean, Prod, Max, Min };
} // namespace

/// Folds a reduction of a small constant (shape computations such as the
/// product of some dimensions).
static OpFoldResult foldReduce(Attribute operand, ShapedType resultType,
                               ArrayRef<int64_t> axes, Combine combine) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(operand);
  if (!input || input.getNumElements() > (1 << 16) ||
      input.getNumElements() == 0)
    return {};
  ArrayRef<int64_t> shape = input.getType().getShape();
  int64_t rank = shape.size();
  // Output position of each input element: the non-reduced coordinates.
  SmallVector<int64_t> outShape;
  for (int64_t d = 0; d < rank; ++d)
    if (!axes.empty() && !llvm::is_contained(axes, d))
      outShape.push_back(shape[d]);
  int64_t outCount = getNumElements(outShape);
  int64_t perOutput = input.getNumElements() / outCount;
  SmallVector<Attribute> values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<std::optional<APFloat>> floats(outCount);
  SmallVector<std::optional<APInt>> ints(outCount);
  SmallVector<int64_t> index(rank, 0);
  for (Attribute value : values) {
    int64_t out = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!axes.empty() && !llvm::is_contained(axes, d))
        out = out * shape[d] + index[d];
    if (auto f = dyn_cast<FloatAttr>(value)) {
      APFloat x = f.getValue();
      std::optional<APFloat> &acc = floats[out];
      if (!acc)
        acc = x;
      else if (combine == Combine::Sum || combine == Combine::Mean)
        *acc = *acc + x;
      else if (combine == Combine::Prod)
        *acc = *acc * x;
      else
        acc = combine == Combine::Max ? llvm::maximum(*acc, x)
                                      : llvm::minimum(*acc, x);
    } else {
      APInt x = cast<IntegerAttr>(value).getValue();
      std::optional<APInt> &acc = ints[out];
      if (!acc)
        acc = x;
      else if (combine == Combine::Sum || combine == Combine::Mean)
        *acc += x;
      else if (combine == Combine::Prod)
        *acc *= x;
      else if (combine == Combine::Max ? x.sgt(*acc) : x.slt(*acc))
        acc = x;
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  Type element = resultType.getElementType();
  SmallVector<Attribute> results;
  for (int64_t i = 0; i < outCount; ++i) {
    if (floats[i]) {
      APFloat value = *floats[i];
      if (combine == Combine::Mean) {
        APFloat count(value.getSemantics(), perOutput);
        value = value / count;
      }
      results.push_back(FloatAttr::get(element, value));
    } else {
      APInt value = *ints[i];
      if (combine == Combine::Mean)
        value = value.sdiv(APInt(value.getBitWidth(), perOutput));
      results.push_back(IntegerAttr::get(element, value));
    }
  }
  return DenseElementsAttr::get(resultType, results);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  return foldReduce(adaptor.getInput(), getType(), getAxes(), Combine::Sum);
}
OpFoldResult ReduceMeanOp::fold(FoldAdaptor adaptor) {
  return foldReduce(adaptor.getInput(), getType(), getAxes(), Combine::Mean);
}
OpFoldResult ReduceProdOp::fold(FoldAdaptor adaptor) {
  return foldReduce(adaptor.getInput(), getType(), getAxes(), Combine::Prod);
}
OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldReduce(adaptor.getInput(), getType(), getAxes(), Combine::Max);
}
OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldReduce(adaptor.getInput(), getType(), getAxes(), Combine::Min);
}

template <typename Adaptor>
static LogicalResult inferArgReduce(MLIRContext *context,
                                    std::optional<Location> location,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getAxisAttr() || !adaptor.getKeepDimsAttr())
    return emitOptionalError(location, "needs axis and keep_dims");
  int64_t axis = adaptor.getAxis();
  FailureOr<Shape> shape =
      inferReducedShape(shapeOf(adaptor.getInput()), ArrayRef<int64_t>{axis},
                        adaptor.getKeepDims(), location);
  if (failed(shape))
    return failure();
  inferred.push_back(
      RankedTensorType::get(*shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce(context, location, adaptor, inferred);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce(context, location, adaptor, inferred);
}
