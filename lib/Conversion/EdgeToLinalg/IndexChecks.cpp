//===- IndexChecks.cpp - Lower edge.check_indices to a checked map --------===//
//
// One elementwise generic over the indices: an index in [-bound, bound)
// comes out non-negative; any other is reported to the runtime (when the op
// has a site) and comes out as 0, so the gather or scatter that reads the
// result stays inside its operand.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// The bound of the index at the generic's current position: the only
/// bound, or the one of its entry in the index tuple (the last dimension).
Value getBound(OpBuilder &b, Location loc, ArrayRef<Value> bounds,
               unsigned rank) {
  Type i64 = b.getI64Type();
  Value bound = bounds.back();
  if (bounds.size() == 1)
    return bound;
  Value entry = arith::IndexCastOp::create(
      b, loc, i64, linalg::IndexOp::create(b, loc, rank - 1));
  for (int64_t k = bounds.size() - 2; k >= 0; --k) {
    Value isEntry = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, entry,
        arith::ConstantIntOp::create(b, loc, i64, k));
    bound = arith::SelectOp::create(b, loc, isEntry, bounds[k], bound);
  }
  return bound;
}

/// Each bound as an i64 value: the static ones as constants, the dynamic
/// ones from their operands, in order.
SmallVector<Value> getBoundValues(OpBuilder &b, Location loc,
                                  ArrayRef<int64_t> bounds,
                                  ValueRange dynamicBounds) {
  SmallVector<Value> values;
  for (int64_t bound : bounds) {
    if (!ShapedType::isDynamic(bound)) {
      values.push_back(
          arith::ConstantIntOp::create(b, loc, b.getI64Type(), bound));
      continue;
    }
    values.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                                dynamicBounds.front()));
    dynamicBounds = dynamicBounds.drop_front();
  }
  return values;
}

struct CheckIndicesLowering : OpConversionPattern<CheckIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CheckIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    Type elementType = type.getElementType();
    std::optional<int32_t> site = op.getSite();
    SmallVector<Value> bounds = getBoundValues(
        rewriter, loc, op.getBounds(), adaptor.getDynamicBounds());
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(rank, op.getContext());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{adaptor.getIndices()},
        createEmptyResult(rewriter, op),
        SmallVector<AffineMap>{identity, identity}, getIteratorTypes(rank, 0),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Type i64 = b.getI64Type();
          Value index = args[0];
          if (elementType != i64)
            index = arith::ExtSIOp::create(b, nested, i64, index);
          Value bound = getBound(b, nested, bounds, rank);
          Value zero = arith::ConstantIntOp::create(b, nested, i64, 0);
          Value negative = arith::CmpIOp::create(
              b, nested, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::SelectOp::create(
              b, nested, negative,
              arith::AddIOp::create(b, nested, index, bound), index);
          // Unsigned: a wrapped index still below 0 is huge.
          Value inRange = arith::CmpIOp::create(
              b, nested, arith::CmpIPredicate::ult, wrapped, bound);
          if (site) {
            Value outOfRange = arith::XOrIOp::create(
                b, nested, inRange,
                arith::ConstantIntOp::create(b, nested, b.getI1Type(), 1));
            auto ifOp = scf::IfOp::create(b, nested, outOfRange);
            OpBuilder thenBuilder = ifOp.getThenBodyBuilder();
            Value siteValue = arith::ConstantIntOp::create(
                thenBuilder, nested, thenBuilder.getI32Type(), *site);
            func::CallOp::create(thenBuilder, nested,
                                 "edge_rt_index_out_of_range", TypeRange{},
                                 ValueRange{siteValue, index, bound});
          }
          Value safe =
              arith::SelectOp::create(b, nested, inRange, wrapped, zero);
          if (elementType != i64)
            safe = arith::TruncIOp::create(b, nested, elementType, safe);
          yieldValue(b, nested, safe);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateIndexCheckPatterns(RewritePatternSet &patterns) {
  patterns.add<CheckIndicesLowering>(patterns.getContext());
}
