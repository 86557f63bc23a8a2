// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file -verify-diagnostics

// An op the patterns cannot lower makes the pass fail at that op.
func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{failed to legalize operation 'edge.softmax' that was explicitly marked illegal}}
  %0 = edge.softmax %x {axis = 0 : i64} : tensor<f32>
  return %0 : tensor<f32>
}
