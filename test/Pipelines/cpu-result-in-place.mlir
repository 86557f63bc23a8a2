// A result that a kernel computes into a view of its buffer (a pointwise
// convolution's pixels as one loop) is written straight into the
// caller's output buffer: the view folds away before the function's
// results become out-parameters, so there is no allocation of its own,
// and no copy loop after the kernel's.
// RUN: edge-opt %s --edge-cpu='cpu=x86-64-v4' | FileCheck %s
// CHECK-LABEL: llvm.func @main(
// CHECK-NOT: _mlir_memref_to_llvm_alloc
// CHECK: llvm.call @edge_parallel_for(
// CHECK-NOT: @edge_parallel_for
// CHECK: llvm.return

func.func @main(%x: tensor<1x8x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %w = edge.constant dense<0.5> : tensor<32x8x1x1xf32>
  %c = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x16x16xf32>, tensor<32x8x1x1xf32>) -> tensor<1x32x16x16xf32>
  %r = edge.relu %c : tensor<1x32x16x16xf32>
  return %r : tensor<1x32x16x16xf32>
}
