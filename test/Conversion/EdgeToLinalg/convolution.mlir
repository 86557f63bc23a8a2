// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// A grouped, strided, padded conv: pad, split the group dimension out of
// input, weight and bias, one generic with loops
// (n, g, m, oh, ow | c, kh, kw), then merge the groups back.
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @conv_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[WT:.*]]: tensor<6x2x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 7, 7]
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[WT]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[BG:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [2, 3]
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], {{.*}}]{{.*}} ins(%[[BG]] : tensor<2x3xf32>)
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[XG]], %[[WG]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x3x3x3xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @conv_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x3x3xf32> {
  %0 = edge.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// 1-D, dilated, no bias, no padding: no tensor.pad, a zero-filled accumulator.
// CHECK-DAG: #[[$IN1:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 + d5 * 2)>
// CHECK-LABEL: func @conv_1d_dilated
// CHECK-NOT: tensor.pad
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[$IN1]], {{.*}}]
func.func @conv_1d_dilated(%x: tensor<1x2x10xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x6xf32> {
  %0 = edge.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 2>, group = 1 : i64}
      : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

// Depthwise (one input and one output channel per group): no group
// dimension, loops (n, c, oh, ow | kh, kw), the weight's unit channel
// dimension dropped, and the result needs no reshape.
// CHECK-DAG: #[[$DWBIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[$DWIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$DWW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5)>
// CHECK-DAG: #[[$DWOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @conv_depthwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x6x6xf32>, %[[WT:.*]]: tensor<3x1x3x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[W3:.*]] = tensor.collapse_shape %[[WT]] {{\[\[}}0, 1], [2], [3]] : tensor<3x1x3x3xf32> into tensor<3x3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$DWBIAS]], {{.*}}]{{.*}} ins(%[[B]] : tensor<3xf32>)
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$DWIN]], #[[$DWW]], #[[$DWOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[W3]] : {{.*}}) outs(%[[INIT]] : tensor<1x3x3x3xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: return %[[C]]
func.func @conv_depthwise(%x: tensor<1x3x6x6xf32>, %w: tensor<3x1x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = edge.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 3 : i64}
      : (tensor<1x3x6x6xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}
