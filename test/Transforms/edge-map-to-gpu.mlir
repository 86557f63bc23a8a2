// RUN: edge-opt %s --split-input-file -pass-pipeline='builtin.module(func.func(edge-map-to-gpu,cse))' | FileCheck %s
// RUN: edge-opt %s --split-input-file -pass-pipeline='builtin.module(func.func(edge-map-to-gpu{block-size=128},cse))' | FileCheck %s --check-prefix=BLOCK

// A parallel loop becomes a launch over a one-dimensional grid: one thread
// per iteration, the linear id delinearized innermost-fastest, threads past
// the end guarded off.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG:     %[[TOTAL:.*]] = arith.constant 1200 : index
// CHECK-DAG:     %[[THREADS:.*]] = arith.constant 256 : index
// CHECK-DAG:     %[[BLOCKS:.*]] = arith.constant 5 : index
// CHECK-DAG:     %[[C40:.*]] = arith.constant 40 : index
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[THREADS]],
// CHECK:           %[[BASE:.*]] = arith.muli %[[BX]], %[[THREADS]]
// CHECK:           %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[TOTAL]]
// CHECK:           scf.if %[[IN]] {
// CHECK:             %[[J:.*]] = arith.remui %[[ID]], %[[C40]]
// CHECK:             %[[I:.*]] = arith.divui %[[ID]], %[[C40]]
// CHECK:             memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK:             memref.store
// CHECK:           }
// CHECK:           gpu.terminator
// CHECK-NOT:     scf.parallel
// BLOCK-LABEL: func.func @elementwise
// BLOCK:         %[[THREADS:.*]] = arith.constant 128 : index
// BLOCK:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[THREADS]],
func.func @elementwise(%in: memref<30x40xf32>, %out: memref<30x40xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c30 = arith.constant 30 : index
  %c40 = arith.constant 40 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c30, %c40) step (%c1, %c1) {
    %v = memref.load %in[%i, %j] : memref<30x40xf32>
    %e = math.exp %v : f32
    memref.store %e, %out[%i, %j] : memref<30x40xf32>
    scf.reduce
  }
  return
}

// -----

// Loops smaller than a block get only the threads they need; lower bounds
// and steps are applied after delinearizing; reductions stay sequential
// inside the thread, their accumulator in a register: loaded before the
// loop, carried by it, stored after it.
// CHECK-LABEL: func.func @small_strided
// CHECK-SAME:    (%[[IN:.*]]: memref<9x8xf32>, %[[OUT:.*]]: memref<9xf32>)
// CHECK:         %[[THREADS:.*]] = arith.constant 4 : index
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[THREADS]],
// CHECK:           scf.if
// CHECK:             %[[SCALED:.*]] = arith.muli %{{.*}}, %c2
// CHECK:             %[[IV:.*]] = arith.addi %[[SCALED]], %c1
// CHECK:             %[[INIT:.*]] = memref.load %[[OUT]][%[[IV]]]
// CHECK:             %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32)
// CHECK:               %[[V:.*]] = memref.load %[[IN]][%[[IV]], %{{.*}}]
// CHECK:               %[[NEXT:.*]] = arith.addf %[[ACC]], %[[V]]
// CHECK:               scf.yield %[[NEXT]]
// CHECK:             memref.store %[[SUM]], %[[OUT]][%[[IV]]]
func.func @small_strided(%in: memref<9x8xf32>, %out: memref<9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c9 = arith.constant 9 : index
  scf.parallel (%i) = (%c1) to (%c9) step (%c2) {
    scf.for %k = %c0 to %c8 step %c1 {
      %v = memref.load %in[%i, %k] : memref<9x8xf32>
      %acc = memref.load %out[%i] : memref<9xf32>
      %sum = arith.addf %acc, %v : f32
      memref.store %sum, %out[%i] : memref<9xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Nested reduction loops (a convolution's channels and window) carry the
// accumulator through both; a loop that also reads the accumulator
// elsewhere keeps it in memory.
// CHECK-LABEL: func.func @nested_reduction
// CHECK:         %[[INIT:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<4xf32>
// CHECK:         %[[OUTER:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[INIT]])
// CHECK:           %[[INNER:.*]] = scf.for {{.*}} iter_args(%[[B:.*]] = %[[A]])
// CHECK-NOT:         memref.store
// CHECK:           scf.yield %[[INNER]]
// CHECK:         memref.store %[[OUTER]]
// CHECK-LABEL: func.func @accumulator_read_twice
// CHECK:         scf.for
// CHECK-NOT:       iter_args
// CHECK:           memref.store
func.func @nested_reduction(%in: memref<4x3x5xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %c = %c0 to %c3 step %c1 {
      scf.for %k = %c0 to %c5 step %c1 {
        %v = memref.load %in[%i, %c, %k] : memref<4x3x5xf32>
        %acc = memref.load %out[%i] : memref<4xf32>
        %sum = arith.addf %acc, %v : f32
        memref.store %sum, %out[%i] : memref<4xf32>
      }
    }
    scf.reduce
  }
  return
}
func.func @accumulator_read_twice(%in: memref<4x5xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c5 step %c1 {
      %v = memref.load %in[%i, %k] : memref<4x5xf32>
      %acc = memref.load %out[%i] : memref<4xf32>
      %first = memref.load %out[%c0] : memref<4xf32>
      %sum = arith.addf %acc, %v : f32
      %both = arith.addf %sum, %first : f32
      memref.store %both, %out[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Memory accesses outside parallel loops run as one launch of a single
// thread; allocations, views and deallocations stay on the host, and a
// sequential loop around parallel loops stays a host loop that launches
// per iteration.
// CHECK-LABEL: func.func @host_code
// CHECK:         %[[BUF:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[VIEW:.*]] = memref.subview %[[BUF]]
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[ONE:[^,]*]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]]) threads({{.*}}) in ({{.*}} = %[[ONE]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]])
// CHECK-NEXT:      memref.load %{{.*}}[] : memref<f32>
// CHECK-NEXT:      arith.negf
// CHECK-NEXT:      memref.store %{{.*}}, %[[VIEW]]
// CHECK-NEXT:      gpu.terminator
// CHECK:         scf.for
// CHECK:           gpu.launch
// CHECK:             memref.load %[[BUF]]
// CHECK:         memref.dealloc %[[BUF]]
func.func @host_code(%in: memref<f32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %buf = memref.alloc() : memref<4xf32>
  %view = memref.subview %buf[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
  %v = memref.load %in[] : memref<f32>
  %n = arith.negf %v : f32
  memref.store %n, %view[%c0] : memref<2xf32, strided<[1], offset: 1>>
  scf.for %t = %c0 to %c3 step %c1 {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      %x = memref.load %buf[%i] : memref<4xf32>
      memref.store %x, %out[%i] : memref<4xf32>
      scf.reduce
    }
  }
  memref.dealloc %buf : memref<4xf32>
  return
}

// -----

// An empty loop launches nothing.
// CHECK-LABEL: func.func @empty
// CHECK-NOT:     gpu.launch
func.func @empty(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c0) step (%c1) {
    memref.store %f, %out[%i] : memref<4xf32>
    scf.reduce
  }
  return
}
