// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-dynamic-shapes-abi))' | FileCheck %s

// The sizes buffer comes after the inputs and one buffer per output. Each
// symbol is read once and clamped to its bound; dynamic inputs are views
// of bare buffers at those sizes; the output's last kernel writes into the
// caller's buffer (no copy), and its sizes follow the symbols.
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME: %[[X:.*]]: memref<1xf32> {edge.dim_symbols = ["batch", ""], edge.input, edge.name = "x"},
// CHECK-SAME: %[[W:.*]]: tensor<4x2xf32> {bufferization.writable = false, edge.input, edge.name = "w"},
// CHECK-SAME: %[[Y:.*]]: memref<1xf32> {edge.name = "y"},
// CHECK-SAME: %[[S:.*]]: memref<2xf32> {edge.name = "s"},
// CHECK-SAME: %[[SIZES:.*]]: memref<4xi64> {edge.shapes})
// CHECK-NOT: -> 
// CHECK: %[[RAW:.*]] = memref.load %[[SIZES]][%c0] : memref<4xi64>
// CHECK: %[[INDEX:.*]] = arith.index_cast %[[RAW]] : i64 to index
// CHECK: %[[BATCH:.*]] = affine.min #{{.*}}()[%[[INDEX]]]
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [%[[BATCH]], 4], strides: [4, 1] : memref<1xf32> to memref<?x4xf32>
// CHECK: %[[IN:.*]] = bufferization.to_tensor %[[VIEW]] restrict : memref<?x4xf32> to tensor<?x4xf32>
// CHECK: tensor.empty
// CHECK: %[[N:.*]] = tensor.dim %[[IN]], %c0
// CHECK-NEXT: %[[OUT:.*]] = memref.reinterpret_cast %[[Y]] to offset: [0], sizes: [%[[N]], 2], strides: [2, 1]
// CHECK: %[[DEST:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%{{.*}}) outs(%[[DEST]] : tensor<?x2xf32>)
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} ins(%[[IN]], %[[W]] : tensor<?x4xf32>, tensor<4x2xf32>) outs(%[[FILLED]] : tensor<?x2xf32>)
// CHECK: bufferization.materialize_in_destination %[[PRODUCT]] in writable %[[OUT]]
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: memref.store %[[N64]], %[[SIZES]][%c1]
// CHECK: memref.store %c2_i64, %[[SIZES]][%c2]
// CHECK: bufferization.materialize_in_destination %{{.*}} in writable %[[S]]
// CHECK: memref.store %c2_i64, %[[SIZES]][%c3]
// CHECK: return{{$}}
#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @main_graph(%x: tensor<?x4xf32> {bufferization.writable = false, edge.dim_symbols = ["batch", ""], edge.input, edge.name = "x"},
                      %w: tensor<4x2xf32> {bufferization.writable = false, edge.input, edge.name = "w"})
    -> (tensor<?x2xf32> {edge.name = "y"}, tensor<2xf32> {edge.name = "s"})
    attributes {edge.dim_bounds = {batch = 8 : i64}, edge.entry = 0 : i32} {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<?x4xf32>, tensor<4x2xf32>) outs(%f : tensor<?x2xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  %s = linalg.generic {indexing_maps = [#sum, #col], iterator_types = ["reduction", "parallel"]} ins(%y : tensor<?x2xf32>) outs(%f2 : tensor<2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<2xf32>
  return %y, %s : tensor<?x2xf32>, tensor<2xf32>
}

// A static model is left alone.
// CHECK-LABEL: func.func @static
// CHECK-SAME: -> tensor<2xf32>
func.func @static(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// A cache output (a decoder's present = Concat(past, new)): past and
// present are views of one buffer with the strides of 24 positions; the new
// positions are inserted into the present's view after the past's, and the
// past is not copied (nor read: only its size is used).
// CHECK-LABEL: func.func @cache(
// CHECK-SAME: %[[NEW:.*]]: memref<1xf32> {{.*}}, %[[PAST:.*]]: memref<1xf32> {{.*}}, %[[PRESENT:.*]]: memref<1xf32> {edge.name = "present"}
// CHECK: %[[P:.*]] = affine.min
// CHECK: %[[S:.*]] = affine.min
// CHECK: %[[TOTAL:.*]] = arith.addi %[[P]], %[[S]]
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %[[PRESENT]] to offset: [0], sizes: [2, %[[TOTAL]], 4], strides: [96, 4, 1]
// CHECK: %[[CACHE:.*]] = bufferization.to_tensor %[[VIEW]] restrict writable
// CHECK: %[[APPENDED:.*]] = tensor.insert_slice %{{.*}} into %[[CACHE]][0, %[[P]], 0] [2, %[[S]], 4] [1, 1, 1]
// CHECK-NOT: tensor.insert_slice
// CHECK: bufferization.materialize_in_destination %[[APPENDED]] in restrict writable %[[VIEW]]
func.func @cache(%new: tensor<2x?x4xf32> {bufferization.writable = false, edge.dim_symbols = ["", "s", ""], edge.input, edge.name = "new"},
                 %past: tensor<2x?x4xf32> {bufferization.writable = false, edge.dim_symbols = ["", "p", ""], edge.input, edge.name = "past"})
    -> (tensor<2x?x4xf32> {edge.name = "present"})
    attributes {edge.cache_outputs = [array<i64: 1, 0, 1, 24>], edge.dim_bounds = {p = 16 : i64, s = 8 : i64}, edge.entry = 0 : i32} {
  %c1 = arith.constant 1 : index
  %p = tensor.dim %past, %c1 : tensor<2x?x4xf32>
  %s = tensor.dim %new, %c1 : tensor<2x?x4xf32>
  %total = arith.addi %p, %s : index
  %empty = tensor.empty(%total) : tensor<2x?x4xf32>
  %0 = tensor.insert_slice %past into %empty[0, 0, 0] [2, %p, 4] [1, 1, 1] : tensor<2x?x4xf32> into tensor<2x?x4xf32>
  %1 = tensor.insert_slice %new into %0[0, %p, 0] [2, %s, 4] [1, 1, 1] : tensor<2x?x4xf32> into tensor<2x?x4xf32>
  return %1 : tensor<2x?x4xf32>
}

// A partition of a model placed on several devices (edge-partition): an
// argument's computed size is read at its offset in the sizes buffer and
// clamped to its bound, a cache another partition appends to is viewed
// with the cache's strides, and a result's sizes go to each of its offsets
// (none for a result without); the buffer has the model's entries.
// CHECK-LABEL: func.func @main_graph_p1(
// CHECK-SAME: %[[H:arg0]]: memref<1xf32>
// CHECK-SAME: %[[K:arg1]]: memref<1xf32>
// CHECK-SAME: %[[SIZES:arg4]]: memref<9xi64> {edge.shapes}
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[SYMBOL:.*]] = memref.load %[[SIZES]][%[[C0]]]
// CHECK: %[[S:.*]] = affine.min
// CHECK: %[[RAW:.*]] = memref.load %[[SIZES]][%[[C5]]]
// CHECK: %[[CAST:.*]] = arith.index_cast %[[RAW]]
// CHECK: %[[N:.*]] = affine.min #{{.*}}()[%[[CAST]]]
// CHECK: memref.reinterpret_cast %[[H]] to offset: [0], sizes: [%[[N]], 4], strides: [4, 1]
// CHECK: memref.reinterpret_cast %[[K]] to offset: [0], sizes: [2, %[[S]], 4], strides: [96, 4, 1]
// CHECK-COUNT-4: memref.store %{{.*}}, %[[SIZES]]
// CHECK-NOT: memref.store
func.func @main_graph_p1(%h: tensor<?x4xf32> {edge.bound_shape = array<i64: 12, 4>, edge.dim_symbols = [""], edge.size_offset = 5 : i64},
                         %k: tensor<2x?x4xf32> {edge.cache_layout = array<i64: 1, 24>, edge.dim_symbols = ["", "s", ""]})
    -> (tensor<?x4xf32> {edge.bound_shape = array<i64: 12, 4>, edge.size_offsets = array<i64: 2, 7>}, tensor<2x?x4xf32>)
    attributes {edge.dim_bounds = {s = 8 : i64}, edge.shape_entries = 9 : i64, edge.entry = 1 : i32} {
  %0 = edge.neg %h : tensor<?x4xf32>
  %1 = edge.exp %k : tensor<2x?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<2x?x4xf32>
}
