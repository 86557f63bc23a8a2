// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-write-into-destinations))' --split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-write-into-destinations),one-shot-bufferize{bufferize-function-boundaries},cse,canonicalize)' --split-input-file | FileCheck %s --check-prefix=BUFFER

// A tile's accumulators start from a constant's slice and are written back
// over the whole of it, then inserted into the output: the write goes into
// the output's slice, and bufferization copies nothing (no allocation, the
// vector stored straight into the output).
// CHECK-LABEL: func @whole_write_over_constant
// CHECK-SAME: (%[[V:.*]]: vector<4x8xf32>, %[[OUT:.*]]: tensor<1x8x8xf32>, %[[I:.*]]: index)
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[OUT]][0, %[[I]], 0] [1, 4, 8] [1, 1, 1] : tensor<1x8x8xf32> to tensor<4x8xf32>
// CHECK: %[[W:.*]] = vector.transfer_write %[[V]], %[[SLICE]][%c0, %c0]
// CHECK: tensor.insert_slice %[[W]] into %[[OUT]][0, %[[I]], 0] [1, 4, 8] [1, 1, 1]
// BUFFER-LABEL: func @whole_write_over_constant
// BUFFER-NOT: memref.alloc
// BUFFER-NOT: memref.copy
// BUFFER: vector.transfer_write
// BUFFER-NOT: memref.copy
// BUFFER: return
func.func @whole_write_over_constant(%v: vector<4x8xf32>, %out: tensor<1x8x8xf32>, %i: index) -> tensor<1x8x8xf32> {
  %c0 = arith.constant 0 : index
  %bias = arith.constant dense<1.0> : tensor<64xf32>
  %rows = tensor.expand_shape %bias [[0, 1]] output_shape [8, 8] : tensor<64xf32> into tensor<8x8xf32>
  %start = tensor.extract_slice %rows[%i, 0] [4, 8] [1, 1] : tensor<8x8xf32> to tensor<4x8xf32>
  %w = vector.transfer_write %v, %start[%c0, %c0] {in_bounds = [true, true]} : vector<4x8xf32>, tensor<4x8xf32>
  %r = tensor.insert_slice %w into %out[0, %i, 0] [1, 4, 8] [1, 1, 1] : tensor<4x8xf32> into tensor<1x8x8xf32>
  return %r : tensor<1x8x8xf32>
}

// -----

// A write of part of the constant's slice keeps the rest of the constant:
// it stays.
// CHECK-LABEL: func @partial_write_over_constant
// CHECK: %[[START:.*]] = tensor.extract_slice %{{.*}}[0] [8] [1] : tensor<16xf32> to tensor<8xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[START]][%c0]
func.func @partial_write_over_constant(%v: vector<4xf32>, %out: tensor<16xf32>) -> tensor<16xf32> {
  %c0 = arith.constant 0 : index
  %bias = arith.constant dense<1.0> : tensor<16xf32>
  %start = tensor.extract_slice %bias[0] [8] [1] : tensor<16xf32> to tensor<8xf32>
  %w = vector.transfer_write %v, %start[%c0] {in_bounds = [true]} : vector<4xf32>, tensor<8xf32>
  %r = tensor.insert_slice %w into %out[8] [8] [1] : tensor<8xf32> into tensor<16xf32>
  return %r : tensor<16xf32>
}

// -----

// A write over a slice of another tensor than a constant is left to
// bufferization, which writes it in place where it can.
// CHECK-LABEL: func @write_over_argument
// CHECK-SAME: (%[[V:.*]]: vector<8xf32>, %[[A:.*]]: tensor<16xf32>, %[[OUT:.*]]: tensor<16xf32>)
// CHECK: %[[START:.*]] = tensor.extract_slice %[[A]][0] [8] [1]
// CHECK: vector.transfer_write %[[V]], %[[START]][%c0]
func.func @write_over_argument(%v: vector<8xf32>, %a: tensor<16xf32>, %out: tensor<16xf32>) -> tensor<16xf32> {
  %c0 = arith.constant 0 : index
  %start = tensor.extract_slice %a[0] [8] [1] : tensor<16xf32> to tensor<8xf32>
  %w = vector.transfer_write %v, %start[%c0] {in_bounds = [true]} : vector<8xf32>, tensor<8xf32>
  %r = tensor.insert_slice %w into %out[8] [8] [1] : tensor<8xf32> into tensor<16xf32>
  return %r : tensor<16xf32>
}
