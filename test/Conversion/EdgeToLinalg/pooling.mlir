// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// Max pooling: padded with -inf; the kernel-shaped empty tensor gives the
// reduction loops their bounds. ceil_mode adds end padding for the last
// window (here 6 -> 7 columns).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: %[[KERNEL:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$K]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[KERNEL]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]]
// CHECK: arith.maximumf
func.func @max_pool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = edge.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                         dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pooling without count_include_pad divides each window's sum by the
// number of its elements inside the input, computed at compile time.
// CHECK-DAG: #[[$SPATIAL:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func @average_pool
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[COUNTS:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SPATIAL]], #{{.*}}]{{.*}} ins(%[[SUM]], %[[COUNTS]]
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %0 = edge.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                             ceil_mode = false, count_include_pad = false} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// count_include_pad counts the padding as window elements.
// CHECK-LABEL: func @average_pool_include_pad
// CHECK: arith.constant dense<9.000000e+00> : tensor<3x3xf32>
func.func @average_pool_include_pad(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %0 = edge.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                             ceil_mode = false, count_include_pad = true} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Global pooling reduces into [N, C], then restores the unit dims.
// CHECK-LABEL: func @global_average_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: %[[N:.*]] = arith.constant 9.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x1x1xf32>
func.func @global_average_pool(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32> {
  %0 = edge.global_average_pool %x : (tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

// CHECK-LABEL: func @global_max_pool
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
func.func @global_max_pool(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32> {
  %0 = edge.global_max_pool %x : (tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
