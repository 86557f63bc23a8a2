// RUN: edge-opt %s | edge-opt | FileCheck %s
// RUN: edge-opt %s --mlir-print-op-generic | edge-opt | FileCheck %s

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi64>) -> tensor<2x3xf32> {
  // CHECK: edge.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = edge.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.sub
  %1 = edge.sub %0, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.mul
  %2 = edge.mul %1, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.div
  %3 = edge.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.relu %{{.*}} : tensor<2x3xf32>
  %4 = edge.relu %3 : tensor<2x3xf32>
  // CHECK: edge.sigmoid
  %5 = edge.sigmoid %4 : tensor<2x3xf32>
  // CHECK: edge.tanh
  %6 = edge.tanh %5 : tensor<2x3xf32>
  // CHECK: edge.exp
  %7 = edge.exp %6 : tensor<2x3xf32>
  // CHECK: edge.log
  %8 = edge.log %7 : tensor<2x3xf32>
  // CHECK: edge.sqrt
  %9 = edge.sqrt %8 : tensor<2x3xf32>
  // CHECK: edge.neg
  %10 = edge.neg %9 : tensor<2x3xf32>
  // CHECK: edge.abs
  %11 = edge.abs %10 : tensor<2x3xf32>
  // CHECK: edge.erf
  %12 = edge.erf %11 : tensor<2x3xf32>
  // CHECK: edge.reciprocal
  %13 = edge.reciprocal %12 : tensor<2x3xf32>
  // CHECK: edge.floor
  %14 = edge.floor %13 : tensor<2x3xf32>
  // CHECK: edge.ceil
  %15 = edge.ceil %14 : tensor<2x3xf32>
  // CHECK: edge.relu %{{.*}} : tensor<4xi64>
  %16 = edge.relu %i : tensor<4xi64>
  // CHECK: edge.clip %{{.*}} min(%{{.*}} : tensor<f32>) max(%{{.*}} : tensor<f32>) : tensor<2x3xf32>
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %17 = edge.clip %15 min(%lo : tensor<f32>) max(%hi : tensor<f32>) : tensor<2x3xf32>
  // CHECK: edge.clip %{{.*}} max(%{{.*}} : tensor<i64>) : tensor<4xi64>
  %imax = edge.constant dense<3> : tensor<i64>
  %18 = edge.clip %i max(%imax : tensor<i64>) : tensor<4xi64>
  return %15 : tensor<2x3xf32>
}

// CHECK-LABEL: func @contractions
func.func @contractions(%a: tensor<4x2x3xf32>, %b: tensor<3x5xf32>, %v: tensor<3xf32>,
                        %m: tensor<1x512xf32>, %w: tensor<10x512xf32>, %c: tensor<10xf32>) -> tensor<1x10xf32> {
  // CHECK: edge.matmul %{{.*}}, %{{.*}} : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
  %0 = edge.matmul %a, %b : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
  // CHECK: edge.matmul {{.*}} -> tensor<5xf32>
  %1 = edge.matmul %v, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  // CHECK: edge.gemm %{{.*}}, %{{.*}}, %{{.*}} {trans_b = true}
  %2 = edge.gemm %m, %w, %c {trans_b = true} : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  // CHECK: edge.gemm %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true}
  %3 = edge.gemm %m, %w {alpha = 0.5 : f32, trans_b = true} : (tensor<1x512xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  return %2 : tensor<1x10xf32>
}

// CHECK-LABEL: func @quantized_matmul
func.func @quantized_matmul(%x: tensor<?x4x3xf32>, %v: tensor<3xf32>, %w: tensor<3x5xi8>,
                            %s: tensor<5xf32>) -> tensor<?x4x5xf32> {
  // CHECK: edge.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x3xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<?x4x5xf32>
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<?x4x3xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<?x4x5xf32>
  // CHECK: edge.quantized_matmul {{.*}} -> tensor<5xf32>
  %1 = edge.quantized_matmul %v, %w, %s : (tensor<3xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<?x4x5xf32>
}

// Block scales, over int8 and int4 weights.
// CHECK-LABEL: func @block_quantized_matmul
func.func @block_quantized_matmul(%x: tensor<?x64xf32>, %w8: tensor<64x5xi8>, %w4: tensor<64x5xi4>,
                                  %s: tensor<2x5xf32>) -> tensor<?x5xf32> {
  // CHECK: edge.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<64x5xi8>, tensor<2x5xf32>) -> tensor<?x5xf32>
  %0 = edge.quantized_matmul %x, %w8, %s : (tensor<?x64xf32>, tensor<64x5xi8>, tensor<2x5xf32>) -> tensor<?x5xf32>
  // CHECK: edge.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<64x5xi4>, tensor<2x5xf32>) -> tensor<?x5xf32>
  %1 = edge.quantized_matmul %x, %w4, %s : (tensor<?x64xf32>, tensor<64x5xi4>, tensor<2x5xf32>) -> tensor<?x5xf32>
  // CHECK: edge.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<64x5xi4>, tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<?x5xf32>
  %2 = edge.quantized_matmul %x, %w4, %s, %s : (tensor<?x64xf32>, tensor<64x5xi4>, tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<?x5xf32>
  return %2 : tensor<?x5xf32>
}

// CHECK-LABEL: func @windows
func.func @windows(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                   %dw: tensor<3x1x3x3xf32>, %x1: tensor<1x2x10xf32>, %w1: tensor<4x2x3xf32>) {
  // CHECK: edge.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %0 = edge.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: edge.conv {{.*}} -> tensor<1x3x3x3xf32>
  %1 = edge.conv %x, %dw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64}
      : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x3x3xf32>
  // CHECK: edge.conv {{.*}} -> tensor<1x4x6xf32>
  %2 = edge.conv %x1, %w1 {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 2>, group = 1 : i64}
      : (tensor<1x2x10xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  // CHECK: edge.max_pool {{.*}} -> tensor<1x3x4x4xf32>
  %3 = edge.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                         dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: edge.max_pool {{.*}} -> tensor<1x3x4x4xf32>
  %4 = edge.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                         dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: edge.average_pool {{.*}} count_include_pad = false
  %5 = edge.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                             ceil_mode = false, count_include_pad = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  // CHECK: edge.global_average_pool %{{.*}} : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  %6 = edge.global_average_pool %x : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  // CHECK: edge.global_max_pool
  %7 = edge.global_max_pool %x : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  return
}

// CHECK-LABEL: func @normalization_and_data_movement
func.func @normalization_and_data_movement(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>, %m: tensor<2x3xf32>) {
  // CHECK: edge.batch_norm {{.*}} {epsilon = 9.99999974E-6 : f32}
  %0 = edge.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f32}
      : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: edge.softmax %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>
  %1 = edge.softmax %m {axis = 1 : i64} : tensor<2x3xf32>
  // CHECK: edge.reshape %{{.*}} : (tensor<2x3xf32>) -> tensor<6xf32>
  %2 = edge.reshape %m : (tensor<2x3xf32>) -> tensor<6xf32>
  // CHECK: edge.transpose %{{.*}} {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %3 = edge.transpose %m {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK: edge.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %4 = edge.concat %m, %m {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // CHECK: edge.constant dense<1.000000e+00> : tensor<2xf32>
  %5 = edge.constant dense<1.0> : tensor<2xf32>
  return
}

// CHECK-LABEL: func @more_elementwise
func.func @more_elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<3xi64>, %c: tensor<2x3xi1>) {
  // CHECK: edge.divu %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %du = edge.divu %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK: edge.rem %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %rem = edge.rem %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK: edge.mod %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %mod = edge.mod %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK: edge.pow {{.*}} -> tensor<2x3xf32>
  %0 = edge.pow %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.max
  %1 = edge.max %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.min
  %2 = edge.min %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.prelu
  %3 = edge.prelu %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.less %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %4 = edge.less %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.equal {{.*}} -> tensor<3xi1>
  %5 = edge.equal %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  // CHECK: edge.greater_equal
  %6 = edge.greater_equal %x, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.and
  %7 = edge.and %4, %c : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: edge.or
  %8 = edge.or %7, %c : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: edge.xor
  %9 = edge.xor %8, %c : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: edge.not %{{.*}} : tensor<2x3xi1>
  %10 = edge.not %9 : tensor<2x3xi1>
  // On integers they are bitwise (ONNX's BitwiseAnd, ..., BitwiseNot).
  // CHECK: edge.and {{.*}} -> tensor<3xi64>
  %bits = edge.and %i, %i : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK: edge.not %{{.*}} : tensor<3xi64>
  %flipped = edge.not %bits : tensor<3xi64>
  // CHECK: edge.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %11 = edge.select %10, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.cast %{{.*}} : tensor<2x3xf32> to tensor<2x3xi64>
  %12 = edge.cast %11 : tensor<2x3xf32> to tensor<2x3xi64>
  // CHECK: edge.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
  %13 = edge.leaky_relu %x {alpha = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: edge.selu %{{.*}} : tensor<2x3xf32>
  %14 = edge.selu %x : tensor<2x3xf32>
  // CHECK: edge.hard_sigmoid
  %15 = edge.hard_sigmoid %x {alpha = 0.5 : f32, beta = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: edge.sign %{{.*}} : tensor<3xi64>
  %16 = edge.sign %i : tensor<3xi64>
  // CHECK: edge.round
  %17 = edge.round %x : tensor<2x3xf32>
  // CHECK: edge.softplus
  %18 = edge.softplus %x : tensor<2x3xf32>
  // CHECK: edge.hard_swish
  %19 = edge.hard_swish %x : tensor<2x3xf32>
  // CHECK: edge.atanh
  %20 = edge.atanh %x : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func @reductions_and_indexing
func.func @reductions_and_indexing(%x: tensor<2x3x4xf32>, %i: tensor<5xi64>) {
  // CHECK: edge.reduce_sum %{{.*}} {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %0 = edge.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: edge.reduce_mean {{.*}} -> tensor<3xf32>
  %1 = edge.reduce_mean %x {axes = array<i64: 0, 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: edge.reduce_max {{.*}} -> tensor<f32>
  %2 = edge.reduce_max %x {axes = array<i64>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: edge.reduce_min
  %3 = edge.reduce_min %x {axes = array<i64: 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: edge.reduce_prod
  %4 = edge.reduce_prod %x {axes = array<i64: 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: edge.arg_max %{{.*}} {axis = 2 : i64, keep_dims = false, select_last_index = false} : (tensor<2x3x4xf32>) -> tensor<2x3xi64>
  %5 = edge.arg_max %x {axis = 2 : i64, keep_dims = false, select_last_index = false} : (tensor<2x3x4xf32>) -> tensor<2x3xi64>
  // CHECK: edge.arg_min {{.*}} -> tensor<1x3x4xi64>
  %6 = edge.arg_min %x {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<2x3x4xf32>) -> tensor<1x3x4xi64>
  // CHECK: edge.gather %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x3x5xf32>
  %7 = edge.gather %x, %i {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x3x5xf32>
  // CHECK: edge.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xi64>) -> tensor<2x5x4xf32>
  %ge_i = edge.constant dense<0> : tensor<2x5x4xi64>
  %ge = edge.gather_elements %x, %ge_i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xi64>) -> tensor<2x5x4xf32>
  // CHECK: edge.check_indices %{{.*}} {bounds = array<i64: 4>, description = "node 'g' (gather, axis 2)", site = 0 : i32} : tensor<5xi64>
  %checked = edge.check_indices %i {bounds = array<i64: 4>, site = 0 : i32, description = "node 'g' (gather, axis 2)"} : tensor<5xi64>
  // CHECK: edge.check_indices %{{.*}} {bounds = array<i64: 2, 3>, description = ""} : tensor<7x2xi32>
  %tuples = edge.constant dense<0> : tensor<7x2xi32>
  %checked_tuples = edge.check_indices %tuples {bounds = array<i64: 2, 3>, description = ""} : tensor<7x2xi32>
  // CHECK: edge.check_indices %{{.*}} bounded %{{.*}} {bounds = array<i64: 4, -9223372036854775808>, description = ""} : tensor<7x2xi32>
  %size = arith.constant 3 : index
  %checked_dynamic = edge.check_indices %tuples bounded %size {bounds = array<i64: 4, -9223372036854775808>, description = ""} : tensor<7x2xi32>
  // CHECK: edge.slice %{{.*}} {sizes = array<i64: 2, 2, 2>, starts = array<i64: 0, 2, 0>, steps = array<i64: 1, -2, 3>} : (tensor<2x3x4xf32>) -> tensor<2x2x2xf32>
  %8 = edge.slice %x {starts = array<i64: 0, 2, 0>, sizes = array<i64: 2, 2, 2>, steps = array<i64: 1, -2, 3>} : (tensor<2x3x4xf32>) -> tensor<2x2x2xf32>
  // CHECK: edge.check_sizes %{{.*}}, %{{.*}} {description = "node 'r' (Resize, opset 13)", expected = array<i64: 2, 3, 4>} : tensor<2x3x4xf32>, tensor<3xi64>
  %sizes = edge.constant dense<[2, 3, 4]> : tensor<3xi64>
  %10 = edge.check_sizes %x, %sizes {expected = array<i64: 2, 3, 4>, description = "node 'r' (Resize, opset 13)"} : tensor<2x3x4xf32>, tensor<3xi64>
  // CHECK: edge.check_sizes %{{.*}}, %{{.*}} against %{{.*}} {description = "node 'a' (Add, opset 17)", expected = array<i64: -1, -1, -1>} : tensor<2x3x4xf32>, tensor<3xi64>, tensor<3xi64>
  %11 = edge.check_sizes %x, %sizes against %sizes {expected = array<i64: -1, -1, -1>, description = "node 'a' (Add, opset 17)"} : tensor<2x3x4xf32>, tensor<3xi64>, tensor<3xi64>
  // CHECK: edge.dynamic_slice %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] {description = "node 's' (Slice, opset 13)", site = 1 : i32} : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi32>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x1x4xf32>
  %s = edge.constant dense<0> : tensor<2xi64>
  %e = edge.constant dense<1> : tensor<2xi32>
  %9 = edge.dynamic_slice %x[%s, %e, %s, %s] {site = 1 : i32, description = "node 's' (Slice, opset 13)"} : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi32>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x1x4xf32>
  return
}

// CHECK-LABEL: func @non_max_suppression
func.func @non_max_suppression(%boxes: tensor<2x6x4xf32>, %scores: tensor<2x3x6xf32>, %max: tensor<i64>, %iou: tensor<f32>, %score: tensor<f32>) -> (tensor<5x3xi64>, tensor<i64>) {
  // CHECK: edge.non_max_suppression %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {center_point_box = true} : (tensor<2x6x4xf32>, tensor<2x3x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<5x3xi64>, tensor<i64>)
  %selected, %count = edge.non_max_suppression %boxes, %scores, %max, %iou, %score {center_point_box = true} : (tensor<2x6x4xf32>, tensor<2x3x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<5x3xi64>, tensor<i64>)
  return %selected, %count : tensor<5x3xi64>, tensor<i64>
}

// CHECK-LABEL: func @einsum
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %d: tensor<3x3xf32>) -> (tensor<2x3x5xf32>, tensor<3xf32>) {
  // CHECK: edge.einsum %{{.*}}, %{{.*}} {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %0 = edge.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: edge.einsum %{{.*}} {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  %1 = edge.einsum %d {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2x3x5xf32>, tensor<3xf32>
}

// CHECK-LABEL: func @indexing
func.func @indexing(%d: tensor<2x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>, %e: tensor<2x2xi64>, %w: tensor<2x2xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) {
  // CHECK: edge.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "add"} : (tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>)
  %0 = edge.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>)
  // CHECK: edge.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>)
  %1 = edge.scatter_elements %d, %e, %w {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>)
  // CHECK: edge.gather_nd %{{.*}}, %{{.*}} {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  %2 = edge.gather_nd %d, %e {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>
}
