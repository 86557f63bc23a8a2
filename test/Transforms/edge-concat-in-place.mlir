// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-concat-in-place))' --split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-concat-in-place),one-shot-bufferize{bufferize-function-boundaries},cse,canonicalize)' --split-input-file | FileCheck %s --check-prefix=BUFFER

#id = affine_map<(i, j) -> (i, j)>

// Both parts are computed in their slices of the concatenation: the first
// (through reshapes of its empty destination) in rows 0-3, the second in
// rows 4-7 of the concatenation with the first already inserted. Each
// insertion follows its producer.
// CHECK-LABEL: func @parts_in_place
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>)
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<8x8xf32>
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[CONCAT]][0, 0] [4, 8] [1, 1]
// CHECK: %[[EXPANDED:.*]] = tensor.expand_shape %[[FIRST]]
// CHECK: %[[COLLAPSED:.*]] = tensor.collapse_shape %[[EXPANDED]]
// CHECK: %[[NEG:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4x8xf32>) outs(%[[COLLAPSED]] : tensor<4x8xf32>)
// CHECK: %[[WITH_FIRST:.*]] = tensor.insert_slice %[[NEG]] into %[[CONCAT]][0, 0] [4, 8] [1, 1]
// CHECK: %[[SECOND:.*]] = tensor.extract_slice %[[WITH_FIRST]][4, 0] [4, 8] [1, 1]
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4x8xf32>) outs(%[[SECOND]] : tensor<4x8xf32>)
// CHECK: %[[BOTH:.*]] = tensor.insert_slice %[[EXP]] into %[[WITH_FIRST]][4, 0] [4, 8] [1, 1]
// CHECK: return %[[BOTH]]
// Bufferized, nothing is copied: each generic writes its rows of the one
// buffer.
// BUFFER-LABEL: func @parts_in_place
// BUFFER: %[[BUFFER:.*]] = memref.alloc() {{.*}} : memref<8x8xf32>
// BUFFER-NOT: memref.copy
// BUFFER-NOT: memref.alloc
// BUFFER: return %[[BUFFER]]
func.func @parts_in_place(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<8x8xf32> {
  %ea = tensor.empty() : tensor<4x8xf32>
  %expanded = tensor.expand_shape %ea [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %collapsed = tensor.collapse_shape %expanded [[0, 1], [2]] : tensor<1x4x8xf32> into tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%collapsed : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %eb = tensor.empty() : tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<4x8xf32>) outs(%eb : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %concat = tensor.empty() : tensor<8x8xf32>
  %0 = tensor.insert_slice %neg into %concat[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  %1 = tensor.insert_slice %exp into %0[4, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %1 : tensor<8x8xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>

// The parts go in the order their producers run, whatever the order of
// the concatenation: the second part (computed first) is inserted first.
// A part without a producer (an argument) is still copied, last.
// CHECK-LABEL: func @producer_order
// CHECK-SAME: (%[[A:.*]]: tensor<2x8xf32>, %[[B:.*]]: tensor<2x8xf32>, %[[C:.*]]: tensor<2x8xf32>)
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<6x8xf32>
// CHECK: %[[SECOND:.*]] = tensor.extract_slice %[[CONCAT]][2, 0] [2, 8] [1, 1]
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} outs(%[[SECOND]] : tensor<2x8xf32>)
// CHECK: %[[WITH_SECOND:.*]] = tensor.insert_slice %[[EXP]] into %[[CONCAT]][2, 0] [2, 8] [1, 1]
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[WITH_SECOND]][0, 0] [2, 8] [1, 1]
// CHECK: %[[NEG:.*]] = linalg.generic {{.*}} outs(%[[FIRST]] : tensor<2x8xf32>)
// CHECK: %[[WITH_FIRST:.*]] = tensor.insert_slice %[[NEG]] into %[[WITH_SECOND]][0, 0] [2, 8] [1, 1]
// CHECK: %[[ALL:.*]] = tensor.insert_slice %[[C]] into %[[WITH_FIRST]][4, 0] [2, 8] [1, 1]
// CHECK: return %[[ALL]]
// BUFFER-LABEL: func @producer_order
// BUFFER: %[[BUFFER:.*]] = memref.alloc() {{.*}} : memref<6x8xf32>
// BUFFER-NOT: memref.alloc
// BUFFER: memref.copy %{{.*}}, %{{.*}} : memref<2x8xf32, strided<[?, ?], offset: ?>> to memref<2x8xf32, strided<[8, 1], offset: 32>>
// BUFFER-NOT: memref.copy
// BUFFER: return %[[BUFFER]]
func.func @producer_order(%a: tensor<2x8xf32>, %b: tensor<2x8xf32>, %c: tensor<2x8xf32>) -> tensor<6x8xf32> {
  %eb = tensor.empty() : tensor<2x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<2x8xf32>) outs(%eb : tensor<2x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  %ea = tensor.empty() : tensor<2x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<2x8xf32>) outs(%ea : tensor<2x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  %concat = tensor.empty() : tensor<6x8xf32>
  %0 = tensor.insert_slice %neg into %concat[0, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<6x8xf32>
  %1 = tensor.insert_slice %exp into %0[2, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<6x8xf32>
  %2 = tensor.insert_slice %c into %1[4, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<6x8xf32>
  return %2 : tensor<6x8xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>

// The first part is only complete (its last reshape) after the second
// part's producer has started: that producer cannot take its slice from
// the concatenation with the first part inserted, so the second part is
// copied.
// CHECK-LABEL: func @interleaved
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<8x8xf32>
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[CONCAT]][0, 0] [4, 8] [1, 1]
// CHECK: %[[NEG:.*]] = linalg.generic {{.*}} outs(%[[FIRST]] : tensor<4x8xf32>)
// CHECK: %[[EB:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} outs(%[[EB]] : tensor<4x8xf32>)
// CHECK: %[[COLLAPSED:.*]] = tensor.collapse_shape
// CHECK: %[[WITH_FIRST:.*]] = tensor.insert_slice %[[COLLAPSED]] into %[[CONCAT]][0, 0] [4, 8] [1, 1]
// CHECK: %[[BOTH:.*]] = tensor.insert_slice %[[EXP]] into %[[WITH_FIRST]][4, 0] [4, 8] [1, 1]
// CHECK: return %[[BOTH]]
func.func @interleaved(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<8x8xf32> {
  %ea = tensor.empty() : tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%ea : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %eb = tensor.empty() : tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<4x8xf32>) outs(%eb : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %expanded = tensor.expand_shape %neg [[0, 1], [2]] output_shape [1, 4, 8] : tensor<4x8xf32> into tensor<1x4x8xf32>
  %collapsed = tensor.collapse_shape %expanded [[0, 1], [2]] : tensor<1x4x8xf32> into tensor<4x8xf32>
  %concat = tensor.empty() : tensor<8x8xf32>
  %0 = tensor.insert_slice %collapsed into %concat[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  %1 = tensor.insert_slice %exp into %0[4, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %1 : tensor<8x8xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>

// Insertions into a tensor that is not empty (an argument: an update of
// its rows) are no concatenation and stay as they are.
// CHECK-LABEL: func @not_a_concatenation
// CHECK: %[[NEG:.*]] = linalg.generic
// CHECK: %[[EXP:.*]] = linalg.generic
// CHECK: %[[ONE:.*]] = tensor.insert_slice %[[NEG]] into %{{.*}}[0, 0] [4, 8] [1, 1]
// CHECK: tensor.insert_slice %[[EXP]] into %[[ONE]][4, 0] [4, 8] [1, 1]
func.func @not_a_concatenation(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %into: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %ea = tensor.empty() : tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%ea : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<4x8xf32>) outs(%ea : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %0 = tensor.insert_slice %neg into %into[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  %1 = tensor.insert_slice %exp into %0[4, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %1 : tensor<8x8xf32>
}
