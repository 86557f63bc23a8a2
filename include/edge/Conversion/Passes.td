//===- Passes.td - edge conversion passes ------------------*- tablegen -*-===//

#ifndef EDGE_CONVERSION_PASSES_TD
#define EDGE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEdgeToLinalgPass : Pass<"convert-edge-to-linalg"> {
  let summary = "Lower edge ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every `edge` op into destination-style tensor code: elementwise
    ops, pooling, normalization and the contractions (matmul, gemm, conv)
    become `linalg.generic` ops with indexing maps that encode broadcasting,
    strides and dilations; padding becomes `tensor.pad`; reshapes become
    `tensor.collapse_shape`/`expand_shape`; constants become `arith.constant`
    (keeping `dense_resource` blobs as they are). Fails on any edge op it
    cannot lower, naming it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // EDGE_CONVERSION_PASSES_TD
