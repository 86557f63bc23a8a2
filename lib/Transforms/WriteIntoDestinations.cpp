//===- WriteIntoDestinations.cpp - No vector write over a constant --------===//
//
// A tile whose accumulators start from a constant of the output's shape (a
// matrix-vector product's bias: [N] for an output [1, N]) reads them from
// the constant's slice, and once the canonicalizer has folded the
// extract_slice of the inserted initializer, writes them back over that
// slice before inserting it into the output. Bufferized, that write needs a
// copy of the read-only slice: a heap buffer in every tile, whose
// allocator lock the threads then fight over. A write that covers its whole
// tensor does not depend on that tensor's contents, so it can write into
// the slice of the output it is inserted at instead.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {
#define GEN_PASS_DEF_WRITEINTODESTINATIONSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// Whether `value` is a slice or a view of a constant (through
/// extract_slice ops and reshapes).
static bool isConstantSlice(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tensor::ExtractSliceOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp>(def))
      break;
    value = def->getOperand(0);
  }
  return matchPattern(value, m_Constant());
}

/// Whether `write` overwrites every element of its static tensor.
static bool writesWholeTensor(vector::TransferWriteOp write) {
  auto type = dyn_cast<RankedTensorType>(write.getBase().getType());
  return type && type.hasStaticShape() && !write.getMask() &&
         write.getVectorType().getShape() == type.getShape() &&
         write.getPermutationMap().isMinorIdentity() &&
         llvm::all_of(write.getIndices(), [](Value index) {
           return isZeroInteger(OpFoldResult(index));
         });
}

namespace {
struct WriteIntoDestinationsPass final
    : edge::impl::WriteIntoDestinationsPassBase<WriteIntoDestinationsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<vector::TransferWriteOp, tensor::InsertSliceOp>>
        writes;
    getOperation().walk([&](vector::TransferWriteOp write) {
      if (!write->hasOneUse() || !isConstantSlice(write.getBase()) ||
          !writesWholeTensor(write))
        return;
      auto insert = dyn_cast<tensor::InsertSliceOp>(*write->user_begin());
      if (insert && insert.getSource() == write.getResult())
        writes.emplace_back(write, insert);
    });
    IRRewriter rewriter(&getContext());
    for (auto [write, insert] : writes) {
      rewriter.setInsertionPoint(write);
      Value destination = tensor::ExtractSliceOp::create(
          rewriter, write.getLoc(),
          cast<RankedTensorType>(write.getBase().getType()), insert.getDest(),
          insert.getMixedOffsets(), insert.getMixedSizes(),
          insert.getMixedStrides());
      rewriter.modifyOpInPlace(
          write, [&] { write.getBaseMutable().assign(destination); });
    }
  }
};
} // namespace
