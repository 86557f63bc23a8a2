//===- SizeChecks.cpp - Lower ops that check sizes computed at run time ---===//
//
// edge.check_sizes compares each size with the expected one and reports
// the first that differs; its data passes through.
//
// edge.dynamic_slice: the run first normalizes the ONNX operands, once, in scalar code: each
// dimension's start, end and step (the last entry naming an axis wins, as
// for repeated axes nothing else is defined), wrapped and clamped by ONNX's
// rules, and the size they give, which must be the result's (else it is
// reported). A generic over the result then reads
// `input[start + i * step]`, each index clamped into the input so that a
// wrong size never reads outside it.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// i64 arithmetic on scalars, the few operations normalization needs.
struct Scalars {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t value) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), value);
  }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  Value add(Value x, Value y) { return createAdd(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value clamp(Value x, Value low, Value high) {
    return createMin(b, loc, createMax(b, loc, x, low), high);
  }
  /// Entry `i` of a 1-D integer tensor, as i64.
  Value entry(Value tensor, int64_t i) {
    Value index = arith::ConstantIndexOp::create(b, loc, i);
    Value value = tensor::ExtractOp::create(b, loc, tensor, index);
    if (value.getType() != b.getI64Type())
      value = arith::ExtSIOp::create(b, loc, b.getI64Type(), value);
    return value;
  }
  /// `value` counted from the end when negative.
  Value wrap(Value value, Value size) {
    return select(cmp(arith::CmpIPredicate::slt, value, constant(0)),
                  add(value, size), value);
  }
};

/// Reports `size` (i64) at entry `index` of check `site` to the runtime
/// when it differs from `declared` (i64).
void reportMismatch(OpBuilder &b, Location loc, int32_t site, int64_t index,
                    Value size, Value declared) {
  Value differs =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, size, declared);
  auto ifOp = scf::IfOp::create(b, loc, differs);
  OpBuilder then = ifOp.getThenBodyBuilder();
  func::CallOp::create(
      then, loc, "edge_rt_size_mismatch", TypeRange{},
      ValueRange{
          arith::ConstantIntOp::create(then, loc, then.getI32Type(), site),
          arith::ConstantIntOp::create(then, loc, then.getI32Type(), index),
          size, declared});
}

struct CheckSizesLowering : OpConversionPattern<CheckSizesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CheckSizesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (std::optional<int32_t> site = op.getSite()) {
      Scalars s{rewriter, op.getLoc()};
      for (auto [index, expected] : llvm::enumerate(op.getExpected()))
        reportMismatch(rewriter, op.getLoc(), *site, index,
                       s.entry(adaptor.getSizes(), index),
                       adaptor.getAgainst()
                           ? s.entry(adaptor.getAgainst(), index)
                           : s.constant(expected));
    }
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// One dimension's normalized slice.
struct DimSlice {
  Value start, step, size;
};

/// ONNX's clamping for one dimension of size `dim`: the start and end are
/// wrapped, then clamped into [0, dim] walking forwards and [0, dim - 1]
/// (the end to [-1, dim - 1]) walking backwards. A step of 0, which ONNX
/// forbids, is taken as 1 and gives a size that no result has.
DimSlice normalize(Scalars &s, Value start, Value end, Value step,
                   int64_t dim) {
  Value zero = s.constant(0), one = s.constant(1), size = s.constant(dim);
  Value isZero = s.cmp(arith::CmpIPredicate::eq, step, zero);
  step = s.select(isZero, one, step);
  Value forward = s.cmp(arith::CmpIPredicate::sgt, step, zero);
  start = s.wrap(start, size);
  end = s.wrap(end, size);
  Value last = s.constant(dim - 1);
  start = s.select(forward, s.clamp(start, zero, size),
                   s.clamp(start, zero, last));
  end = s.select(forward, s.clamp(end, zero, size),
                 s.clamp(end, s.constant(-1), last));
  // Elements from start towards end: ceil(|end - start| / |step|).
  Value distance = s.select(forward, s.sub(end, start), s.sub(start, end));
  Value stride = s.select(forward, step, s.sub(zero, step));
  Value count = arith::CeilDivSIOp::create(s.b, s.loc, distance, stride);
  count = createMax(s.b, s.loc, count, zero);
  count = s.select(isZero, s.constant(-1), count);
  return {start, step, count};
}

struct DynamicSliceLowering : OpConversionPattern<DynamicSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = inputType.getRank();
    Scalars s{rewriter, loc};

    // Whole dimensions, then each listed axis's entries.
    SmallVector<Value> starts, ends, steps;
    for (int64_t d = 0; d < rank; ++d) {
      starts.push_back(s.constant(0));
      ends.push_back(s.constant(inputType.getDimSize(d)));
      steps.push_back(s.constant(1));
    }
    int64_t count = cast<RankedTensorType>(op.getStarts().getType())
                        .getDimSize(0);
    Value rankValue = s.constant(rank);
    for (int64_t i = 0; i < count; ++i) {
      Value axis = s.wrap(s.entry(adaptor.getAxes(), i), rankValue);
      Value start = s.entry(adaptor.getStarts(), i);
      Value end = s.entry(adaptor.getEnds(), i);
      Value step = s.entry(adaptor.getSteps(), i);
      for (int64_t d = 0; d < rank; ++d) {
        Value named = s.cmp(arith::CmpIPredicate::eq, axis, s.constant(d));
        starts[d] = s.select(named, start, starts[d]);
        ends[d] = s.select(named, end, ends[d]);
        steps[d] = s.select(named, step, steps[d]);
      }
    }

    SmallVector<DimSlice> dims;
    std::optional<int32_t> site = op.getSite();
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(normalize(s, starts[d], ends[d], steps[d],
                               inputType.getDimSize(d)));
      if (site)
        reportMismatch(rewriter, loc, *site, d, dims.back().size,
                       s.constant(resultType.getDimSize(d)));
    }

    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(rank, op.getContext());
    Value input = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{}, createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity}, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange) {
          Scalars inner{b, nested};
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(
                b, nested, b.getI64Type(), linalg::IndexOp::create(b, nested, d));
            Value index =
                inner.add(dims[d].start, createMul(b, nested, i, dims[d].step));
            index = inner.clamp(index, inner.constant(0),
                                inner.constant(inputType.getDimSize(d) - 1));
            indices.push_back(
                arith::IndexCastOp::create(b, nested, b.getIndexType(), index));
          }
          yieldValue(b, nested,
                     tensor::ExtractOp::create(b, nested, input, indices));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateSizeCheckPatterns(RewritePatternSet &patterns) {
  patterns.add<CheckSizesLowering, DynamicSliceLowering>(
      patterns.getContext());
}
