// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// Batch norm computes a per-channel factor and shift once, then one
// multiply-add per element.
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batch_norm
// CHECK: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[COEF:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK: arith.addf %{{.*}}, %[[EPS]]
// CHECK: math.sqrt
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CH]], #[[$CH]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[COEF]]#0, %[[COEF]]#1
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = edge.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
      : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// Softmax: max, sum of shifted exponentials, then the quotient; the axis is
// the reduction dimension.
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @softmax
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %[[MAX]]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]{{.*}} ins(%{{.*}}, %[[MAX]], %[[SUM]]
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = edge.softmax %x {axis = 1 : i64} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
