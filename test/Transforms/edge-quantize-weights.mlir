// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-quantize-weights))' -split-input-file | FileCheck %s --check-prefixes=CHECK,DEFAULT
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-quantize-weights{weights=int8}))' -split-input-file | FileCheck %s --check-prefixes=CHECK,INT8
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-quantize-weights{weights=int4 block-size=2}))' -split-input-file | FileCheck %s --check-prefixes=CHECK,INT4
// RUN: not edge-opt %s --pass-pipeline='builtin.module(func.func(edge-quantize-weights{weights=int4 block-size=3}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=ODD

// Per-column symmetric scales: max |W[:, n]| / 127 = [1/127, 2/127];
// 0.5 / (1/127) = 63.5 and 1 / (2/127) = 63.5 round away from zero.
// CHECK-LABEL: func @f32_weights
// DEFAULT: edge.matmul
// With int4, an odd K (3) keeps its f32 weights: rows are packed in pairs.
// INT4: edge.matmul
// INT8-DAG: %[[Q:.*]] = edge.constant dense<{{\[}}[127, -127], [64, 64], [-127, 32]]> : tensor<3x2xi8>
// INT8-DAG: %[[S:.*]] = edge.constant dense<[0.00787401571, 0.0157480314]> : tensor<2xf32>
// INT8: %[[Y:.*]] = edge.quantized_matmul %arg0, %[[Q]], %[[S]] : (tensor<?x3xf32>, tensor<3x2xi8>, tensor<2xf32>) -> tensor<?x2xf32>
// INT8-NOT: edge.matmul
// INT8: return %[[Y]]
func.func @f32_weights(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = edge.constant dense<[[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5]]> : tensor<3x2xf32>
  %y = edge.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Weights stored [N, K] and read transposed are stored [K, N].
// CHECK-LABEL: func @transposed
// DEFAULT: edge.matmul %arg0, %{{.*}} {transpose_rhs}
// INT8-DAG: %[[Q:.*]] = edge.constant dense<{{\[}}[127, -127], [64, 64], [-127, 32]]> : tensor<3x2xi8>
// INT8: edge.quantized_matmul %arg0, %[[Q]], %{{.*}} : (tensor<4x3xf32>, tensor<3x2xi8>, tensor<2xf32>) -> tensor<4x2xf32>
func.func @transposed(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5, -1.0], [-2.0, 1.0, 0.5]]> : tensor<2x3xf32>
  %y = edge.matmul %x, %w {transpose_rhs} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// DequantizeLinear of int8 weights with one scale per output column, as
// the importer writes it: the int8 constant is used as it is, without the
// option too; its float computation disappears.
// CHECK-LABEL: func @dequantized
// CHECK-DAG: %[[Q:.*]] = edge.constant dense<{{\[}}[1, -2], [3, 4]]> : tensor<2x2xi8>
// CHECK-DAG: %[[S:.*]] = edge.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = edge.quantized_matmul %arg0, %[[Q]], %[[S]]
// CHECK-NOT: edge.cast
// CHECK-NOT: edge.mul
// CHECK: return %[[Y]]
func.func @dequantized(%x: tensor<1x5x2xf32>) -> tensor<1x5x2xf32> {
  %q = edge.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>
  %s = edge.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %f = edge.cast %q : tensor<2x2xi8> to tensor<2x2xf32>
  %w = edge.mul %f, %s : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %y = edge.matmul %x, %w : (tensor<1x5x2xf32>, tensor<2x2xf32>) -> tensor<1x5x2xf32>
  return %y : tensor<1x5x2xf32>
}

// -----

// DequantizeLinear with block_size (opset 21) as the importer writes it: the
// product over the weights split into blocks of rows, [blocks, rows, N],
// with a scale per block and column, reshaped back to [K, N]. Weights that
// span at most 16 levels per block (from 4-bit ones: here unsigned, 9 with
// the zero point 0) become int4, shifted into [-8, 7]: 9 - 2 = 7, each
// block's shift times its scale its offset.
// CHECK-LABEL: func @blocked_int4
// CHECK-DAG: %[[Q:.*]] = edge.constant dense<7> : tensor<32x2xi4>
// CHECK-DAG: %[[S:.*]] = edge.constant dense<{{\[}}[5.000000e-01, 2.500000e-01], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[O:.*]] = edge.constant dense<{{\[}}[1.000000e+00, 5.000000e-01], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = edge.quantized_matmul %arg0, %[[Q]], %[[S]], %[[O]] : (tensor<?x32xf32>, tensor<32x2xi4>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
// CHECK: return %[[Y]]
func.func @blocked_int4(%x: tensor<?x32xf32>) -> tensor<?x2xf32> {
  %q = edge.constant dense<9> : tensor<2x16x2xi8>
  %s = edge.constant dense<[[0.5, 0.25], [1.0, 2.0]]> : tensor<2x2xf32>
  %sb = edge.reshape %s : (tensor<2x2xf32>) -> tensor<2x1x2xf32>
  %f = edge.cast %q : tensor<2x16x2xi8> to tensor<2x16x2xf32>
  %m = edge.mul %f, %sb : (tensor<2x16x2xf32>, tensor<2x1x2xf32>) -> tensor<2x16x2xf32>
  %w = edge.reshape %m : (tensor<2x16x2xf32>) -> tensor<32x2xf32>
  %y = edge.matmul %x, %w : (tensor<?x32xf32>, tensor<32x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Blocked int8 weights that span more than 16 levels in a block stay int8,
// with their block scales.
// CHECK-LABEL: func @blocked_int8
// CHECK: %[[Y:.*]] = edge.quantized_matmul %arg0, %{{.*}}, %{{.*}} : (tensor<?x32xf32>, tensor<32x2xi8>, tensor<2x2xf32>) -> tensor<?x2xf32>
// CHECK-NOT: edge.mul
// CHECK: return %[[Y]]
func.func @blocked_int8(%x: tensor<?x32xf32>) -> tensor<?x2xf32> {
  %q = edge.constant dense<[[[100, -8], [-100, -7], [100, -6], [-100, -5], [100, -4], [-100, -3], [100, -2], [-100, -1], [100, 0], [-100, 1], [100, 2], [-100, 3], [100, 4], [-100, 5], [100, 6], [-100, 7]], [[100, -8], [-100, -7], [100, -6], [-100, -5], [100, -4], [-100, -3], [100, -2], [-100, -1], [100, 0], [-100, 1], [100, 2], [-100, 3], [100, 4], [-100, 5], [100, 6], [-100, 7]]]> : tensor<2x16x2xi8>
  %s = edge.constant dense<[[[0.5, 0.25]], [[1.0, 2.0]]]> : tensor<2x1x2xf32>
  %f = edge.cast %q : tensor<2x16x2xi8> to tensor<2x16x2xf32>
  %m = edge.mul %f, %s : (tensor<2x16x2xf32>, tensor<2x1x2xf32>) -> tensor<2x16x2xf32>
  %w = edge.reshape %m : (tensor<2x16x2xf32>) -> tensor<32x2xf32>
  %y = edge.matmul %x, %w : (tensor<?x32xf32>, tensor<32x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A scale per row of K does not factor out of the sums: the product stays
// float, and with the option the dequantized weights are not constants to
// requantize either.
// CHECK-LABEL: func @scale_per_row
// CHECK: edge.mul
// CHECK: edge.matmul
// CHECK-NOT: edge.quantized_matmul
func.func @scale_per_row(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = edge.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>
  %s = edge.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %f = edge.cast %q : tensor<2x2xi8> to tensor<2x2xf32>
  %w = edge.mul %f, %s : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %y = edge.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Gemm: alpha joins the scales, beta * C becomes an add.
// CHECK-LABEL: func @gemm
// DEFAULT: edge.gemm
// INT8-DAG: %[[Q:.*]] = edge.constant dense<{{\[}}[127, -127], [64, 64], [-127, 32]]> : tensor<3x2xi8>
// INT8-DAG: %[[S:.*]] = edge.constant dense<[0.0157480314, 0.0314960629]> : tensor<2xf32>
// INT8: %[[P:.*]] = edge.quantized_matmul %arg0, %[[Q]], %[[S]]
// INT8: %[[BETA:.*]] = edge.constant dense<5.000000e-01> : tensor<f32>
// INT8: %[[C:.*]] = edge.mul %arg1, %[[BETA]]
// INT8: %[[Y:.*]] = edge.add %[[P]], %[[C]]
// INT8: return %[[Y]]
func.func @gemm(%a: tensor<4x3xf32>, %c: tensor<2xf32>) -> tensor<4x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5, -1.0], [-2.0, 1.0, 0.5]]> : tensor<2x3xf32>
  %y = edge.gemm %a, %w, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_b = true} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Weights computed at run time, and batched weights, stay float.
// CHECK-LABEL: func @not_constant
// CHECK-COUNT-2: edge.matmul
// CHECK-NOT: edge.quantized_matmul
func.func @not_constant(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2x4x3xf32>) -> (tensor<4x2xf32>, tensor<2x4x2xf32>) {
  %y = edge.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %bw = edge.constant dense<1.0> : tensor<2x3x2xf32>
  %z = edge.matmul %b, %bw : (tensor<2x4x3xf32>, tensor<2x3x2xf32>) -> tensor<2x4x2xf32>
  return %y, %z : tensor<4x2xf32>, tensor<2x4x2xf32>
}

// -----

// int4: a scale per block of 2 rows of each column, max |W| / 7; 0.5 and
// 1 over their scales give 3.4999998 in f32, which rounds to 3, and
// 0.25 / (1/7) = 1.75 to 2.
// CHECK-LABEL: func @int4_blocks
// INT4-DAG: %[[Q:.*]] = edge.constant dense<{{\[}}[7, -7], [3, 3], [-7, 7], [2, 0]]> : tensor<4x2xi4>
// INT4-DAG: %[[S:.*]] = edge.constant dense<{{\[}}[0.142857149, 0.285714298], [0.142857149, 0.0714285746]]> : tensor<2x2xf32>
// INT4: %[[Y:.*]] = edge.quantized_matmul %arg0, %[[Q]], %[[S]] : (tensor<?x4xf32>, tensor<4x2xi4>, tensor<2x2xf32>) -> tensor<?x2xf32>
// INT4: return %[[Y]]
// The block size must pair rows.
// ODD: error: edge-quantize-weights: block-size 3 is not a positive even number
func.func @int4_blocks(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = edge.constant dense<[[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5], [0.25, 0.0]]> : tensor<4x2xf32>
  %y = edge.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
