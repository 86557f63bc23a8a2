// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-plan-memory))' --split-input-file | FileCheck %s

// Three buffers: %a (4096 bytes) is freed before %c is allocated, so %c
// reuses its memory; %b (1024 bytes) is live with both and goes after
// them. The arena holds 4096 + 1024 bytes rather than 4096 + 1024 + 2048.
// CHECK-LABEL: func @reuse
// CHECK-SAME: attributes {edge.arena_bytes = 5120 : i64, edge.planned_bytes = 7168 : i64}
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5120xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<5120xi8> to memref<1024xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<5120xi8> to memref<256xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<1024xf32>) outs(%{{.*}} : memref<1024xf32>)
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<5120xi8> to memref<512xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.dealloc %[[B]]
// CHECK-NOT: memref.dealloc %[[C]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
func.func @reuse(%out: memref<1024xf32>, %out2: memref<512xf32>, %x: f32) {
  %a = memref.alloc() : memref<1024xf32>
  %b = memref.alloc() : memref<256xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<1024xf32>)
  linalg.fill ins(%x : f32) outs(%b : memref<256xf32>)
  linalg.copy ins(%a : memref<1024xf32>) outs(%out : memref<1024xf32>)
  memref.dealloc %a : memref<1024xf32>
  %c = memref.alloc() : memref<512xf32>
  linalg.fill ins(%x : f32) outs(%c : memref<512xf32>)
  linalg.copy ins(%c : memref<512xf32>) outs(%out2 : memref<512xf32>)
  memref.dealloc %c : memref<512xf32>
  memref.dealloc %b : memref<256xf32>
  return
}

// -----

// Buffer deallocation frees every buffer at the end of the block; a
// buffer's lifetime ends at the last use of it or of a view of it (here a
// reshape used inside a loop), so %c still reuses %a's memory.
// CHECK-LABEL: func @freed_at_end
// CHECK-SAME: edge.arena_bytes = 5120 : i64
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<5120xi8> to memref<32x32xf32>
// CHECK: memref.view %{{.*}}[%c4096{{.*}}][] : memref<5120xi8> to memref<256xf32>
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<5120xi8> to memref<512xf32>
func.func @freed_at_end(%out: memref<1024xf32>, %out2: memref<512xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<32x32xf32>
  %b = memref.alloc() : memref<256xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<32x32xf32>)
  linalg.fill ins(%x : f32) outs(%b : memref<256xf32>)
  %flat = memref.collapse_shape %a [[0, 1]] : memref<32x32xf32> into memref<1024xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.copy ins(%flat : memref<1024xf32>) outs(%out : memref<1024xf32>)
  }
  %c = memref.alloc() : memref<512xf32>
  linalg.fill ins(%x : f32) outs(%c : memref<512xf32>)
  linalg.copy ins(%c : memref<512xf32>) outs(%out2 : memref<512xf32>)
  memref.dealloc %a : memref<32x32xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<512xf32>
  return
}

// -----

// Offsets are 64-byte aligned: a 4-byte buffer live with another still
// takes a cache line of its own.
// CHECK-LABEL: func @aligned
// CHECK-SAME: edge.arena_bytes = 128 : i64
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<128xi8> to memref<1xf32>
// CHECK: memref.view %{{.*}}[%c64{{.*}}][] : memref<128xi8> to memref<1xf32>
func.func @aligned(%x: f32) {
  %a = memref.alloc() : memref<1xf32>
  %b = memref.alloc() : memref<1xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<1xf32>)
  linalg.fill ins(%x : f32) outs(%b : memref<1xf32>)
  memref.dealloc %a : memref<1xf32>
  memref.dealloc %b : memref<1xf32>
  return
}

// -----

// Dynamic shapes, buffers freed in a nested region or never freed here,
// a buffer whose view a region yields, and index elements stay heap
// allocations; with fewer than two buffers to plan, no arena.
// CHECK-LABEL: func @unplanned
// CHECK-NOT: edge.arena_bytes
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: memref.alloc() : memref<4xindex>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc() : memref<2xf32>
// CHECK-NOT: memref.view
func.func @unplanned(%n: index, %flag: i1) -> memref<4xf32> {
  %dynamic = memref.alloc(%n) : memref<?xf32>
  %kept = memref.alloc() : memref<4xf32>
  %indices = memref.alloc() : memref<4xindex>
  %nested = memref.alloc() : memref<8xf32>
  scf.if %flag {
    memref.dealloc %nested : memref<8xf32>
  }
  %yielded = memref.alloc() : memref<2xf32>
  %chosen = scf.if %flag -> memref<2xf32> {
    scf.yield %yielded : memref<2xf32>
  } else {
    scf.yield %yielded : memref<2xf32>
  }
  memref.dealloc %dynamic : memref<?xf32>
  memref.dealloc %indices : memref<4xindex>
  memref.dealloc %yielded : memref<2xf32>
  return %kept : memref<4xf32>
}

// -----

// Dynamic sizes count at their upper bound: the batch is at most 8 (the
// clamp edge-dynamic-shapes-abi writes), so each buffer takes at most
// 8 x 16 x 4 bytes; the views keep their run-time sizes.
// CHECK-LABEL: func @dynamic
// CHECK-SAME: edge.arena_bytes = 1024
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: memref.view %[[ARENA]][%{{.*}}][%[[N:.*]]] : memref<1024xi8> to memref<?x16xf32>
// CHECK: memref.view %[[ARENA]][%{{.*}}][%[[N]]] : memref<1024xi8> to memref<?x16xf32>
func.func @dynamic(%sizes: memref<1xi64>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %raw = memref.load %sizes[%c0] : memref<1xi64>
  %i = arith.index_cast %raw : i64 to index
  %n = affine.min affine_map<()[s0] -> (s0, 8)>()[%i]
  %a = memref.alloc(%n) : memref<?x16xf32>
  %b = memref.alloc(%n) : memref<?x16xf32>
  memref.copy %a, %b : memref<?x16xf32> to memref<?x16xf32>
  %v = memref.load %b[%c0, %c0] : memref<?x16xf32>
  memref.store %v, %out[%c0] : memref<16xf32>
  memref.dealloc %a : memref<?x16xf32>
  memref.dealloc %b : memref<?x16xf32>
  return
}

// An unbounded dynamic size stays a run-time allocation.
// CHECK-LABEL: func @unbounded
// CHECK-NOT: edge.arena_bytes
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
func.func @unbounded(%n: index, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc(%n) : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  memref.copy %a, %b : memref<?xf32> to memref<?xf32>
  %v = memref.load %b[%c0] : memref<?xf32>
  memref.store %v, %out[%c0] : memref<1xf32>
  memref.dealloc %a : memref<?xf32>
  memref.dealloc %b : memref<?xf32>
  return
}
