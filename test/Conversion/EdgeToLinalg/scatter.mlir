// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// ScatterElements: a loop nest over the updates carries the result; each
// step reads the index (wrapped when negative), combines and inserts.
// CHECK-LABEL: func @scatter_elements
// CHECK-SAME: (%[[D:.*]]: tensor<3x3xf32>, %[[I:.*]]: tensor<2x2xi64>, %[[U:.*]]: tensor<2x2xf32>)
// CHECK: %[[R:.*]] = scf.for %[[A:[^ ]+]] = {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[D]])
// CHECK: scf.for %[[B:[^ ]+]] = {{.*}} iter_args(%[[ACC2:[^ ]+]] = %[[ACC]])
// CHECK: %[[UPD:.*]] = tensor.extract %[[U]][%[[A]], %[[B]]]
// CHECK: %[[RAW:.*]] = tensor.extract %[[I]][%[[A]], %[[B]]]
// CHECK: %[[IDX:.*]] = arith.index_cast %[[RAW]]
// CHECK: %[[POS:.*]] = arith.select
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC2]][%[[A]], %[[POS]]]
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[UPD]]
// CHECK: tensor.insert %[[SUM]] into %[[ACC2]][%[[A]], %[[POS]]]
// CHECK: return %[[R]]
func.func @scatter_elements(%d: tensor<3x3xf32>, %i: tensor<2x2xi64>, %u: tensor<2x2xf32>) -> tensor<3x3xf32> {
  %0 = edge.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>)
  return %0 : tensor<3x3xf32>
}

// -----

// ScatterND: the index tuple (depth 1) picks the row; the slice coordinate
// follows.
// CHECK-LABEL: func @scatter_nd
// CHECK-SAME: (%[[D:.*]]: tensor<4x3xf32>, %[[I:.*]]: tensor<2x1xi64>, %[[U:.*]]: tensor<2x3xf32>)
// CHECK: scf.for %[[A:[^ ]+]] =
// CHECK: scf.for %[[B:[^ ]+]] = {{.*}} iter_args(%[[ACC:[^ ]+]] =
// CHECK: %[[UPD:.*]] = tensor.extract %[[U]][%[[A]], %[[B]]]
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: tensor.extract %[[I]][%[[A]], %[[ZERO]]]
// CHECK: %[[ROW:.*]] = arith.select
// CHECK-NOT: tensor.extract %[[ACC]]
// CHECK: tensor.insert %[[UPD]] into %[[ACC]][%[[ROW]], %[[B]]]
func.func @scatter_nd(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = edge.scatter_nd %d, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>)
  return %0 : tensor<4x3xf32>
}

// -----

// GatherND: a generic over the result reads the index tuple, then the data.
// CHECK-LABEL: func @gather_nd
// CHECK-SAME: (%[[D:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<5x2xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5x4xf32>)
// CHECK: %[[T:.*]] = linalg.index 0
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: tensor.extract %[[I]][%[[T]], %{{.*}}]
// CHECK: tensor.extract %[[I]][%[[T]], %{{.*}}]
// CHECK: tensor.extract %[[D]][%{{.*}}, %{{.*}}, %[[J]]]
func.func @gather_nd(%d: tensor<2x3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x4xf32> {
  %0 = edge.gather_nd %d, %i {batch_dims = 0 : i64} : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
