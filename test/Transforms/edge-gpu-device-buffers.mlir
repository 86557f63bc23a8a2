// RUN: edge-opt %s --split-input-file -edge-gpu-device-buffers | FileCheck %s

// Inputs are copied to device buffers at entry, outputs copied back before
// the return; intermediates are device allocations; the kernels see only
// device buffers.
// CHECK-LABEL: func.func @model
// CHECK-SAME:    (%[[IN:.*]]: memref<4xf32> {edge.input}, %[[OUT:.*]]: memref<4xf32>)
// CHECK:         %[[DIN:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT:    gpu.memcpy %[[DIN]], %[[IN]]
// CHECK-NEXT:    %[[DOUT:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NOT:     gpu.memcpy %[[DOUT]], %[[OUT]]
// CHECK:         %[[TMP:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[DIN]]
// CHECK:           memref.store %{{.*}}, %[[TMP]]
// CHECK:           memref.load %[[TMP]]
// CHECK:           memref.store %{{.*}}, %[[DOUT]]
// CHECK:         gpu.dealloc %[[TMP]]
// CHECK:         gpu.dealloc %[[DIN]]
// CHECK-NEXT:    gpu.memcpy %[[OUT]], %[[DOUT]]
// CHECK-NEXT:    gpu.dealloc %[[DOUT]]
// CHECK-NEXT:    return
func.func @model(%in: memref<4xf32> {edge.input}, %out: memref<4xf32>) attributes {edge.entry = 0 : i32} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %tmp = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %in[%c0] : memref<4xf32>
    memref.store %v, %tmp[%c0] : memref<4xf32>
    %w = memref.load %tmp[%c0] : memref<4xf32>
    memref.store %w, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  memref.dealloc %tmp : memref<4xf32>
  return
}

// -----

// A weight becomes the device copy the runtime keeps for the instance: its
// host address and size go to edge_rt_gpu_constant, whose pointer fills a
// descriptor of the weight's type. Functions that are not entries are left
// alone.
// CHECK-LABEL: func.func @weights
// CHECK:         %[[HOST:.*]] = memref.get_global @w : memref<2x3xf32>
// CHECK:         %[[ADDR:.*]] = memref.extract_aligned_pointer_as_index %[[HOST]]
// CHECK:         %[[ADDR64:.*]] = arith.index_cast %[[ADDR]] : index to i64
// CHECK:         %[[PTR:.*]] = llvm.inttoptr %[[ADDR64]]
// CHECK:         %[[BYTES:.*]] = llvm.mlir.constant(24 : i64)
// CHECK:         %[[DEV:.*]] = llvm.call @edge_rt_gpu_constant(%[[PTR]], %[[BYTES]])
// CHECK:         llvm.insertvalue %[[DEV]], %{{.*}}[0]
// CHECK:         llvm.insertvalue %[[DEV]], %{{.*}}[1]
// CHECK:         %[[DESC:.*]] = llvm.insertvalue %{{.*}}, %{{.*}}[4, 1]
// CHECK:         %[[W:.*]] = builtin.unrealized_conversion_cast %[[DESC]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<2x3xf32>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[W]]
// CHECK-LABEL: func.func @helper
// CHECK:         memref.alloc
// CHECK-LABEL: llvm.func @edge_rt_gpu_constant(!llvm.ptr, i64) -> !llvm.ptr
memref.global "private" constant @w : memref<2x3xf32> = dense<1.0>
func.func @weights(%out: memref<f32>) attributes {edge.entry = 0 : i32} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = memref.get_global @w : memref<2x3xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %w[%c0, %c0] : memref<2x3xf32>
    memref.store %v, %out[] : memref<f32>
    gpu.terminator
  }
  return
}
func.func @helper() {
  %a = memref.alloc() : memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}
