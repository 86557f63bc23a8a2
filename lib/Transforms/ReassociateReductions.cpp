//===- ReassociateReductions.cpp - Float vector reductions as trees -------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

namespace {
struct ReassociateReductionsPass final
    : edge::impl::ReassociateReductionsPassBase<ReassociateReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([](vector::ReductionOp op) {
      if (op.getKind() != vector::CombiningKind::ADD ||
          !isa<FloatType>(op.getType()))
        return;
      op.setFastmath(op.getFastmath() | arith::FastMathFlags::reassoc);
    });
  }
};
} // namespace
