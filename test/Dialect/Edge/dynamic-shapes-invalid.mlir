// RUN: edge-opt %s -split-input-file -verify-diagnostics

// Ops whose lowering does not handle dynamic sizes yet keep static types.
func.func @static_only(%x: tensor<?x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'edge.gather_elements' op operand #0 must be statically shaped tensor}}
  %0 = edge.gather_elements %x, %i {axis = 0 : i64} : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

// A slice of a dynamic size takes it whole.
func.func @slice_part_of_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{slice of dimension 0 must take the whole dynamic size (start 0, step 1, size ?)}}
  // expected-error @+1 {{'edge.slice' op failed to infer returned types}}
  %0 = edge.slice %x {sizes = array<i64: 2, 4>, starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<2x4xf32>
  return
}


// -----

func.func @broadcast_conflict(%a: tensor<?x3xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+2 {{shapes [?, 3] and [?, 4] do not broadcast}}
  // expected-error @+1 {{'edge.add' op failed to infer returned types}}
  %0 = edge.add %a, %b : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @matmul_conflict(%a: tensor<?x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{matmul contraction sizes differ: [?, 3] x [4, 5]}}
  // expected-error @+1 {{'edge.matmul' op failed to infer returned types}}
  %0 = edge.matmul %a, %b : (tensor<?x3xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @conv_dynamic_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv channels must be static}}
  // expected-error @+1 {{'edge.conv' op failed to infer returned types}}
  %0 = edge.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @reshape_ambiguous_split(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{with several dynamic result sizes, the reshape must collapse or expand groups of dimensions, each expanded group splitting one dynamic size at most}}
  %0 = edge.reshape %x : (tensor<?x8xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

func.func @reshape_not_a_multiple(%x: tensor<6x4xf32>) {
  // expected-error @+1 {{element count 24 is not a multiple of the result's static sizes}}
  %0 = edge.reshape %x : (tensor<6x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @shape_past_the_rank(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{result must list the sizes of dimensions from 1 of a rank-2 input}}
  %0 = edge.shape %x {start = 1 : i64} : (tensor<?x4xf32>) -> tensor<2xi64>
  return
}

// -----

func.func @iota_dim_out_of_range(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{dim 2 is out of range for rank 2}}
  // expected-error @+1 {{'edge.iota' op failed to infer returned types}}
  %0 = edge.iota %x {dim = 2 : i64, element_type = i64} : (tensor<?x4xf32>) -> tensor<?xi64>
  return
}

// -----

func.func @iota_bool(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{element type must be a float or a signless integer (not a bool), not 'i1'}}
  // expected-error @+1 {{'edge.iota' op failed to infer returned types}}
  %0 = edge.iota %x {dim = 0 : i64, element_type = i1} : (tensor<?x4xf32>) -> tensor<?xi1>
  return
}

// -----

func.func @iota_wrong_size(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{'edge.iota' op inferred type(s) 'tensor<4xi64>' are incompatible with return type(s) of operation 'tensor<5xi64>'}}
  // expected-error @+1 {{'edge.iota' op failed to infer returned types}}
  %0 = edge.iota %x {dim = 1 : i64, element_type = i64} : (tensor<?x4xf32>) -> tensor<5xi64>
  return
}
