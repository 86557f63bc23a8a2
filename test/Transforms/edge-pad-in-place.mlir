// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-pad-in-place))' --split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-pad-in-place),one-shot-bufferize{bufferize-function-boundaries},cse,canonicalize)' --split-input-file | FileCheck %s --check-prefix=BUFFER

// The producer (through reshapes of its empty destination) writes into
// the interior of the padded tensor, created before it; only the border
// is filled: rows 0 and 7 across the whole width, then the border
// columns, each row's right border (column 9) together with the next
// row's left border (column 0), adjacent in memory: a view of 7 rows of
// the flattened tensor from row 0's column 9, its first 2 columns.
// CHECK-LABEL: func @producer_in_place
// CHECK-SAME: (%[[W:.*]]: tensor<6x8xf32>, %[[X:.*]]: tensor<8x8xf32>)
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<8x10xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[PADDED]][0, 0] [1, 10] [1, 1]
// CHECK: %[[TOP_FILLED:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<1x10xf32>)
// CHECK: %[[P1:.*]] = tensor.insert_slice %[[TOP_FILLED]] into %[[PADDED]][0, 0] [1, 10] [1, 1]
// CHECK: tensor.extract_slice %[[P1]][7, 0] [1, 10] [1, 1]
// CHECK: %[[P2:.*]] = tensor.insert_slice %{{.*}} into %[[P1]][7, 0] [1, 10] [1, 1]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[P2]] {{\[\[}}0, 1]] : tensor<8x10xf32> into tensor<80xf32>
// CHECK: %[[SPAN:.*]] = tensor.extract_slice %[[FLAT]][9] [70] [1]
// CHECK: %[[ROWS:.*]] = tensor.expand_shape %[[SPAN]] {{\[\[}}0, 1]] output_shape [7, 10]
// CHECK: %[[PAIRS:.*]] = tensor.extract_slice %[[ROWS]][0, 0] [7, 2] [1, 1]
// CHECK: %[[PAIRS_FILLED:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[PAIRS]] : tensor<7x2xf32>)
// CHECK: %[[ROWS_FILLED:.*]] = tensor.insert_slice %[[PAIRS_FILLED]] into %[[ROWS]][0, 0] [7, 2] [1, 1]
// CHECK: %[[SPAN_FILLED:.*]] = tensor.collapse_shape %[[ROWS_FILLED]]
// CHECK: %[[FLAT_FILLED:.*]] = tensor.insert_slice %[[SPAN_FILLED]] into %[[FLAT]][9] [70] [1]
// CHECK-NOT: linalg.fill
// CHECK: %[[P4:.*]] = tensor.expand_shape %[[FLAT_FILLED]] {{\[\[}}0, 1]] output_shape [8, 10]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[P4]][1, 1] [6, 8] [1, 1] : tensor<8x10xf32> to tensor<6x8xf32>
// CHECK: %[[EXPANDED:.*]] = tensor.expand_shape %[[INTERIOR]]
// CHECK: %[[COLLAPSED:.*]] = tensor.collapse_shape %[[EXPANDED]]
// CHECK: %[[PRODUCT:.*]] = linalg.matmul ins(%[[W]], %[[X]] : {{.*}}) outs(%[[COLLAPSED]] : tensor<6x8xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[RESULT:.*]] = tensor.insert_slice %[[PRODUCT]] into %[[P4]][1, 1] [6, 8] [1, 1]
// CHECK: return %[[RESULT]]
// Bufferized, nothing is copied: the matmul writes the padded buffer.
// BUFFER-LABEL: func @producer_in_place
// BUFFER: %[[BUFFER:.*]] = memref.alloc() {{.*}} : memref<8x10xf32>
// BUFFER-NOT: memref.copy
// BUFFER: linalg.fill {{.*}} outs(%{{.*}} : memref<7x2xf32, strided<[10, 1], offset: 9>>)
// BUFFER-NOT: memref.copy
// BUFFER: linalg.matmul
// BUFFER-NOT: memref.copy
// BUFFER: return %[[BUFFER]]
func.func @producer_in_place(%w: tensor<6x8xf32>, %x: tensor<8x8xf32>) -> tensor<8x10xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<6x8xf32>
  %expanded = tensor.expand_shape %empty [[0, 1], [2]] output_shape [1, 6, 8] : tensor<6x8xf32> into tensor<1x6x8xf32>
  %collapsed = tensor.collapse_shape %expanded [[0, 1], [2]] : tensor<1x6x8xf32> into tensor<6x8xf32>
  %product = linalg.matmul ins(%w, %x : tensor<6x8xf32>, tensor<8x8xf32>) outs(%collapsed : tensor<6x8xf32>) -> tensor<6x8xf32>
  %padded = tensor.pad %product low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<6x8xf32> to tensor<8x10xf32>
  return %padded : tensor<8x10xf32>
}

// -----

// A reshaped empty tensor that another op shares as its destination is
// reshaped anew for the producer; the other op keeps its own. The padding
// value, a constant defined after the producer, is cloned before it.
// CHECK-LABEL: func @shared_destination
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4xf32>
// CHECK: %[[SHARED:.*]] = tensor.expand_shape %[[EMPTY]]
// CHECK: %[[VALUE:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<1x6xf32>
// CHECK: linalg.fill ins(%[[VALUE]] : f32)
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %{{.*}}[0, 1] [1, 4] [1, 1]
// CHECK: %[[OWN:.*]] = tensor.expand_shape %[[INTERIOR]]
// CHECK: linalg.generic {{.*}} outs(%[[OWN]] : tensor<1x4x1xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[SHARED]] : tensor<1x4x1xf32>)
#identity = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @shared_destination(%x: tensor<1x4x1xf32>) -> (tensor<1x6xf32>, tensor<1x4x1xf32>) {
  %empty = tensor.empty() : tensor<1x4xf32>
  %shared = tensor.expand_shape %empty [[0], [1, 2]] output_shape [1, 4, 1] : tensor<1x4xf32> into tensor<1x4x1xf32>
  %negated = linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x1xf32>) outs(%shared : tensor<1x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x4x1xf32>
  %doubled = linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x1xf32>) outs(%shared : tensor<1x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.addf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<1x4x1xf32>
  %flat = tensor.collapse_shape %negated [[0], [1, 2]] : tensor<1x4x1xf32> into tensor<1x4xf32>
  %value = arith.constant -1.0 : f32
  %padded = tensor.pad %flat low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %value : f32
  } : tensor<1x4xf32> to tensor<1x6xf32>
  return %padded, %doubled : tensor<1x6xf32>, tensor<1x4x1xf32>
}

// -----

// A function argument cannot be produced in place: the border is filled
// and the argument copied into the interior, each element written once.
// CHECK-LABEL: func @argument_source
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[LEFT:.*]] = tensor.extract_slice %[[PADDED]][0, 0] [2, 2] [1, 1]
// CHECK: linalg.fill {{.*}} outs(%[[LEFT]] : tensor<2x2xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[RESULT:.*]] = tensor.insert_slice %[[X]] into %{{.*}}[0, 2] [2, 3] [1, 1]
// CHECK: return %[[RESULT]]
// BUFFER-LABEL: func @argument_source
// BUFFER: linalg.fill
// BUFFER-NOT: linalg.fill
// BUFFER: memref.copy
func.func @argument_source(%x: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 2] high[0, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x3xf32> to tensor<2x5xf32>
  return %padded : tensor<2x5xf32>
}

// -----

// Border columns on both sides but no border rows: the pairs of the 2
// rows, then row 0's left border and row 1's right border, each a run of
// the flattened tensor.
// CHECK-LABEL: func @columns_only
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape
// CHECK: tensor.extract_slice %[[FLAT]][4] [5] [1]
// CHECK: linalg.fill {{.*}} : tensor<1x2xf32>
// CHECK: %[[PAIRED:.*]] = tensor.insert_slice {{.*}} into %[[FLAT]][4] [5] [1]
// CHECK: tensor.extract_slice %[[PAIRED]][0] [1] [1]
// CHECK: linalg.fill {{.*}} : tensor<1xf32>
// CHECK: %[[HEAD:.*]] = tensor.insert_slice {{.*}}[0] [1] [1]
// CHECK: tensor.extract_slice %[[HEAD]][9] [1] [1]
// CHECK: linalg.fill {{.*}} : tensor<1xf32>
// CHECK-NOT: linalg.fill
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 1] [2, 3] [1, 1]
func.func @columns_only(%x: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x3xf32> to tensor<2x5xf32>
  return %padded : tensor<2x5xf32>
}

// -----

// A producer whose result is also read elsewhere before the pad keeps
// its own destination when that intermediate has another user.
// CHECK-LABEL: func @intermediate_shared
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[FIRST:.*]] = linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK: tensor.empty() : tensor<6xf32>
// CHECK: tensor.insert_slice
#id1 = affine_map<(d0) -> (d0)>
func.func @intermediate_shared(%x: tensor<4xf32>) -> (tensor<6xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4xf32>
  %first = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%empty : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  %second = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%first : tensor<4xf32>) {
  ^bb0(%out: f32):
    %d = arith.addf %out, %out : f32
    linalg.yield %d : f32
  } -> tensor<4xf32>
  %padded = tensor.pad %second low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<4xf32> to tensor<6xf32>
  return %padded, %first : tensor<6xf32>, tensor<4xf32>
}

// -----

// A producer whose result is read again after the pad (a residual add
// beside the convolution that reads the padded tensor, here through
// another view of the producer's result) writes into the padded tensor all
// the same: the later readers read the same views of the padded tensor's
// interior, so bufferization copies nothing out of it.
// CHECK-LABEL: func @result_read_after_pad
// CHECK: %[[PRODUCT:.*]] = linalg.generic
// CHECK: %[[SOURCE:.*]] = tensor.collapse_shape %[[PRODUCT]] {{\[\[}}0, 1], [2]] : tensor<1x2x4xf32> into tensor<2x4xf32>
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %[[SOURCE]] into %{{.*}}[1, 1] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x6xf32>
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][1, 1] [2, 4] [1, 1]
// CHECK: %[[RESULT_VIEW:.*]] = tensor.expand_shape %[[INTERIOR]] {{\[\[}}0, 1], [2]] output_shape [1, 2, 4]
// CHECK: %[[OTHER_VIEW:.*]] = tensor.expand_shape %[[RESULT_VIEW]] {{\[\[}}0], [1], [2, 3]] output_shape [1, 2, 2, 2]
// CHECK: linalg.generic {{.*}} ins(%[[OTHER_VIEW]], %[[OTHER_VIEW]] : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>)
// BUFFER-LABEL: func @result_read_after_pad
// BUFFER-NOT: memref.copy
// BUFFER: return
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @result_read_after_pad(%x: tensor<1x2x4xf32>) -> (tensor<4x6xf32>, tensor<1x2x2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x4xf32>
  %expanded = tensor.expand_shape %empty [[0, 1], [2]] output_shape [1, 2, 4] : tensor<2x4xf32> into tensor<1x2x4xf32>
  %product = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x4xf32>) outs(%expanded : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4xf32>
  %other = tensor.expand_shape %product [[0], [1], [2, 3]] output_shape [1, 2, 2, 2] : tensor<1x2x4xf32> into tensor<1x2x2x2xf32>
  %source = tensor.collapse_shape %product [[0, 1], [2]] : tensor<1x2x4xf32> into tensor<2x4xf32>
  %padded = tensor.pad %source low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x4xf32> to tensor<4x6xf32>
  %sumEmpty = tensor.empty() : tensor<1x2x2x2xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%other, %other : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) outs(%sumEmpty : tensor<1x2x2x2xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x2x2x2xf32>
  return %padded, %sum : tensor<4x6xf32>, tensor<1x2x2x2xf32>
}

// -----

// A padding value that depends on the position is no uniform fill: the
// pad stays.
// CHECK-LABEL: func @non_uniform
// CHECK: tensor.pad
func.func @non_uniform(%x: tensor<4xf32>) -> tensor<6xf32> {
  %padded = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    tensor.yield %f : f32
  } : tensor<4xf32> to tensor<6xf32>
  return %padded : tensor<6xf32>
}
