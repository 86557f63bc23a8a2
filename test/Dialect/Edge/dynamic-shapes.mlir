// RUN: edge-opt %s -split-input-file | FileCheck %s
// RUN: edge-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=CANON

// Shape inference with dynamic sizes: a size 1 stretches to a dynamic size,
// a dynamic size meeting a static one takes it, two dynamic sizes are one.
// CHECK-LABEL: func @broadcast
func.func @broadcast(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>, %c: tensor<?x1xf32>, %d: tensor<3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xi1>) {
  // CHECK: edge.add {{.*}} -> tensor<?x3xf32>
  %0 = edge.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  // CHECK: edge.mul {{.*}} -> tensor<?x3xf32>
  %1 = edge.mul %c, %d : (tensor<?x1xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // CHECK: edge.less {{.*}} -> tensor<?x3xi1>
  %2 = edge.less %0, %1 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xi1>
  return %0, %1, %2 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xi1>
}

// -----

// CHECK-LABEL: func @contractions
func.func @contractions(%x: tensor<?x?x64xf32>, %w: tensor<64x32xf32>, %a: tensor<?x64xf32>, %b: tensor<32x64xf32>) -> (tensor<?x?x32xf32>, tensor<?x32xf32>) {
  // CHECK: edge.matmul {{.*}} -> tensor<?x?x32xf32>
  %0 = edge.matmul %x, %w : (tensor<?x?x64xf32>, tensor<64x32xf32>) -> tensor<?x?x32xf32>
  // CHECK: edge.gemm {{.*}} -> tensor<?x32xf32>
  %1 = edge.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x32xf32>
}

// -----

// Windows over dynamic spatial sizes have dynamic output sizes; channels
// stay static.
// CHECK-LABEL: func @windows
func.func @windows(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x1x1xf32> {
  // CHECK: edge.conv {{.*}} -> tensor<?x8x?x?xf32>
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: edge.max_pool {{.*}} -> tensor<?x8x?x?xf32>
  %1 = edge.max_pool %0 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: edge.global_average_pool {{.*}} -> tensor<?x8x1x1xf32>
  %2 = edge.global_average_pool %1 : (tensor<?x8x?x?xf32>) -> tensor<?x8x1x1xf32>
  return %2 : tensor<?x8x1x1xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<?x8x1x1xf32>, %y: tensor<?x4xf32>) -> (tensor<?x8xf32>, tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x1xf32>) {
  // CHECK: edge.reshape {{.*}} -> tensor<?x8xf32>
  %0 = edge.reshape %x : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  // CHECK: edge.transpose {{.*}} -> tensor<4x?xf32>
  %1 = edge.transpose %y {permutation = array<i64: 1, 0>} : (tensor<?x4xf32>) -> tensor<4x?xf32>
  // CHECK: edge.concat {{.*}} -> tensor<?x12xf32>
  %2 = edge.concat %0, %y {axis = 1 : i64} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x12xf32>
  // CHECK: edge.reduce_sum {{.*}} -> tensor<?x1xf32>
  %3 = edge.reduce_sum %y {axes = array<i64: 1>, keep_dims = true} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  return %0, %1, %2, %3 : tensor<?x8xf32>, tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x1xf32>
}

// -----

// A reshape to its own dynamic type is the identity: each dynamic result
// size is derived from the input's, in order.
// CANON-LABEL: func @reshape_same
// CANON-NEXT: return %arg0
func.func @reshape_same(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = edge.reshape %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// The sizes as values: dynamic ones at run time, static ones fold.
// CHECK-LABEL: func @shape
// CHECK: edge.shape %{{.*}} : (tensor<?x?x128xf32>) -> tensor<3xi64>
// CHECK: edge.shape %{{.*}} {start = 2 : i64} : (tensor<?x?x128xf32>) -> tensor<1xi64>
// CANON-LABEL: func @shape
// CANON-DAG: %[[LAST:.*]] = edge.constant dense<128> : tensor<1xi64>
// CANON-DAG: %[[ALL:.*]] = edge.shape %{{.*}} : (tensor<?x?x128xf32>) -> tensor<3xi64>
// CANON: return %[[ALL]], %[[LAST]]
func.func @shape(%x: tensor<?x?x128xf32>) -> (tensor<3xi64>, tensor<1xi64>) {
  %0 = edge.shape %x : (tensor<?x?x128xf32>) -> tensor<3xi64>
  %1 = edge.shape %x {start = 2 : i64} : (tensor<?x?x128xf32>) -> tensor<1xi64>
  return %0, %1 : tensor<3xi64>, tensor<1xi64>
}

// -----

// A slice takes dynamic sizes whole and slices the static ones.
// CHECK-LABEL: func @slice_static_axis
// CHECK: edge.slice %{{.*}} : (tensor<?x?x192xf32>) -> tensor<?x?x64xf32>
func.func @slice_static_axis(%x: tensor<?x?x192xf32>) -> tensor<?x?x64xf32> {
  %0 = edge.slice %x {starts = array<i64: 0, 0, 64>, sizes = array<i64: -9223372036854775808, -9223372036854775808, 64>, steps = array<i64: 1, 1, 1>} : (tensor<?x?x192xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// -----

// Positions along a dimension: as long as a dynamic size, a constant where
// the size is static.
// CHECK-LABEL: func @iota
// CHECK: edge.iota %{{.*}} {dim = 1 : i64, element_type = i64} : (tensor<?x?xi64>) -> tensor<?xi64>
// CHECK: edge.iota %{{.*}} {dim = 2 : i64, element_type = f32} : (tensor<?x?x3xf32>) -> tensor<3xf32>
// CANON-LABEL: func @iota
// CANON-DAG: %[[STATIC:.*]] = edge.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CANON-DAG: %[[DYNAMIC:.*]] = edge.iota %arg0 {dim = 1 : i64, element_type = i64}
// CANON: return %[[DYNAMIC]], %[[STATIC]]
func.func @iota(%ids: tensor<?x?xi64>, %x: tensor<?x?x3xf32>) -> (tensor<?xi64>, tensor<3xf32>) {
  %0 = edge.iota %ids {dim = 1 : i64, element_type = i64} : (tensor<?x?xi64>) -> tensor<?xi64>
  %1 = edge.iota %x {dim = 2 : i64, element_type = f32} : (tensor<?x?x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<?xi64>, tensor<3xf32>
}
