//===- Contraction.cpp - Lower edge matmul, gemm and einsum to linalg -----===//

#include "Utils.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::edge;

Value mlir::edge::buildContraction(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, Value init,
                                   ArrayRef<AffineMap> maps,
                                   unsigned numParallel, Value scale) {
  Type accumulator = cast<RankedTensorType>(init.getType()).getElementType();
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
      getIteratorTypes(numParallel, 1),
      [&](OpBuilder &nb, Location nested, ValueRange args) {
        auto convert = [&](Value value) {
          if (isa<FloatType>(accumulator) && value.getType().isInteger())
            return Value(
                arith::SIToFPOp::create(nb, nested, accumulator, value));
          return value;
        };
        Value product =
            createMul(nb, nested, convert(args[0]), convert(args[1]));
        if (scale)
          product = createMul(nb, nested, scale, product);
        yieldValue(nb, nested,
                                createAdd(nb, nested, args[2], product));
      });
  return generic.getResult(0);
}

namespace {

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> result = resultType.getShape();
    ArrayRef<int64_t> lhs = op.getLhs().getType().getShape();
    ArrayRef<int64_t> rhs = op.getRhs().getType().getShape();
    bool hasM = lhs.size() > 1, hasN = rhs.size() > 1;
    unsigned resultRank = result.size();
    unsigned batchRank = resultRank - hasM - hasN;
    unsigned mLoop = batchRank, nLoop = batchRank + hasM, kLoop = resultRank;
    auto dim = [&](unsigned loop) { return getAffineDimExpr(loop, context); };

    // Batch dims of one operand, right-aligned with broadcasting.
    auto batchExprs = [&](ArrayRef<int64_t> shape) {
      SmallVector<AffineExpr> exprs;
      ArrayRef<int64_t> batch = shape.drop_back(std::min<size_t>(shape.size(), 2));
      for (auto [index, size] : llvm::enumerate(batch)) {
        unsigned loop = batchRank - batch.size() + index;
        exprs.push_back(size == 1 && result[loop] != 1
                            ? getAffineConstantExpr(0, context)
                            : dim(loop));
      }
      return exprs;
    };
    SmallVector<AffineExpr> lhsExprs = batchExprs(lhs);
    if (hasM)
      lhsExprs.push_back(dim(mLoop));
    lhsExprs.push_back(dim(kLoop));
    SmallVector<AffineExpr> rhsExprs = batchExprs(rhs);
    if (op.getTransposeRhs()) {
      rhsExprs.push_back(dim(nLoop));
      rhsExprs.push_back(dim(kLoop));
    } else {
      rhsExprs.push_back(dim(kLoop));
      if (hasN)
        rhsExprs.push_back(dim(nLoop));
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(resultRank + 1, 0, lhsExprs, context),
        AffineMap::get(resultRank + 1, 0, rhsExprs, context),
        AffineMap::getMultiDimIdentityMap(resultRank + 1, context)
            .getMajorSubMap(resultRank)};

    Value zero =
        createScalarConstant(rewriter, loc, resultType.getElementType(), 0);
    Value init = createFilledResult(rewriter, op, zero);
    rewriter.replaceOp(op, buildContraction(rewriter, loc, adaptor.getLhs(),
                                            adaptor.getRhs(), init, maps,
                                            resultRank, /*scale=*/nullptr));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    AffineExpr m = getAffineDimExpr(0, context), n = getAffineDimExpr(1, context),
               k = getAffineDimExpr(2, context);
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0,
                       op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                      : ArrayRef<AffineExpr>{m, k},
                       context),
        AffineMap::get(3, 0,
                       op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                      : ArrayRef<AffineExpr>{k, n},
                       context),
        AffineMap::get(3, 0, {m, n}, context)};

    // The accumulator starts as beta * C (broadcast), so the reduction nest
    // is the only pass over the result.
    Value init;
    if (Value c = adaptor.getC()) {
      ArrayRef<int64_t> cShape = cast<ShapedType>(c.getType()).getShape();
      AffineMap cMap = getBroadcastMap(cShape, resultType.getShape(), context);
      AffineMap identity = AffineMap::getMultiDimIdentityMap(2, context);
      Value beta = op.getBeta().convertToDouble() == 1.0
                       ? Value()
                       : createScalarConstant(rewriter, loc, elementType,
                                              op.getBeta().convertToDouble());
      init = linalg::GenericOp::create(
                 rewriter, loc, resultType, ValueRange{c},
                 createEmptyResult(rewriter, op),
                 SmallVector<AffineMap>{cMap, identity}, getIteratorTypes(2, 0),
                 [&](OpBuilder &b, Location nested, ValueRange args) {
                   Value value = args[0];
                   if (beta)
                     value = createMul(b, nested, beta, value);
                   yieldValue(b, nested, value);
                 })
                 .getResult(0);
    } else {
      init = createFilledResult(
          rewriter, op, createScalarConstant(rewriter, loc, elementType, 0));
    }
    double alphaValue = op.getAlpha().convertToDouble();
    Value alpha = alphaValue == 1.0 ? Value()
                                    : createScalarConstant(rewriter, loc,
                                                           elementType,
                                                           alphaValue);
    rewriter.replaceOp(op, buildContraction(rewriter, loc, adaptor.getA(),
                                            adaptor.getB(), init, maps, 2,
                                            alpha));
    return success();
  }
};

/// Einsum: one generic over every letter, result letters first (parallel),
/// then the summed ones (reduction); each operand's map lists its letters.
struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    SmallVector<StringRef> terms = op.getTerms();
    StringRef output = terms.back();
    std::string loops = output.str();
    for (StringRef term : ArrayRef(terms).drop_back())
      for (char letter : term)
        if (loops.find(letter) == std::string::npos)
          loops.push_back(letter);
    auto mapOf = [&](StringRef term) {
      SmallVector<AffineExpr> exprs;
      for (char letter : term)
        exprs.push_back(getAffineDimExpr(loops.find(letter), context));
      return AffineMap::get(loops.size(), 0, exprs, context);
    };
    SmallVector<AffineMap> maps;
    for (StringRef term : terms)
      maps.push_back(mapOf(term));

    auto resultType = cast<RankedTensorType>(op.getType());
    Value zero =
        createScalarConstant(rewriter, loc, resultType.getElementType(), 0);
    Value init = createFilledTensor(rewriter, loc, resultType, zero);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getInputs(), init, maps,
        getIteratorTypes(output.size(), loops.size() - output.size()),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          Value product = args[0];
          for (Value arg : args.drop_front().drop_back())
            product = createMul(b, nested, product, arg);
          yieldValue(b, nested, createAdd(b, nested, args.back(), product));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::edge::populateContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, EinsumLowering>(
      patterns.getContext());
}
