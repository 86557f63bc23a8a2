// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-transpose-to-shuffles))' -split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-transpose-to-shuffles{lanes=4}))' -split-input-file | FileCheck %s --check-prefix=NEON

// The accumulators of a tile of 14 pixels x 16 output channels, stored as
// 16 rows of 14 pixels: two padding rows (poison) make a 16x16 square,
// transposed in 4 stages of 8 pairs of shuffles (64, fewer once the
// shuffles of padding fold); each result row is sliced to the 14 real
// elements.
// CHECK-LABEL: func @accumulators_14x16
// CHECK-NOT: vector.transpose
// CHECK-COUNT-14: vector.extract %{{.*}}[{{[0-9]+}}] : vector<16xf32> from vector<14x16xf32>
// CHECK: vector.shuffle {{.*}} [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29]
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27]
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK-COUNT-16: vector.extract_strided_slice {{.*}} {offsets = [0], sizes = [14], strides = [1]} : vector<16xf32> to vector<14xf32>
// CHECK-COUNT-16: vector.insert {{.*}} : vector<14xf32> into vector<16x14xf32>
// NEON-LABEL: func @accumulators_14x16
// NEON-NOT: vector.transpose
func.func @accumulators_14x16(%acc: vector<14x16xf32>) -> vector<16x14xf32> {
  %t = vector.transpose %acc, [1, 0] : vector<14x16xf32> to vector<16x14xf32>
  return %t : vector<16x14xf32>
}

// -----

// Rows of two registers (7 pixels x 32 channels): two squares, each
// padded from 7 rows.
// CHECK-LABEL: func @two_registers_per_row
// CHECK-NOT: vector.transpose
// CHECK-COUNT-7: vector.extract_strided_slice {{.*}} {offsets = [0], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// CHECK-COUNT-7: vector.extract_strided_slice {{.*}} {offsets = [16], sizes = [16], strides = [1]} : vector<32xf32> to vector<16xf32>
// CHECK: vector.shuffle
// CHECK-COUNT-32: vector.insert {{.*}} : vector<7xf32> into vector<32x7xf32>
func.func @two_registers_per_row(%acc: vector<7x32xf32>) -> vector<32x7xf32> {
  %t = vector.transpose %acc, [1, 0] : vector<7x32xf32> to vector<32x7xf32>
  return %t : vector<32x7xf32>
}

// -----

// NEON's 16 rows of 4 lanes: four 4x4 squares in 2 stages each, their
// rows placed side by side in rows of 16.
// NEON-LABEL: func @neon_16x4
// NEON-NOT: vector.transpose
// NEON-COUNT-32: vector.shuffle {{.*}} : vector<4xf32>, vector<4xf32>
// NEON-NOT: vector.shuffle
// NEON: vector.insert_strided_slice {{.*}} {offsets = [12], strides = [1]} : vector<4xf32> into vector<16xf32>
// NEON-COUNT-4: vector.insert {{.*}} : vector<16xf32> into vector<4x16xf32>
func.func @neon_16x4(%acc: vector<16x4xf32>) -> vector<4x16xf32> {
  %t = vector.transpose %acc, [1, 0] : vector<16x4xf32> to vector<4x16xf32>
  return %t : vector<4x16xf32>
}

// -----

// Left to the default lowering: rows that are not whole registers (the
// way back, 16x14), too few rows to fill a square (3 of 16), and a
// broadcast's transpose, which folds to splats.
// CHECK-LABEL: func @left_alone
// CHECK-COUNT-3: vector.transpose
// CHECK-NOT: vector.shuffle
func.func @left_alone(%a: vector<16x14xf32>, %b: vector<3x16xf32>, %s: vector<16xf32>)
    -> (vector<14x16xf32>, vector<16x3xf32>, vector<16x14xf32>) {
  %t = vector.transpose %a, [1, 0] : vector<16x14xf32> to vector<14x16xf32>
  %u = vector.transpose %b, [1, 0] : vector<3x16xf32> to vector<16x3xf32>
  %bc = vector.broadcast %s : vector<16xf32> to vector<14x16xf32>
  %v = vector.transpose %bc, [1, 0] : vector<14x16xf32> to vector<16x14xf32>
  return %t, %u, %v : vector<14x16xf32>, vector<16x3xf32>, vector<16x14xf32>
}


// -----

// An epilogue's elementwise ops on the transposed tile (a ReLU against a
// splat) move before the transpose: 8 pixels x 32 channels are 16 full
// registers of channels, where the 32 rows of 8 pixels after it would be
// 32 half registers. An op that also reads a row of the output's layout
// (a residual add) stays after it.
// CHECK-LABEL: func @epilogue_on_accumulators
// CHECK: %[[RELU:.*]] = arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<8x32xf32>
// CHECK: vector.extract %[[RELU]]
// CHECK: vector.shuffle
// CHECK-NOT: arith.maximumf
// CHECK: arith.addf {{.*}} : vector<32x8xf32>
func.func @epilogue_on_accumulators(%acc: vector<8x32xf32>, %residual: vector<32x8xf32>)
    -> (vector<32x8xf32>, vector<32x8xf32>) {
  %zero = arith.constant dense<0.0> : vector<32x8xf32>
  %t = vector.transpose %acc, [1, 0] : vector<8x32xf32> to vector<32x8xf32>
  %relu = arith.maximumf %t, %zero fastmath<nsz> : vector<32x8xf32>
  %sum = arith.addf %t, %residual : vector<32x8xf32>
  return %relu, %sum : vector<32x8xf32>, vector<32x8xf32>
}
