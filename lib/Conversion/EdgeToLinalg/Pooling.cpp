//===- Pooling.cpp - Lower edge pooling ops to linalg ---------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

struct Window {
  ArrayRef<int64_t> kernel, strides, pads, dilations;
  bool ceilMode = false;
};

/// End padding so that every output window lies inside the padded input.
/// It can exceed the explicit end pads with ceil_mode. For a dynamic size,
/// a bound that holds for every size: the explicit end pad, plus a stride
/// less one with ceil_mode (a last window starts inside the input or its
/// begin padding); padding more than the windows read is harmless.
SmallVector<int64_t> getEndPadding(ArrayRef<int64_t> spatial,
                                   ArrayRef<int64_t> outSizes,
                                   const Window &window, bool ceilMode) {
  size_t k = spatial.size();
  SmallVector<int64_t> high;
  for (size_t i = 0; i < k; ++i) {
    if (ShapedType::isDynamic(spatial[i]) || ShapedType::isDynamic(outSizes[i])) {
      high.push_back(window.pads[i + k] + (ceilMode ? window.strides[i] - 1 : 0));
      continue;
    }
    int64_t extent = (outSizes[i] - 1) * window.strides[i] +
                     (window.kernel[i] - 1) * window.dilations[i] + 1;
    high.push_back(std::max<int64_t>(0, extent - spatial[i] - window.pads[i]));
  }
  return high;
}

/// Reduces each window of `input` ([N, C, spatial...]) into `init` with
/// `combine`, after padding the input with `padValue`.
Value buildWindowReduction(
    OpBuilder &b, Location loc, Value input, Value padValue, Value init,
    const Window &window,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(init.getType());
  int64_t k = inputType.getRank() - 2;
  ArrayRef<int64_t> spatial = inputType.getShape().drop_front(2);
  SmallVector<int64_t> low(2, 0), high(2, 0);
  low.append(window.pads.begin(), window.pads.begin() + k);
  SmallVector<int64_t> endPads = getEndPadding(
      spatial, resultType.getShape().drop_front(2), window, window.ceilMode);
  high.append(endPads.begin(), endPads.end());
  Value padded = padTensor(b, loc, input, padValue, low, high);

  // The kernel-shaped empty tensor gives linalg the reduction loop bounds.
  Value kernel = tensor::EmptyOp::create(b, loc, window.kernel,
                                         inputType.getElementType());
  return createSlidingWindowOp(
      b, loc, padded, kernel, /*windowPerChannel=*/false, init,
      window.strides, window.dilations,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        return combine(nested, nestedLoc, args[2], args[0]);
      });
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value lowest =
        createLowestValue(rewriter, loc, resultType.getElementType());
    Value init = createFilledResult(rewriter, op, lowest);
    Window window{op.getKernelShape(), op.getStrides(), op.getPads(),
                  op.getDilations(), op.getCeilMode()};
    auto max = [](OpBuilder &b, Location loc, Value x, Value y) {
      return createMax(b, loc, x, y);
    };
    rewriter.replaceOp(op,
                       buildWindowReduction(rewriter, loc, adaptor.getInput(),
                                            lowest, init, window, max));
    return success();
  }
};

/// How many elements of each window are counted by the average: the ones
/// inside the input, or (count_include_pad) inside input + explicit pads.
/// Positions added only to complete ceil_mode windows never count.
DenseElementsAttr getWindowCounts(RankedTensorType countType,
                                  ArrayRef<int64_t> spatial,
                                  const Window &window, bool includePad) {
  size_t k = spatial.size();
  ArrayRef<int64_t> outSizes = countType.getShape();
  // Per dimension and output index: the count along that dimension.
  SmallVector<SmallVector<int64_t>> perDim(k);
  for (size_t i = 0; i < k; ++i) {
    int64_t lo = includePad ? -window.pads[i] : 0;
    int64_t hi = spatial[i] + (includePad ? window.pads[i + k] : 0);
    for (int64_t o = 0; o < outSizes[i]; ++o) {
      int64_t start = o * window.strides[i] - window.pads[i], count = 0;
      for (int64_t w = 0; w < window.kernel[i]; ++w) {
        int64_t pos = start + w * window.dilations[i];
        count += pos >= lo && pos < hi;
      }
      perDim[i].push_back(count);
    }
  }
  auto floatType = cast<FloatType>(countType.getElementType());
  SmallVector<APFloat> counts;
  int64_t total = countType.getNumElements();
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, count = 1;
    for (size_t i = k; i-- > 0;) {
      count *= perDim[i][rest % outSizes[i]];
      rest /= outSizes[i];
    }
    bool losesInfo;
    APFloat value(static_cast<double>(std::max<int64_t>(count, 1)));
    value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    counts.push_back(value);
  }
  return DenseElementsAttr::get(countType, counts);
}

/// Inside a generic over the pooling result: how many elements of this
/// position's window the average counts (as getWindowCounts, computed at
/// run time): per spatial dimension, the window's positions inside the
/// input (or input + explicit pads), at least 1.
Value createWindowCount(OpBuilder &b, Location loc, Value input,
                        const Window &window, bool includePad) {
  size_t k = window.kernel.size();
  auto constant = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  Value count = constant(1);
  for (size_t i = 0; i < k; ++i) {
    Value out = linalg::IndexOp::create(b, loc, 2 + i);
    Value size = getValueOrCreateConstantIndexOp(
        b, loc, getDimSize(b, loc, input, 2 + i));
    Value lo = constant(includePad ? -window.pads[i] : 0);
    Value hi = includePad
                   ? Value(arith::AddIOp::create(b, loc, size,
                                                 constant(window.pads[i + k])))
                   : size;
    // The window covers [start, start + kernel) (no dilation in average
    // pooling); the count is that range clipped to [lo, hi).
    Value start = arith::SubIOp::create(
        b, loc, arith::MulIOp::create(b, loc, out, constant(window.strides[i])),
        constant(window.pads[i]));
    Value end = arith::AddIOp::create(b, loc, start, constant(window.kernel[i]));
    Value first = arith::MaxSIOp::create(b, loc, start, lo);
    Value last = arith::MinSIOp::create(b, loc, end, hi);
    Value inside = arith::MaxSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, last, first), constant(0));
    count = arith::MulIOp::create(b, loc, count, inside);
  }
  return arith::MaxSIOp::create(b, loc, count, constant(1));
}

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    SmallVector<int64_t> dilations(op.getKernelShape().size(), 1);
    Window window{op.getKernelShape(), op.getStrides(), op.getPads(),
                  dilations, op.getCeilMode()};
    Value zero = createScalarConstant(rewriter, loc, elementType, 0);
    Value init = createFilledResult(rewriter, op, zero);
    Value sums = buildWindowReduction(rewriter, loc, adaptor.getInput(), zero,
                                      init, window, createAdd);
    unsigned rank = resultType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    ArrayRef<int64_t> spatial = op.getInput().getType().getShape().drop_front(2);
    if (llvm::any_of(spatial, ShapedType::isDynamic) ||
        llvm::any_of(resultType.getShape().drop_front(2),
                     ShapedType::isDynamic)) {
      // Dynamic sizes: each position counts its window at run time.
      auto average = linalg::GenericOp::create(
          rewriter, loc, resultType, ValueRange{sums},
          createEmptyResult(rewriter, op),
          SmallVector<AffineMap>{identity, identity}, getIteratorTypes(rank, 0),
          [&](OpBuilder &b, Location nested, ValueRange args) {
            Value count = createWindowCount(b, nested, adaptor.getInput(),
                                            window, op.getCountIncludePad());
            Value divisor = castIndexTo(b, nested, count, elementType);
            yieldValue(b, nested,
                       arith::DivFOp::create(b, nested, args[0], divisor));
          });
      rewriter.replaceOp(op, average.getResults());
      return success();
    }

    auto countType = RankedTensorType::get(
        resultType.getShape().drop_front(2), elementType);
    Value counts = arith::ConstantOp::create(
        rewriter, loc,
        getWindowCounts(countType, spatial, window, op.getCountIncludePad()));
    AffineMap spatialMap = AffineMap::getMinorIdentityMap(rank, rank - 2, context);
    auto average = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{sums, counts},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity, spatialMap, identity},
        getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          yieldValue(
              b, nested, arith::DivFOp::create(b, nested, args[0], args[1]));
        });
    rewriter.replaceOp(op, average.getResults());
    return success();
  }
};

/// Global pooling: reduce the spatial dims into [N, C], finish each value
/// with `finish` (if any), then restore the unit spatial dims.
template <typename OpTy>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isAverage = std::is_same_v<OpTy, GlobalAveragePoolOp>;
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = inputType.getElementType();
    unsigned rank = inputType.getRank();
    auto reducedType = RankedTensorType::get(inputType.getShape().take_front(2),
                                             elementType);
    SmallVector<OpFoldResult> reducedSizes = {
        getDimSize(rewriter, loc, adaptor.getInput(), 0),
        getDimSize(rewriter, loc, adaptor.getInput(), 1)};
    Value start = isAverage ? createScalarConstant(rewriter, loc, elementType, 0)
                            : createLowestValue(rewriter, loc, elementType);
    Value init =
        createFilledTensor(rewriter, loc, reducedType, reducedSizes, start);
    AffineMap reducedMap =
        AffineMap::get(rank, 0,
                       {getAffineDimExpr(0, context), getAffineDimExpr(1, context)},
                       context);
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, ValueRange{adaptor.getInput()}, init,
            SmallVector<AffineMap>{
                AffineMap::getMultiDimIdentityMap(rank, context), reducedMap},
            getIteratorTypes(2, rank - 2),
            [&](OpBuilder &b, Location nested, ValueRange args) {
              Value combined = isAverage ? createAdd(b, nested, args[1], args[0])
                                         : createMax(b, nested, args[1], args[0]);
              yieldValue(b, nested, combined);
            })
            .getResult(0);
    if (isAverage) {
      Value divisor = createElementCount(
          rewriter, loc, adaptor.getInput(),
          llvm::to_vector(llvm::seq<int64_t>(2, rank)), elementType);
      AffineMap identity = AffineMap::getMultiDimIdentityMap(2, context);
      reduced = linalg::GenericOp::create(
                    rewriter, loc, reducedType, ValueRange{reduced},
                    createEmptyTensor(rewriter, loc, reducedType, reducedSizes),
                    SmallVector<AffineMap>{identity, identity},
                    getIteratorTypes(2, 0),
                    [&](OpBuilder &b, Location nested, ValueRange args) {
                      yieldValue(
                          b, nested,
                          arith::DivFOp::create(b, nested, args[0], divisor));
                    })
                    .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, reduced, resultType));
    return success();
  }
};

} // namespace

void mlir::edge::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering,
               GlobalPoolLowering<GlobalAveragePoolOp>,
               GlobalPoolLowering<GlobalMaxPoolOp>>(patterns.getContext());
}
