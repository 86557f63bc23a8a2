//===- EdgeOps.td - Operations of the edge dialect ---------*- tablegen -*-===//
//
// Conventions: operands and results are ranked tensors, statically shaped
// except for the ops whose types are Edge_Dyn* (dynamic dimensions, `?`, are
// sizes known only at run time; ops that see two of them on one dimension
// take them to be equal, as ONNX's symbolic shapes do); every ONNX attribute
// default is made explicit at import; spatial attributes
// (strides, dilations, pads) have one entry per spatial dimension, pads in
// ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end].
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_DIALECT_EDGE_IR_EDGEOPS_TD
#define EDGE_DIALECT_EDGE_IR_EDGEOPS_TD

include "edge/Dialect/Edge/IR/EdgeBase.td"
include "edge/Dialect/Edge/IR/EdgeInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Edge_Tensor : StaticShapeTensorOf<[AnyType]>;
// Ops whose shape inference and lowering handle dynamic (`?`) dimensions
// take these; the others keep requiring static shapes, so that a dynamic
// dimension reaching one is a verifier error, never wrong code.
def Edge_DynTensor : RankedTensorOf<[AnyType]>;
def Edge_DynFloatTensor : RankedTensorOf<[AnyFloat]>;
def Edge_DynNumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
def Edge_DynBoolTensor : RankedTensorOf<[I1]>;
// Booleans (i1) are signless integers too.
def Edge_DynIntegerTensor : RankedTensorOf<[AnySignlessInteger]>;
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
        SameOperandsElementType, Edge_Elementwise,
        DeclareOpInterfaceMethods<Edge_CostOpInterface>])> {
  let summary = "elementwise `" # formula # "` with numpy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise. Operand shapes broadcast as in
    numpy (ONNX multidirectional broadcasting): shapes are aligned on the
    right, and a dimension of size 1 stretches to the other's size.

    ```mlir
    %r = edge.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_DynNumericTensor:$lhs, Edge_DynNumericTensor:$rhs);
  let results = (outs Edge_DynNumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_AddOp : Edge_BinaryElementwiseOp<"add", "lhs + rhs", [Commutative]>;
def Edge_SubOp : Edge_BinaryElementwiseOp<"sub", "lhs - rhs">;
def Edge_MulOp : Edge_BinaryElementwiseOp<"mul", "lhs * rhs", [Commutative]>;
def Edge_DivOp : Edge_BinaryElementwiseOp<"div", "lhs / rhs (integers: truncating)">;
def Edge_DivUOp : Edge_BinaryElementwiseOp<"divu", "lhs / rhs on unsigned integers">;
def Edge_PowOp : Edge_BinaryElementwiseOp<"pow", "lhs ^ rhs">;
def Edge_ShiftLeftOp : Edge_BinaryElementwiseOp<"shift_left", "lhs << rhs">;
def Edge_ShiftRightUOp : Edge_BinaryElementwiseOp<"shift_right_u", "lhs >> rhs, logical (unsigned)">;
def Edge_RemOp : Edge_BinaryElementwiseOp<"rem", "lhs mod rhs with the sign of lhs (C fmod)">;
def Edge_ModOp : Edge_BinaryElementwiseOp<"mod", "lhs mod rhs with the sign of rhs (Python %)">;
def Edge_MaxOp : Edge_BinaryElementwiseOp<"max", "max(lhs, rhs) (NaN wins)", [Commutative]>;
def Edge_MinOp : Edge_BinaryElementwiseOp<"min", "min(lhs, rhs) (NaN wins)", [Commutative]>;
def Edge_PReluOp : Edge_BinaryElementwiseOp<"prelu", "lhs < 0 ? lhs * rhs : lhs">;

class Edge_CompareOp<string mnemonic, string formula, list<Trait> traits = []>
    : Edge_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor,
        SameOperandsElementType, Edge_Elementwise,
        DeclareOpInterfaceMethods<Edge_CostOpInterface>])> {
  let summary = "elementwise `" # formula # "` with numpy broadcasting, as i1";
  let description = [{
    Compares `lhs` and `rhs` elementwise (ordered for floats: a NaN compares
    false) after numpy broadcasting; the result holds booleans (`i1`).

    ```mlir
    %r = edge.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    ```
  }];
  let arguments = (ins Edge_DynNumericTensor:$lhs, Edge_DynNumericTensor:$rhs);
  let results = (outs Edge_DynBoolTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_EqualOp : Edge_CompareOp<"equal", "lhs == rhs", [Commutative]>;
def Edge_LessOp : Edge_CompareOp<"less", "lhs < rhs">;
def Edge_LessEqualOp : Edge_CompareOp<"less_equal", "lhs <= rhs">;
def Edge_GreaterOp : Edge_CompareOp<"greater", "lhs > rhs">;
def Edge_GreaterEqualOp : Edge_CompareOp<"greater_equal", "lhs >= rhs">;

class Edge_LogicalOp<string mnemonic, string formula>
    : Edge_Op<mnemonic, [Pure, Commutative, InferTypeOpAdaptor,
        AllElementTypesMatch<["lhs", "rhs", "result"]>,
        Edge_Elementwise, DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "elementwise `" # formula # "` with numpy broadcasting: "
                "logical on booleans, bitwise on integers";
  let description = [{
    ```mlir
    %r = edge.}] # mnemonic # [{ %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    %s = edge.}] # mnemonic # [{ %c, %d : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
    ```
  }];
  let arguments = (ins Edge_DynIntegerTensor:$lhs,
                   Edge_DynIntegerTensor:$rhs);
  let results = (outs Edge_DynIntegerTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Edge_AndOp : Edge_LogicalOp<"and", "lhs and rhs">;
def Edge_OrOp : Edge_LogicalOp<"or", "lhs or rhs">;
def Edge_XorOp : Edge_LogicalOp<"xor", "lhs xor rhs">;

def Edge_SelectOp : Edge_Op<"select", [Pure, InferTypeOpAdaptor, Edge_Elementwise,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "elementwise `condition ? lhs : rhs` with numpy broadcasting";
  let description = [{
    ONNX Where: the three operands broadcast together.

    ```mlir
    %r = edge.select %c, %a, %b : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_DynBoolTensor:$condition, Edge_DynTensor:$lhs,
                   Edge_DynTensor:$rhs);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Edge_CastOp : Edge_Op<"cast", [Pure, SameOperandsAndResultShape, Edge_Elementwise,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    ONNX Cast semantics: float to integer truncates toward zero; to and from
    `i1`, zero is false and anything else true (true converts to 1).

    ```mlir
    %r = edge.cast %x : tensor<4xf32> to tensor<4xi64>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

class Edge_UnaryElementwiseOp<string mnemonic, string formula,
                              Type operandType = Edge_DynFloatTensor,
                              bit folds = 0>
    : Edge_Op<mnemonic, [Pure, SameOperandsAndResultType, Edge_Elementwise,
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
  // Ops that shape computations use (Neg of an axis, Ceil of a trip count)
  // fold on constants.
  let hasFolder = folds;
}

def Edge_ReluOp : Edge_UnaryElementwiseOp<"relu", "max(x, 0)", Edge_DynNumericTensor, 1>;
def Edge_NegOp : Edge_UnaryElementwiseOp<"neg", "-x", Edge_DynNumericTensor, 1>;
def Edge_AbsOp : Edge_UnaryElementwiseOp<"abs", "|x|", Edge_DynNumericTensor, 1>;
def Edge_SigmoidOp : Edge_UnaryElementwiseOp<"sigmoid", "1 / (1 + exp(-x))">;
def Edge_TanhOp : Edge_UnaryElementwiseOp<"tanh", "tanh(x)">;
def Edge_ExpOp : Edge_UnaryElementwiseOp<"exp", "exp(x)">;
def Edge_LogOp : Edge_UnaryElementwiseOp<"log", "ln(x)">;
def Edge_SqrtOp : Edge_UnaryElementwiseOp<"sqrt", "sqrt(x)">;
def Edge_ErfOp : Edge_UnaryElementwiseOp<"erf", "erf(x)">;
def Edge_ReciprocalOp : Edge_UnaryElementwiseOp<"reciprocal", "1 / x">;
def Edge_FloorOp : Edge_UnaryElementwiseOp<"floor", "floor(x)", Edge_DynFloatTensor, 1>;
def Edge_CeilOp : Edge_UnaryElementwiseOp<"ceil", "ceil(x)", Edge_DynFloatTensor, 1>;
def Edge_RoundOp : Edge_UnaryElementwiseOp<"round", "x rounded to nearest, ties to even", Edge_DynFloatTensor, 1>;
def Edge_SignOp : Edge_UnaryElementwiseOp<"sign", "-1, 0 or 1 by the sign of x", Edge_DynNumericTensor>;
def Edge_SinOp : Edge_UnaryElementwiseOp<"sin", "sin(x)">;
def Edge_CosOp : Edge_UnaryElementwiseOp<"cos", "cos(x)">;
def Edge_TanOp : Edge_UnaryElementwiseOp<"tan", "tan(x)">;
def Edge_AsinOp : Edge_UnaryElementwiseOp<"asin", "asin(x)">;
def Edge_AcosOp : Edge_UnaryElementwiseOp<"acos", "acos(x)">;
def Edge_AtanOp : Edge_UnaryElementwiseOp<"atan", "atan(x)">;
def Edge_SinhOp : Edge_UnaryElementwiseOp<"sinh", "sinh(x)">;
def Edge_CoshOp : Edge_UnaryElementwiseOp<"cosh", "cosh(x)">;
def Edge_AsinhOp : Edge_UnaryElementwiseOp<"asinh", "asinh(x)">;
def Edge_AcoshOp : Edge_UnaryElementwiseOp<"acosh", "acosh(x)">;
def Edge_AtanhOp : Edge_UnaryElementwiseOp<"atanh", "atanh(x)">;
def Edge_SoftplusOp : Edge_UnaryElementwiseOp<"softplus", "ln(1 + exp(x))">;
def Edge_SoftsignOp : Edge_UnaryElementwiseOp<"softsign", "x / (1 + |x|)">;
def Edge_HardSwishOp : Edge_UnaryElementwiseOp<"hard_swish", "x * max(0, min(1, x / 6 + 1 / 2))">;
def Edge_NotOp : Edge_UnaryElementwiseOp<"not", "not x: logical on booleans, bitwise on integers", Edge_DynIntegerTensor>;

/// Activations with ONNX's float parameters `alpha` (and `beta`).
class Edge_ActivationOp<string mnemonic, string formula, string alphaDefault,
                        string betaDefault = "0.0">
    : Edge_UnaryElementwiseOp<mnemonic, formula> {
  let arguments = (ins Edge_DynFloatTensor:$input,
                   DefaultValuedAttr<F32Attr, alphaDefault>:$alpha,
                   DefaultValuedAttr<F32Attr, betaDefault>:$beta);
}

def Edge_LeakyReluOp : Edge_ActivationOp<"leaky_relu", "x < 0 ? alpha * x : x", "0.01">;
def Edge_EluOp : Edge_ActivationOp<"elu", "x < 0 ? alpha * (exp(x) - 1) : x", "1.0">;
def Edge_CeluOp : Edge_ActivationOp<"celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))", "1.0">;
def Edge_SeluOp : Edge_ActivationOp<"selu",
    "beta * (x <= 0 ? alpha * (exp(x) - 1) : x) (beta is ONNX's gamma)",
    "1.67326319217681884765625", "1.05070102214813232421875">;
def Edge_HardSigmoidOp : Edge_ActivationOp<"hard_sigmoid", "max(0, min(1, alpha * x + beta))", "0.2", "0.5">;
def Edge_ThresholdedReluOp : Edge_ActivationOp<"thresholded_relu", "x > alpha ? x : 0", "1.0">;

def Edge_ClipOp : Edge_Op<"clip", [Pure, AttrSizedOperandSegments, Edge_Elementwise,
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
  let arguments = (ins Edge_DynNumericTensor:$input,
                   Optional<Edge_DynNumericTensor>:$min,
                   Optional<Edge_DynNumericTensor>:$max);
  let results = (outs Edge_DynNumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` `(` $min^ `:` type($min) `)`)?
    (`max` `(` $max^ `:` type($max) `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Edge_EinsumOp : Edge_Op<"einsum", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "sum of products over labeled dimensions (Einstein notation)";
  let description = [{
    `equation` names each operand's dimensions with one letter per
    dimension and the result's after `->` (always explicit here; the ONNX
    importer expands `...` and implicit outputs). Letters absent from the
    result are summed over; a letter repeated in one operand takes its
    diagonal. Every use of a letter has the same size.

    ```mlir
    %r = edge.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Edge_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs Edge_NumericTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The letters of each operand, then of the result; empty on a
    /// malformed equation.
    ::llvm::SmallVector<::llvm::StringRef> getTerms();
    /// Size of each letter (0 for letters absent from the operands).
    ::llvm::SmallVector<int64_t, 52> getLetterSizes();
  }];
}

def Edge_MatMulOp : Edge_Op<"matmul", [Pure, InferTypeOpAdaptor,
    SameOperandsElementType, DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "matrix product with numpy semantics (batched, broadcasting)";
  let description = [{
    `numpy.matmul`: 1-D operands are promoted to matrices (a row for `lhs`,
    a column for `rhs`) and the added dimension is removed from the result;
    leading (batch) dimensions broadcast. With `transpose_rhs`, `rhs` (of
    rank >= 2) is read with its last two dimensions swapped, so a
    transposed operand (attention's K^T) needs no copy; canonicalization
    folds such transposes in.

    ```mlir
    %r = edge.matmul %a, %b : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
    %s = edge.matmul %q, %k {transpose_rhs} : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Edge_DynNumericTensor:$lhs, Edge_DynNumericTensor:$rhs,
                   UnitAttr:$transpose_rhs);
  let results = (outs Edge_DynNumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Edge_QuantizedMatMulOp : Edge_Op<"quantized_matmul", [Pure,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "matrix product with int8 or int4 weights and float scales";
  let description = [{
    `lhs · (float(weights) * scales + offsets)`: `weights` [K, N] are signed
    8- or 4-bit integers, `scales` their float steps, and the optional
    `offsets` (the shape of block `scales`) shift each block, as zero points
    do (weight-only quantization: activations stay float). `lhs` is `[..., M, K]` (leading dimensions
    batch) or `[K]`, as for `edge.matmul` with a 2-D `rhs`; the result has
    `lhs`'s element type.

    - `scales` [N]: one step per output column. It applies once to each
      sum rather than to every weight.
    - `scales` [K / B, N]: one step per block of B consecutive rows of each
      column (B = K / `scales`'s first dimension), as llama.cpp's and ONNX
      Runtime's MatMulNBits 4-bit formats quantize: a column's large
      weights then cost precision in their own block only.

    Offsets, which asymmetric quantizers' zero points give (`(midpoint -
    zero point) * scale`), cost the kernel nothing: they join the
    multiply-add that scales each weight.

    4-bit weights take half the bytes of 8-bit ones in the library: two
    per byte, packed at compile time, so they must be constants, with an
    even B. Decoding with a language model reads every weight once per
    token; those bytes are what bounds it.

    ```mlir
    %r = edge.quantized_matmul %x, %w, %s
       : (tensor<?x512xf32>, tensor<512x2048xi8>, tensor<2048xf32>) -> tensor<?x2048xf32>
    %b = edge.quantized_matmul %x, %w4, %s4
       : (tensor<?x512xf32>, tensor<512x2048xi4>, tensor<16x2048xf32>) -> tensor<?x2048xf32>
    %z = edge.quantized_matmul %x, %w4, %s4, %o4
       : (tensor<?x512xf32>, tensor<512x2048xi4>, tensor<16x2048xf32>, tensor<16x2048xf32>) -> tensor<?x2048xf32>
    ```
  }];
  let arguments = (ins Edge_DynFloatTensor:$lhs, RankedTensorOf<[I8, I<4>]>:$weights,
                   Edge_DynFloatTensor:$scales,
                   Optional<Edge_DynFloatTensor>:$offsets);
  let results = (outs Edge_DynFloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $weights `,` $scales (`,` $offsets^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The rows of `weights` that share a scale: K for one scale per column.
    /// Dynamic when K or the number of blocks is.
    int64_t getBlockSize();
  }];
  let hasVerifier = 1;
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
  let arguments = (ins Edge_DynNumericTensor:$a, Edge_DynNumericTensor:$b,
                   Optional<Edge_DynNumericTensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Edge_DynNumericTensor:$result);
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
  let arguments = (ins Edge_DynFloatTensor:$input, Edge_DynFloatTensor:$weight,
                   Optional<Edge_DynFloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   ConfinedAttr<I64Attr, [IntPositive]>:$group);
  let results = (outs Edge_DynFloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

class Edge_PoolOp<string mnemonic, string kind> : Edge_Op<mnemonic,
    [Pure, InferTypeOpAdaptor,
     DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = kind # " pooling over sliding windows";
  let results = (outs Edge_DynFloatTensor:$result);
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
  let arguments = (ins Edge_DynFloatTensor:$input,
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
  let arguments = (ins Edge_DynFloatTensor:$input,
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
  let arguments = (ins Edge_DynFloatTensor:$input);
}

def Edge_GlobalMaxPoolOp : Edge_PoolOp<"global_max_pool", "global max"> {
  let description = [{
    The maximum over all spatial dimensions of [N, C, D1, ..., Dk]; the
    result is [N, C, 1, ..., 1].
  }];
  let arguments = (ins Edge_DynFloatTensor:$input);
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
  let arguments = (ins Edge_DynFloatTensor:$input, Edge_DynFloatTensor:$scale,
                   Edge_DynFloatTensor:$bias, Edge_DynFloatTensor:$mean,
                   Edge_DynFloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Edge_DynFloatTensor:$result);
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
  let arguments = (ins Edge_DynFloatTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_DynFloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Edge_ReduceOp<string mnemonic, string combine>
    : Edge_Op<mnemonic, [Pure, InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "reduction by " # combine # " over some axes";
  let description = [{
    Reduces `input` by }] # combine # [{ over `axes` (sorted, unique,
    non-negative; empty means all axes). With `keep_dims` the reduced
    dimensions stay as size 1.

    ```mlir
    %r = edge.}] # mnemonic # [{ %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins Edge_DynNumericTensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keep_dims);
  let results = (outs Edge_DynNumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_ReduceSumOp : Edge_ReduceOp<"reduce_sum", "sum">;
def Edge_ReduceMeanOp : Edge_ReduceOp<"reduce_mean", "mean">;
def Edge_ReduceProdOp : Edge_ReduceOp<"reduce_prod", "product">;
def Edge_ReduceMaxOp : Edge_ReduceOp<"reduce_max", "maximum">;
def Edge_ReduceMinOp : Edge_ReduceOp<"reduce_min", "minimum">;

class Edge_ArgReduceOp<string mnemonic, string which>
    : Edge_Op<mnemonic, [Pure, InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "index of the " # which # " along one axis";
  let description = [{
    The int64 index of the }] # which # [{ element along `axis`; ties go to
    the first index, or the last with `select_last_index`.

    ```mlir
    %r = edge.}] # mnemonic # [{ %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Edge_NumericTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   BoolAttr:$keep_dims, BoolAttr:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Edge_ArgMaxOp : Edge_ArgReduceOp<"arg_max", "largest">;
def Edge_ArgMinOp : Edge_ArgReduceOp<"arg_min", "smallest">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Edge_ShapeOp : Edge_Op<"shape", [Pure,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops", "estimateBytes"]>]> {
  let summary = "the sizes of a tensor's dimensions, as int64 values";
  let description = [{
    ONNX Shape: result element `i` is the size of input dimension
    `start + i`. With static sizes it folds to a constant; dynamic sizes are
    read at run time, so that shape computations (Shape -> Gather -> Concat)
    over dynamic tensors compute real values.

    ```mlir
    %s = edge.shape %x {start = 1 : i64} : (tensor<?x?x128xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input,
                   DefaultValuedAttr<I64Attr, "0">:$start);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Edge_IotaOp : Edge_Op<"iota", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "0, 1, ..., n - 1, where n is the size of a tensor's dimension";
  let description = [{
    The positions along dimension `dim` of `like` as `element_type` values
    (integer or float): ONNX Range(0, n, 1) where n is a dynamic size. The
    result has that dimension's size, so a run-time length keeps a known
    bound and relates to the sizes of other tensors. With a static size it
    folds to a constant.

    ```mlir
    %r = edge.iota %ids {dim = 1 : i64, element_type = i64} : (tensor<?x?xi64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$like,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$dim,
                   TypeAttr:$element_type);
  let results = (outs RankedTensorOf<[AnyFloat, AnySignlessInteger]>:$result);
  let assemblyFormat = "$like attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_ReshapeOp : Edge_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops", "estimateBytes"]>]> {
  let summary = "reinterprets a tensor with another shape";
  let description = [{
    Row-major reshape; the element counts must agree. ONNX Reshape (with its
    `0` and `-1` resolved at import), Flatten, Squeeze and Unsqueeze map here.

    With dynamic sizes, one dynamic result size holds the elements the
    static sizes leave. Several are made by groups of dimensions: each
    dimension of the lower-rank side is the product of a group of
    consecutive dimensions of the other side, and a group expanded from a
    dynamic size holds one dynamic size. `groups` gives each group's length
    where the types alone leave it open (a flatten of `[?, 16, ?]` into
    `[?, ?]` is `[1, 2]`, into `[?*16, ?]` would be `[2, 1]`).

    ```mlir
    %y = edge.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
    %z = edge.reshape %t {groups = array<i64: 1, 2>} : (tensor<?x16x?xf32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input,
                   OptionalAttr<DenseI64ArrayAttr>:$groups);
  let results = (outs Edge_DynTensor:$result);
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
  let arguments = (ins Edge_DynTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_GatherOp : Edge_Op<"gather", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "gathers slices along one axis by index";
  let description = [{
    ONNX Gather: `result[i..., j..., k...] = input[i..., indices[j...], k...]`
    with `axis` naming the indexed dimension. Negative indices count from
    the end. Any size of the input and the indices may be dynamic
    (edge.check_indices keeps the indices within the indexed dimension).

    ```mlir
    %r = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input,
                   RankedTensorOf<[I32, I64]>:$indices,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_GatherElementsOp : Edge_Op<"gather_elements", [Pure,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "gathers single elements along one axis by index";
  let description = [{
    ONNX GatherElements: `result[i] = input[i with i[axis] replaced by
    indices[i]]`; `indices` has the input's rank and gives the result
    shape. Negative indices count from the end.

    ```mlir
    %r = edge.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_Tensor:$input,
                   StaticShapeTensorOf<[I32, I64]>:$indices,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Edge_GatherNDOp : Edge_Op<"gather_nd", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "gathers slices by index tuples";
  let description = [{
    ONNX GatherND: the last dimension of `indices` (size k) holds index
    tuples into dimensions `batch_dims` .. `batch_dims + k - 1` of the
    input; the first `batch_dims` dimensions of both are shared. Result
    shape: input[:b] + indices[b:-1] + input[b + k:]. Negative indices count
    from the end.

    ```mlir
    %r = edge.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Edge_Tensor:$input,
                   StaticShapeTensorOf<[I64]>:$indices,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$batch_dims);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Edge_CheckIndicesOp : Edge_Op<"check_indices",
    [AllTypesMatch<["indices", "result"]>,
     MemoryEffects<[MemWrite]>]> {
  let summary = "checks data-dependent indices against their bounds";
  let description = [{
    Yields `indices` with every index in `[-bound, bound)` made non-negative
    (a negative index counts from the end) and every other index replaced
    by 0, so the op that uses them never reads or writes outside its
    operand. With one bound, it applies to every index; with several, the
    last dimension of `indices` holds index tuples and entry `k` of a tuple
    is checked against `bounds[k]`. With a `site`, each index out of range
    is reported to the runtime (`edge_rt_index_out_of_range(site, index,
    bound)`), which fails the run with `description`; without one the index
    is only replaced (GPU code). edge-check-indices inserts it in front of
    the ops that index with run-time data. A bound that is a dynamic size
    is `?` (ShapedType::kDynamic) in `bounds` and given, in order, by the
    `dynamic_bounds` operands (a gather along a dynamic sequence).

    ```mlir
    %safe = edge.check_indices %i {bounds = array<i64: 4>, site = 0 : i32, description = "node 'g' (edge.gather, axis 0)"} : tensor<2xi64>
    %last = edge.check_indices %j bounded %seq {bounds = array<i64: -9223372036854775808>, description = "node 'g' (gather, axis 1)"} : tensor<i64>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32, I64]>:$indices,
                   Variadic<Index>:$dynamic_bounds,
                   DenseI64ArrayAttr:$bounds,
                   OptionalAttr<ConfinedAttr<I32Attr, [IntNonNegative]>>:$site,
                   StrAttr:$description);
  let results = (outs RankedTensorOf<[I32, I64]>:$result);
  let assemblyFormat = "$indices (`bounded` $dynamic_bounds^)? attr-dict `:` type($indices)";
  let hasVerifier = 1;
}

/// Scatter ops write `updates` into a copy of `data`; `reduction` combines
/// an update with the value it replaces (none, add, mul, max, min).
class Edge_ScatterOp<string mnemonic, dag extraArgs, string doc>
    : Edge_Op<mnemonic, [Pure, AllTypesMatch<["data", "result"]>,
        DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let description = doc;
  let arguments = !con((ins Edge_Tensor:$data,
                            StaticShapeTensorOf<[I32, I64]>:$indices,
                            Edge_Tensor:$updates),
                       extraArgs,
                       (ins DefaultValuedStrAttr<StrAttr, "none">:$reduction));
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:`
    `(` type($data) `,` type($indices) `,` type($updates) `)`
  }];
  let hasVerifier = 1;
}

def Edge_ScatterElementsOp : Edge_ScatterOp<"scatter_elements",
    (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$axis), [{
    ONNX ScatterElements: `updates[i]` goes to `data[i with i[axis] replaced
    by indices[i]]`; `indices` and `updates` have one shape. Updates apply
    in row-major order, so the last of duplicate indices wins without a
    reduction. Negative indices count from the end.

    ```mlir
    %r = edge.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>)
    ```
  }]> {
  let summary = "scatters single elements along one axis by index";
}

def Edge_ScatterNDOp : Edge_ScatterOp<"scatter_nd", (ins), [{
    ONNX ScatterND: the last dimension of `indices` (size k) holds index
    tuples into the first k dimensions of `data`; `updates` has shape
    indices[:-1] + data[k:]. Updates apply in row-major order.

    ```mlir
    %r = edge.scatter_nd %d, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>)
    ```
  }]> {
  let summary = "scatters slices by index tuples";
}

def Edge_SliceOp : Edge_Op<"slice", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "strided slice with one start and step per dimension";
  let description = [{
    `result[i...] = input[starts[d] + i[d] * steps[d]...]` with the result
    shape as declared: `sizes` elements per dimension. Steps may be negative
    (walking backwards) but not zero. ONNX Slice is imported in this
    normalized form (clamped starts, element counts instead of ends). A
    dynamic input size is taken whole: its start is 0, its step 1 and its
    size `?` (ShapedType::kDynamic).

    ```mlir
    %r = edge.slice %x {sizes = array<i64: 2, 3>, starts = array<i64: 4, 0>, steps = array<i64: -2, 1>}
       : (tensor<5x3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Edge_CheckSizesOp : Edge_Op<"check_sizes",
    [AllTypesMatch<["input", "result"]>, MemoryEffects<[MemWrite]>,
     DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "checks sizes computed at run time against the declared ones";
  let description = [{
    Yields `input` unchanged after checking that `sizes`, sizes the run
    computed from data (a Resize's scales), equal `expected`, the sizes the
    model declares and the code was built for (`input` may have dynamic
    sizes: a dynamic size that a broadcast meets with a static one is
    checked to be it). With `against`, sizes of another tensor computed by
    the run, each size is compared with the same entry of `against`
    instead (two dynamic sizes a broadcast needs equal; `expected` then
    holds -1s). With a `site`, the first
    that differs is reported to the runtime
    (`edge_rt_size_mismatch(site, k, sizes[k], expected[k])`), which fails
    the run with `description`. The data flows through the op so that
    what is computed from it waits for the check.

    ```mlir
    %checked = edge.check_sizes %x, %sizes {expected = array<i64: 1, 1, 8, 8>, description = "node 'r' (Resize, opset 13)"}
       : tensor<1x1x4x4xf32>, tensor<4xi64>
    %same = edge.check_sizes %y, %ySize against %xSize {expected = array<i64: -1>, description = "node 'a' (Add, opset 17)"}
       : tensor<?xf32>, tensor<1xi64>, tensor<1xi64>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input,
                   StaticShapeTensorOf<[I64]>:$sizes,
                   Optional<StaticShapeTensorOf<[I64]>>:$against,
                   DenseI64ArrayAttr:$expected,
                   OptionalAttr<ConfinedAttr<I32Attr, [IntNonNegative]>>:$site,
                   StrAttr:$description);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = [{
    $input `,` $sizes (`against` $against^)? attr-dict `:` type($input) `,`
    type($sizes) (`,` type($against)^)?
  }];
  let hasVerifier = 1;
}

def Edge_DynamicSliceOp : Edge_Op<"dynamic_slice",
    [MemoryEffects<[MemWrite]>, Edge_HostOnly,
     DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "ONNX Slice whose starts, ends, axes or steps come at run time";
  let description = [{
    ONNX Slice with its operands read by the run: `starts`, `ends`, `axes`
    and `steps` are 1-D integer tensors of one length (axes may count from
    the end; starts and ends are clamped by ONNX's rules). The result's
    sizes are static (what the model declares): the run computes each
    dimension's size from the operands and, when one differs, reports it to
    the runtime (`edge_rt_size_mismatch(site, dim, size, declared)`) with a
    `site`, which fails the run with `description`; every element read
    stays inside the input either way. edge-check-indices numbers the sites.

    ```mlir
    %r = edge.dynamic_slice %x[%starts, %ends, %axes, %steps] {description = "node 's' (Slice, opset 13)"}
       : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins Edge_Tensor:$input,
                   StaticShapeTensorOf<[I32, I64]>:$starts,
                   StaticShapeTensorOf<[I32, I64]>:$ends,
                   StaticShapeTensorOf<[I32, I64]>:$axes,
                   StaticShapeTensorOf<[I32, I64]>:$steps,
                   OptionalAttr<ConfinedAttr<I32Attr, [IntNonNegative]>>:$site,
                   StrAttr:$description);
  let results = (outs Edge_Tensor:$result);
  let assemblyFormat = [{
    $input `[` $starts `,` $ends `,` $axes `,` $steps `]` attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_NonMaxSuppressionOp : Edge_Op<"non_max_suppression",
    [Pure, Edge_HostOnly, DeclareOpInterfaceMethods<Edge_CostOpInterface>]> {
  let summary = "ONNX NonMaxSuppression, up to a capacity of selected boxes";
  let description = [{
    For each batch entry and class, boxes are selected greedily by
    descending score (the lower index first among equal scores): a box
    whose score exceeds `score_threshold` is selected unless its
    intersection over union with a box already selected for that class
    exceeds `iou_threshold`, until `max_output_boxes_per_class` are
    selected. `selected` holds `[batch, class, box]` rows in that order
    (batch, class, then selection order) up to its static capacity, and -1
    rows after the last; `count` is the number the run selected, which may
    exceed the capacity (the importer checks it against the declared
    size). Boxes are `[y1, x1, y2, x2]` corners of either diagonal or, with
    `center_point_box`, `[x_center, y_center, width, height]`. The search
    reads data in scalar loops on the host.

    ```mlir
    %selected, %count = edge.non_max_suppression %boxes, %scores, %max, %iou, %score
        : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>)
       -> (tensor<3x3xi64>, tensor<i64>)
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[F32]>:$boxes,
                   StaticShapeTensorOf<[F32]>:$scores,
                   0DTensorOf<[I64]>:$max_output_boxes_per_class,
                   0DTensorOf<[F32]>:$iou_threshold,
                   0DTensorOf<[F32]>:$score_threshold,
                   DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs StaticShapeTensorOf<[I64]>:$selected,
                 0DTensorOf<[I64]>:$count);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold `,`
    $score_threshold attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
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
  let arguments = (ins Variadic<Edge_DynTensor>:$inputs,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Structure: fusion groups and transfers between devices
//===----------------------------------------------------------------------===//

def Edge_FusionGroupOp : Edge_Op<"fusion_group", [SingleBlock,
    RecursiveMemoryEffects, RecursivelySpeculatable,
    DeclareOpInterfaceMethods<Edge_CostOpInterface,
                              ["estimateFlops", "estimateBytes"]>]> {
  let summary = "ops that become one kernel and are placed together";
  let description = [{
    Groups ops that the code generator turns into one kernel and the placer
    puts on one device (`edge-form-fusion-groups`). The body runs once; its
    `edge.yield` gives the results. The region is not isolated: the body
    uses values defined above directly. `kind` names the rule that formed the
    group (`contraction`, `attention`, `layer_norm`, `elementwise`).

    The cost of a group is the sum of its ops' arithmetic and the bytes of
    the values it reads from outside and writes: intermediates stay in
    registers or cache, which is what fusing buys.

    ```mlir
    %y = edge.fusion_group "contraction" {
      %c = edge.conv %x, %w {...} : ...
      %r = edge.relu %c : ...
      edge.yield %r : tensor<1x8x8x8xf32>
    } : tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins StrAttr:$kind);
  let results = (outs Variadic<Edge_DynTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kind attr-dict-with-keyword $body (`:` type($results)^)?";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The values the body uses that are defined outside the group.
    llvm::SetVector<Value> getExternalValues();
  }];
}

def Edge_YieldOp : Edge_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FusionGroupOp">]> {
  let summary = "results of a fusion group";
  let arguments = (ins Variadic<Edge_DynTensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Edge_TransferOp : Edge_Op<"transfer", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<Edge_CostOpInterface, ["estimateFlops"]>]> {
  let summary = "copies a tensor from one device's memory to another's";
  let description = [{
    Inserted by `edge-partition` where a value produced on one device is
    used on another; the runtime copies the buffer over the link between the
    two (`source` and `target` name devices of the module's `edge.devices`).
    A tensor with dynamic sizes is copied at the sizes of the run.

    ```mlir
    %y = edge.transfer %x from "cpu0" to "gpu0" : tensor<1x64xf32>
    %z = edge.transfer %w from "cpu0" to "gpu0" : tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Edge_DynTensor:$input, StrAttr:$source, StrAttr:$target);
  let results = (outs Edge_DynTensor:$result);
  let assemblyFormat = "$input `from` $source `to` $target attr-dict `:` type($input)";
  let hasFolder = 1;
}

#endif // EDGE_DIALECT_EDGE_IR_EDGEOPS_TD
