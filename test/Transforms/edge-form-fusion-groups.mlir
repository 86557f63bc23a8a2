// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-form-fusion-groups))' -split-input-file | FileCheck %s

// Convolution + bias + residual add + relu: one contraction group that
// replaces the relu; the residual comes from outside.
// CHECK-LABEL: func @conv_epilogue
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[G:.*]] = edge.fusion_group "contraction" {
// CHECK-NEXT: %[[C:.*]] = edge.conv %[[X]]
// CHECK-NEXT: %[[A:.*]] = edge.add %[[C]], %[[X]]
// CHECK-NEXT: %[[R:.*]] = edge.relu %[[A]]
// CHECK-NEXT: edge.yield %[[R]] : tensor<1x2x3x3xf32>
// CHECK-NEXT: } : tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[G]]
func.func @conv_epilogue(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = edge.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b = edge.constant dense<1.0> : tensor<2xf32>
  %c = edge.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %a = edge.add %c, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r = edge.relu %a : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// -----

// A result used twice outside stays out of the group that uses it once;
// the elementwise producer before a contraction is not pulled in (no
// prologues).
// CHECK-LABEL: func @shared_and_prologue
// CHECK: %[[N:.*]] = edge.neg
// CHECK-NEXT: %[[G:.*]] = edge.fusion_group "contraction" {
// CHECK-NEXT: edge.matmul %[[N]]
// CHECK-NEXT: edge.sigmoid
// CHECK-NEXT: edge.yield
// CHECK: return %[[G]], %[[N]]
func.func @shared_and_prologue(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %n = edge.neg %x : tensor<4x4xf32>
  %m = edge.matmul %n, %y : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = edge.sigmoid %m : tensor<4x4xf32>
  return %s, %n : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// An epilogue that broadcasts the contraction's result would recompute it:
// the matmul stays alone, the broadcasting chain is its own group.
// CHECK-LABEL: func @broadcasting_epilogue
// CHECK: %[[M:.*]] = edge.matmul
// CHECK-NEXT: edge.fusion_group "elementwise" {
// CHECK-NEXT: edge.add %[[M]]
// CHECK-NEXT: edge.exp
func.func @broadcasting_epilogue(%x: tensor<1x4xf32>, %y: tensor<4x4xf32>, %z: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %m = edge.matmul %x, %y : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %a = edge.add %m, %z : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %e = edge.exp %a : tensor<3x4xf32>
  return %e : tensor<3x4xf32>
}

// -----

// Layer norm as the importer composes it: two reductions and the
// elementwise ops between and after them form one group.
// CHECK-LABEL: func @layer_norm
// CHECK: edge.fusion_group "normalization" {
// CHECK-COUNT-2: edge.reduce_mean
// CHECK: edge.sqrt
// CHECK: edge.yield
// CHECK-NOT: edge.
// CHECK: return
func.func @layer_norm(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %m = edge.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %c = edge.sub %x, %m : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %sq = edge.mul %c, %c : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %v = edge.reduce_mean %sq {axes = array<i64: 1>, keep_dims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %ve = edge.add %v, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = edge.sqrt %ve : tensor<2x1xf32>
  %i = edge.reciprocal %s : tensor<2x1xf32>
  %n = edge.mul %c, %i : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = edge.mul %n, %g : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %z = edge.add %y, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %z : tensor<2x8xf32>
}

// -----

// matmul -> scale -> mask -> softmax -> matmul is one attention group.
// CHECK-LABEL: func @attention
// CHECK: %[[G:.*]] = edge.fusion_group "attention" {
// CHECK-NEXT: edge.matmul
// CHECK-NEXT: edge.mul
// CHECK-NEXT: edge.add
// CHECK-NEXT: edge.softmax
// CHECK-NEXT: edge.matmul
// CHECK-NEXT: edge.yield
// CHECK: return %[[G]]
func.func @attention(%q: tensor<2x8x16xf32>, %kt: tensor<2x16x8xf32>, %v: tensor<2x8x16xf32>, %mask: tensor<2x8x8xf32>) -> tensor<2x8x16xf32> {
  %scale = edge.constant dense<0.25> : tensor<f32>
  %s = edge.matmul %q, %kt : (tensor<2x8x16xf32>, tensor<2x16x8xf32>) -> tensor<2x8x8xf32>
  %ss = edge.mul %s, %scale : (tensor<2x8x8xf32>, tensor<f32>) -> tensor<2x8x8xf32>
  %sm = edge.add %ss, %mask : (tensor<2x8x8xf32>, tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = edge.softmax %sm {axis = 2 : i64} : tensor<2x8x8xf32>
  %o = edge.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// A softmax feeding a matmul's right operand is no attention block, and a
// transpose ends a group.
// CHECK-LABEL: func @not_attention
// CHECK: %[[T:.*]] = edge.transpose
// CHECK-NEXT: %[[P:.*]] = edge.softmax %[[T]]
// CHECK-NEXT: edge.matmul %{{.*}}, %[[P]]
// CHECK-NOT: edge.fusion_group
func.func @not_attention(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %t = edge.transpose %x {permutation = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %p = edge.softmax %t {axis = 1 : i64} : tensor<4x4xf32>
  %o = edge.matmul %y, %p : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %o : tensor<4x4xf32>
}

// -----

// Elementwise chains fuse; an op whose users fall in two groups starts its
// own.
// CHECK-LABEL: func @chains
// CHECK: %[[E:.*]] = edge.exp
// CHECK-NEXT: %[[G1:.*]] = edge.fusion_group "elementwise" {
// CHECK-NEXT: edge.neg %[[E]]
// CHECK-NEXT: edge.abs
// CHECK-NEXT: edge.yield
// CHECK: %[[G2:.*]] = edge.fusion_group "elementwise" {
// CHECK-NEXT: edge.tanh %[[E]]
// CHECK-NEXT: edge.sqrt
// CHECK-NEXT: edge.yield
// CHECK: return %[[G1]], %[[G2]]
func.func @chains(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = edge.exp %x : tensor<8xf32>
  %n = edge.neg %e : tensor<8xf32>
  %a = edge.abs %n : tensor<8xf32>
  %t = edge.tanh %e : tensor<8xf32>
  %s = edge.sqrt %t : tensor<8xf32>
  return %a, %s : tensor<8xf32>, tensor<8xf32>
}

// -----

// Ops pinned to different devices (`edge.pin`) stay in different groups.
// CHECK-LABEL: func @pins
// CHECK: %[[N:.*]] = edge.neg %arg0 {edge.pin = "cpu0"}
// CHECK-NEXT: edge.fusion_group "elementwise" {
// CHECK-NEXT: edge.exp %[[N]] {edge.pin = "gpu0"}
// CHECK-NEXT: edge.sqrt
func.func @pins(%x: tensor<8xf32>) -> tensor<8xf32> {
  %n = edge.neg %x {edge.pin = "cpu0"} : tensor<8xf32>
  %e = edge.exp %n {edge.pin = "gpu0"} : tensor<8xf32>
  %s = edge.sqrt %e : tensor<8xf32>
  return %s : tensor<8xf32>
}
