// RUN: edge-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @fold_constant_add
func.func @fold_constant_add() -> tensor<2xf32> {
  %a = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = edge.constant dense<[3.0, 4.0]> : tensor<2xf32>
  // CHECK: %[[C:.*]] = edge.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
  // CHECK-NEXT: return %[[C]]
  %0 = edge.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Shape arithmetic on int64 constants folds too.
// CHECK-LABEL: func @fold_constant_int_mul
func.func @fold_constant_int_mul() -> tensor<2xi64> {
  %a = edge.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: edge.constant dense<[4, 9]> : tensor<2xi64>
  %0 = edge.mul %a, %a : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Integer division by zero is left to run time.
// CHECK-LABEL: func @no_fold_int_div_by_zero
func.func @no_fold_int_div_by_zero() -> tensor<2xi64> {
  %a = edge.constant dense<[2, 3]> : tensor<2xi64>
  %z = edge.constant dense<0> : tensor<2xi64>
  // CHECK: edge.div
  %0 = edge.div %a, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Constants fold across broadcasting.
// CHECK-LABEL: func @fold_broadcast
func.func @fold_broadcast(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %a = edge.constant dense<1.0> : tensor<2x2xf32>
  %b = edge.constant dense<1.0> : tensor<2xf32>
  // CHECK: %[[C:.*]] = edge.constant dense<2.000000e+00> : tensor<2x2xf32>
  // CHECK-NEXT: return %[[C]]
  %0 = edge.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK: %[[R:.*]] = edge.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = edge.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = edge.reshape %0 : (tensor<6xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = edge.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_constant
func.func @reshape_constant() -> tensor<2x2xi64> {
  // CHECK: edge.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi64>
  %c = edge.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %0 = edge.reshape %c : (tensor<4xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = edge.transpose %x {permutation = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Constant tensors are transposed at compile time.
// CHECK-LABEL: func @transpose_constant
func.func @transpose_constant() -> tensor<3x2xi64> {
  // CHECK: edge.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
  %c = edge.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = edge.transpose %c {permutation = array<i64: 1, 0>} : (tensor<2x3xi64>) -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func @concat_single
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @concat_single(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = edge.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Broadcasting folds of shape arithmetic, comparisons, select inputs, casts.
// CHECK-LABEL: func @fold_shape_arithmetic
func.func @fold_shape_arithmetic() -> (tensor<2x2xi64>, tensor<3xi1>, tensor<3xf32>) {
  %a = edge.constant dense<[1, 2]> : tensor<2xi64>
  %b = edge.constant dense<[[10], [20]]> : tensor<2x1xi64>
  // CHECK-DAG: edge.constant dense<{{\[\[}}11, 12], [21, 22]]> : tensor<2x2xi64>
  %0 = edge.add %a, %b : (tensor<2xi64>, tensor<2x1xi64>) -> tensor<2x2xi64>
  %c = edge.constant dense<[1, 0, 3]> : tensor<3xi64>
  %z = edge.constant dense<0> : tensor<i64>
  // CHECK-DAG: edge.constant dense<[false, true, false]> : tensor<3xi1>
  %1 = edge.equal %c, %z : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  // CHECK-DAG: edge.constant dense<[1.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<3xf32>
  %2 = edge.cast %c : tensor<3xi64> to tensor<3xf32>
  return %0, %1, %2 : tensor<2x2xi64>, tensor<3xi1>, tensor<3xf32>
}

// -----

// Shape computations on constants fold: gather, slice, reductions, concat.
// CHECK-LABEL: func @fold_indexing
func.func @fold_indexing() -> (tensor<2xi64>, tensor<2xi64>, tensor<i64>, tensor<4xi64>) {
  %s = edge.constant dense<[2, 3, 4]> : tensor<3xi64>
  %i = edge.constant dense<[-1, 0]> : tensor<2xi64>
  // CHECK-DAG: edge.constant dense<[4, 2]> : tensor<2xi64>
  %0 = edge.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  // CHECK-DAG: edge.constant dense<[4, 3]> : tensor<2xi64>
  %1 = edge.slice %s {starts = array<i64: 2>, sizes = array<i64: 2>, steps = array<i64: -1>} : (tensor<3xi64>) -> tensor<2xi64>
  // CHECK-DAG: edge.constant dense<24> : tensor<i64>
  %2 = edge.reduce_prod %s {axes = array<i64: 0>, keep_dims = false} : (tensor<3xi64>) -> tensor<i64>
  // CHECK-DAG: edge.constant dense<[4, 2, 4, 3]> : tensor<4xi64>
  %3 = edge.concat %0, %1 {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  return %0, %1, %2, %3 : tensor<2xi64>, tensor<2xi64>, tensor<i64>, tensor<4xi64>
}

// -----

// rem takes the dividend's sign, mod the divisor's.
// CHECK-LABEL: func @fold_rem_mod
func.func @fold_rem_mod() -> (tensor<2xi64>, tensor<2xi64>) {
  %a = edge.constant dense<[-7, 7]> : tensor<2xi64>
  %b = edge.constant dense<3> : tensor<i64>
  // CHECK-DAG: edge.constant dense<[-1, 1]> : tensor<2xi64>
  %0 = edge.rem %a, %b : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  // CHECK-DAG: edge.constant dense<[2, 1]> : tensor<2xi64>
  %1 = edge.mod %a, %b : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  return %0, %1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// Neg and Abs fold on constants (the expanded LayerNormalization negates an
// axis to size its reduced shape).
// CHECK-LABEL: func @fold_neg_abs
func.func @fold_neg_abs() -> (tensor<2xi64>, tensor<2xf32>) {
  %a = edge.constant dense<[1, -3]> : tensor<2xi64>
  %b = edge.constant dense<[-1.5, 2.0]> : tensor<2xf32>
  // CHECK-DAG: %[[N:.*]] = edge.constant dense<[-1, 3]> : tensor<2xi64>
  // CHECK-DAG: %[[A:.*]] = edge.constant dense<[1.500000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: return %[[N]], %[[A]]
  %0 = edge.neg %a : tensor<2xi64>
  %1 = edge.abs %b : tensor<2xf32>
  return %0, %1 : tensor<2xi64>, tensor<2xf32>
}

// -----

// Relu, Floor, Ceil and Round fold on constants (trip counts computed from
// bound inputs).
// CHECK-LABEL: func @fold_rounding
func.func @fold_rounding() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xi64>) {
  %a = edge.constant dense<[-1.5, 2.5, 3.25]> : tensor<3xf32>
  %i = edge.constant dense<[-4, 5]> : tensor<2xi64>
  // Floor and round (ties to even) agree here; CSE keeps one constant.
  // CHECK-DAG: %[[FLOOR:.*]] = edge.constant dense<[-2.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: edge.constant dense<[-1.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: edge.constant dense<[0.000000e+00, 2.500000e+00, 3.250000e+00]> : tensor<3xf32>
  // CHECK-DAG: edge.constant dense<[0, 5]> : tensor<2xi64>
  // CHECK-NOT: edge.floor
  // CHECK-NOT: edge.relu
  %0 = edge.floor %a : tensor<3xf32>
  %1 = edge.ceil %a : tensor<3xf32>
  %2 = edge.round %a : tensor<3xf32>
  %3 = edge.relu %a : tensor<3xf32>
  %4 = edge.relu %i : tensor<2xi64>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xi64>
}

// -----

// A transpose of the last two dimensions folds into the matmul reading it.
// CHECK-LABEL: func @fold_transpose_into_matmul
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x16xf32>, %[[K:.*]]: tensor<2x32x16xf32>)
// CHECK-NOT: edge.transpose
// CHECK: edge.matmul %[[Q]], %[[K]] {transpose_rhs} : (tensor<2x8x16xf32>, tensor<2x32x16xf32>) -> tensor<2x8x32xf32>
func.func @fold_transpose_into_matmul(%q: tensor<2x8x16xf32>, %k: tensor<2x32x16xf32>) -> tensor<2x8x32xf32> {
  %kt = edge.transpose %k {permutation = array<i64: 0, 2, 1>} : (tensor<2x32x16xf32>) -> tensor<2x16x32xf32>
  %s = edge.matmul %q, %kt : (tensor<2x8x16xf32>, tensor<2x16x32xf32>) -> tensor<2x8x32xf32>
  return %s : tensor<2x8x32xf32>
}

// -----

// Other permutations stay.
// CHECK-LABEL: func @keep_other_transpose
// CHECK: edge.transpose
// CHECK: edge.matmul
// CHECK-NOT: transpose_rhs
func.func @keep_other_transpose(%q: tensor<4x8x16xf32>, %k: tensor<16x4x32xf32>) -> tensor<4x8x32xf32> {
  %kt = edge.transpose %k {permutation = array<i64: 1, 0, 2>} : (tensor<16x4x32xf32>) -> tensor<4x16x32xf32>
  %s = edge.matmul %q, %kt : (tensor<4x8x16xf32>, tensor<4x16x32xf32>) -> tensor<4x8x32xf32>
  return %s : tensor<4x8x32xf32>
}
