//===- EdgeOps.cpp - Verifiers, shape inference and folders of edge ops ---===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::edge;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Runs a shape rule, reports its error at `location`, and on success pushes
/// a tensor of the inferred shape with `elementType`.
template <typename RuleFn>
static LogicalResult inferTensor(std::optional<Location> location,
                                 Type elementType,
                                 SmallVectorImpl<Type> &inferred,
                                 RuleFn rule) {
  auto error = [&](const Twine &message) {
    (void)emitOptionalError(location, message);
  };
  FailureOr<Shape> shape = rule(error);
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Binary elementwise ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult
inferBinaryElementwise(std::optional<Location> location,
                       typename OpTy::Adaptor adaptor,
                       SmallVectorImpl<Type> &inferred) {
  return inferTensor(location, elementTypeOf(adaptor.getLhs()), inferred,
                     [&](ShapeErrorFn error) {
                       return broadcastShapes(shapeOf(adaptor.getLhs()),
                                              shapeOf(adaptor.getRhs()), error);
                     });
}

/// Folds a binary op whose operands are both constants of the result type
/// (no broadcasting); broadcasting constant folds are left to later passes.
template <typename FloatFn, typename IntFn>
static OpFoldResult foldBinary(Type resultType, ArrayRef<Attribute> operands,
                               FloatFn floatFn, IntFn intFn) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(operands[0]);
  auto rhs = dyn_cast_or_null<DenseElementsAttr>(operands[1]);
  if (!lhs || !rhs || lhs.getType() != resultType ||
      rhs.getType() != resultType)
    return {};
  if (isa<FloatType>(lhs.getElementType()))
    return constFoldBinaryOp<FloatAttr, APFloat, /*PoisonAttr=*/void>(
        operands, floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, /*PoisonAttr=*/void>(
      operands, [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return intFn(a, b);
      });
}

#define EDGE_BINARY_INFER(OpTy)                                                \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *, std::optional<Location> location, Adaptor adaptor,        \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBinaryElementwise<OpTy>(location, adaptor, inferred);          \
  }
EDGE_BINARY_INFER(AddOp)
EDGE_BINARY_INFER(SubOp)
EDGE_BINARY_INFER(MulOp)
EDGE_BINARY_INFER(DivOp)
#undef EDGE_BINARY_INFER

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a / b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero is undefined in ONNX: leave it to run time.
        if (b.isZero())
          return std::nullopt;
        return a.sdiv(b);
      });
}

LogicalResult ClipOp::verify() {
  Type element = getInput().getType().getElementType();
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    auto type = cast<RankedTensorType>(bound.getType());
    if (type.getRank() != 0 || type.getElementType() != element)
      return emitOpError("bounds must be scalars (rank 0) of type ") << element;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp, GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferTensor(location, elementTypeOf(adaptor.getLhs()), inferred,
                     [&](ShapeErrorFn error) {
                       return inferMatMulShape(shapeOf(adaptor.getLhs()),
                                               shapeOf(adaptor.getRhs()), error);
                     });
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  Type elementType = elementTypeOf(adaptor.getA());
  if (elementTypeOf(adaptor.getB()) != elementType ||
      (adaptor.getC() && elementTypeOf(adaptor.getC()) != elementType))
    return emitOptionalError(location,
                             "gemm operands must have one element type");
  std::optional<ArrayRef<int64_t>> c;
  if (adaptor.getC())
    c = shapeOf(adaptor.getC());
  return inferTensor(location, elementType, inferred, [&](ShapeErrorFn error) {
    return inferGemmShape(shapeOf(adaptor.getA()), shapeOf(adaptor.getB()), c,
                          adaptor.getTransA(), adaptor.getTransB(), error);
  });
}

//===----------------------------------------------------------------------===//
// ConvOp and pooling
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getStridesAttr() || !adaptor.getPadsAttr() ||
      !adaptor.getDilationsAttr() || !adaptor.getGroupAttr())
    return emitOptionalError(location, "conv needs strides, pads, dilations "
                                       "and group");
  Type elementType = elementTypeOf(adaptor.getInput());
  if (elementTypeOf(adaptor.getWeight()) != elementType)
    return emitOptionalError(location,
                             "conv input and weight element types differ");
  if (Value bias = adaptor.getBias()) {
    ArrayRef<int64_t> weight = shapeOf(adaptor.getWeight());
    if (elementTypeOf(bias) != elementType || shapeOf(bias).size() != 1 ||
        weight.empty() || shapeOf(bias)[0] != weight[0])
      return emitOptionalError(location, "conv bias must be a vector of ",
                               weight.empty() ? 0 : weight[0], " elements");
  }
  return inferTensor(location, elementType, inferred, [&](ShapeErrorFn error) {
    return inferConvShape(shapeOf(adaptor.getInput()),
                          shapeOf(adaptor.getWeight()), adaptor.getStrides(),
                          adaptor.getPads(), adaptor.getDilations(),
                          adaptor.getGroup(), error);
  });
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getKernelShapeAttr() || !adaptor.getStridesAttr() ||
      !adaptor.getPadsAttr() || !adaptor.getDilationsAttr() ||
      !adaptor.getCeilModeAttr())
    return emitOptionalError(location, "max_pool needs kernel_shape, strides, "
                                       "pads, dilations and ceil_mode");
  WindowParams params{adaptor.getKernelShape(), adaptor.getStrides(),
                      adaptor.getPads(), adaptor.getDilations(),
                      adaptor.getCeilMode()};
  return inferTensor(location, elementTypeOf(adaptor.getInput()), inferred,
                     [&](ShapeErrorFn error) {
                       return inferPoolShape(shapeOf(adaptor.getInput()),
                                             params, error);
                     });
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getKernelShapeAttr() || !adaptor.getStridesAttr() ||
      !adaptor.getPadsAttr() || !adaptor.getCeilModeAttr() ||
      !adaptor.getCountIncludePadAttr())
    return emitOptionalError(location,
                             "average_pool needs kernel_shape, strides, pads, "
                             "ceil_mode and count_include_pad");
  SmallVector<int64_t> dilations(adaptor.getKernelShape().size(), 1);
  WindowParams params{adaptor.getKernelShape(), adaptor.getStrides(),
                      adaptor.getPads(), dilations, adaptor.getCeilMode()};
  return inferTensor(location, elementTypeOf(adaptor.getInput()), inferred,
                     [&](ShapeErrorFn error) {
                       return inferPoolShape(shapeOf(adaptor.getInput()),
                                             params, error);
                     });
}

static LogicalResult inferGlobalPool(std::optional<Location> location,
                                     Value input,
                                     SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> shape = shapeOf(input);
  if (shape.size() < 3)
    return emitOptionalError(location,
                             "global pooling input must be [N, C, D1, ...]");
  Shape result(shape.size(), 1);
  result[0] = shape[0];
  result[1] = shape[1];
  inferred.push_back(RankedTensorType::get(result, elementTypeOf(input)));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(location, adaptor.getInput(), inferred);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(location, adaptor.getInput(), inferred);
}

//===----------------------------------------------------------------------===//
// BatchNormOp, SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  if (input.size() < 2)
    return emitOptionalError(location,
                             "batch_norm input must be [N, C, ...]");
  for (Value param : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    if (shapeOf(param).size() != 1 || shapeOf(param)[0] != input[1])
      return emitOptionalError(location, "batch_norm parameters must be "
                                         "vectors of ",
                               input[1], " channels");
    if (elementTypeOf(param) != elementTypeOf(adaptor.getInput()))
      return emitOptionalError(location,
                               "batch_norm parameters must have the input's "
                               "element type");
  }
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (static_cast<int64_t>(getAxis()) >= std::max<int64_t>(rank, 1))
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp, TransposeOp, ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = cast<ShapedType>(getInput().getType());
  auto result = cast<ShapedType>(getType());
  if (input.getElementType() != result.getElementType())
    return emitOpError("element type changes from ")
           << input.getElementType() << " to " << result.getElementType();
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("element count changes from ")
           << input.getNumElements() << " to " << result.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(cast<ShapedType>(getType()));
  // reshape(reshape(x)) is one reshape.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getPermutationAttr())
    return emitOptionalError(location, "transpose needs a permutation");
  return inferTensor(location, elementTypeOf(adaptor.getInput()), inferred,
                     [&](ShapeErrorFn error) {
                       return inferTransposeShape(shapeOf(adaptor.getInput()),
                                                  adaptor.getPermutation(),
                                                  error);
                     });
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  for (auto [index, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(index))
      return {};
  return getInput();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "concat needs at least one input");
  if (!adaptor.getAxisAttr())
    return emitOptionalError(location, "concat needs an axis");
  Shape result(shapeOf(inputs.front()));
  int64_t axis = adaptor.getAxis();
  if (axis >= static_cast<int64_t>(result.size()))
    return emitOptionalError(location, "axis ", axis,
                             " is out of range for rank ", result.size());
  for (Value input : inputs.drop_front()) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (shape.size() != result.size())
      return emitOptionalError(location, "concat inputs differ in rank");
    for (auto [dim, size] : llvm::enumerate(shape)) {
      if (static_cast<int64_t>(dim) == axis)
        continue;
      if (size != result[dim])
        return emitOptionalError(location, "concat inputs differ in dimension ",
                                 dim, " (", result[dim], " vs ", size, ")");
    }
    result[axis] += shape[axis];
  }
  inferred.push_back(RankedTensorType::get(result, elementTypeOf(inputs[0])));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

#define GET_OP_CLASSES
#include "edge/Dialect/Edge/IR/EdgeOps.cpp.inc"
