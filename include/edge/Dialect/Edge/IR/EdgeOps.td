//===- EdgeOps.td - Operations of the edge dialect ---------*- tablegen -*-===//
//
// Conventions: operands and results are statically shaped tensors; every
// ONNX attribute default is made explicit at import; spatial attributes
// (strides, dilations, pads) have one entry per spatial dimension, pads in
// ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end].
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_DIALECT_EDGE_IR_EDGEOPS_TD
#define EDGE_DIALECT_EDGE_IR_EDGEOPS_TD

include "edge/Dialect/Edge/IR/EdgeBase.td"
include "edge/Dialect/Edge/IR/EdgeInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Edge_Tensor : StaticShapeTensorOf<[AnyType]>;
def Edge_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def Edge_NumericTensor : StaticShapeTensorOf<[AnyFloat, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Edge_ConstantOp : Edge_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "tensor constant (ONNX initializers and Constant nodes)";
  let description = [{
    A constant tensor. Large weights are imported as `dense_resource` blobs
    so that the IR stays small and the bytes are not re-parsed.

    ```mlir
    %w = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Edge_BinaryElementwiseOp<string mnemonic, string formula,
                               list<Trait> traits = []>
    : Edge_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor,
        SameOperandsElementType, DeclareOpInterfaceMethods<Edge_CostOpInterface>])> {
  let summary = "elementwise `" # formula # "` with numpy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise. Operand shapes broadcast as in
    numpy (ONNX multidirectional broadcasting): shapes are aligned on the
    right, and a dimension of size 1 stretches to the other's size.

    ```mlir
    %r = edge.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_NumericTensor:$lhs, Edge_NumericTensor:$rhs);
  let results = (outs Edge_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_AddOp : Edge_BinaryElementwiseOp<"add", "lhs + rhs", [Commutative]>;
def Edge_SubOp : Edge_BinaryElementwiseOp<"sub", "lhs - rhs">;
def Edge_MulOp : Edge_BinaryElementwiseOp<"mul", "lhs * rhs", [Commutative]>;
def Edge_DivOp : Edge_BinaryElementwiseOp<"div", "lhs / rhs (integers: truncating)">;

class Edge_UnaryElementwiseOp<string mnemonic, string formula,
                              Type operandType = Edge_FloatTensor>
    : Edge_Op<mnemonic, [Pure, SameOperandsAndResultType,
        DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "elementwise `" # formula # "`";
  let description = [{
    Computes `}] # formula # [{` for every element.

    ```mlir
    %r = edge.}] # mnemonic # [{ %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Edge_ReluOp : Edge_UnaryElementwiseOp<"relu", "max(x, 0)", Edge_NumericTensor>;
def Edge_NegOp : Edge_UnaryElementwiseOp<"neg", "-x", Edge_NumericTensor>;
def Edge_AbsOp : Edge_UnaryElementwiseOp<"abs", "|x|", Edge_NumericTensor>;
def Edge_SigmoidOp : Edge_UnaryElementwiseOp<"sigmoid", "1 / (1 + exp(-x))">;
def Edge_TanhOp : Edge_UnaryElementwiseOp<"tanh", "tanh(x)">;
def Edge_ExpOp : Edge_UnaryElementwiseOp<"exp", "exp(x)">;
def Edge_LogOp : Edge_UnaryElementwiseOp<"log", "ln(x)">;
def Edge_SqrtOp : Edge_UnaryElementwiseOp<"sqrt", "sqrt(x)">;
def Edge_ErfOp : Edge_UnaryElementwiseOp<"erf", "erf(x)">;
def Edge_ReciprocalOp : Edge_UnaryElementwiseOp<"reciprocal", "1 / x">;
def Edge_FloorOp : Edge_UnaryElementwiseOp<"floor", "floor(x)">;
def Edge_CeilOp : Edge_UnaryElementwiseOp<"ceil", "ceil(x)">;

def Edge_ClipOp : Edge_Op<"clip", [Pure, AttrSizedOperandSegments,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `min(max(x, min), max)` with scalar (rank-0) bounds of the input's
    element type; an absent bound does not clamp, NaN stays NaN, and
    min > max gives max. ONNX Clip; ReLU6 is a clip to [0, 6] with constant
    bounds, which later passes can fold into the kernel.

    ```mlir
    %r = edge.clip %x min(%lo : tensor<f32>) max(%hi : tensor<f32>) : tensor<1x32xf32>
    ```
  }];
  let arguments = (ins Edge_NumericTensor:$input,
                   Optional<Edge_NumericTensor>:$min,
                   Optional<Edge_NumericTensor>:$max);
  let results = (outs Edge_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` `(` $min^ `:` type($min) `)`)?
    (`max` `(` $max^ `:` type($max) `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Edge_MatMulOp : Edge_Op<"matmul", [Pure, InferTypeOpAdaptor,
    SameOperandsElementType, DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "matrix product with numpy semantics (batched, broadcasting)";
  let description = [{
    `numpy.matmul`: 1-D operands are promoted to matrices (a row for `lhs`,
    a column for `rhs`) and the added dimension is removed from the result;
    leading (batch) dimensions broadcast.

    ```mlir
    %r = edge.matmul %a, %b : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
    ```
  }];
  let arguments = (ins Edge_NumericTensor:$lhs, Edge_NumericTensor:$rhs);
  let results = (outs Edge_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Edge_GemmOp : Edge_Op<"gemm", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "general matrix multiply: alpha * op(A) * op(B) + beta * C";
  let description = [{
    ONNX Gemm: `op(X)` is `X` or its transpose (`trans_a`, `trans_b`); the
    optional `c` broadcasts to the [M, N] result.

    ```mlir
    %r = edge.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32,
                               trans_a = false, trans_b = true}
       : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Edge_NumericTensor:$a, Edge_NumericTensor:$b,
                   Optional<Edge_NumericTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Edge_NumericTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

def Edge_ConvOp : Edge_Op<"conv", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "N-D grouped convolution with optional bias";
  let description = [{
    ONNX Conv on `input` [N, C, D1, ..., Dk] and `weight`
    [M, C / group, K1, ..., Kk], with an optional `bias` [M]. Explicit
    padding (auto_pad is resolved by the importer).

    ```mlir
    %y = edge.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
                               pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$weight,
                   Optional<Edge_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   ConfinedAttr<I64Attr, [IntPositive]>:$group);
  let results = (outs Edge_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

class Edge_PoolOp<string mnemonic, string kind> : Edge_Op<mnemonic,
    [Pure, InferTypeOpAdaptor,
     DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = kind # " pooling over sliding windows";
  let results = (outs Edge_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Edge_MaxPoolOp : Edge_PoolOp<"max_pool", "max"> {
  let description = [{
    ONNX MaxPool on [N, C, D1, ..., Dk]: the maximum of each window; padded
    positions never win. `ceil_mode` rounds the output size up.

    ```mlir
    %y = edge.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                           pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>,
                           ceil_mode = false} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input,
                   DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   BoolAttr:$ceil_mode);
}

def Edge_AveragePoolOp : Edge_PoolOp<"average_pool", "average"> {
  let description = [{
    ONNX AveragePool on [N, C, D1, ..., Dk]. With `count_include_pad`
    false, each window's sum is divided by the number of its elements that
    lie inside the input.

    ```mlir
    %y = edge.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                               pads = array<i64: 1, 1, 1, 1>, ceil_mode = false,
                               count_include_pad = false} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input,
                   DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, BoolAttr:$ceil_mode,
                   BoolAttr:$count_include_pad);
}

def Edge_GlobalAveragePoolOp : Edge_PoolOp<"global_average_pool", "global average"> {
  let description = [{
    The mean over all spatial dimensions of [N, C, D1, ..., Dk]; the result
    is [N, C, 1, ..., 1].

    ```mlir
    %y = edge.global_average_pool %x : (tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input);
}

def Edge_GlobalMaxPoolOp : Edge_PoolOp<"global_max_pool", "global max"> {
  let description = [{
    The maximum over all spatial dimensions of [N, C, D1, ..., Dk]; the
    result is [N, C, 1, ..., 1].
  }];
  let arguments = (ins Edge_FloatTensor:$input);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Edge_BatchNormOp : Edge_Op<"batch_norm", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "batch normalization in inference mode";
  let description = [{
    `scale * (input - mean) / sqrt(variance + epsilon) + bias`, with the
    four per-channel operands [C] broadcast along dimension 1 of `input`
    [N, C, ...].

    ```mlir
    %y = edge.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
       : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
      -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$scale,
                   Edge_FloatTensor:$bias, Edge_FloatTensor:$mean,
                   Edge_FloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Edge_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
}

def Edge_SoftmaxOp : Edge_Op<"softmax", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "softmax along one axis";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (non-negative). The
    opset < 13 form (softmax of the flattened trailing dimensions) is
    imported as reshape + softmax + reshape.

    ```mlir
    %y = edge.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins Edge_FloatTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Edge_ReshapeOp : Edge_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops", "estimateBytes"]>]> {
  let summary = "reinterprets a tensor with another static shape";
  let description = [{
    Row-major reshape; the element counts must agree. ONNX Reshape (with its
    `0` and `-1` resolved at import), Flatten, Squeeze and Unsqueeze map here.

    ```mlir
    %y = edge.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Edge_Tensor:$input);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Edge_TransposeOp : Edge_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "permutes dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    ```mlir
    %y = edge.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Edge_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_ConcatOp : Edge_Op<"concat", [Pure, InferTypeOpAdaptor,
    SameOperandsElementType, DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "concatenates tensors along one axis";
  let description = [{
    All operands have the same rank and agree on every dimension but `axis`
    (non-negative).

    ```mlir
    %y = edge.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Edge_Tensor>:$inputs,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

#endif // EDGE_DIALECT_EDGE_IR_EDGEOPS_TD
