// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-distinct-results))' | FileCheck %s

// A value returned twice gets a copy for its second slot; distinct values
// are left alone.
// CHECK-LABEL: func @repeated
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK: %[[COPY:.*]] = bufferization.alloc_tensor() copy(%[[X]]) : tensor<4xf32>
// CHECK: return %[[X]], %[[Y]], %[[COPY]]
func.func @repeated(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  return %x, %y, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
