//===- ExpandBF16Conversions.cpp - bf16 conversions as integer code -------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_EXPANDBF16CONVERSIONSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

namespace {
struct ExpandBF16ConversionsPass final
    : edge::impl::ExpandBF16ConversionsPassBase<ExpandBF16ConversionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Upstream's patterns, without the rest of arith-expand.
    RewritePatternSet patterns(&getContext());
    arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
