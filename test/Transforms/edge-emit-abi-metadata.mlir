// RUN: edge-opt %s --edge-emit-abi-metadata -split-input-file -verify-diagnostics | FileCheck %s

// The metadata names every input and output with its ONNX type code and
// shape; names with spaces or '%' are escaped. Inputs become read-only for
// bufferization and the function is tagged as the entry.
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: bufferization.writable = false, edge.input, edge.name = "image in"
// CHECK-SAME: bufferization.writable = false, edge.input, edge.name = "ids", edge.onnx_dtype = 2 : i32
// CHECK-SAME: attributes {edge.entry = 0 : i32}
// CHECK: llvm.mlir.global external constant @edge_generated_metadata("edge-model 1\0Ainput image%20in 1 4 1 3 8 8\0Ainput ids 2 1 4\0Aoutput 100%25 11 0\0A\00")
func.func @main_graph(%x: tensor<1x3x8x8xf32> {edge.name = "image in"},
                      %ids: tensor<4xi8> {edge.name = "ids", edge.onnx_dtype = 2 : i32})
    -> (tensor<f64> {edge.name = "100%"}) {
  %c = arith.constant dense<1.0> : tensor<f64>
  return %c : tensor<f64>
}

// -----

// Unnamed arguments get positional names.
// CHECK: @edge_generated_metadata("edge-model 1\0Ainput input_0 7 1 2\0Aoutput output_0 9 1 2\0A\00")
func.func @f(%x: tensor<2xi64>) -> tensor<2xi1> {
  %c = arith.constant dense<true> : tensor<2xi1>
  return %c : tensor<2xi1>
}

// -----

// Inputs bound at compile time get a `bound` line with their bytes as the
// runtime lays them out: little endian, one byte per bool.
// CHECK: @edge_generated_metadata("edge-model 1\0Ainput input_0 1 1 2\0Ainput input_1 7 1 2\0Ainput input_2 9 1 3\0Ainput input_3 1 0\0Aoutput output_0 1 0\0Abound 1 0300000000000000feffffffffffffff\0Abound 2 010001\0Abound 3 0000c0bf\0A\00")
func.func @bound(%x: tensor<2xf32>,
                 %shape: tensor<2xi64> {edge.bound_value = dense<[3, -2]> : tensor<2xi64>},
                 %mask: tensor<3xi1> {edge.bound_value = dense<[true, false, true]> : tensor<3xi1>},
                 %scale: tensor<f32> {edge.bound_value = dense<-1.5> : tensor<f32>}) -> tensor<f32> {
  return %scale : tensor<f32>
}

// -----

// expected-error @+1 {{model input 0 has a dynamic size at dimension 0 without a symbol and bound (edge.dim_symbols, edge.dim_bounds)}}
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// Dynamic sizes: the symbols with their bounds, `$K` where a size is a
// symbol's (an output's too, traced through the ops' size rules), `?B`
// where the run computes it (B: at the bounds), and the entries of the
// sizes buffer: 2 symbols + the outputs' 2 + 1 sizes.
// CHECK: @edge_generated_metadata("edge-model 1\0Asymbol 0 batch 8\0Asymbol 1 seq 16\0Ainput x 1 2 $0 4\0Ainput t 1 2 $0 $1\0Aoutput y 1 2 $0 4\0Aoutput flat 1 1 ?32\0Ashapes 5\0A\00")
func.func @symbols(%x: tensor<?x4xf32> {edge.dim_symbols = ["batch", ""], edge.name = "x"},
                   %t: tensor<?x?xf32> {edge.dim_symbols = ["batch", "seq"], edge.name = "t"})
    -> (tensor<?x4xf32> {edge.name = "y"}, tensor<?xf32> {edge.name = "flat"})
    attributes {edge.dim_bounds = {batch = 8 : i64, seq = 16 : i64}} {
  %0 = edge.relu %x : tensor<?x4xf32>
  %1 = edge.reshape %0 : (tensor<?x4xf32>) -> tensor<?xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?xf32>
}

// -----

// A decoder's cache: an output that appends to an input along the axis its
// symbol sizes shares the input's buffer, laid out for the output's bound
// there (8 past + 4 new positions); an output concatenating two computed
// tensors is no cache.
// CHECK-LABEL: func.func @cache
// CHECK-SAME: edge.cache_outputs = [array<i64: 1, 0, 0, 12>]
// CHECK: @edge_generated_metadata("edge-model 1\0Asymbol 0 past 8\0Asymbol 1 seq 4\0Ainput x 1 2 $1 2\0Ainput past 1 2 $0 2\0Aoutput present 1 2 ?12 2\0Aoutput twice 1 2 ?8 2\0Acache 1 0 0 12\0Ashapes 6\0A\00")
func.func @cache(%x: tensor<?x2xf32> {edge.dim_symbols = ["seq", ""], edge.name = "x"},
                 %past: tensor<?x2xf32> {edge.dim_symbols = ["past", ""], edge.name = "past"})
    -> (tensor<?x2xf32> {edge.name = "present"}, tensor<?x2xf32> {edge.name = "twice"})
    attributes {edge.dim_bounds = {past = 8 : i64, seq = 4 : i64}} {
  %0 = edge.relu %x : tensor<?x2xf32>
  %1 = edge.concat %past, %0 {axis = 0 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  %2 = edge.concat %0, %0 {axis = 0 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %1, %2 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// expected-error @+1 {{several public functions: name the model function with the `entry` option}}
module {
  func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
  func.func @b(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// A partitioned model: the metadata lists the devices, the intermediate
// buffers (device, bytes) and the steps; a value returned twice and a
// returned input are copied into their outputs at the end. The partitions
// become the entries (public, read-only arguments) and the schedule
// function disappears.
// CHECK-LABEL: func.func @model_p0
// CHECK-SAME: (%{{.*}}: tensor<2xf32> {bufferization.writable = false, edge.input})
// CHECK-SAME: attributes {edge.device = "cpu1", edge.entry = 0 : i32}
// CHECK-LABEL: func.func @model_p1
// CHECK-SAME: attributes {edge.device = "cpu0", edge.entry = 1 : i32}
// CHECK-NOT: func.func @model(
// CHECK: @edge_generated_metadata("edge-model 1\0Ainput x 1 1 2\0Aoutput y 1 1 2\0Aoutput y2 1 1 2\0Aoutput x2 1 1 2\0Adevice cpu0 cpu\0Adevice cpu1 cpu\0Abuffer 1 8\0Abuffer 1 8\0Acopy i0 b0\0Arun 0 1 1 1 b0 b1\0Acopy b1 o0\0Arun 1 0 1 0 o0\0Acopy o0 o1\0Acopy i0 o2\0A\00")
module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}, {name = "cpu1", kind = "cpu"}]} {
  func.func private @model_p0(%a: tensor<2xf32>) -> tensor<2xf32> attributes {edge.device = "cpu1"} {
    %n = edge.neg %a : tensor<2xf32>
    return %n : tensor<2xf32>
  }
  func.func private @model_p1(%a: tensor<2xf32>) attributes {edge.device = "cpu0"} {
    return
  }
  func.func @model(%x: tensor<2xf32> {edge.name = "x"}) -> (tensor<2xf32> {edge.name = "y"}, tensor<2xf32> {edge.name = "y2"}, tensor<2xf32> {edge.name = "x2"}) attributes {edge.schedule} {
    %0 = edge.transfer %x from "cpu0" to "cpu1" : tensor<2xf32>
    %1 = call @model_p0(%0) : (tensor<2xf32>) -> tensor<2xf32>
    %2 = edge.transfer %1 from "cpu1" to "cpu0" : tensor<2xf32>
    call @model_p1(%2) : (tensor<2xf32>) -> ()
    return %2, %2, %x : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  }
}

// -----

module attributes {edge.devices = [{name = "cpu0", kind = "cpu"}]} {
  func.func @model(%x: tensor<2xf32>) -> tensor<2xf32> attributes {edge.schedule} {
    // expected-error @+1 {{'edge.neg' op cannot be scheduled: a partitioned model holds only calls of partitions and edge.transfer}}
    %0 = edge.neg %x : tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
