// RUN: edge-opt %s --edge-outline-parallel-loops -split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(edge-outline-parallel-loops,convert-scf-to-cf,finalize-memref-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)' -split-input-file | FileCheck %s --check-prefix=LLVM

// A loop whose first dimension has enough iterations for the pool: that
// dimension is split, the second stays a loop inside each iteration. The
// memref and the scalar travel in the context struct; the constant is
// recreated in the body. The ONNX nodes of the loop's location (a fusion
// of two) name it for profiles, in a NUL-terminated global.
// CHECK: llvm.mlir.global internal constant @scale_parallel0_nodes("/block/Conv+/block/Relu\00")
// CHECK-LABEL: func.func private @scale_parallel0
// CHECK-SAME: (%[[CTX:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, f32)>
// CHECK: %[[D0:.*]] = llvm.load %[[F0]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: %[[BUF:.*]] = builtin.unrealized_conversion_cast %[[D0]] : {{.*}} to memref<128x256xf32>
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: %[[S:.*]] = llvm.load %[[F1]] : !llvm.ptr -> f32
// CHECK: %[[B:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK: %[[E:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK: scf.for %[[I:.*]] = %[[B]] to %[[E]]
// CHECK: scf.parallel (%[[J:.*]]) =
// CHECK: memref.load %[[BUF]][%{{.*}}, %[[J]]]
// CHECK: arith.mulf {{.*}}, %[[S]]
// CHECK: memref.store

// CHECK-LABEL: func.func @scale
// CHECK: %[[STORAGE:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, f32)>
// CHECK: %[[C0:.*]] = builtin.unrealized_conversion_cast %arg0 : memref<128x256xf32> to
// CHECK: llvm.store %[[C0]]
// CHECK: llvm.store %arg1
// CHECK: %[[FN:.*]] = constant @scale_parallel0 : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[NODES:.*]] = llvm.mlir.addressof @scale_parallel0_nodes
// CHECK: %[[NAME:.*]] = llvm.getelementptr %[[NODES]][0, 0]
// CHECK: call @edge_parallel_for(%[[FN]], %[[STORAGE]], %{{.*}}, %{{.*}}, %[[NAME]])
// CHECK-NOT: scf.parallel
// CHECK: return

// LLVM-LABEL: llvm.func internal @scale_parallel0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-LABEL: llvm.func @scale
// LLVM: %[[FN:.*]] = llvm.mlir.addressof @scale_parallel0 : !llvm.ptr
// LLVM: llvm.call @edge_parallel_for(%[[FN]],
func.func @scale(%buf: memref<128x256xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c128, %c256) step (%c1, %c1) {
    %v = memref.load %buf[%i, %j] : memref<128x256xf32>
    %m = arith.mulf %v, %s : f32
    memref.store %m, %buf[%i, %j] : memref<128x256xf32>
  } loc(fused["/block/Conv", "/block/Relu"])
  return
}

// -----

// Small dimensions are split together (4 x 4 x 8 iterations), the linear
// index delinearized innermost first; the bounds' step scales each index.
// CHECK-LABEL: func.func private @small_parallel0
// CHECK: scf.for %[[I:.*]] =
// CHECK: %[[R2:.*]] = arith.remui %[[I]], %{{.*}} : index
// CHECK: %[[Q2:.*]] = arith.divui %[[I]], %{{.*}} : index
// CHECK: arith.muli %[[R2]], %{{.*}} : index
// CHECK: %[[R1:.*]] = arith.remui %[[Q2]], %{{.*}} : index
// CHECK: %[[Q1:.*]] = arith.divui %[[Q2]], %{{.*}} : index
// CHECK: arith.muli %[[Q1]], %{{.*}} : index
// CHECK-NOT: scf.parallel
// CHECK: memref.store
// CHECK-LABEL: func.func @small
// CHECK: call @edge_parallel_for
func.func @small(%buf: memref<4x4x16xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c4, %c4, %c16) step (%c1, %c1, %c2) {
    memref.store %v, %buf[%i, %j, %k] : memref<4x4x16xf32>
  }
  return
}

// -----

// A loop with dynamic bounds: the bound travels in the struct (as i64),
// and the iteration count is computed at the call.
// CHECK-LABEL: func.func private @dynamic_parallel0
// CHECK: llvm.load {{.*}} -> i64
// CHECK: builtin.unrealized_conversion_cast {{.*}} : i64 to index
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[N:.*]] = memref.dim
// CHECK: %[[CAST:.*]] = builtin.unrealized_conversion_cast %[[N]] : index to i64
// CHECK: llvm.store %[[CAST]]
// CHECK: %[[COUNT:.*]] = arith.ceildivui
// CHECK: %[[ITERATIONS:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[WORK:.*]] = arith.muli %[[ITERATIONS]], %{{.*}} : i64
// A loop without a name passes null.
// CHECK: %[[NONE:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: call @edge_parallel_for(%{{.*}}, %{{.*}}, %[[ITERATIONS]], %[[WORK]], %[[NONE]])
func.func @dynamic(%buf: memref<?xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %buf, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %v, %buf[%i] : memref<?xf32>
  }
  return
}

// -----

// A fill reads no memory: its store counts kFillStoreWork (16) operations
// toward the work that decides whether the pool splits it (17 with the
// loop's terminator), as its lines often sit in the other core's cache.
// The copy beside it, as many stores but each after a load, counts one per
// operation.
// CHECK-LABEL: func.func @fill_and_copy
// CHECK: %[[FILL_WORK:.*]] = arith.constant 17 : i64
// CHECK: %[[FILL_TOTAL:.*]] = arith.muli %{{.*}}, %[[FILL_WORK]] : i64
// CHECK: call @edge_parallel_for(%{{.*}}, %{{.*}}, %{{.*}}, %[[FILL_TOTAL]],
// CHECK: %[[COPY_WORK:.*]] = arith.constant 3 : i64
// CHECK: %[[COPY_TOTAL:.*]] = arith.muli %{{.*}}, %[[COPY_WORK]] : i64
// CHECK: call @edge_parallel_for(%{{.*}}, %{{.*}}, %{{.*}}, %[[COPY_TOTAL]],
func.func @fill_and_copy(%a: memref<4096xf32>, %b: memref<4096xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    memref.store %v, %a[%i] : memref<4096xf32>
  }
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    %x = memref.load %a[%i] : memref<4096xf32>
    memref.store %x, %b[%i] : memref<4096xf32>
  }
  return
}

// -----

// Left alone: a parallel loop inside a sequential loop (it would be
// dispatched once per outer iteration) and a parallel reduction.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: edge_parallel_for
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK-NOT: func.func private
func.func @untouched(%buf: memref<8x8xf32>, %v: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %v, %buf[%i, %j] : memref<8x8xf32>
    }
  }
  %sum = scf.parallel (%j) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %x = memref.load %buf[%c0, %j] : memref<8x8xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}
