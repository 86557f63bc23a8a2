// RUN: edge-opt %s --edge-check-indices -split-input-file -verify-diagnostics

// Constant indices are checked at compile time.
func.func @constant_out_of_range(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %i = edge.constant dense<[4, 5]> : tensor<2xi64>
  // expected-error @+1 {{index 5 (element 1 of the indices) is out of range for axis 0 of size 5}}
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @constant_tuple_out_of_range(%x: tensor<5x4xf32>) -> tensor<2xf32> {
  %t = edge.constant dense<[[4, 3], [0, -5]]> : tensor<2x2xi64>
  // expected-error @+1 {{index -5 (element 3 of the indices) is out of range for dimensions 0 to 1 of size 4}}
  %0 = edge.gather_nd %x, %t {batch_dims = 0 : i64} : (tensor<5x4xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// No index into an empty dimension is valid.
func.func @empty_axis(%x: tensor<0x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{indexes axis 0 of size 0: no index is valid}}
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<0x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
