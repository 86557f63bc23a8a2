// RUN: edge-opt %s --edge-partition -split-input-file -verify-diagnostics | FileCheck %s

// A cut in the middle: the convolution runs on cpu1. The input moves to
// cpu1 and the result back to cpu0, which holds the graph's outputs; the
// weights are cloned into the partition that uses them.
// CHECK-LABEL: func.func private @model_p0
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK-SAME: edge.device = "cpu0"
// CHECK: edge.neg %[[X]]
// CHECK-LABEL: func.func private @model_p1
// CHECK-SAME: edge.device = "cpu1"
// CHECK: edge.constant dense<1.000000e+00> : tensor<2x2x1x1xf32>
// CHECK: edge.conv
// CHECK-NOT: edge.device =
// CHECK-LABEL: func.func private @model_p2
// CHECK-SAME: (%{{.*}}: tensor<1x2x3x3xf32>, %{{.*}}: tensor<1x2x3x3xf32>)
// CHECK-SAME: edge.device = "cpu0"
// CHECK: edge.add
// CHECK-LABEL: func.func @model
// CHECK-SAME: attributes {edge.schedule}
// CHECK: %[[A:.*]] = call @model_p0(%arg0)
// CHECK: %[[T:.*]] = edge.transfer %[[A]] from "cpu0" to "cpu1"
// CHECK: %[[C:.*]] = call @model_p1(%[[T]])
// CHECK: %[[B:.*]] = edge.transfer %[[C]] from "cpu1" to "cpu0"
// CHECK: %[[D:.*]] = call @model_p2(%[[A]], %[[B]])
// CHECK: return %[[D]]
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "cpu1", kind = "cpu"}]} {
  func.func @model(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
    %w = edge.constant dense<1.0> : tensor<2x2x1x1xf32>
    %n = edge.neg %x {edge.device = "cpu0"} : tensor<1x2x3x3xf32>
    %c = edge.conv %n, %w {edge.device = "cpu1", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
    %a = edge.add %n, %c {edge.device = "cpu0"} : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
    return %a : tensor<1x2x3x3xf32>
  }
}

// -----

// Ops are reordered to keep each device's work together: the two gpu ops,
// interleaved with cpu ops in the block, form one partition; the input is
// transferred once although two gpu ops use it.
// CHECK-LABEL: func.func private @model_p0
// CHECK-SAME: edge.device = "gpu0"
// CHECK: edge.exp
// CHECK: edge.tanh
// CHECK-LABEL: func.func private @model_p1
// CHECK-SAME: edge.device = "cpu0"
// CHECK: edge.neg
// CHECK: edge.abs
// CHECK-LABEL: func.func @model
// CHECK: %[[T:.*]] = edge.transfer %arg0 from "cpu0" to "gpu0"
// CHECK-NEXT: %[[G:.*]]:2 = call @model_p0(%[[T]])
// CHECK-NEXT: edge.transfer %[[G]]#0 from "gpu0" to "cpu0"
// CHECK-NEXT: edge.transfer %[[G]]#1 from "gpu0" to "cpu0"
// CHECK-NEXT: call @model_p1
// CHECK-NOT: call
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "gpu0", kind = "nvidia"}]} {
  func.func @model(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
    %e = edge.exp %x {edge.device = "gpu0"} : tensor<8xf32>
    %n = edge.neg %e {edge.device = "cpu0"} : tensor<8xf32>
    %t = edge.tanh %x {edge.device = "gpu0"} : tensor<8xf32>
    %a = edge.abs %t {edge.device = "cpu0"} : tensor<8xf32>
    return %n, %a : tensor<8xf32>, tensor<8xf32>
  }
}

// -----

// A returned constant and a returned input need no partition of their own
// beyond the first device; a value returned from another device is moved.
// CHECK-LABEL: func.func private @model_p0
// CHECK-SAME: -> tensor<2xf32>
// CHECK-NEXT: edge.constant dense<[1.000000e+00, 2.000000e+00]>
// CHECK-LABEL: func.func @model
// CHECK: %[[C:.*]] = call @model_p0()
// CHECK: return %[[C]], %arg0
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "cpu1", kind = "cpu"}]} {
  func.func @model(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
    %c = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
    return %c, %x : tensor<2xf32>, tensor<2xf32>
  }
}

// -----

// expected-error @+1 {{no 'edge.devices' attribute (run edge-place first)}}
module {
  func.func @model(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}]} {
  func.func @model(%x: tensor<2xf32>) -> tensor<2xf32> {
    // expected-error @+1 {{'edge.neg' op has no 'edge.device' attribute (run edge-place first)}}
    %n = edge.neg %x : tensor<2xf32>
    return %n : tensor<2xf32>
  }
}

// -----

module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}]} {
  func.func @model(%x: tensor<2xf32>) -> tensor<2xf32> {
    // expected-error @+1 {{'edge.neg' op names device 'tpu', which the module's 'edge.devices' does not list}}
    %n = edge.neg %x {edge.device = "tpu"} : tensor<2xf32>
    return %n : tensor<2xf32>
  }
}

// -----

// Nothing to place: the model stays unpartitioned.
// CHECK-LABEL: func.func @model
// CHECK-NOT: edge.schedule
// CHECK-NEXT: return %arg0
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "cpu1", kind = "cpu"}]} {
  func.func @model(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// Dynamic sizes: a decoder step's cache on the GPU, its consumer on the
// host. The cache (past %arg1, present = Concat(past, new)) is never
// transferred: its partition appends in place (edge.cache_outputs) and the
// host reads it with the cache's layout. The sizes buffer holds the
// symbols (2), the outputs' sizes (2 + 2 entries), then the new positions'
// (entries 6-7), which p0 writes for the copy to the GPU; a size traced to
// an input's symbol is read as the symbol, the present's is read where p1
// wrote it.
// CHECK-LABEL: func.func private @decoder_p0
// CHECK-SAME: (%{{.*}}: tensor<?x4xf32> {edge.dim_symbols = ["s", ""]})
// CHECK-SAME: -> (tensor<?x4xf32> {edge.bound_shape = array<i64: 8, 4>, edge.size_offsets = array<i64: 6>})
// CHECK-SAME: edge.dim_bounds = {p = 16 : i64, s = 8 : i64}, {{.*}}edge.shape_entries = 8 : i64
// CHECK-LABEL: func.func private @decoder_p1
// CHECK-SAME: (%{{.*}}: tensor<?x4xf32> {edge.cache_layout = array<i64: 0, 24>, edge.dim_symbols = ["p", ""]}, %{{.*}}: tensor<?x4xf32> {edge.bound_shape = array<i64: 8, 4>, edge.dim_symbols = ["s", ""]})
// CHECK-SAME: -> (tensor<?x4xf32> {edge.bound_shape = array<i64: 24, 4>, edge.cache_layout = array<i64: 0, 24>, edge.size_offsets = array<i64: 4>})
// CHECK-SAME: edge.cache_outputs = [array<i64: 0, 0, 0, 24>], edge.device = "gpu0"
// CHECK-LABEL: func.func private @decoder_p2
// CHECK-SAME: (%{{.*}}: tensor<?x4xf32> {edge.bound_shape = array<i64: 24, 4>, edge.cache_layout = array<i64: 0, 24>, edge.dim_symbols = ["", ""], edge.size_offset = 4 : i64}
// CHECK-SAME: -> (tensor<?x4xf32> {edge.bound_shape = array<i64: 8, 4>, edge.size_offsets = array<i64: 2>})
// CHECK-LABEL: func.func @decoder
// CHECK-SAME: -> (tensor<?x4xf32> {edge.bound_shape = array<i64: 8, 4>, edge.dim_symbols = ["s", ""]}, tensor<?x4xf32> {edge.bound_shape = array<i64: 24, 4>, edge.dim_symbols = ["", ""]})
// CHECK-SAME: edge.cache_outputs = [array<i64: 1, 1, 0, 24>]
// CHECK-SAME: edge.schedule, edge.shape_entries = 8 : i64
// CHECK: %[[NEW:.*]] = call @decoder_p0(%arg0)
// CHECK: %[[T:.*]] = edge.transfer %[[NEW]] from "cpu0" to "gpu0" : tensor<?x4xf32>
// CHECK: %[[P:.*]] = call @decoder_p1(%arg1, %[[T]])
// CHECK-NOT: edge.transfer
// CHECK: %[[R:.*]] = call @decoder_p2(%[[P]], %[[NEW]])
// CHECK: return %[[R]], %[[P]]
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "gpu0", kind = "nvidia"}]} {
  func.func @decoder(%x: tensor<?x4xf32> {edge.dim_symbols = ["s", ""]},
                     %past: tensor<?x4xf32> {edge.dim_symbols = ["p", ""]})
      -> (tensor<?x4xf32>, tensor<?x4xf32>)
      attributes {edge.dim_bounds = {p = 16 : i64, s = 8 : i64}} {
    %new = edge.neg %x {edge.device = "cpu0"} : tensor<?x4xf32>
    %present = edge.concat %past, %new {axis = 0 : i64, edge.device = "gpu0"} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %y = edge.exp %present {edge.device = "cpu0"} : tensor<?x4xf32>
    %sum = edge.reduce_sum %y {axes = array<i64: 0>, keep_dims = false, edge.device = "cpu0"} : (tensor<?x4xf32>) -> tensor<4xf32>
    %out = edge.add %new, %sum {edge.device = "cpu0"} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    return %out, %present : tensor<?x4xf32>, tensor<?x4xf32>
  }
}
