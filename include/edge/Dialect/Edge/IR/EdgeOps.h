//===- EdgeOps.h - The edge dialect and its operations ----------*- C++ -*-===//

#ifndef EDGE_DIALECT_EDGE_IR_EDGEOPS_H
#define EDGE_DIALECT_EDGE_IR_EDGEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SetVector.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::edge {
/// Bytes of a tensor's elements, a dynamic size counting as 1; 0 for other
/// types.
int64_t getTensorBytes(Type type);

/// Dynamic sizes of a model function's inputs: the argument attribute
/// names the symbol (an ONNX dim_param) of each dimension ("" where
/// static); the function attribute maps each symbol to its bound, the
/// largest size it takes at run time.
inline constexpr const char *kDimSymbolsAttrName = "edge.dim_symbols";
inline constexpr const char *kDimBoundsAttrName = "edge.dim_bounds";
} // namespace mlir::edge

namespace mlir::edge {
/// Trait of ops computed element by element with numpy broadcasting
/// (`Edge_Elementwise` in ODS); fusion chains them.
template <typename ConcreteType>
class ElementwiseTrait
    : public OpTrait::TraitBase<ConcreteType, ElementwiseTrait> {};
/// Trait of ops that run on a CPU only (`Edge_HostOnly` in ODS): their
/// lowering reads run-time data in host code.
template <typename ConcreteType>
class HostOnlyTrait : public OpTrait::TraitBase<ConcreteType, HostOnlyTrait> {
};
} // namespace mlir::edge

namespace mlir::edge::detail {
/// Sum of the byte sizes of all statically shaped operands and results.
int64_t sumOperandAndResultBytes(Operation *op);
} // namespace mlir::edge::detail

#include "edge/Dialect/Edge/IR/EdgeInterfaces.h.inc"
#include "edge/Dialect/Edge/IR/EdgeOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "edge/Dialect/Edge/IR/EdgeOps.h.inc"

namespace mlir::edge {
/// Ops that check run-time data and report a failure to the runtime at a
/// numbered site (edge-check-indices numbers them; the ABI metadata lists
/// their descriptions): edge.check_indices, edge.check_sizes and
/// edge.dynamic_slice.
struct RunTimeCheck {
  Operation *op;
  std::optional<int32_t> site;
  StringRef description;
};
/// `op` as a run-time check, if it is one.
std::optional<RunTimeCheck> getRunTimeCheck(Operation *op);
/// Sets (or, with nullopt, removes) the site of a run-time check op.
void setRunTimeCheckSite(Operation *op, std::optional<int32_t> site);
} // namespace mlir::edge

#endif // EDGE_DIALECT_EDGE_IR_EDGEOPS_H
