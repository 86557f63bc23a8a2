// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-empty-argument-buffers))' | FileCheck %s

// A zero-element buffer of rank > 1 is passed as memref<0xT>; the body uses
// a local zero-size buffer of the original shape. Other arguments stay.
// CHECK-LABEL: func.func @empty
// CHECK-SAME: (%[[X:.*]]: memref<2xf32>, %{{.*}}: memref<0xf32>, %{{.*}}: memref<0xi64>, %[[E:.*]]: memref<0xf32>)
// CHECK: %[[A:.*]] = memref.alloca() : memref<3x0xf32>
// CHECK: %[[B:.*]] = memref.alloca() : memref<0x2xi64>
// CHECK: linalg.copy ins(%[[A]] : memref<3x0xf32>) outs(%[[A]] : memref<3x0xf32>)
// CHECK: linalg.copy ins(%[[B]] : memref<0x2xi64>) outs(%[[B]] : memref<0x2xi64>)
// CHECK: linalg.copy ins(%[[X]] : memref<2xf32>) outs(%[[X]] : memref<2xf32>)
// CHECK: linalg.copy ins(%[[E]] : memref<0xf32>) outs(%[[E]] : memref<0xf32>)
func.func @empty(%x: memref<2xf32>, %y: memref<3x0xf32>, %z: memref<0x2xi64>,
                 %e: memref<0xf32>) {
  linalg.copy ins(%y : memref<3x0xf32>) outs(%y : memref<3x0xf32>)
  linalg.copy ins(%z : memref<0x2xi64>) outs(%z : memref<0x2xi64>)
  linalg.copy ins(%x : memref<2xf32>) outs(%x : memref<2xf32>)
  linalg.copy ins(%e : memref<0xf32>) outs(%e : memref<0xf32>)
  return
}
