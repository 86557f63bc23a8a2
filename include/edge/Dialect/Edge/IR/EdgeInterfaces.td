//===- EdgeInterfaces.td - Interfaces of edge ops ----------*- tablegen -*-===//

#ifndef EDGE_DIALECT_EDGE_IR_EDGEINTERFACES_TD
#define EDGE_DIALECT_EDGE_IR_EDGEINTERFACES_TD

include "mlir/IR/OpBase.td"

def Edge_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::mlir::edge";
  let description = [{
    Static work estimates the placement cost model and fusion heuristics
    read: arithmetic operations and bytes moved to and from memory by one
    execution of the op, unfused. Counts are exact for the op's semantics
    (one multiply-add counts as two operations), not measured.
  }];
  let methods = [
    InterfaceMethod<"Number of arithmetic operations (multiply-add = 2).",
      "int64_t", "estimateFlops", (ins), [{}], [{
        // Elementwise default: one operation per result element.
        int64_t flops = 0;
        for (mlir::Type type : $_op->getResultTypes())
          if (auto shaped = llvm::dyn_cast<mlir::ShapedType>(type))
            flops += shaped.getNumElements();
        return flops;
      }]>,
    InterfaceMethod<"Bytes read from operands plus bytes written.",
      "int64_t", "estimateBytes", (ins), [{}], [{
        return ::mlir::edge::detail::sumOperandAndResultBytes($_op);
      }]>,
  ];
}

#endif // EDGE_DIALECT_EDGE_IR_EDGEINTERFACES_TD
