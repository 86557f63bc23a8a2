// RUN: edge-opt %s --edge-memref-copy-to-linalg | FileCheck %s

// Strided copies would call the MLIR runner library's memrefCopy, which
// model libraries do not link: they become linalg.copy.
// CHECK-LABEL: func @strided_copy
// CHECK-SAME: (%[[SRC:.*]]: memref<4x4xf32>, %[[DST:.*]]: memref<2x2xf32, strided<[4, 1], offset: 5>>)
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32, strided<[4, 1]>>) outs(%[[DST]] : memref<2x2xf32, strided<[4, 1], offset: 5>>)
func.func @strided_copy(%src: memref<4x4xf32>, %dst: memref<2x2xf32, strided<[4, 1], offset: 5>>) {
  %sub = memref.subview %src[0, 0] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1]>>
  memref.copy %sub, %dst : memref<2x2xf32, strided<[4, 1]>> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  return
}
