// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// A reduction reduces into the tensor without the reduced dims, then
// reshapes for keep_dims; the mean divides by the element count.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @reduce_mean
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]]
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = edge.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// CHECK-LABEL: func @reduce_max_int
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
func.func @reduce_max_int(%x: tensor<3xi32>) -> tensor<i32> {
  %0 = edge.reduce_max %x {axes = array<i64>, keep_dims = false} : (tensor<3xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// arg_max carries (best value, index) through one reduction; ties keep the
// first index (strict comparison).
// CHECK-LABEL: func @arg_max
// CHECK: %{{.*}}:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[BETTER:.*]] = arith.cmpf ogt
// CHECK: linalg.index 1 : index
// CHECK: arith.select %[[BETTER]]
// CHECK: arith.select %[[BETTER]]
func.func @arg_max(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = edge.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// select_last_index moves ties to the last index.
// CHECK-LABEL: func @arg_min_last
// CHECK: arith.cmpf ole
func.func @arg_min_last(%x: tensor<2x3xf32>) -> tensor<1x3xi64> {
  %0 = edge.arg_min %x {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<2x3xf32>) -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}
