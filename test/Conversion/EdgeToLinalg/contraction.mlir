// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// Batched matmul: loops (batch, m, n, k); the 2-D rhs is shared by all batches.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @matmul_batched
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4x2x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<4x2x5xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_batched(%a: tensor<4x2x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x2x5xf32> {
  %0 = edge.matmul %a, %b : (tensor<4x2x3xf32>, tensor<3x5xf32>) -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

// A 1-D lhs has no m loop.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @matmul_vector
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @matmul_vector(%a: tensor<3xf32>, %b: tensor<2x3x5xf32>) -> tensor<2x5xf32> {
  %0 = edge.matmul %a, %b : (tensor<3xf32>, tensor<2x3x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Gemm: the accumulator starts as beta * C; transposes are in the maps.
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$AT:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @gemm
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<4x3xf32>, %[[CV:.*]]: tensor<4xf32>)
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$C]], #[[$ID2]]], {{.*}}} ins(%[[CV]] : tensor<4xf32>)
// CHECK: arith.mulf %[[BETA]], %{{.*}}
// CHECK: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic {indexing_maps = [#[[$AT]], #[[$BT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : {{.*}}) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: %[[P:.*]] = arith.mulf
// CHECK: arith.mulf %[[ALPHA]], %[[P]]
func.func @gemm(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = edge.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_a = true, trans_b = true}
      : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Without C the accumulator is zero, and alpha = 1 adds no multiply.
// CHECK-LABEL: func @gemm_no_c
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK-NOT: arith.mulf
// CHECK: arith.addf
func.func @gemm_no_c(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = edge.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Einsum: result letters are the parallel loops, summed letters follow;
// a repeated letter reads the diagonal.
// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$DIAG:.*]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @einsum
// CHECK: linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #[[$ID]]], iterator_types = ["parallel"]}
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %d: tensor<3x3xf32>) -> (tensor<2x3x5xf32>, tensor<3xf32>) {
  %0 = edge.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %1 = edge.einsum %d {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2x3x5xf32>, tensor<3xf32>
}

// -----

// transpose_rhs reads the rhs as [n, k].
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @matmul_transpose_rhs
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @matmul_transpose_rhs(%a: tensor<8x16xf32>, %b: tensor<32x16xf32>) -> tensor<8x32xf32> {
  %0 = edge.matmul %a, %b {transpose_rhs} : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  return %0 : tensor<8x32xf32>
}

// -----

// int8 weights: converted as they are read, inside the reduction; each
// column scaled once, by an elementwise nest over the sums.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$COLUMN:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func @quantized_matmul
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK: %[[SUMS:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<?x4x3xf32>, tensor<3x5xi8>) outs(%[[INIT]] : tensor<?x4x5xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[W:.*]]: i8, %[[ACC:.*]]: f32):
// CHECK: %[[WF:.*]] = arith.sitofp %[[W]] : i8 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[WF]]
// CHECK: arith.addf %[[ACC]], %[[P]]
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$COLUMN]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[SUMS]], %arg2 : tensor<?x4x5xf32>, tensor<5xf32>)
// CHECK: arith.mulf
func.func @quantized_matmul(%x: tensor<?x4x3xf32>, %w: tensor<3x5xi8>, %s: tensor<5xf32>) -> tensor<?x4x5xf32> {
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<?x4x3xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}

// -----

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func @quantized_matvec
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #{{.*}}], iterator_types = ["parallel", "reduction"]}
func.func @quantized_matvec(%x: tensor<3xf32>, %w: tensor<3x5xi8>, %s: tensor<5xf32>) -> tensor<5xf32> {
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<3xf32>, tensor<3x5xi8>, tensor<5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Block scales over int8 weights: loops (m, n, block, row); the input and
// the weights viewed in blocks of 4 rows, each weight scaled by its
// block's scale before it meets the input.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3, d1)>
// CHECK-DAG: #[[$SCALE:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func @block_scaled_int8
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 2, 4] : tensor<?x8xf32> into tensor<?x2x4xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2]] output_shape [2, 4, 5] : tensor<8x5xi8> into tensor<2x4x5xi8>
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$SCALE]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]], %arg2 : tensor<?x2x4xf32>, tensor<2x4x5xi8>, tensor<2x5xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[Q:.*]]: i8, %[[S:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[QF:.*]] = arith.sitofp %[[Q]] : i8 to f32
// CHECK: %[[QS:.*]] = arith.mulf %[[QF]], %[[S]]
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[QS]]
// CHECK: arith.addf %[[ACC]], %[[P]]
func.func @block_scaled_int8(%x: tensor<?x8xf32>, %w: tensor<8x5xi8>, %s: tensor<2x5xf32>) -> tensor<?x5xf32> {
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<?x8xf32>, tensor<8x5xi8>, tensor<2x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// int4 weights: packed two rows per byte at compile time, 16 * high +
// (low + 8): rows (1, 2) give 41, (-1, 3) 55, (-8, 7) 112 and (0, 0) 8.
// The body reads the input's even elements and its odd ones less 16 times
// the even (x1 - 16 * x0, one small elementwise nest), and splits each
// byte v with one floor: x0 * (v - 8) * s + (x1 - 16 * x0) * floor(v / 16)
// * s.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2, d0)>
// CHECK-DAG: #[[$SCALE:.*]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func @int4_matvec
// CHECK-DAG: %[[EVEN:.*]] = tensor.extract_slice %arg0[0] [4] [2] : tensor<8xf32> to tensor<4xf32>
// CHECK-DAG: %[[ODD:.*]] = tensor.extract_slice %arg0[1] [4] [2] : tensor<8xf32> to tensor<4xf32>
// CHECK-DAG: %[[E:.*]] = tensor.expand_shape %[[EVEN]] {{\[\[}}0, 1]] output_shape [2, 2]
// CHECK: %[[ADJUSTED:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]} ins(%[[EVEN]], %[[ODD]] : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[X0:.*]]: f32, %[[X1:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[X016:.*]] = arith.mulf %[[X0]], %{{.*}}
// CHECK: arith.subf %[[X1]], %[[X016]]
// CHECK: %[[A:.*]] = tensor.expand_shape %[[ADJUSTED]] {{\[\[}}0, 1]] output_shape [2, 2]
// CHECK: %[[PACKED:.*]] = arith.constant dense<{{\[\[\[}}41], [55]], {{\[\[}}112], [8]]]> : tensor<2x2x1xi8>
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$LHS]], #[[$RHS]], #[[$SCALE]], #[[$OUT]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[E]], %[[A]], %[[PACKED]], %arg1 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2x1xi8>, tensor<2x1xf32>)
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[XA:.*]]: f32, %[[B:.*]]: i8, %[[S:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[VF:.*]] = arith.sitofp %[[B]] : i8 to f32
// CHECK: %[[V16:.*]] = arith.mulf %[[VF]], %{{.*}}
// CHECK: %[[HF:.*]] = math.floor %[[V16]]
// CHECK: %[[OFFSET:.*]] = arith.mulf %[[S]], %{{.*}}
// CHECK: %[[LS:.*]] = math.fma %[[VF]], %[[S]], %[[OFFSET]]
// CHECK: %[[P0:.*]] = arith.mulf %[[XE]], %[[LS]]
// CHECK: %[[HS:.*]] = arith.mulf %[[HF]], %[[S]]
// CHECK: %[[P1:.*]] = arith.mulf %[[XA]], %[[HS]]
// CHECK: %[[P:.*]] = arith.addf %[[P0]], %[[P1]]
// CHECK: arith.addf %[[ACC]], %[[P]]
func.func @int4_matvec(%x: tensor<8xf32>, %s: tensor<2x1xf32>) -> tensor<1xf32> {
  %w = edge.constant dense<[[1], [2], [-1], [3], [-8], [7], [0], [0]]> : tensor<8x1xi4>
  %0 = edge.quantized_matmul %x, %w, %s : (tensor<8xf32>, tensor<8x1xi4>, tensor<2x1xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Offsets (zero points): int8 weights become q * s + o, one multiply-add;
// int4 pairs add 17 * o to the low weight's and o to the high one's.
// CHECK-LABEL: func @offsets
// CHECK: ^bb0(%{{.*}}: f32, %[[Q:.*]]: i8, %[[S:.*]]: f32, %[[O:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[QF:.*]] = arith.sitofp %[[Q]] : i8 to f32
// CHECK: math.fma %[[QF]], %[[S]], %[[O]]
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: i8, %[[S4:.*]]: f32, %[[O4:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[M8:.*]] = arith.mulf %[[S4]], %{{.*}}
// CHECK: %[[EXTRA:.*]] = math.fma %[[O4]], %{{.*}}, %[[M8]]
// CHECK: math.fma %{{.*}}, %[[S4]], %[[EXTRA]]
// CHECK: math.fma %{{.*}}, %[[S4]], %[[O4]]
func.func @offsets(%x: tensor<?x8xf32>, %w: tensor<8x5xi8>, %s: tensor<2x5xf32>, %o: tensor<2x5xf32>) -> (tensor<?x5xf32>, tensor<?x5xf32>) {
  %0 = edge.quantized_matmul %x, %w, %s, %o : (tensor<?x8xf32>, tensor<8x5xi8>, tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<?x5xf32>
  %w4 = edge.constant dense<1> : tensor<8x5xi4>
  %1 = edge.quantized_matmul %x, %w4, %s, %o : (tensor<?x8xf32>, tensor<8x5xi4>, tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<?x5xf32>
  return %0, %1 : tensor<?x5xf32>, tensor<?x5xf32>
}
