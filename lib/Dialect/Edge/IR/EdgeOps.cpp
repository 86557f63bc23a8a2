//===- EdgeOps.cpp - Verifiers, shape inference and folders of edge ops ---===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "OpUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::edge;

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// MatMulOp, GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferTensor(
      location, elementTypeOf(adaptor.getLhs()), inferred,
      [&](ShapeErrorFn error) -> FailureOr<Shape> {
        Shape rhs(shapeOf(adaptor.getRhs()));
        if (adaptor.getTransposeRhs()) {
          if (rhs.size() < 2) {
            error("transpose_rhs needs an rhs of rank >= 2");
            return failure();
          }
          std::swap(rhs[rhs.size() - 1], rhs[rhs.size() - 2]);
        }
        return inferMatMulShape(shapeOf(adaptor.getLhs()), rhs, error);
      });
}

namespace {
/// matmul(a, transpose(b)) with a transpose of the last two dimensions
/// only -> matmul(a, b) {transpose_rhs}.
struct FoldTransposeIntoMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op.getRhs().getDefiningOp<TransposeOp>();
    if (op.getTransposeRhs() || !transpose)
      return failure();
    ArrayRef<int64_t> perm = transpose.getPermutation();
    int64_t rank = perm.size();
    if (rank < 2)
      return failure();
    for (int64_t d = 0; d < rank - 2; ++d)
      if (perm[d] != d)
        return failure();
    if (perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
      return failure();
    rewriter.replaceOpWithNewOp<MatMulOp>(op, op.getType(), op.getLhs(),
                                          transpose.getInput(),
                                          rewriter.getUnitAttr());
    return success();
  }
};
} // namespace

void MatMulOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<FoldTransposeIntoMatMul>(context);
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

LogicalResult QuantizedMatMulOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferTensor(location, elementTypeOf(adaptor.getLhs()), inferred,
                     [&](ShapeErrorFn error) -> FailureOr<Shape> {
                       if (shapeOf(adaptor.getWeights()).size() != 2) {
                         error("quantized_matmul weights must be 2-D [K, N]");
                         return failure();
                       }
                       return inferMatMulShape(shapeOf(adaptor.getLhs()),
                                               shapeOf(adaptor.getWeights()),
                                               error);
                     });
}

int64_t QuantizedMatMulOp::getBlockSize() {
  int64_t rows = getWeights().getType().getDimSize(0);
  RankedTensorType scales = getScales().getType();
  if (scales.getRank() == 1)
    return rows;
  if (ShapedType::isDynamic(rows) || scales.isDynamicDim(0) ||
      scales.getDimSize(0) == 0)
    return ShapedType::kDynamic;
  return rows / scales.getDimSize(0);
}

LogicalResult QuantizedMatMulOp::verify() {
  RankedTensorType weights = getWeights().getType();
  if (weights.getRank() != 2)
    return emitOpError("weights must be 2-D [K, N]");
  RankedTensorType scales = getScales().getType();
  if (scales.getElementType() != getLhs().getType().getElementType())
    return emitOpError("scales must have the element type of lhs");
  int64_t rows = weights.getDimSize(0), columns = weights.getDimSize(1);
  bool scalesShaped = scales.getRank() == 1 || scales.getRank() == 2;
  int64_t scaleColumns =
      scalesShaped ? scales.getDimSize(scales.getRank() - 1) : 0;
  if (!scalesShaped ||
      (!ShapedType::isDynamic(scaleColumns) &&
       !ShapedType::isDynamic(columns) && scaleColumns != columns))
    return emitOpError("scales must be [N] (one per weight column) or "
                       "[K / B, N] (one per block of B rows of a column)");
  int64_t blocks = scales.getRank() == 2 ? scales.getDimSize(0) : 1;
  if (!ShapedType::isDynamic(blocks) && !ShapedType::isDynamic(rows) &&
      (blocks == 0 ? rows != 0 : rows % blocks != 0))
    return emitOpError("scales' ")
           << blocks << " blocks do not divide the weights' " << rows
           << " rows";
  if (Value offsets = getOffsets()) {
    auto offsetsType = cast<RankedTensorType>(offsets.getType());
    if (scales.getRank() != 2 || offsetsType != scales)
      return emitOpError("offsets must have the type of block scales [K / B, "
                         "N]");
  }
  int64_t block = getBlockSize();
  if (weights.getElementType().isInteger(4) && !ShapedType::isDynamic(block) &&
      block % 2 != 0)
    return emitOpError("int4 weights are packed in pairs of rows: block of ")
           << block << " rows is odd";
  return success();
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
    if (shapeOf(param).size() != 1 || sizesConflict(shapeOf(param)[0], input[1]))
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
// ShapeOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  int64_t start = getStart();
  if (result.getRank() != 1 || start < 0 ||
      start + result.getDimSize(0) > input.getRank())
    return emitOpError("result must list the sizes of dimensions from ")
           << start << " of a rank-" << input.getRank() << " input";
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  ArrayRef<int64_t> sizes =
      input.getShape().slice(getStart(), result.getDimSize(0));
  if (llvm::any_of(sizes, ShapedType::isDynamic))
    return {};
  return DenseElementsAttr::get(result, sizes);
}

//===----------------------------------------------------------------------===//
// IotaOp
//===----------------------------------------------------------------------===//

LogicalResult IotaOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto like = cast<RankedTensorType>(adaptor.getLike().getType());
  int64_t dim = adaptor.getDim();
  if (dim >= like.getRank())
    return emitOptionalError(location, "dim ", dim,
                             " is out of range for rank ", like.getRank());
  Type element = adaptor.getElementType();
  if (!isa<FloatType>(element) &&
      !(element.isSignlessInteger() && !element.isInteger(1)))
    return emitOptionalError(location,
                             "element type must be a float or a "
                             "signless integer (not a bool), not ",
                             element);
  inferred.push_back(RankedTensorType::get({like.getDimSize(dim)}, element));
  return success();
}

OpFoldResult IotaOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return {};
  Type element = type.getElementType();
  SmallVector<Attribute> values;
  for (int64_t i = 0, e = type.getDimSize(0); i < e; ++i)
    values.push_back(isa<FloatType>(element)
                         ? Attribute(FloatAttr::get(element, i))
                         : Attribute(IntegerAttr::get(element, i)));
  return DenseElementsAttr::get(type, values);
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
  if (input.hasStaticShape() && result.hasStaticShape()) {
    if (input.getNumElements() != result.getNumElements())
      return emitOpError("element count changes from ")
             << input.getNumElements() << " to " << result.getNumElements();
    return success();
  }
  // With dynamic sizes the lowering derives each result size from the
  // input's: one dynamic result size holds what the static ones leave;
  // several need a grouping of dimensions (a flatten, an unsqueeze) that
  // says which input sizes make each.
  if (result.getNumDynamicDims() > 1 &&
      !getReshapeGroups(input.getShape(), result.getShape(), getGroups()))
    return emitOpError("with several dynamic result sizes, the reshape must "
                       "collapse or expand groups of dimensions, each "
                       "expanded group splitting one dynamic size at most");
  int64_t staticResultElements = getNumElements(result.getShape());
  if (input.hasStaticShape() && staticResultElements != 0 &&
      input.getNumElements() % staticResultElements != 0)
    return emitOpError("element count ")
           << input.getNumElements() << " is not a multiple of the result's "
           << "static sizes";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // With dynamic sizes too: each dynamic size is derived from the input's
  // in order, so equal types mean equal shapes.
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && getType().hasStaticShape())
    return dense.reshape(cast<ShapedType>(getType()));
  // reshape(reshape(x)) is one reshape (unless its dynamic sizes need the
  // groups of both steps).
  auto producer = getInput().getDefiningOp<ReshapeOp>();
  if (producer && getType().getNumDynamicDims() <= 1 && !getGroups()) {
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
  if (llvm::all_of(llvm::enumerate(perm), [](auto entry) {
        return entry.value() == static_cast<int64_t>(entry.index());
      }))
    return getInput();
  // Constant weights are transposed once, at compile time.
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<ShapedType>(getType());
  if (!input || !resultType.hasStaticShape() ||
      resultType.getNumElements() > (1 << 22))
    return {};
  if (input.isSplat())
    return input.reshape(resultType);
  ArrayRef<int64_t> inShape = input.getType().getShape();
  ArrayRef<int64_t> outShape = resultType.getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  SmallVector<Attribute> values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> results;
  results.reserve(values.size());
  SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0, e = resultType.getNumElements(); flat < e; ++flat) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[perm[d]];
    results.push_back(values[source]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(resultType, results);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getAxisAttr())
    return emitOptionalError(location, "gather needs an axis");
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis >= static_cast<int64_t>(input.size()))
    return emitOptionalError(location, "axis ", axis,
                             " is out of range for rank ", input.size());
  Shape result(input.take_front(axis));
  ArrayRef<int64_t> indices = shapeOf(adaptor.getIndices());
  result.append(indices.begin(), indices.end());
  result.append(input.begin() + axis + 1, input.end());
  inferred.push_back(RankedTensorType::get(result, elementTypeOf(adaptor.getInput())));
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto indices = dyn_cast_or_null<DenseElementsAttr>(adaptor.getIndices());
  auto resultType = cast<ShapedType>(getType());
  if (!input || !indices || !resultType.hasStaticShape() ||
      resultType.getNumElements() > (1 << 16))
    return {};
  ArrayRef<int64_t> shape = input.getType().getShape();
  int64_t axis = getAxis();
  int64_t outer = getNumElements(shape.take_front(axis));
  int64_t inner = getNumElements(shape.drop_front(axis + 1));
  int64_t extent = shape[axis];
  SmallVector<Attribute> values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> results;
  SmallVector<int64_t> positions;
  for (APInt index : indices.getValues<APInt>()) {
    int64_t position = index.getSExtValue();
    if (position < 0)
      position += extent;
    // Out-of-range indices are an error at run time in ONNX: not folded.
    if (position < 0 || position >= extent)
      return {};
    positions.push_back(position);
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t position : positions)
      for (int64_t i = 0; i < inner; ++i)
        results.push_back(values[(o * extent + position) * inner + i]);
  return DenseElementsAttr::get(resultType, results);
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getAxisAttr())
    return emitOptionalError(location, "gather_elements needs an axis");
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> indices = shapeOf(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (indices.size() != input.size())
    return emitOptionalError(location, "indices must have the input's rank");
  if (axis >= static_cast<int64_t>(input.size()))
    return emitOptionalError(location, "axis ", axis,
                             " is out of range for rank ", input.size());
  for (size_t d = 0; d < input.size(); ++d)
    if (static_cast<int64_t>(d) != axis && indices[d] > input[d])
      return emitOptionalError(location, "indices dimension ", d,
                               " exceeds the input's");
  inferred.push_back(
      RankedTensorType::get(indices, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  if (!adaptor.getStartsAttr() || !adaptor.getSizesAttr() ||
      !adaptor.getStepsAttr())
    return emitOptionalError(location, "slice needs starts, sizes and steps");
  ArrayRef<int64_t> input = shapeOf(adaptor.getInput());
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  size_t rank = input.size();
  if (starts.size() != rank || sizes.size() != rank || steps.size() != rank)
    return emitOptionalError(location, "slice needs one start, size and step "
                                       "per dimension");
  for (size_t d = 0; d < rank; ++d) {
    // A dynamic size is taken whole.
    if (ShapedType::isDynamic(input[d]) || ShapedType::isDynamic(sizes[d])) {
      if (!ShapedType::isDynamic(input[d]) ||
          !ShapedType::isDynamic(sizes[d]) || starts[d] != 0 || steps[d] != 1)
        return emitOptionalError(location, "slice of dimension ", d,
                                 " must take the whole dynamic size (start "
                                 "0, step 1, size ?)");
      continue;
    }
    if (steps[d] == 0 || sizes[d] < 0)
      return emitOptionalError(location, "slice steps must be non-zero and "
                                         "sizes non-negative");
    if (sizes[d] == 0)
      continue;
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= input[d] || last < 0 || last >= input[d])
      return emitOptionalError(location, "slice of dimension ", d,
                               " reads outside the input");
  }
  inferred.push_back(RankedTensorType::get(sizes, elementTypeOf(adaptor.getInput())));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto resultType = cast<ShapedType>(getType());
  if (!input || resultType.getNumElements() > (1 << 16))
    return {};
  ArrayRef<int64_t> shape = input.getType().getShape();
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  ArrayRef<int64_t> sizes = resultType.getShape();
  int64_t rank = shape.size();
  SmallVector<Attribute> values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> results;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0, e = resultType.getNumElements(); flat < e; ++flat) {
    int64_t linear = 0;
    for (int64_t d = 0; d < rank; ++d)
      linear = linear * shape[d] + starts[d] + index[d] * steps[d];
    results.push_back(values[input.isSplat() ? 0 : linear]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(resultType, results);
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
      if (sizesConflict(size, result[dim]))
        return emitOptionalError(location, "concat inputs differ in dimension ",
                                 dim, " (", result[dim], " vs ", size, ")");
      if (ShapedType::isDynamic(result[dim]))
        result[dim] = size;
    }
    result[axis] = ShapedType::isDynamic(result[axis]) ||
                           ShapedType::isDynamic(shape[axis])
                       ? ShapedType::kDynamic
                       : result[axis] + shape[axis];
  }
  inferred.push_back(RankedTensorType::get(result, elementTypeOf(inputs[0])));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  // Constant inputs (shape vectors being assembled) concatenate now.
  auto resultType = cast<ShapedType>(getType());
  if (!resultType.hasStaticShape() || resultType.getNumElements() > (1 << 16))
    return {};
  SmallVector<SmallVector<Attribute>> inputs;
  for (Attribute operand : adaptor.getInputs()) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(operand);
    if (!dense)
      return {};
    SmallVector<Attribute> values = llvm::to_vector(dense.getValues<Attribute>());
    // Splats hold one value: expand them to the full chunk order.
    if (dense.isSplat())
      values.assign(dense.getNumElements(), values.front());
    inputs.push_back(std::move(values));
  }
  int64_t axis = getAxis();
  int64_t outer = getNumElements(resultType.getShape().take_front(axis));
  SmallVector<Attribute> results;
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [input, values] : llvm::zip(getInputs(), inputs)) {
      int64_t chunk = getNumElements(
          cast<ShapedType>(input.getType()).getShape().drop_front(axis));
      results.append(values.begin() + o * chunk,
                     values.begin() + (o + 1) * chunk);
    }
  }
  return DenseElementsAttr::get(resultType, results);
}

#define GET_OP_CLASSES
#include "edge/Dialect/Edge/IR/EdgeOps.cpp.inc"
