//===- ApproximateMath.cpp - Vectorizable math functions -------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSet.h"

namespace mlir::edge {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

namespace {
/// The approximations are chains of math.fma: LLVM's fma intrinsic (an
/// instruction with FMA, vectorizable) for scalars and vector.fma for
/// vectors, where convert-math-to-libm would make each a call to fmaf.
struct FmaToIntrinsic : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rewriter) const override {
    // vector.fma of any rank, which the LLVM lowering unrolls to 1-D.
    if (isa<VectorType>(op.getType()))
      rewriter.replaceOpWithNewOp<vector::FMAOp>(op, op.getA(), op.getB(),
                                                 op.getC());
    else
      rewriter.replaceOpWithNewOp<LLVM::FMAOp>(op, op.getA(), op.getB(),
                                               op.getC());
    return success();
  }
};

struct ApproximateMathPass final
    : edge::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    // Upstream's predicate sees full op names (math.tanh).
    llvm::StringSet<> chosen;
    for (const std::string &name : functions)
      chosen.insert("math." + name);
    if (chosen.empty())
      chosen = {"math.tanh", "math.erf", "math.exp"};
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [&](StringRef name) { return chosen.contains(name); });
    patterns.add<FmaToIntrinsic>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
