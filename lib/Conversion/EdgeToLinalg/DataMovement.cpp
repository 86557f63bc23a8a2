//===- DataMovement.cpp - Lower constants, reshape, transpose, concat -----===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Constants keep their attribute (dense or dense_resource) so that weights
/// become read-only globals without being copied or re-encoded.
struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "constant is not a typed attr");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(),
                                         adaptor.getInput(),
                                         cast<RankedTensorType>(op.getType()),
                                         op.getGroups()));
    return success();
  }
};

/// The sizes as int64 elements; dynamic ones read from the tensor.
struct ShapeLowering : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < resultType.getDimSize(0); ++i) {
      Value size = tensor::DimOp::create(rewriter, loc, adaptor.getInput(),
                                         op.getStart() + i);
      sizes.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(), size));
    }
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, resultType, sizes);
    return success();
  }
};

/// Each element's position, converted to the element type.
struct IotaLowering : OpConversionPattern<IotaOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(IotaOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Value init = createEmptyResult(rewriter, op);
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), TypeRange{type}, ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(1)},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
        [&](OpBuilder &b, Location loc, ValueRange) {
          Value index = linalg::IndexOp::create(b, loc, 0);
          Value value;
          if (isa<FloatType>(element))
            value = arith::SIToFPOp::create(
                b, loc, element,
                arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
          else
            value = arith::IndexCastOp::create(b, loc, element, index);
          linalg::YieldOp::create(b, loc, value);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = createEmptyResult(rewriter, op);
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose.getResults());
    return success();
  }
};

/// `a + b` for index sizes, folded when both are static.
OpFoldResult addOpFoldResults(OpBuilder &b, Location loc, OpFoldResult x,
                              OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx + *cy);
  return arith::AddIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank(), axis = op.getAxis();
    Value result = createEmptyResult(rewriter, op);
    // The offset along the axis: static until an input's extent is not.
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value input : adaptor.getInputs()) {
      ArrayRef<int64_t> shape = cast<ShapedType>(input.getType()).getShape();
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t d = 0; d < rank; ++d)
        sizes.push_back(getDimSize(rewriter, loc, input, d));
      offsets[axis] = offset;
      offset = addOpFoldResults(rewriter, loc, offset, sizes[axis]);
      if (shape[axis] == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reads `input` at `coordinates`, where `coordinates[axis]` is an index
/// value loaded from an index tensor (negative: counted from the end).
Value extractAtIndex(OpBuilder &b, Location loc, Value input,
                     SmallVector<Value> coordinates, int64_t axis,
                     Value rawIndex) {
  coordinates[axis] = extractIndexValue(
      b, loc, rawIndex, tensor::getMixedSize(b, loc, input, axis));
  return tensor::ExtractOp::create(b, loc, input, coordinates);
}

/// Gather: a generic over the result whose body reads the index operand and
/// extracts from the input (a gather cannot be an affine map).
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto indicesType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t axis = op.getAxis(), indexRank = indicesType.getRank();
    unsigned rank = resultType.getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, context));
    Value input = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{adaptor.getIndices()},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{
            AffineMap::get(rank, 0, indexExprs, context),
            AffineMap::getMultiDimIdentityMap(rank, context)},
        getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          SmallVector<Value> coordinates;
          for (int64_t d = 0; d < axis; ++d)
            coordinates.push_back(linalg::IndexOp::create(b, nested, d));
          coordinates.push_back(Value());
          for (int64_t d = axis + indexRank; d < rank; ++d)
            coordinates.push_back(linalg::IndexOp::create(b, nested, d));
          yieldValue(b, nested, extractAtIndex(b, nested, input, coordinates,
                                               axis, args[0]));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// GatherElements: the same, with the result's own coordinates.
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    Value input = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{adaptor.getIndices()},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity, identity}, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          SmallVector<Value> coordinates;
          for (unsigned d = 0; d < rank; ++d)
            coordinates.push_back(linalg::IndexOp::create(b, nested, d));
          yieldValue(b, nested, extractAtIndex(b, nested, input, coordinates,
                                               op.getAxis(), args[0]));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// GatherND: a generic over the result; the body reads the index tuple
/// (batch and tuple coordinates of the result, then 0..k-1) and extracts.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    ArrayRef<int64_t> input =
        cast<ShapedType>(op.getInput().getType()).getShape();
    ArrayRef<int64_t> indicesShape =
        cast<ShapedType>(op.getIndices().getType()).getShape();
    int64_t batch = op.getBatchDims(), depth = indicesShape.back();
    // Result dims [0, tupleRank) index the tuples (batch dims included).
    int64_t tupleRank = indicesShape.size() - 1;
    Value source = adaptor.getInput(), indices = adaptor.getIndices();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{},
        createEmptyTensor(rewriter, loc, resultType),
        SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, context)},
        getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange) {
          SmallVector<Value> result;
          for (unsigned d = 0; d < rank; ++d)
            result.push_back(linalg::IndexOp::create(b, nested, d));
          SmallVector<Value> tuple(ArrayRef(result).take_front(tupleRank));
          tuple.push_back(Value());
          SmallVector<Value> coordinates(ArrayRef(result).take_front(batch));
          for (int64_t k = 0; k < depth; ++k) {
            tuple.back() = arith::ConstantIndexOp::create(b, nested, k);
            Value raw = tensor::ExtractOp::create(b, nested, indices, tuple);
            coordinates.push_back(
                extractIndexValue(b, nested, raw,
                                  b.getIndexAttr(input[batch + k])));
          }
          llvm::append_range(coordinates, ArrayRef(result).drop_front(tupleRank));
          yieldValue(b, nested,
                     tensor::ExtractOp::create(b, nested, source, coordinates));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// Slice: a strided tensor.extract_slice of the covered range; dimensions
/// walked backwards (negative steps) are then reversed by a generic whose
/// map reads `size - 1 - i`.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    ArrayRef<int64_t> sizes = resultType.getShape();
    SmallVector<OpFoldResult> offsets, sizeAttrs, strides;
    bool reverses = false;
    for (unsigned d = 0; d < rank; ++d) {
      int64_t step = steps[d], size = sizes[d];
      // The lowest index read along d: the start, or the last element when
      // walking backwards.
      int64_t lowest = step > 0 || size == 0 ? starts[d]
                                             : starts[d] + (size - 1) * step;
      reverses |= step < 0 && size > 1;
      offsets.push_back(rewriter.getIndexAttr(size == 0 ? 0 : lowest));
      // A dynamic size is taken whole.
      sizeAttrs.push_back(
          ShapedType::isDynamic(size)
              ? tensor::getMixedSize(rewriter, loc, adaptor.getInput(), d)
              : rewriter.getIndexAttr(size));
      strides.push_back(rewriter.getIndexAttr(std::abs(step)));
    }
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, resultType, adaptor.getInput(), offsets, sizeAttrs,
        strides);
    if (!reverses) {
      rewriter.replaceOp(op, slice);
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < rank; ++d) {
      AffineExpr dim = getAffineDimExpr(d, context);
      exprs.push_back(steps[d] < 0 ? sizes[d] - 1 - dim : dim);
    }
    Value reversed = createMappedCopy(
        rewriter, loc, slice, AffineMap::get(rank, 0, exprs, context),
        resultType);
    rewriter.replaceOp(op, reversed);
    return success();
  }
};

} // namespace

void mlir::edge::populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ShapeLowering, IotaLowering, ReshapeLowering,
               TransposeLowering, ConcatLowering, GatherLowering,
               GatherElementsLowering, GatherNDLowering, SliceLowering>(
      patterns.getContext());
}
