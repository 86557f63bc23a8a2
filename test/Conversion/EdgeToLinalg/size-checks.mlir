// RUN: edge-opt %s --convert-edge-to-linalg | FileCheck %s

// The operands are read once, in scalar code: each axis entry selects the
// dimension it names; a size other than the declared one is reported at the
// op's site; the generic reads input[start + i * step], clamped into the
// input.
// CHECK-LABEL: func @dynamic_slice
// CHECK-DAG: %[[A0:.*]] = tensor.extract %arg3[%{{.*}}] : tensor<1xi64>
// CHECK-DAG: %[[S0:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi64>
// CHECK-DAG: %[[E0:.*]] = tensor.extract %arg2[%{{.*}}] : tensor<1xi32>
// CHECK: arith.extsi %[[E0]] : i32 to i64
// CHECK: arith.ceildivsi
// CHECK: %[[DIFFERS:.*]] = arith.cmpi ne, %{{.*}}, %c3_i64
// CHECK: scf.if %[[DIFFERS]] {
// CHECK:   func.call @edge_rt_size_mismatch(%c4_i32, %c0_i32, %{{.*}}, %c3_i64)
// CHECK: linalg.generic
// CHECK:   linalg.index 0
// CHECK:   arith.muli
// CHECK:   arith.maxsi
// CHECK:   arith.minsi
// CHECK:   tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<20x10xf32>
// CHECK: -> tensor<3x10xf32>
func.func @dynamic_slice(%x: tensor<20x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi32>, %a: tensor<1xi64>, %st: tensor<1xi64>) -> tensor<3x10xf32> {
  %0 = edge.dynamic_slice %x[%s, %e, %a, %st] {site = 4 : i32, description = "node 's' (Slice, opset 13)"} : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// Without a site (GPU code) nothing is reported.
// CHECK-LABEL: func @unreported
// CHECK-NOT: edge_rt_size_mismatch
// CHECK: linalg.generic
func.func @unreported(%x: tensor<8xf32>, %s: tensor<1xi64>) -> tensor<2xf32> {
  %0 = edge.dynamic_slice %x[%s, %s, %s, %s] {description = ""} : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// check_sizes reports each size that differs and passes its data through.
// CHECK-LABEL: func @check_sizes
// CHECK: %[[S0:.*]] = tensor.extract %arg1[%c0] : tensor<2xi64>
// CHECK: %[[D0:.*]] = arith.cmpi ne, %[[S0]], %c4_i64
// CHECK: scf.if %[[D0]] {
// CHECK:   func.call @edge_rt_size_mismatch(%c2_i32, %c0_i32{{.*}}, %[[S0]], %c4_i64)
// CHECK: %[[S1:.*]] = tensor.extract %arg1[%c1] : tensor<2xi64>
// CHECK: arith.cmpi ne, %[[S1]], %c3_i64
// CHECK: return %arg0 : tensor<4x3xf32>
func.func @check_sizes(%x: tensor<4x3xf32>, %sizes: tensor<2xi64>) -> tensor<4x3xf32> {
  %0 = edge.check_sizes %x, %sizes {expected = array<i64: 4, 3>, site = 2 : i32, description = "node 'r' (Resize, opset 13)"} : tensor<4x3xf32>, tensor<2xi64>
  return %0 : tensor<4x3xf32>
}

// With `against`, each size is compared with the run's other size.
// CHECK-LABEL: func @check_sizes_against
// CHECK: %[[S:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi64>
// CHECK: %[[A:.*]] = tensor.extract %arg2[%{{.*}}] : tensor<1xi64>
// CHECK: %[[D:.*]] = arith.cmpi ne, %[[S]], %[[A]]
// CHECK: scf.if %[[D]] {
// CHECK:   func.call @edge_rt_size_mismatch(%{{.*}}, %{{.*}}, %[[S]], %[[A]])
// CHECK: return %arg0 : tensor<?xf32>
func.func @check_sizes_against(%x: tensor<?xf32>, %sizes: tensor<1xi64>, %against: tensor<1xi64>) -> tensor<?xf32> {
  %0 = edge.check_sizes %x, %sizes against %against {expected = array<i64: -1>, site = 3 : i32, description = "node 'a' (Add, opset 17)"} : tensor<?xf32>, tensor<1xi64>, tensor<1xi64>
  return %0 : tensor<?xf32>
}

// edge-check-indices declares the report function.
func.func private @edge_rt_size_mismatch(i32, i32, i64, i64)
