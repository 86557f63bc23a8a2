//===- EdgeBase.td - The edge dialect definition -----------*- tablegen -*-===//
//
// The graph-level dialect of the edge compiler: one op per ONNX operator
// family, on statically shaped tensors.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_DIALECT_EDGE_IR_EDGEBASE_TD
#define EDGE_DIALECT_EDGE_IR_EDGEBASE_TD

include "mlir/IR/OpBase.td"

def Edge_Dialect : Dialect {
  let name = "edge";
  let cppNamespace = "::mlir::edge";
  let summary = "Graph-level operations of the edge ML compiler";
  let description = [{
    The `edge` dialect holds a model as imported from ONNX: ranked tensors
    (static shapes, or dynamic sizes bounded by the user), one operation
    per operator family, ONNX node names kept
    as locations. Ops carry the information later passes need (fusion,
    placement by a cost model, lowering to linalg): explicit attributes for
    every ONNX default, shape inference from ONNX rules, cheap folders, and
    a cost interface that estimates FLOPs and memory traffic.
  }];
  let hasConstantMaterializer = 1;
  // The run-time sizes of dynamic results (ReifyShapes.cpp) are tensor.dim
  // and arith computations.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

// Marks ops that compute each result element from the operand elements at
// the same (broadcast) position: the ops fusion may chain into one loop.
def Edge_Elementwise : NativeOpTrait<"ElementwiseTrait"> {
  let cppNamespace = "::mlir::edge";
}

// Ops whose lowering runs host code that reads run-time data before their
// kernel: placement keeps them on a CPU and a GPU target refuses them.
def Edge_HostOnly : NativeOpTrait<"HostOnlyTrait"> {
  let cppNamespace = "::mlir::edge";
}

class Edge_Op<string mnemonic, list<Trait> traits = []>
    : Op<Edge_Dialect, mnemonic, traits>;

#endif // EDGE_DIALECT_EDGE_IR_EDGEBASE_TD
