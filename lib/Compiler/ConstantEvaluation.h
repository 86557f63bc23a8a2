//===- ConstantEvaluation.h - Constant subgraphs computed by edge -*- C++ -*-===//

#ifndef EDGE_LIB_COMPILER_CONSTANTEVALUATION_H
#define EDGE_LIB_COMPILER_CONSTANTEVALUATION_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

namespace mlir::edge {

/// Computes `value`, produced by `subgraph` (edge ops in an order where each
/// follows its operands' producers, all of whose operands are inside it), by
/// compiling the subgraph as a model for this machine and running it.
/// Returns failure when the subgraph does not compile or run (the caller
/// reports that the value is not constant).
FailureOr<DenseElementsAttr> evaluateByCompiling(ArrayRef<Operation *> subgraph,
                                                 Value value);

} // namespace mlir::edge

#endif // EDGE_LIB_COMPILER_CONSTANTEVALUATION_H
