//===- ConstantSubgraphs.cpp - Values computed from constants only --------===//
//
// Shape computations exported by PyTorch often combine constants through ops
// that have no folder (ConstantOfShape -> Mul -> Equal -> Where for
// `expand(-1, ...)`). When a node needs such a value as a constant, the
// importer hands the whole subgraph to ImportOptions::constantEvaluator,
// which computes it (edge-compile compiles and runs it), instead of folding
// op by op.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

/// Subgraphs larger than this are not evaluated: a shape computation has a
/// few dozen ops, and compiling a large part of a model at import time would
/// cost more than it could save.
static constexpr unsigned kMaxConstantSubgraphOps = 512;

/// Whether `value` is a statically shaped tensor the evaluator can return.
static bool isEvaluableTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape();
}

FailureOr<SmallVector<Operation *>>
mlir::edge::onnx_import::getConstantSubgraph(Value value) {
  if (!isEvaluableTensor(value) || matchPattern(value, m_Constant()))
    return failure();
  // Depth-first, each op after the producers of its operands.
  llvm::SetVector<Operation *> ordered;
  llvm::SmallPtrSet<Operation *, 32> entered;
  SmallVector<std::pair<Operation *, unsigned>> stack;
  auto enter = [&](Value operand) -> LogicalResult {
    Operation *op = operand.getDefiningOp();
    // Graph inputs (and values of enclosing regions) are not constant.
    if (!op || op->getNumRegions() != 0 || !isEvaluableTensor(operand))
      return failure();
    if (entered.insert(op).second) {
      if (entered.size() > kMaxConstantSubgraphOps)
        return failure();
      stack.push_back({op, 0});
    }
    return success();
  };
  if (failed(enter(value)))
    return failure();
  while (!stack.empty()) {
    auto &[op, next] = stack.back();
    if (next == op->getNumOperands()) {
      ordered.insert(op);
      stack.pop_back();
      continue;
    }
    Value operand = op->getOperand(next++);
    Operation *producer = operand.getDefiningOp();
    if (producer && ordered.contains(producer))
      continue;
    // Entered but not finished: a cycle, which dominance rules out, but
    // never loop on malformed IR.
    if (producer && entered.contains(producer))
      return failure();
    if (failed(enter(operand)))
      return failure();
  }
  return SmallVector<Operation *>(ordered.begin(), ordered.end());
}

std::optional<DenseElementsAttr> GraphImporter::evaluateConstant(Value value) {
  if (!options.constantEvaluator)
    return std::nullopt;
  auto [it, inserted] = evaluatedConstants.try_emplace(value);
  if (inserted) {
    FailureOr<SmallVector<Operation *>> subgraph = getConstantSubgraph(value);
    if (succeeded(subgraph)) {
      FailureOr<DenseElementsAttr> result =
          options.constantEvaluator(*subgraph, value);
      if (succeeded(result) && result->getType() == value.getType())
        it->second = *result;
    }
  }
  if (!it->second)
    return std::nullopt;
  return it->second;
}
