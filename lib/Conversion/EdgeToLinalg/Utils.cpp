//===- Utils.cpp - Helpers shared by the edge-to-linalg patterns ----------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/ReifyShapes.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::edge;

AffineMap mlir::edge::getBroadcastMap(ArrayRef<int64_t> operandShape,
                                      ArrayRef<int64_t> resultShape,
                                      MLIRContext *context) {
  unsigned offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [index, size] : llvm::enumerate(operandShape)) {
    unsigned loop = offset + index;
    if (size == 1 && resultShape[loop] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(loop, context));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, context);
}

Value mlir::edge::createEmptyTensor(OpBuilder &b, Location loc,
                                    RankedTensorType type) {
  assert(type.hasStaticShape() && "dynamic sizes need their values");
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value mlir::edge::createEmptyTensor(OpBuilder &b, Location loc,
                                    RankedTensorType type,
                                    ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(sizes))
    if (type.isDynamicDim(dim))
      dynamicSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

Value mlir::edge::createFilledTensor(OpBuilder &b, Location loc,
                                     RankedTensorType type, Value value) {
  Value empty = createEmptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value mlir::edge::createFilledTensor(OpBuilder &b, Location loc,
                                     RankedTensorType type,
                                     ArrayRef<OpFoldResult> sizes,
                                     Value value) {
  Value empty = createEmptyTensor(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

OpFoldResult mlir::edge::getDimSize(OpBuilder &b, Location loc, Value value,
                                    int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.isDynamicDim(dim))
    return b.getIndexAttr(type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, value, dim).getResult();
}

Value mlir::edge::castIndexTo(OpBuilder &b, Location loc, Value index,
                              Type element) {
  Value asInteger = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  if (isa<FloatType>(element))
    return arith::SIToFPOp::create(b, loc, element, asInteger);
  if (element.isInteger(64))
    return asInteger;
  return arith::TruncIOp::create(b, loc, element, asInteger).getResult();
}

Value mlir::edge::createElementCount(OpBuilder &b, Location loc, Value input,
                                     ArrayRef<int64_t> dims, Type element) {
  auto type = cast<RankedTensorType>(input.getType());
  if (llvm::none_of(dims, [&](int64_t d) { return type.isDynamicDim(d); })) {
    // A product, not a quotient: the other sizes may be 0.
    int64_t count = 1;
    for (int64_t d : dims)
      count *= type.getDimSize(d);
    return createScalarConstant(b, loc, element, static_cast<double>(count));
  }
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d : dims)
    count = arith::MulIOp::create(
        b, loc, count,
        getValueOrCreateConstantIndexOp(b, loc, getDimSize(b, loc, input, d)));
  return castIndexTo(b, loc, count, element);
}

SmallVector<OpFoldResult> mlir::edge::getResultSizes(OpBuilder &b,
                                                     Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.hasStaticShape())
    return getAsIndexOpFoldResult(b.getContext(), type.getShape());
  ReifiedRankedShapedTypeDims reified;
  if (failed(reifyResultShapes(b, op, reified)))
    llvm_unreachable("ops with dynamic results reify their sizes");
  return reified.front();
}

Value mlir::edge::createEmptyResult(OpBuilder &b, Operation *op) {
  return createEmptyTensor(
      b, op->getLoc(), cast<RankedTensorType>(op->getResult(0).getType()),
      getResultSizes(b, op));
}

Value mlir::edge::createFilledResult(OpBuilder &b, Operation *op,
                                     Value value) {
  return createFilledTensor(
      b, op->getLoc(), cast<RankedTensorType>(op->getResult(0).getType()),
      getResultSizes(b, op), value);
}

Value mlir::edge::createScalarConstant(OpBuilder &b, Location loc, Type type,
                                       double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value mlir::edge::createLowestValue(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, APInt::getSignedMinValue(width)));
}

Value mlir::edge::createHighestValue(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/false)));
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, APInt::getSignedMaxValue(width)));
}

Value mlir::edge::createAdd(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mlir::edge::createMul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value mlir::edge::createMax(OpBuilder &b, Location loc, Value x, Value y,
                            arith::FastMathFlags flags) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y, flags);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value mlir::edge::createMin(OpBuilder &b, Location loc, Value x, Value y,
                            arith::FastMathFlags flags) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y, flags);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value mlir::edge::padTensor(OpBuilder &b, Location loc, Value input,
                            Value padValue, ArrayRef<int64_t> low,
                            ArrayRef<int64_t> high) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (auto [index, size] : llvm::enumerate(inputType.getShape()))
    shape.push_back(ShapedType::isDynamic(size)
                        ? ShapedType::kDynamic
                        : size + low[index] + high[index]);
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  SmallVector<OpFoldResult> lowAttrs, highAttrs;
  for (auto [l, h] : llvm::zip(low, high)) {
    lowAttrs.push_back(b.getIndexAttr(l));
    highAttrs.push_back(b.getIndexAttr(h));
  }
  return tensor::PadOp::create(b, loc, resultType, input, lowAttrs, highAttrs,
                               padValue);
}

SmallVector<utils::IteratorType>
mlir::edge::getIteratorTypes(unsigned numParallel, unsigned numReduction) {
  SmallVector<utils::IteratorType> types(numParallel,
                                         utils::IteratorType::parallel);
  types.append(numReduction, utils::IteratorType::reduction);
  return types;
}

/// A reshape with dynamic sizes: a collapse or an expansion where one
/// exists (flatten, unsqueeze; they bufferize to views), else
/// tensor.reshape with the sizes computed at run time.
static Value reshapeDynamicTensor(OpBuilder &b, Location loc, Value input,
                                  RankedTensorType resultType,
                                  std::optional<ArrayRef<int64_t>> groups) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<Value> dynamicSizes =
      getReshapeDynamicSizes(b, loc, input, resultType, groups);
  SmallVector<OpFoldResult> sizes;
  unsigned next = 0;
  for (int64_t size : resultType.getShape())
    sizes.push_back(ShapedType::isDynamic(size) ? OpFoldResult(dynamicSizes[next++])
                                                : OpFoldResult(b.getIndexAttr(size)));
  if (resultType.getRank() != inputType.getRank())
    if (auto found = getReshapeGroups(inputType.getShape(),
                                      resultType.getShape(), groups)) {
      SmallVector<ReassociationIndices> reassociation;
      for (const auto &group : *found)
        reassociation.emplace_back(group.begin(), group.end());
      if (resultType.getRank() < inputType.getRank())
        return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                               reassociation);
      return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                           reassociation, sizes);
    }
  SmallVector<Value> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  Value shapeTensor = tensor::FromElementsOp::create(b, loc, shape);
  return tensor::ReshapeOp::create(b, loc, resultType, input, shapeTensor);
}

Value mlir::edge::reshapeTensor(OpBuilder &b, Location loc, Value input,
                                RankedTensorType resultType,
                                std::optional<ArrayRef<int64_t>> groups) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
    return reshapeDynamicTensor(b, loc, input, resultType, groups);
  // Rank 0 on either side: every dimension of the other side is 1, and the
  // empty reassociation expresses exactly that.
  if (inputType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         ArrayRef<ReassociationIndices>{});
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                           ArrayRef<ReassociationIndices>{});
  Value flat = input;
  if (inputType.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < inputType.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, input,
                                           ArrayRef<ReassociationIndices>{all});
  }
  if (resultType.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value mlir::edge::extractIndexValue(OpBuilder &b, Location loc, Value rawIndex,
                                    OpFoldResult extent) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), rawIndex);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value wrapped = arith::AddIOp::create(
      b, loc, index, getValueOrCreateConstantIndexOp(b, loc, extent));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  return arith::SelectOp::create(b, loc, negative, wrapped, index);
}

Value mlir::edge::createSlidingWindowOp(
    OpBuilder &b, Location loc, Value input, Value window,
    bool windowPerChannel, Value init, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *context = b.getContext();
  int64_t k = strides.size();
  unsigned numLoops = 2 + 2 * k;
  auto dim = [&](int64_t loop) { return getAffineDimExpr(loop, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)};
  SmallVector<AffineExpr> windowExprs, outputExprs = {dim(0), dim(1)};
  if (windowPerChannel)
    windowExprs.push_back(dim(1));
  for (int64_t i = 0; i < k; ++i) {
    inputExprs.push_back(dim(2 + i) * strides[i] +
                         dim(2 + k + i) * dilations[i]);
    windowExprs.push_back(dim(2 + k + i));
    outputExprs.push_back(dim(2 + i));
  }
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{input, window}, init,
             SmallVector<AffineMap>{
                 AffineMap::get(numLoops, 0, inputExprs, context),
                 AffineMap::get(numLoops, 0, windowExprs, context),
                 AffineMap::get(numLoops, 0, outputExprs, context)},
             getIteratorTypes(2 + k, k),
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               yieldValue(nested, nestedLoc, body(nested, nestedLoc, args));
             })
      .getResult(0);
}

Value mlir::edge::createMappedCopy(OpBuilder &b, Location loc, Value input,
                                   AffineMap readMap, RankedTensorType type,
                                   ArrayRef<OpFoldResult> sizes) {
  unsigned rank = type.getRank();
  Value empty = sizes.empty() ? createEmptyTensor(b, loc, type)
                              : createEmptyTensor(b, loc, type, sizes);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{input}, empty,
             SmallVector<AffineMap>{readMap, AffineMap::getMultiDimIdentityMap(
                                                 rank, b.getContext())},
             getIteratorTypes(rank, 0),
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               yieldValue(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}
