// RUN: edge-opt %s --pass-pipeline='builtin.module(edge-place{devices=%S/Inputs/no-softmax-gpu.json})' -split-input-file -verify-diagnostics | FileCheck %s

// The GPU cannot run softmax (its description lists edge.softmax in
// unsupported_ops): the matmuls around it still go to the GPU, the softmax
// falls back to the CPU, paying two transfers.
// CHECK-LABEL: func @model
// CHECK: edge.matmul {{.*}}edge.device = "gpu"
// CHECK: edge.softmax {{.*}}edge.device = "cpu"
// CHECK: edge.matmul {{.*}}edge.device = "gpu"
func.func @model(%x: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %w = edge.constant dense<1.0> : tensor<512x512xf32>
  %m = edge.matmul %x, %w : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
  %s = edge.softmax %m {axis = 1 : i64} : tensor<512x512xf32>
  %o = edge.matmul %s, %w : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
  return %o : tensor<512x512xf32>
}

// -----

// A fusion group holding an unsupported op cannot go there either.
// CHECK-LABEL: func @group
// CHECK: edge.fusion_group "attention" attributes {edge.device = "cpu"{{.*}}}
func.func @group(%q: tensor<512x512xf32>, %k: tensor<512x512xf32>, %v: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %g = edge.fusion_group "attention" {
    %s = edge.matmul %q, %k : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
    %p = edge.softmax %s {axis = 1 : i64} : tensor<512x512xf32>
    %o = edge.matmul %p, %v : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
    edge.yield %o : tensor<512x512xf32>
  } : tensor<512x512xf32>
  return %g : tensor<512x512xf32>
}

// -----

func.func @pinned(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'edge.softmax' op is pinned to 'gpu', whose description lists it in unsupported_ops}}
  %s = edge.softmax %x {axis = 1 : i64, edge.pin = "gpu"} : tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}
