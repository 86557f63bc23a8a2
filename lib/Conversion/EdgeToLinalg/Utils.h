//===- Utils.h - Helpers shared by the edge-to-linalg patterns --*- C++ -*-===//

#ifndef EDGE_LIB_CONVERSION_EDGETOLINALG_UTILS_H
#define EDGE_LIB_CONVERSION_EDGETOLINALG_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

/// Family populate functions, one per file; populateEdgeToLinalg... calls all.
void populateElementwisePatterns(RewritePatternSet &patterns);
void populateContractionPatterns(RewritePatternSet &patterns);
void populateQuantizedMatMulPatterns(RewritePatternSet &patterns);
void populateConvolutionPatterns(RewritePatternSet &patterns);
void populatePoolingPatterns(RewritePatternSet &patterns);
void populateNormalizationPatterns(RewritePatternSet &patterns);
void populateDataMovementPatterns(RewritePatternSet &patterns);
void populateReductionPatterns(RewritePatternSet &patterns);
void populateScatterPatterns(RewritePatternSet &patterns);
void populateIndexCheckPatterns(RewritePatternSet &patterns);
void populateNonMaxSuppressionPatterns(RewritePatternSet &patterns);
void populateSizeCheckPatterns(RewritePatternSet &patterns);

/// Map from the loops of a `resultRank`-deep parallel nest onto an operand
/// of `operandShape` broadcast (numpy rules) to `resultShape`: operand dims
/// are aligned on the right; a size-1 dim that stretches maps to 0.
AffineMap getBroadcastMap(ArrayRef<int64_t> operandShape,
                          ArrayRef<int64_t> resultShape, MLIRContext *context);

/// A tensor.empty of the static `type`.
Value createEmptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
/// A tensor.empty of `type` whose dynamic sizes are the entries of `sizes`
/// (one per dimension) at the dynamic dimensions.
Value createEmptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                        ArrayRef<OpFoldResult> sizes);
/// The size of dimension `dim` of `value`: an attribute when static, else a
/// tensor.dim.
OpFoldResult getDimSize(OpBuilder &b, Location loc, Value value, int64_t dim);
/// The number of elements in dimensions `dims` of `input`, as a scalar of
/// `element` (float or integer): a constant when those sizes are static,
/// else their product computed at run time (a mean's or average's count).
Value createElementCount(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> dims, Type element);
/// The index value `index` as a scalar of `element` (float or integer).
Value castIndexTo(OpBuilder &b, Location loc, Value index, Type element);
/// The sizes of `op`'s first result, the dynamic ones computed from its
/// operands (ReifyRankedShapedTypeOpInterface).
SmallVector<OpFoldResult> getResultSizes(OpBuilder &b, Operation *op);
/// A tensor.empty, or one filled with `value`, shaped like `op`'s first
/// result at run time.
Value createEmptyResult(OpBuilder &b, Operation *op);
Value createFilledResult(OpBuilder &b, Operation *op, Value value);

/// A tensor of `type` whose element at each index is `input` read through
/// `readMap` (from the result's indices: a broadcast, a reversal); `sizes`
/// gives its run-time sizes when `type` has dynamic ones.
Value createMappedCopy(OpBuilder &b, Location loc, Value input,
                       AffineMap readMap, RankedTensorType type,
                       ArrayRef<OpFoldResult> sizes = {});

/// A tensor of `type` filled with the scalar `value`.
Value createFilledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         Value value);
Value createFilledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<OpFoldResult> sizes, Value value);

/// A scalar constant of `type` (float or integer) with the value `value`.
Value createScalarConstant(OpBuilder &b, Location loc, Type type, double value);

/// The lowest value of a float type (-inf) or signed integer type.
Value createLowestValue(OpBuilder &b, Location loc, Type type);
/// The highest value of a float type (+inf) or signed integer type.
Value createHighestValue(OpBuilder &b, Location loc, Type type);

/// `x + y`, `x * y` for float or integer scalars.
/// An integer index value as `index`, counted from the end of a dimension
/// of `extent` elements when negative (ONNX's index convention).
Value extractIndexValue(OpBuilder &b, Location loc, Value rawIndex,
                        OpFoldResult extent);

Value createAdd(OpBuilder &b, Location loc, Value x, Value y);
Value createMul(OpBuilder &b, Location loc, Value x, Value y);
/// max(x, y) and min(x, y); for floats NaN propagates as in numpy.
/// `flags` apply to floats: an activation clamping against a constant
/// passes `nsz` (the sign of a zero result does not matter to it), which
/// lets the x86 backend emit one max or min whose operand order carries a
/// NaN through, rather than a max, a NaN test and a blend.
Value createMax(OpBuilder &b, Location loc, Value x, Value y,
                arith::FastMathFlags flags = arith::FastMathFlags::none);
Value createMin(OpBuilder &b, Location loc, Value x, Value y,
                arith::FastMathFlags flags = arith::FastMathFlags::none);

/// Pads `input` with `padValue`: `low[i]`/`high[i]` elements before/after
/// dimension i. Returns `input` unchanged when all pads are zero.
Value padTensor(OpBuilder &b, Location loc, Value input, Value padValue,
                ArrayRef<int64_t> low, ArrayRef<int64_t> high);

/// Iterator types: `numParallel` parallel loops then `numReduction`
/// reduction loops.
SmallVector<utils::IteratorType> getIteratorTypes(unsigned numParallel,
                                                  unsigned numReduction);

/// A linalg.generic sliding a window over `input` ([N, C, spatial...]) into
/// `init` ([N, C, out...]): loops n, c, out[k] (parallel), then window[k]
/// (reduction); the input is read at `out * stride + window * dilation`,
/// `window` at the window position, preceded by the channel when
/// `windowPerChannel` ([C, window...], a depthwise weight; else
/// [window...], which only gives the loop bounds). `body` gets the input
/// element, the window element and the accumulator, and returns the new
/// accumulator.
Value createSlidingWindowOp(
    OpBuilder &b, Location loc, Value input, Value window,
    bool windowPerChannel, Value init, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// One reduction nest `out[...] += lhs[...] * rhs[...]` over `init` (loops:
/// `numParallel` parallel, then one reduction), `scale * ...` when `scale`
/// is set. An integer operand of a float accumulation (int8 weights) is
/// converted, signed, as it is read.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, ArrayRef<AffineMap> maps,
                       unsigned numParallel, Value scale);

/// Terminates a linalg.generic body with the single value `value`.
inline void yieldValue(OpBuilder &b, Location loc, Value value) {
  linalg::YieldOp::create(b, loc, ValueRange{value});
}

/// Reshapes a tensor to another shape with the same element count (static:
/// collapse to 1-D, then expand; dynamic: see edge.reshape's rules).
Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    RankedTensorType resultType,
                    std::optional<ArrayRef<int64_t>> groups = std::nullopt);

} // namespace mlir::edge

#endif // EDGE_LIB_CONVERSION_EDGETOLINALG_UTILS_H
