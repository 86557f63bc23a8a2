// RUN: edge-opt %s --convert-edge-to-linalg -split-input-file | FileCheck %s

// Broadcasting is in the indexing maps: a stretched size-1 dim reads index 0,
// a missing leading dim is dropped.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<4x1x5xf32>, %[[B:.*]]: tensor<3x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3x5xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x1x5xf32>, tensor<3x5xf32>) outs(%[[E]] : tensor<4x3x5xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]]
func.func @add_broadcast(%a: tensor<4x1x5xf32>, %b: tensor<3x5xf32>) -> tensor<4x3x5xf32> {
  %0 = edge.add %a, %b : (tensor<4x1x5xf32>, tensor<3x5xf32>) -> tensor<4x3x5xf32>
  return %0 : tensor<4x3x5xf32>
}

// -----

// Integer division truncates (signed); edge.divu divides unsigned values.
// CHECK-LABEL: func @div_int
// CHECK: arith.divsi
// CHECK: arith.divui
func.func @div_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = edge.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = edge.divu %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @sub_mul
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @sub_mul(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = edge.sub %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = edge.mul %0, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Relu's max ignores the sign of a zero result (nsz): against a constant,
// x86 then needs one max, not a max, a NaN test and a blend.
// CHECK-LABEL: func @unary
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.*}}, %[[ZERO]] fastmath<nsz>
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: arith.negf
// CHECK: math.absf
// CHECK: math.erf
// CHECK: arith.divf
// CHECK: math.floor
// CHECK: math.ceil
func.func @unary(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = edge.relu %x : tensor<8xf32>
  %1 = edge.sigmoid %0 : tensor<8xf32>
  %2 = edge.tanh %1 : tensor<8xf32>
  %3 = edge.exp %2 : tensor<8xf32>
  %4 = edge.log %3 : tensor<8xf32>
  %5 = edge.sqrt %4 : tensor<8xf32>
  %6 = edge.neg %5 : tensor<8xf32>
  %7 = edge.abs %6 : tensor<8xf32>
  %8 = edge.erf %7 : tensor<8xf32>
  %9 = edge.reciprocal %8 : tensor<8xf32>
  %10 = edge.floor %9 : tensor<8xf32>
  %11 = edge.ceil %10 : tensor<8xf32>
  return %11 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @relu_int
// CHECK: arith.maxsi
func.func @relu_int(%x: tensor<8xi64>) -> tensor<8xi64> {
  %0 = edge.relu %x : tensor<8xi64>
  return %0 : tensor<8xi64>
}

// -----

// Clip reads its scalar bounds through zero-result maps; an absent bound does
// not clamp. Like Relu's, its max and min ignore the sign of a zero (nsz).
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @clip
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>, %[[LO:.*]]: tensor<f32>, %[[HI:.*]]: tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$SCALAR]], #[[$SCALAR]], #[[$ID]]]
// CHECK-SAME: ins(%[[X]], %[[LO]], %[[HI]] : tensor<8xf32>, tensor<f32>, tensor<f32>)
// CHECK: ^bb0(%[[V:.*]]: f32, %[[L:.*]]: f32, %[[H:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[A:.*]] = arith.maximumf %[[V]], %[[L]] fastmath<nsz>
// CHECK: arith.minimumf %[[A]], %[[H]] fastmath<nsz>
// CHECK-LABEL: func @clip_int_max_only
// CHECK-NOT: arith.maxsi
// CHECK: arith.minsi
func.func @clip(%x: tensor<8xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<8xf32> {
  %0 = edge.clip %x min(%lo : tensor<f32>) max(%hi : tensor<f32>) : tensor<8xf32>
  return %0 : tensor<8xf32>
}
func.func @clip_int_max_only(%x: tensor<8xi32>, %hi: tensor<i32>) -> tensor<8xi32> {
  %0 = edge.clip %x max(%hi : tensor<i32>) : tensor<8xi32>
  return %0 : tensor<8xi32>
}

// -----

// Comparisons produce i1 (ordered for floats, signed for integers).
// CHECK-LABEL: func @compare
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i64
// CHECK: arith.andi
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi64>) -> tensor<4xi1> {
  %0 = edge.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = edge.greater_equal %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  %2 = edge.and %0, %1 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %2 : tensor<4xi1>
}

// -----

// Select broadcasts its three operands.
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @select
// CHECK: linalg.generic {indexing_maps = [#[[$C]], #[[$X]], #[[$Y]], #{{.*}}]
// CHECK: arith.select
func.func @select(%c: tensor<2x1xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<2x3xf32> {
  %0 = edge.select %c, %x, %y : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Cast: float to int truncates, bool to float is unsigned, to bool is != 0.
// CHECK-LABEL: func @cast
// CHECK: arith.fptosi %{{.*}} : f32 to i64
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.cmpf une
// CHECK: arith.extf %{{.*}} : f16 to f32
func.func @cast(%x: tensor<4xf32>, %b: tensor<4xi1>, %h: tensor<4xf16>) -> (tensor<4xi64>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = edge.cast %x : tensor<4xf32> to tensor<4xi64>
  %1 = edge.cast %b : tensor<4xi1> to tensor<4xf32>
  %2 = edge.cast %x : tensor<4xf32> to tensor<4xi1>
  %3 = edge.cast %h : tensor<4xf16> to tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// -----

// Activations take their parameters from attributes.
// CHECK-LABEL: func @activations
// CHECK: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK: %[[NEG:.*]] = arith.cmpf olt
// CHECK: %[[SCALED:.*]] = arith.mulf %[[ALPHA]]
// CHECK: arith.select %[[NEG]], %[[SCALED]]
// CHECK: math.powf
// CHECK: math.log1p
func.func @activations(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = edge.leaky_relu %x {alpha = 0.1 : f32} : tensor<4xf32>
  %1 = edge.pow %0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = edge.softplus %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// mod corrects the remainder's sign to the divisor's.
// CHECK-LABEL: func @mod
// CHECK: %[[REM:.*]] = arith.remsi
// CHECK: arith.xori
// CHECK: %[[ADJUST:.*]] = arith.andi
// CHECK: %[[SUM:.*]] = arith.addi %[[REM]]
// CHECK: arith.select %[[ADJUST]], %[[SUM]], %[[REM]]
// CHECK-LABEL: func @rem
// CHECK: arith.remf
// CHECK-NOT: arith.select
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = edge.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @rem(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = edge.rem %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Shifts by the bit width or more give 0.
// CHECK-LABEL: func @shift
// CHECK: %[[WIDTH:.*]] = arith.constant 8 : i8
// CHECK: %[[OK:.*]] = arith.cmpi ult, %{{.*}}, %[[WIDTH]]
// CHECK: %[[S:.*]] = arith.shli
// CHECK: arith.select %[[OK]], %[[S]]
// CHECK: arith.shrui
func.func @shift(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = edge.shift_left %a, %b : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %1 = edge.shift_right_u %0, %b : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %1 : tensor<4xi8>
}
