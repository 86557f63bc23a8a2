// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// Dynamic result sizes come from the operands' (tensor.dim) by each op's
// size rule: broadcasts, contractions, reductions, data movement.

// CHECK-LABEL: func @elementwise
// CHECK-SAME: (%[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<1x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?x3xf32>, tensor<1x3xf32>) outs(%[[E]] : tensor<?x3xf32>)
// CHECK: %[[N2:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: tensor.empty(%[[N2]]) : tensor<?x3xf32>
func.func @elementwise(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %0 = edge.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %1 = edge.relu %0 : tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func @contractions
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x64xf32>, %[[W:.*]]: tensor<64x32xf32>, %[[A:.*]]: tensor<32x?xf32>, %[[B:.*]]: tensor<16x32xf32>)
// CHECK-DAG: %[[B0:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[X]], %c1
// CHECK: tensor.empty(%[[B0]], %[[M]]) : tensor<?x?x32xf32>
// CHECK: %[[GM:.*]] = tensor.dim %[[A]], %c1{{.*}}
// CHECK: tensor.empty(%[[GM]]) : tensor<?x16xf32>
func.func @contractions(%x: tensor<?x?x64xf32>, %w: tensor<64x32xf32>, %a: tensor<32x?xf32>, %b: tensor<16x32xf32>) -> (tensor<?x?x32xf32>, tensor<?x16xf32>) {
  %0 = edge.matmul %x, %w : (tensor<?x?x64xf32>, tensor<64x32xf32>) -> tensor<?x?x32xf32>
  %1 = edge.gemm %a, %b {trans_a = true, trans_b = true} : (tensor<32x?xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
  return %0, %1 : tensor<?x?x32xf32>, tensor<?x16xf32>
}

// -----

// A mean over a dynamic dimension divides by its run-time size.
// CHECK-LABEL: func @reduce_mean
// CHECK-SAME: (%[[X:.*]]: tensor<4x?xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c1{{.*}}
// CHECK: %[[COUNT:.*]] = arith.muli %c1{{.*}}, %[[N]] : index
// CHECK: %[[I:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[F]] : f32
func.func @reduce_mean(%x: tensor<4x?xf32>) -> tensor<4x1xf32> {
  %0 = edge.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<4x?xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// The softmax's intermediate reductions keep the other dynamic sizes.
// CHECK-LABEL: func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = edge.softmax %x {axis = 1 : i64} : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Flatten collapses, unsqueeze expands (views, no copy); a reshape that
// is neither takes its sizes at run time.
// CHECK-LABEL: func @reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x1x1xf32>, %[[Y:.*]]: tensor<?x6xf32>)
// CHECK: tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<?x8x1x1xf32> into tensor<?x8xf32>
// CHECK: tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [1, %{{.*}}, 6] : tensor<?x6xf32> into tensor<1x?x6xf32>
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %{{.*}}, %c3{{.*}} : tensor<2xindex>
// CHECK: tensor.reshape %[[Y]](%[[SHAPE]]) : (tensor<?x6xf32>, tensor<2xindex>) -> tensor<?x3xf32>
func.func @reshapes(%x: tensor<?x8x1x1xf32>, %y: tensor<?x6xf32>) -> (tensor<?x8xf32>, tensor<1x?x6xf32>, tensor<?x3xf32>) {
  %0 = edge.reshape %x : (tensor<?x8x1x1xf32>) -> tensor<?x8xf32>
  %1 = edge.reshape %y : (tensor<?x6xf32>) -> tensor<1x?x6xf32>
  %2 = edge.reshape %y : (tensor<?x6xf32>) -> tensor<?x3xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<1x?x6xf32>, tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_concat
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[Y:.*]]: tensor<?x2xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<4x?xf32>
// CHECK: linalg.transpose
// CHECK: tensor.empty(%{{.*}}) : tensor<?x6xf32>
// CHECK: tensor.insert_slice %[[X]] into %{{.*}}[0, 0] [%{{.*}}, 4] [1, 1]
// CHECK: tensor.insert_slice %[[Y]] into %{{.*}}[0, 4] [%{{.*}}, 2] [1, 1]
func.func @transpose_concat(%x: tensor<?x4xf32>, %y: tensor<?x2xf32>) -> (tensor<4x?xf32>, tensor<?x6xf32>) {
  %0 = edge.transpose %x {permutation = array<i64: 1, 0>} : (tensor<?x4xf32>) -> tensor<4x?xf32>
  %1 = edge.concat %x, %y {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<?x6xf32>
  return %0, %1 : tensor<4x?xf32>, tensor<?x6xf32>
}

// -----

// CHECK-LABEL: func @shape
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x128xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[B64:.*]] = arith.index_cast %[[B]] : index to i64
// CHECK: %[[C:.*]] = tensor.dim %[[X]], %c2
// CHECK: %[[C64:.*]] = arith.index_cast %[[C]] : index to i64
// CHECK: tensor.from_elements %[[B64]], %[[C64]] : tensor<2xi64>
func.func @shape(%x: tensor<?x?x128xf32>) -> tensor<2xi64> {
  %0 = edge.shape %x {start = 1 : i64} : (tensor<?x?x128xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// An iota over a dynamic size: the size read from the tensor, each
// element its index.
// CHECK-LABEL: func @iota
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<?xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK: linalg.yield %[[F]]
func.func @iota(%x: tensor<?x?xi64>) -> tensor<?xf32> {
  %0 = edge.iota %x {dim = 1 : i64, element_type = f32} : (tensor<?x?xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
