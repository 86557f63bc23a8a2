// RUN: edge-opt %s -split-input-file | edge-opt | FileCheck %s
// RUN: edge-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=CANON

// Fusion groups and transfers print and parse back.
// CHECK-LABEL: func @group
// CHECK: %[[G:.*]] = edge.fusion_group "elementwise" {
// CHECK-NEXT: %[[N:.*]] = edge.neg %{{.*}} : tensor<4xf32>
// CHECK-NEXT: %[[E:.*]] = edge.exp %[[N]] : tensor<4xf32>
// CHECK-NEXT: edge.yield %[[E]] : tensor<4xf32>
// CHECK-NEXT: } : tensor<4xf32>
// CHECK: edge.transfer %[[G]] from "cpu0" to "gpu0" : tensor<4xf32>
func.func @group(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %x : tensor<4xf32>
    %e = edge.exp %n : tensor<4xf32>
    edge.yield %e : tensor<4xf32>
  } : tensor<4xf32>
  %t = edge.transfer %g from "cpu0" to "gpu0" : tensor<4xf32>
  return %t : tensor<4xf32>
}

// -----

// A transfer of a tensor with dynamic sizes.
// CHECK-LABEL: func @dynamic_transfer
// CHECK: edge.transfer %{{.*}} from "cpu0" to "gpu0" : tensor<?x64xf32>
func.func @dynamic_transfer(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %t = edge.transfer %x from "cpu0" to "gpu0" : tensor<?x64xf32>
  return %t : tensor<?x64xf32>
}

// -----

// A transfer to the device that holds the value is no transfer; an unused
// group is dead (its body has no side effects).
// CANON-LABEL: func @folds
// CANON-NEXT: return %arg0
func.func @folds(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %x : tensor<4xf32>
    edge.yield %n : tensor<4xf32>
  } : tensor<4xf32>
  %t = edge.transfer %x from "cpu0" to "cpu0" : tensor<4xf32>
  return %t : tensor<4xf32>
}
