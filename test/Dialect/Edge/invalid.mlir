// RUN: edge-opt %s -split-input-file -verify-diagnostics

// add_broadcast
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{shapes [2, 3] and [4] do not broadcast}}
  // expected-error @+1 {{'edge.add' op failed to infer returned types}}
  %0 = edge.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}
// -----

// add_result_type
func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'edge.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'edge.add' op failed to infer returned types}}
  %0 = edge.add %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}
// -----

// add_element_types
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+1 {{'edge.add' op requires the same element type for all operands}}
  %0 = edge.add %a, %b : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return
}
// -----

// matmul_contraction
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{matmul contraction sizes differ: [2, 3] x [4, 5]}}
  // expected-error @+1 {{'edge.matmul' op failed to infer returned types}}
  %0 = edge.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}
// -----

// conv_input_channels
func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{conv weight expects 2 input channels, input has 3}}
  // expected-error @+1 {{'edge.conv' op failed to infer returned types}}
  %0 = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}
// -----

// conv_group
func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{group 3 must divide input and output channels}}
  // expected-error @+1 {{'edge.conv' op failed to infer returned types}}
  %0 = edge.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}
// -----

// conv_attribute_sizes
func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{expected 2 kernel sizes, strides and dilations and 4 pads}}
  // expected-error @+1 {{'edge.conv' op failed to infer returned types}}
  %0 = edge.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}
// -----

// conv_bias
func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{conv bias must be a vector of 4 elements}}
  // expected-error @+1 {{'edge.conv' op failed to infer returned types}}
  %0 = edge.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}
// -----

// max_pool_window
func.func @f(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+2 {{window of extent 3 does not fit padded size 2}}
  // expected-error @+1 {{'edge.max_pool' op failed to infer returned types}}
  %0 = edge.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32>
  return
}
// -----

// batch_norm_channels
func.func @f(%x: tensor<1x4x2x2xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{batch_norm parameters must be vectors of 4 channels}}
  // expected-error @+1 {{'edge.batch_norm' op failed to infer returned types}}
  %0 = edge.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}
// -----

// softmax_axis
func.func @f(%m: tensor<2x3xf32>) {
  // expected-error @+1 {{'edge.softmax' op axis 2 is out of range for rank 2}}
  %0 = edge.softmax %m {axis = 2 : i64} : tensor<2x3xf32>
  return
}
// -----

// reshape_element_count
func.func @f(%m: tensor<2x3xf32>) {
  // expected-error @+1 {{'edge.reshape' op element count changes from 6 to 7}}
  %0 = edge.reshape %m : (tensor<2x3xf32>) -> tensor<7xf32>
  return
}
// -----

// transpose_permutation
func.func @f(%m: tensor<2x3xf32>) {
  // expected-error @+2 {{invalid permutation [0, 0]}}
  // expected-error @+1 {{'edge.transpose' op failed to infer returned types}}
  %0 = edge.transpose %m {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}
// -----

// concat_dims
func.func @f(%m: tensor<2x3xf32>, %n: tensor<3x3xf32>) {
  // expected-error @+2 {{concat inputs differ in dimension 0 (2 vs 3)}}
  // expected-error @+1 {{'edge.concat' op failed to infer returned types}}
  %0 = edge.concat %m, %n {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}
// -----

// sigmoid_float_only
func.func @f(%m: tensor<2x3xi32>) {
  // expected-error @+1 {{'edge.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = edge.sigmoid %m : tensor<2x3xi32>
  return
}
// -----

// ranked_tensors
func.func @f(%m: tensor<*xf32>) {
  // expected-error @+1 {{'edge.relu' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<*xf32>'}}
  %0 = "edge.relu"(%m) : (tensor<*xf32>) -> tensor<*xf32>
  return
}
// -----

// gemm_contraction
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{gemm contraction sizes differ: 3 vs 4}}
  // expected-error @+1 {{'edge.gemm' op failed to infer returned types}}
  %0 = edge.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}
// -----

// clip_bounds
func.func @f(%x: tensor<4xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'edge.clip' op bounds must be scalars (rank 0) of type 'f32'}}
  %0 = edge.clip %x min(%b : tensor<2xf32>) : tensor<4xf32>
  return
}

// -----

// compare_broadcast
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{shapes [2, 3] and [2] do not broadcast}}
  // expected-error @+1 {{'edge.less' op failed to infer returned types}}
  %0 = edge.less %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xi1>
  return
}

// -----

// select_branch_types
func.func @f(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+2 {{select branches must have one element type}}
  // expected-error @+1 {{'edge.select' op failed to infer returned types}}
  %0 = edge.select %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  return
}

// -----

// cast_shape
func.func @f(%a: tensor<2xf32>) {
  // expected-error @+1 {{'edge.cast' op requires the same shape for all operands and results}}
  %0 = edge.cast %a : tensor<2xf32> to tensor<3xi32>
  return
}

// -----

// reduce_axes_sorted
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{axes must be sorted and unique}}
  // expected-error @+1 {{'edge.reduce_sum' op failed to infer returned types}}
  %0 = edge.reduce_sum %x {axes = array<i64: 1, 0>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

// gather_axis
func.func @f(%x: tensor<2x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'edge.gather' op failed to infer returned types}}
  %0 = edge.gather %x, %i {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

// slice_bounds
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+2 {{slice of dimension 0 reads outside the input}}
  // expected-error @+1 {{'edge.slice' op failed to infer returned types}}
  %0 = edge.slice %x {starts = array<i64: 2>, sizes = array<i64: 3>, steps = array<i64: 1>} : (tensor<4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @einsum_implicit(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{equation must have an explicit result after '->'}}
  %0 = edge.einsum %a {equation = "ij"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_terms(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{equation has 2 operand terms for 1 operands}}
  %0 = edge.einsum %a {equation = "ij,jk->ik"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{term 'ijk' does not match operand 0 of rank 2}}
  %0 = edge.einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{letter 'j' has sizes 3 and 4}}
  %0 = edge.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @einsum_letter(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{equation letters must be in [a-zA-Z], got '.'}}
  %0 = edge.einsum %a {equation = "i.->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_result_letter(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result letter 'k' does not label an operand dimension}}
  %0 = edge.einsum %a {equation = "ij->k"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_repeated_result(%a: tensor<2x2xf32>) {
  // expected-error @+1 {{result letter 'i' is repeated}}
  %0 = edge.einsum %a {equation = "ij->ii"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @einsum_result_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result dimension 0 must have size 3}}
  %0 = edge.einsum %a {equation = "ij->j"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @scatter_reduction(%d: tensor<2x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{reduction must be none, add, mul, max or min, got 'sub'}}
  %0 = edge.scatter_nd %d, %i, %u {reduction = "sub"} : (tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>)
  return
}

// -----

func.func @scatter_nd_updates(%d: tensor<2x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+1 {{updates must have shape indices[:-1] + data[k:]}}
  %0 = edge.scatter_nd %d, %i, %u : (tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x2xf32>)
  return
}

// -----

func.func @scatter_elements_shapes(%d: tensor<2x3xf32>, %i: tensor<2x2xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{indices and updates must have one shape}}
  %0 = edge.scatter_elements %d, %i, %u {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x3xf32>)
  return
}

// -----

func.func @scatter_elements_axis(%d: tensor<2x3xf32>, %i: tensor<2x2xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = edge.scatter_elements %d, %i, %u {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>)
  return
}

// -----

func.func @gather_nd_depth(%d: tensor<2x3xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+2 {{batch_dims 0 plus the index depth 3 exceed the input rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = edge.gather_nd %d, %i {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @matmul_transpose_vector(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{transpose_rhs needs an rhs of rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = edge.matmul %a, %b {transpose_rhs} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

// fusion_group_yield_types
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'edge.fusion_group' op yields 'tensor<4xf32>' but its results are 'tensor<4xi32>'}}
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %x : tensor<4xf32>
    edge.yield %n : tensor<4xf32>
  } : tensor<4xi32>
  return
}

// -----

// fusion_group_empty
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'edge.fusion_group' op body holds no op}}
  %g = edge.fusion_group "elementwise" {
    edge.yield %x : tensor<4xf32>
  } : tensor<4xf32>
  return
}

// -----

// yield_outside_group
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'edge.yield' op expects parent op 'edge.fusion_group'}}
  edge.yield %x : tensor<4xf32>
}

// -----

// transfer_types
func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'edge.transfer' op requires the same type for all operands and results}}
  %t = "edge.transfer"(%x) {source = "a", target = "b"} : (tensor<4xf32>) -> tensor<4xi32>
  return
}

// -----

func.func @check_indices_empty_dimension(%i: tensor<2xi64>) {
  // expected-error @+1 {{bounds must be positive (an index into an empty dimension is never valid), got 0}}
  %0 = edge.check_indices %i {bounds = array<i64: 0>, description = ""} : tensor<2xi64>
  return
}

// -----

func.func @check_indices_tuple(%i: tensor<2x3xi64>) {
  // expected-error @+1 {{with 2 bounds, the last dimension of indices must be the tuple size 2}}
  %0 = edge.check_indices %i {bounds = array<i64: 4, 4>, description = ""} : tensor<2x3xi64>
  return
}

// -----

func.func @check_indices_no_bound(%i: tensor<2xi64>) {
  // expected-error @+1 {{needs at least one bound}}
  %0 = edge.check_indices %i {bounds = array<i64>, description = ""} : tensor<2xi64>
  return
}

// -----

func.func @check_indices_dynamic_bound_missing(%i: tensor<2xi64>) {
  // expected-error @+1 {{has 1 dynamic bounds but 0 dynamic_bounds operands}}
  %0 = edge.check_indices %i {bounds = array<i64: -9223372036854775808>, description = ""} : tensor<2xi64>
  return
}
// -----

// dynamic_slice_lengths
func.func @f(%x: tensor<4x3xf32>, %s: tensor<2xi64>, %a: tensor<1xi64>) {
  // expected-error @+1 {{'edge.dynamic_slice' op starts, ends, axes and steps must have one shape}}
  %0 = edge.dynamic_slice %x[%s, %s, %a, %s] {description = ""} : (tensor<4x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}
// -----

// dynamic_slice_too_many_axes
func.func @f(%x: tensor<4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{'edge.dynamic_slice' op slices 2 axes of a rank-1 input}}
  %0 = edge.dynamic_slice %x[%s, %s, %s, %s] {description = ""} : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2xf32>
  return
}
// -----

// dynamic_slice_larger_result
func.func @f(%x: tensor<4x3xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'edge.dynamic_slice' op result size 5 exceeds the input's 4}}
  %0 = edge.dynamic_slice %x[%s, %s, %s, %s] {description = ""} : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5x3xf32>
  return
}
// -----

// dynamic_slice_rank
func.func @f(%x: tensor<4x3xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'edge.dynamic_slice' op result must have the input's element type and rank}}
  %0 = edge.dynamic_slice %x[%s, %s, %s, %s] {description = ""} : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xf32>
  return
}
// -----

// check_sizes_count
func.func @f(%x: tensor<4x3xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{'edge.check_sizes' op sizes must be a 1-D tensor with one entry per expected size}}
  %0 = edge.check_sizes %x, %s {expected = array<i64: 4, 3>, description = ""} : tensor<4x3xf32>, tensor<3xi64>
  return
}
// -----

// non_max_suppression_boxes
func.func @f(%b: tensor<1x6x5xf32>, %s: tensor<1x1x6xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+1 {{'edge.non_max_suppression' op boxes must be [batch, boxes, 4]}}
  %0, %1 = edge.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x5xf32>, tensor<1x1x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<3x3xi64>, tensor<i64>)
  return
}
// -----

// non_max_suppression_scores
func.func @f(%b: tensor<1x6x4xf32>, %s: tensor<1x1x5xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+1 {{'edge.non_max_suppression' op scores must be [batch, classes, boxes] for boxes of shape [1, 6, 4]}}
  %0, %1 = edge.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x4xf32>, tensor<1x1x5xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<3x3xi64>, tensor<i64>)
  return
}
// -----

// non_max_suppression_selected
func.func @f(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+1 {{'edge.non_max_suppression' op selected must be [capacity, 3]}}
  %0, %1 = edge.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<3x2xi64>, tensor<i64>)
  return
}
// -----

// check_sizes_against
func.func @f(%x: tensor<?xf32>, %s: tensor<1xi64>, %a: tensor<2xi64>) {
  // expected-error @+1 {{'edge.check_sizes' op against must have the sizes' shape}}
  %0 = edge.check_sizes %x, %s against %a {expected = array<i64: -1>, description = ""} : tensor<?xf32>, tensor<1xi64>, tensor<2xi64>
  return
}

// -----

func.func @quantized_matmul_contraction(%x: tensor<2x4xf32>, %w: tensor<3x5xi8>, %s: tensor<5xf32>) {
  // expected-error @+2 {{matmul contraction sizes differ: [2, 4] x [3, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x4xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_weight_rank(%x: tensor<2x3xf32>, %w: tensor<1x3x5xi8>, %s: tensor<5xf32>) {
  // expected-error @+1 {{weights must be 2-D [K, N]}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x3xf32>, tensor<1x3x5xi8>, tensor<5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_scales(%x: tensor<2x3xf32>, %w: tensor<3x5xi8>, %s: tensor<4xf32>) {
  // expected-error @+1 {{scales must be [N] (one per weight column) or [K / B, N] (one per block of B rows of a column)}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x3xf32>, tensor<3x5xi8>, tensor<4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_blocks(%x: tensor<2x64xf32>, %w: tensor<64x5xi4>, %s: tensor<3x5xf32>) {
  // expected-error @+1 {{scales' 3 blocks do not divide the weights' 64 rows}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x64xf32>, tensor<64x5xi4>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_odd_int4_block(%x: tensor<2x6xf32>, %w: tensor<6x5xi4>, %s: tensor<2x5xf32>) {
  // expected-error @+1 {{int4 weights are packed in pairs of rows: block of 3 rows is odd}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x6xf32>, tensor<6x5xi4>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_column_offsets(%x: tensor<2x4xf32>, %w: tensor<4x5xi8>, %s: tensor<5xf32>) {
  // expected-error @+1 {{offsets must have the type of block scales [K / B, N]}}
  %0 = edge.quantized_matmul %x, %w, %s, %s : (tensor<2x4xf32>, tensor<4x5xi8>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_scale_rank(%x: tensor<2x4xf32>, %w: tensor<4x5xi8>, %s: tensor<1x2x5xf32>) {
  // expected-error @+1 {{scales must be [N] (one per weight column) or [K / B, N]}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x4xf32>, tensor<4x5xi8>, tensor<1x2x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_scale_type(%x: tensor<2x3xf32>, %w: tensor<3x5xi8>, %s: tensor<5xf16>) {
  // expected-error @+1 {{scales must have the element type of lhs}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x3xf32>, tensor<3x5xi8>, tensor<5xf16>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_matmul_weight_type(%x: tensor<2x3xf32>, %w: tensor<3x5xi16>, %s: tensor<5xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 8-bit signless integer or 4-bit signless integer values}}
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<2x3xf32>, tensor<3x5xi16>, tensor<5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// and_mixed_types
func.func @f(%a: tensor<3xi32>, %b: tensor<3xi1>) {
  // expected-error @+1 {{'edge.and' op failed to verify that all of {lhs, rhs, result} have same element type}}
  %0 = edge.and %a, %b : (tensor<3xi32>, tensor<3xi1>) -> tensor<3xi32>
  return
}

// -----

// not_float
func.func @f(%a: tensor<3xf32>) {
  // expected-error @+1 {{'edge.not' op operand #0 must be ranked tensor of signless integer values}}
  %0 = edge.not %a : tensor<3xf32>
  return
}
