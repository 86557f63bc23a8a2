// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-inline-fusion-groups))' | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-form-fusion-groups,edge-inline-fusion-groups))' | FileCheck %s --check-prefix=ROUNDTRIP

// The body replaces the group in place.
// CHECK-LABEL: func @inline
// CHECK-NEXT: %[[N:.*]] = edge.neg %arg0
// CHECK-NEXT: %[[E:.*]] = edge.exp %[[N]]
// CHECK-NEXT: %[[S:.*]] = edge.sqrt %[[E]]
// CHECK-NEXT: return %[[S]]

// Forming and inlining groups gives back the original ops in order.
// ROUNDTRIP-LABEL: func @inline
// ROUNDTRIP-NEXT: edge.neg
// ROUNDTRIP-NEXT: edge.exp
// ROUNDTRIP-NEXT: edge.sqrt
// ROUNDTRIP-NEXT: return
func.func @inline(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %x : tensor<4xf32>
    %e = edge.exp %n : tensor<4xf32>
    edge.yield %e : tensor<4xf32>
  } : tensor<4xf32>
  %s = edge.sqrt %g : tensor<4xf32>
  return %s : tensor<4xf32>
}
