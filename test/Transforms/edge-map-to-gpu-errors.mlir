// RUN: edge-opt %s --split-input-file -pass-pipeline='builtin.module(func.func(edge-map-to-gpu))' -verify-diagnostics -o /dev/null
// RUN: not edge-opt %s --split-input-file -pass-pipeline='builtin.module(func.func(edge-map-to-gpu{block-size=2048}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=BLOCK-SIZE

// BLOCK-SIZE: error: block-size must be between 1 and 1024, got 2048

// A value a kernel computes cannot reach the host.
func.func @escaping_scalar(%in: memref<index>, %out: memref<?xf32>) {
  // expected-error @+1 {{cannot run on the GPU: the host uses a value that a kernel computes}}
  %n = memref.load %in[] : memref<index>
  // expected-note @+1 {{used here}}
  %buf = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %buf : memref<?xf32>
  return
}

// -----

func.func @reduction(%in: memref<4xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{cannot run a parallel loop with reductions on the GPU yet}}
  %sum = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %in[%i] : memref<4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  memref.store %sum, %out[] : memref<f32>
  return
}

