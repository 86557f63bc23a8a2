// RUN: edge-opt %s --edge-check-indices -split-input-file | FileCheck %s
// RUN: edge-opt %s --edge-check-indices=report=false -split-input-file | FileCheck %s --check-prefix=NOREPORT

// Indices from run-time data get a check, numbered per module, described
// by the node the importer located the op at; the runtime's report
// function is declared once.
// CHECK-LABEL: func @runtime_indices
// CHECK: %[[G:.*]] = edge.check_indices %arg1 {bounds = array<i64: 5>, description = "node 'embed' (gather, axis 0)", site = 0 : i32} : tensor<3xi64>
// CHECK: edge.gather %arg0, %[[G]]
// CHECK: %[[E:.*]] = edge.check_indices %arg2 {bounds = array<i64: 4>, description = "(gather_elements, axis 1)", site = 1 : i32}
// CHECK: edge.gather_elements %arg0, %[[E]]
// CHECK: %[[N:.*]] = edge.check_indices %arg3 {bounds = array<i64: 5, 4>, description = "(gather_nd, dimensions 0 to 1)", site = 2 : i32}
// CHECK: edge.gather_nd %arg0, %[[N]]
// CHECK: %[[S:.*]] = edge.check_indices %arg2 {bounds = array<i64: 4>, description = "(scatter_elements, axis 1)", site = 3 : i32}
// CHECK: edge.scatter_elements %arg0, %[[S]]
// CHECK: %[[D:.*]] = edge.check_indices %arg4 {bounds = array<i64: 5>, description = "(scatter_nd, dimensions 0)", site = 4 : i32}
// CHECK: edge.scatter_nd %arg0, %[[D]]
// CHECK: func.func private @edge_rt_index_out_of_range(i32, i64, i64)
// NOREPORT-LABEL: func @runtime_indices
// NOREPORT: edge.check_indices %arg1 {bounds = array<i64: 5>, description = "node 'embed' (gather, axis 0)"} : tensor<3xi64>
// NOREPORT-NOT: edge_rt_index_out_of_range
func.func @runtime_indices(%x: tensor<5x4xf32>, %i: tensor<3xi64>, %e: tensor<5x2xi32>, %t: tensor<2x2xi64>, %r: tensor<2x1xi64>) -> (tensor<3x4xf32>, tensor<5x2xf32>, tensor<2xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32> loc("embed")
  %1 = edge.gather_elements %x, %e {axis = 1 : i64} : (tensor<5x4xf32>, tensor<5x2xi32>) -> tensor<5x2xf32>
  %2 = edge.gather_nd %x, %t {batch_dims = 0 : i64} : (tensor<5x4xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  %u = edge.constant dense<1.0> : tensor<5x2xf32>
  %3 = edge.scatter_elements %x, %e, %u {axis = 1 : i64} : (tensor<5x4xf32>, tensor<5x2xi32>, tensor<5x2xf32>)
  %v = edge.constant dense<1.0> : tensor<2x4xf32>
  %4 = edge.scatter_nd %x, %r, %v : (tensor<5x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>)
  return %0, %1, %2, %3, %4 : tensor<3x4xf32>, tensor<5x2xf32>, tensor<2xf32>, tensor<5x4xf32>, tensor<5x4xf32>
}

// -----

// Constant indices in range need no check, at run time or in the module.
// CHECK-LABEL: func @constant_indices
// CHECK-NOT: edge.check_indices
// CHECK-NOT: edge_rt_index_out_of_range
func.func @constant_indices(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %i = edge.constant dense<[4, -5]> : tensor<2xi64>
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A dynamic dimension bounds constant indices too, at run time.
// CHECK-LABEL: func @dynamic_dimension
// CHECK: %[[SEQ:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[LAST:.*]] = edge.check_indices %{{.*}} bounded %[[SEQ]] {bounds = array<i64: -9223372036854775808>, description = "(gather, axis 1)", site = 0 : i32} : tensor<i64>
// CHECK: edge.gather %arg0, %[[LAST]]
func.func @dynamic_dimension(%x: tensor<2x?x4xf32>) -> tensor<2x4xf32> {
  %i = edge.constant dense<-1> : tensor<i64>
  %0 = edge.gather %x, %i {axis = 1 : i64} : (tensor<2x?x4xf32>, tensor<i64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Slices computed at run time are numbered after the index checks, and
// their report function is declared; without reporting they keep no site.
// CHECK-LABEL: func @run_time_slice
// CHECK: edge.check_indices %arg1 {{.*}}site = 0 : i32
// CHECK: edge.dynamic_slice %arg0[%arg2, %arg2, %arg2, %arg2] {description = "node 's' (Slice, opset 13)", site = 1 : i32}
// CHECK-DAG: func.func private @edge_rt_index_out_of_range(i32, i64, i64)
// CHECK-DAG: func.func private @edge_rt_size_mismatch(i32, i32, i64, i64)
// NOREPORT-LABEL: func @run_time_slice
// NOREPORT: edge.dynamic_slice %arg0[%arg2, %arg2, %arg2, %arg2] {description = "node 's' (Slice, opset 13)"} :
// NOREPORT-NOT: edge_rt_size_mismatch
func.func @run_time_slice(%x: tensor<5x4xf32>, %i: tensor<2xi64>, %s: tensor<1xi64>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = edge.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  %1 = edge.dynamic_slice %x[%s, %s, %s, %s] {description = "node 's' (Slice, opset 13)"} : (tensor<5x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}
