//===- Reduction.cpp - Lower edge reductions and arg_max/arg_min ----------===//
//
// A reduction is one linalg.generic whose reduced loops are `reduction`
// iterators, into a tensor without the reduced dimensions; keep_dims is a
// reshape afterwards, so kernels never carry unit dimensions.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// Loop structure of reducing `axes` (empty: all) of a `rank`-D tensor.
struct ReductionLoops {
  SmallVector<int64_t> reducedShape;
  AffineMap inputMap, outputMap;
  SmallVector<utils::IteratorType> iterators;
  SmallVector<int64_t> reducedDims; // the dimensions combined into each result
};

ReductionLoops getReductionLoops(ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> axes,
                                 MLIRContext *context) {
  ReductionLoops loops;
  unsigned rank = shape.size();
  SmallVector<AffineExpr> kept;
  for (unsigned d = 0; d < rank; ++d) {
    bool reduced = axes.empty() || llvm::is_contained(axes, int64_t(d));
    loops.iterators.push_back(reduced ? utils::IteratorType::reduction
                                      : utils::IteratorType::parallel);
    if (reduced) {
      loops.reducedDims.push_back(d);
    } else {
      kept.push_back(getAffineDimExpr(d, context));
      loops.reducedShape.push_back(shape[d]);
    }
  }
  loops.inputMap = AffineMap::getMultiDimIdentityMap(rank, context);
  loops.outputMap = AffineMap::get(rank, 0, kept, context);
  return loops;
}

template <typename OpTy>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isSum = std::is_same_v<OpTy, ReduceSumOp> ||
                           std::is_same_v<OpTy, ReduceMeanOp>;
    constexpr bool isProd = std::is_same_v<OpTy, ReduceProdOp>;
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type element = inputType.getElementType();
    ReductionLoops loops = getReductionLoops(inputType.getShape(),
                                             op.getAxes(), op.getContext());
    auto reducedType = RankedTensorType::get(loops.reducedShape, element);
    SmallVector<OpFoldResult> reducedSizes;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      if (loops.iterators[d] == utils::IteratorType::parallel)
        reducedSizes.push_back(getDimSize(rewriter, loc, adaptor.getInput(), d));
    Value start = isSum    ? createScalarConstant(rewriter, loc, element, 0)
                  : isProd ? createScalarConstant(rewriter, loc, element, 1)
                  : isMax  ? createLowestValue(rewriter, loc, element)
                           : createHighestValue(rewriter, loc, element);
    Value init =
        createFilledTensor(rewriter, loc, reducedType, reducedSizes, start);
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, ValueRange{adaptor.getInput()}, init,
            SmallVector<AffineMap>{loops.inputMap, loops.outputMap},
            loops.iterators,
            [&](OpBuilder &b, Location nested, ValueRange args) {
              Value combined =
                  isSum    ? createAdd(b, nested, args[1], args[0])
                  : isProd ? createMul(b, nested, args[1], args[0])
                  : isMax  ? createMax(b, nested, args[1], args[0])
                           : createMin(b, nested, args[1], args[0]);
              yieldValue(b, nested, combined);
            })
            .getResult(0);
    if (std::is_same_v<OpTy, ReduceMeanOp>) {
      Value count = createElementCount(rewriter, loc, adaptor.getInput(),
                                       loops.reducedDims, element);
      unsigned rank = loops.reducedShape.size();
      AffineMap identity =
          AffineMap::getMultiDimIdentityMap(rank, op.getContext());
      bool isFloat = isa<FloatType>(element);
      reduced = linalg::GenericOp::create(
                    rewriter, loc, reducedType, ValueRange{reduced},
                    createEmptyTensor(rewriter, loc, reducedType,
                                      reducedSizes),
                    SmallVector<AffineMap>{identity, identity},
                    getIteratorTypes(rank, 0),
                    [&](OpBuilder &b, Location nested, ValueRange args) {
                      Value mean =
                          isFloat ? Value(arith::DivFOp::create(b, nested,
                                                                args[0], count))
                                  : Value(arith::DivSIOp::create(
                                        b, nested, args[0], count));
                      yieldValue(b, nested, mean);
                    })
                    .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, reduced,
                                         cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// arg_max/arg_min: one generic carrying (best value, its index).
template <typename OpTy>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, ArgMaxOp>;
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type element = inputType.getElementType();
    int64_t axis = op.getAxis();
    ReductionLoops loops = getReductionLoops(
        inputType.getShape(), ArrayRef<int64_t>{axis}, op.getContext());
    auto valueType = RankedTensorType::get(loops.reducedShape, element);
    auto indexType =
        RankedTensorType::get(loops.reducedShape, rewriter.getI64Type());
    Value start = isMax ? createLowestValue(rewriter, loc, element)
                        : createHighestValue(rewriter, loc, element);
    Value values = createFilledTensor(rewriter, loc, valueType, start);
    Value indices = createFilledTensor(
        rewriter, loc, indexType,
        createScalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    bool last = op.getSelectLastIndex();
    bool isFloat = isa<FloatType>(element);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType},
        ValueRange{adaptor.getInput()}, ValueRange{values, indices},
        SmallVector<AffineMap>{loops.inputMap, loops.outputMap,
                               loops.outputMap},
        loops.iterators,
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          // Ties keep the first index, or move to the last one.
          Value better;
          if (isFloat) {
            arith::CmpFPredicate predicate =
                isMax ? (last ? arith::CmpFPredicate::OGE
                              : arith::CmpFPredicate::OGT)
                      : (last ? arith::CmpFPredicate::OLE
                              : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, nested, predicate, x, best);
          } else {
            arith::CmpIPredicate predicate =
                isMax ? (last ? arith::CmpIPredicate::sge
                              : arith::CmpIPredicate::sgt)
                      : (last ? arith::CmpIPredicate::sle
                              : arith::CmpIPredicate::slt);
            better = arith::CmpIOp::create(b, nested, predicate, x, best);
          }
          Value position = arith::IndexCastOp::create(
              b, nested, b.getI64Type(),
              linalg::IndexOp::create(b, nested, axis));
          linalg::YieldOp::create(
              b, nested,
              ValueRange{
                  arith::SelectOp::create(b, nested, better, x, best),
                  arith::SelectOp::create(b, nested, better, position,
                                          bestIndex)});
        });
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, generic.getResult(1),
                                         cast<RankedTensorType>(op.getType())));
    return success();
  }
};

} // namespace

void mlir::edge::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceProdOp>, ReduceLowering<ReduceMaxOp>,
               ReduceLowering<ReduceMinOp>, ArgReduceLowering<ArgMaxOp>,
               ArgReduceLowering<ArgMinOp>>(patterns.getContext());
}
