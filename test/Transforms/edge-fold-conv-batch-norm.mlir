// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-fold-conv-batch-norm))' -split-input-file | FileCheck %s

// k = scale / sqrt(variance + epsilon) = [2, 0.5]; W' = W * k per output
// channel, b' = (b - mean) * k + bias.
// CHECK-LABEL: func @fold
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>)
// CHECK-DAG: %[[W:.*]] = edge.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}5.000000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = edge.constant dense<[3.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = edge.conv %[[X]], %[[W]], %[[B]]
// CHECK-NOT: edge.batch_norm
// CHECK: return %[[Y]]
func.func @fold(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = edge.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = edge.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %shift = edge.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = edge.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = edge.constant dense<[0.25, 4.0]> : tensor<2xf32>
  %c = edge.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y = edge.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A convolution with another user stays, and so does the batch norm.
// CHECK-LABEL: func @shared_conv
// CHECK: edge.conv
// CHECK: edge.batch_norm
func.func @shared_conv(%x: tensor<1x1x3x3xf32>, %s: tensor<2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = edge.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %one = edge.constant dense<1.0> : tensor<2xf32>
  %y = edge.batch_norm %c, %one, %one, %one, %one {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %c, %y : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// Statistics computed at run time cannot fold.
// CHECK-LABEL: func @runtime_scale
// CHECK: edge.conv
// CHECK: edge.batch_norm
func.func @runtime_scale(%x: tensor<1x1x3x3xf32>, %s: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %w = edge.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %one = edge.constant dense<1.0> : tensor<2xf32>
  %y = edge.batch_norm %c, %s, %one, %one, %one {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Large weights stay resource blobs; a missing conv bias counts as zero.
// CHECK-LABEL: func @resource_weights
// CHECK: %[[W:.*]] = edge.constant dense_resource<edge_folded_weight{{.*}}> : tensor<64x1x1x1xf32>
// CHECK: edge.conv %{{.*}}, %[[W]], %{{.*}} :
// CHECK-NOT: edge.batch_norm
func.func @resource_weights(%x: tensor<1x1x2x2xf32>) -> tensor<1x64x2x2xf32> {
  %w = edge.constant dense<1.0> : tensor<64x1x1x1xf32>
  %p = edge.constant dense<1.0> : tensor<64xf32>
  %c = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<64x1x1x1xf32>) -> tensor<1x64x2x2xf32>
  %y = edge.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f32} : (tensor<1x64x2x2xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x2x2xf32>
  return %y : tensor<1x64x2x2xf32>
}
