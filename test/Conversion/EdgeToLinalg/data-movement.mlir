// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Resource blobs stay blobs: weights are not re-encoded.
// CHECK-LABEL: func @constant_resource
// CHECK: arith.constant dense_resource<weights> : tensor<2xf32>
func.func @constant_resource() -> tensor<2xf32> {
  %0 = edge.constant dense_resource<weights> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// CHECK-LABEL: func @reshape
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = edge.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func @reshape_scalar
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
func.func @reshape_scalar(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = edge.reshape %x : (tensor<1x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = edge.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x1xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %[[B]] into %[[I]][0, 3] [2, 1] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = edge.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Gather reads its index operand and extracts from the input; negative
// indices wrap.
// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[I:.*]]: tensor<2xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[$IDX]], #{{.*}}]{{.*}} ins(%[[I]] : tensor<2xi64>)
// CHECK: %[[COL:.*]] = linalg.index 1
// CHECK: %[[RAW:.*]] = arith.index_cast
// CHECK: %[[WRAPPED:.*]] = arith.addi %[[RAW]]
// CHECK: %[[IDX:.*]] = arith.select %{{.*}}, %[[WRAPPED]], %[[RAW]]
// CHECK: tensor.extract %[[X]][%[[IDX]], %[[COL]]]
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A slice is a strided extract_slice of the covered range; dimensions
// walked backwards are reversed afterwards.
// CHECK-DAG: #[[$REVERSE:.*]] = affine_map<(d0, d1) -> (-d0 + 1, d1)>
// CHECK-LABEL: func @slice
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[2, 1] [2, 2] [2, 1] : tensor<5x3xf32> to tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$REVERSE]], #{{.*}}]{{.*}} ins(%[[S]]
func.func @slice(%x: tensor<5x3xf32>) -> tensor<2x2xf32> {
  %0 = edge.slice %x {starts = array<i64: 4, 1>, sizes = array<i64: 2, 2>, steps = array<i64: -2, 1>} : (tensor<5x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A prefix slice with unit steps is just the extract_slice.
// CHECK-LABEL: func @slice_prefix
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 0] [2, 2] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[S]]
func.func @slice_prefix(%x: tensor<5x3xf32>) -> tensor<2x2xf32> {
  %0 = edge.slice %x {starts = array<i64: 0, 0>, sizes = array<i64: 2, 2>, steps = array<i64: 1, 1>} : (tensor<5x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// GatherElements replaces the axis coordinate by the loaded index.
// CHECK-LABEL: func @gather_elements
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<2x3xi64>)
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: %[[IDX:.*]] = arith.select
// CHECK: tensor.extract %[[X]][%[[ROW]], %[[IDX]]]
func.func @gather_elements(%x: tensor<2x5xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = edge.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// check_indices: an elementwise map that wraps negative indices, reports
// each one out of range to the runtime and replaces it by 0.
// CHECK-LABEL: func @check_indices
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[WIDE:.*]] = arith.extsi %[[IN]] : i32 to i64
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[WIDE]]
// CHECK: %[[WRAPPED:.*]] = arith.select %[[NEG]]
// CHECK: %[[OK:.*]] = arith.cmpi ult, %[[WRAPPED]]
// CHECK: scf.if
// CHECK: func.call @edge_rt_index_out_of_range(%{{.*}}, %[[WIDE]], %{{.*}}) : (i32, i64, i64) -> ()
// CHECK: %[[SAFE:.*]] = arith.select %[[OK]], %[[WRAPPED]]
// CHECK: arith.trunci %[[SAFE]] : i64 to i32
// CHECK-LABEL: func @check_index_tuples
// CHECK: linalg.index 1
// CHECK-NOT: scf.if
// CHECK: linalg.yield
func.func private @edge_rt_index_out_of_range(i32, i64, i64)
func.func @check_indices(%i: tensor<3xi32>) -> tensor<3xi32> {
  %0 = edge.check_indices %i {bounds = array<i64: 5>, site = 0 : i32, description = ""} : tensor<3xi32>
  return %0 : tensor<3xi32>
}
func.func @check_index_tuples(%i: tensor<3x2xi64>) -> tensor<3x2xi64> {
  %0 = edge.check_indices %i {bounds = array<i64: 5, 4>, description = ""} : tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}
// A dynamic bound is read once, before the map.
// CHECK-LABEL: func @check_indices_dynamic
// CHECK-SAME: (%[[I:.*]]: tensor<?xi64>, %[[N:.*]]: index)
// CHECK: %[[BOUND:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: tensor.empty(%{{.*}}) : tensor<?xi64>
// CHECK: linalg.generic
// CHECK: arith.cmpi ult, %{{.*}}, %[[BOUND]]
func.func @check_indices_dynamic(%i: tensor<?xi64>, %n: index) -> tensor<?xi64> {
  %0 = edge.check_indices %i bounded %n {bounds = array<i64: -9223372036854775808>, description = ""} : tensor<?xi64>
  return %0 : tensor<?xi64>
}
