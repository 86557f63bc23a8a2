// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{rows=8}),canonicalize,loop-invariant-subset-hoisting,canonicalize)' -split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize),canonicalize,loop-invariant-subset-hoisting,canonicalize)' -split-input-file | FileCheck %s --check-prefix=DEFAULT
// An AVX2-shaped target (edge-compile --mcpu=x86-64-v3): 8 lanes, 8 rows,
// depthwise tiles of 4 rows; without FMA (x86-64-v2) multiplies and adds
// stay separate. Each kernel's tile is a remark.
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{vector-width=8 rows=8 sliding-rows=4}))' -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{vector-width=4 fuse-multiply-add=false}))' -split-input-file | FileCheck %s --check-prefix=NOFMA
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{vector-width=8 rows=8}))' -split-input-file --remarks-filter=edge-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{rows=8 cache-bytes=4096}))' -split-input-file | FileCheck %s --check-prefix=SMALLCACHE
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{rows=8 cache-bytes=4096}))' -split-input-file --remarks-filter=edge-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALLCACHE-REMARK
// AVX2-LABEL: func @matmul
// AVX2: scf.forall {{.*}} = (0, 0) to (64, 256) step (4, 16)
// AVX2: vector.fma {{.*}} : vector<4x16xf32>
// AVX2-LABEL: func @strided_first_layer
// AVX2: vector.fma {{.*}} : vector<4x16xf32>
// AVX2-LABEL: func @depthwise_rows
// AVX2: scf.forall ({{.*}}) = (0, 0, 0, 0) to (1, 4, 14, 16) step (1, 1, 2, 8)
// AVX2: vector.fma {{.*}} : vector<2x8xf32>
// NOFMA-LABEL: func @matmul
// NOFMA-NOT: vector.fma
// NOFMA: arith.mulf {{.*}} : vector<16x4xf32>
// NOFMA-NOT: vector.fma
// With a small cache (cache-bytes), the loops that only the smaller input
// indexes become the innermost tile loops: the matmul's rows (A is the
// smaller input) sweep past each column strip of B.
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{cache-bytes=4096}),canonicalize)' -split-input-file | FileCheck %s --check-prefix=ORDER
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{cache-bytes=4096}))' -split-input-file --remarks-filter=edge-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=ORDER-REMARK
// ORDER-LABEL: func @matmul
// ORDER: scf.forall (%[[N:.*]], %[[M:.*]]) = (0, 0) to (256, 64) step (32, 8)
// ORDER: tensor.parallel_insert_slice {{.*}}[%[[M]], %[[N]]] [8, 32]
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="register tile 4x16x1: vector loop d1 (16 lanes, vector-width 8), rows (at most 8), fused multiply-adds"

// By default, up to 16 accumulator rows: 8 of two vectors.
// DEFAULT-LABEL: func @matmul
// DEFAULT: scf.forall {{.*}} = (0, 0) to (64, 256) step (8, 32)
// DEFAULT: vector.fma {{.*}} : vector<8x32xf32>

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// A matmul: 4 rows x 32 lanes (two vectors) of accumulators, kept in
// registers across the k loop; each step is one fused multiply-add of
// broadcast A scalars by a B row. Two vectors of half the rows (at most 8
// here) load 2 + 4 operands for 8 multiply-adds, where one vector of 8
// rows would load 9. The output tiles are an scf.forall (the thread pool's work),
// the reduction a sequential loop inside each tile.
// CHECK-LABEL: func @matmul
// CHECK: scf.forall (%[[M:.*]], %[[N:.*]]) = (0, 0) to (64, 256) step (4, 32) shared_outs
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<4x32xf32>, vector<4x32xf32>
// CHECK: scf.for {{.*}} = %c0 to %c128 step %c1 iter_args(%[[A:.*]] = %[[ACC]]) -> (vector<4x32xf32>)
// CHECK: vector.fma {{.*}}, %[[A]] : vector<4x32xf32>
// CHECK: vector.transfer_write
// CHECK: tensor.parallel_insert_slice {{.*}}[%[[M]], %[[N]]] [4, 32]
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  // ORDER-REMARK: edge-tile-and-vectorize.mlir:[[@LINE+1]]:8: remark: {{.*}} Remark="output tile loops in the order d1, d0 (input 1 of 131072 bytes streams once: over cache-bytes 4096)"
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%c : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A 3x3 convolution: the vector runs along the output width (14 lanes,
// the largest divisor of 28 up to 16), the rows are output channels (the
// weights are broadcast); the unit loops are dropped so the input's
// `oh + kh` map vectorizes.
// CHECK-LABEL: func @conv
// CHECK: scf.forall {{.*}} = (0, 0, 0) to (16, 28, 28) step (8, 1, 14)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x14xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x14xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x14xf32>)
// CHECK: vector.fma {{.*}} : vector<8x14xf32>
func.func @conv(%i: tensor<1x4x30x30xf32>, %k: tensor<16x4x3x3xf32>, %o: tensor<1x16x28x28xf32>) -> tensor<1x16x28x28xf32> {
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x30x30xf32>, tensor<16x4x3x3xf32>) outs(%o : tensor<1x16x28x28xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x16x28x28xf32>
  return %r : tensor<1x16x28x28xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Left alone: integer arithmetic, a body that is not a multiply-add, and
// an output whose contiguous dimension has a single element.
// CHECK-LABEL: func @untouched
// CHECK-NOT: vector.
// CHECK-NOT: scf.for
// CHECK-COUNT-3: linalg.generic
func.func @untouched(%ai: tensor<8x8xi32>, %bi: tensor<8x8xi32>, %ci: tensor<8x8xi32>,
                     %a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %c: tensor<8x8xf32>,
                     %bn: tensor<8x1xf32>, %cn: tensor<8x1xf32>) -> (tensor<8x8xi32>, tensor<8x8xf32>, tensor<8x1xf32>) {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ai, %bi : tensor<8x8xi32>, tensor<8x8xi32>) outs(%ci : tensor<8x8xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<8x8xi32>
  %1 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.maximumf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  %2 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %bn : tensor<8x8xf32>, tensor<8x1xf32>) outs(%cn : tensor<8x1xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x1xf32>
  return %0, %1, %2 : tensor<8x8xi32>, tensor<8x8xf32>, tensor<8x1xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A strided convolution whose rows (output channels) share its input
// vector: each tap reads the input row at twice the lanes and keeps the
// even elements, multiplied by 8 broadcast weights; nothing is gathered.
// CHECK-LABEL: func @strided_conv
// CHECK-NOT: tensor.empty
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 15) step (8, 1)
// CHECK: %[[WIDE:.*]] = vector.transfer_read {{.*}} : tensor<31xf32>, vector<32xf32>
// CHECK: %[[EVEN:.*]], %{{.*}} = vector.deinterleave %[[WIDE]]
// CHECK: %[[ROWS:.*]] = vector.broadcast %[[EVEN]] : vector<16xf32> to vector<8x16xf32>
// CHECK: vector.fma %[[ROWS]], {{.*}} : vector<8x16xf32>
func.func @strided_conv(%i: tensor<1x4x31x33xf32>, %k: tensor<16x4x3x3xf32>, %o: tensor<1x16x15x16xf32>) -> tensor<1x16x15x16xf32> {
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x31x33xf32>, tensor<16x4x3x3xf32>) outs(%o : tensor<1x16x15x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x16x15x16xf32>
  return %r : tensor<1x16x15x16xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A narrow strided convolution is blocked along its output channels; its
// rows are output columns, which read the input at stride 2. A gathered
// copy would hold each element of the overlapping 3x3 windows about twice
// (882 elements for 450): the tile reads its 7 pixels in place instead,
// one scalar each at stride 2, which the kernel broadcasts.
// CHECK-LABEL: func @blocked_strided_conv
// CHECK-NOT: tensor.empty
// CHECK: scf.forall
// CHECK: %[[P0:.*]] = tensor.extract %[[ROW:.*]][%c0] : tensor<13xf32>
// CHECK: %[[P1:.*]] = tensor.extract %[[ROW]][%c2] : tensor<13xf32>
// CHECK: %[[P6:.*]] = tensor.extract %[[ROW]][%c12] : tensor<13xf32>
// CHECK: %[[PIXELS:.*]] = vector.from_elements %[[P0]], %[[P1]], {{.*}}, %[[P6]] : vector<7xf32>
// CHECK: vector.broadcast %[[PIXELS]] : vector<7xf32> to vector<16x7xf32>
// CHECK: vector.fma {{.*}} : vector<7x16xf32>
func.func @blocked_strided_conv(%i: tensor<1x2x15x15xf32>, %o: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %k = arith.constant dense<1.0> : tensor<32x2x3x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x2x15x15xf32>, tensor<32x2x3x3xf32>) outs(%o : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  return %r : tensor<1x32x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c) -> (n, c, oh * 2, ow * 2)>
#w = affine_map<(n, f, oh, ow, c) -> (f, c)>
#o = affine_map<(n, f, oh, ow, c) -> (n, f, oh, ow)>

// A 1x1 stride-2 convolution reads a quarter of its input: gathering that
// quarter (indexed by the loops that read it, the output columns last)
// packs what the tiles read, and a tile's rows read consecutive elements.
// CHECK-LABEL: func @gathered_strided_pointwise
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x7x4x7xf32>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x4x14x14xf32>) outs(%[[E]] : tensor<1x7x4x7xf32>)
// CHECK: scf.forall
// CHECK: tensor.extract_slice %[[G]]
// CHECK-NOT: tensor.extract %
// CHECK: vector.fma
func.func @gathered_strided_pointwise(%i: tensor<1x4x14x14xf32>, %o: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %k = arith.constant dense<1.0> : tensor<32x4xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%i, %k : tensor<1x4x14x14xf32>, tensor<32x4xf32>) outs(%o : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  return %r : tensor<1x32x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A strided first layer (7x7 at stride 2, 3 input channels) whose output
// rows fill vectors still takes the blocked kernel, as its columns would
// make poor vectors (two loads and a shuffle each): half the rows of
// pixels, each two vectors of output channels, broadcast from the input
// in place.
// DEFAULT-LABEL: func @strided_first_layer
// DEFAULT-NOT: tensor.empty() : tensor<1x
// DEFAULT: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 16) step (1, 8)
// DEFAULT: %[[PIXELS:.*]] = vector.from_elements {{.*}} : vector<8xf32>
// DEFAULT: vector.broadcast %[[PIXELS]] : vector<8xf32> to vector<32x8xf32>
// DEFAULT: vector.fma {{.*}} : vector<8x32xf32>
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="register tile 1x1x1x4x1x1x1x16: blocked vector loop d7 (16 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @strided_first_layer(%i: tensor<1x3x37x37xf32>, %o: tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %k = arith.constant dense<1.0> : tensor<32x3x7x7xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x3x37x37xf32>, tensor<32x3x7x7xf32>) outs(%o : tensor<1x32x16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x16x16xf32>
  return %r : tensor<1x32x16x16xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A 3x3 stride-2 first layer has 27 multiply-adds per output: too few
// for half rows of two vectors to pay for their larger transpose. Its
// tiles are 16 pixels of one vector of channels, still broadcast in place.
// DEFAULT-LABEL: func @short_strided_first_layer
// DEFAULT-NOT: tensor.empty() : tensor<1x
// DEFAULT: scf.forall ({{.*}}) in (2, 16)
// DEFAULT: vector.from_elements {{.*}} : vector<16xf32>
// DEFAULT: vector.fma {{.*}} : vector<16x16xf32>
func.func @short_strided_first_layer(%i: tensor<1x3x33x33xf32>, %o: tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %k = arith.constant dense<1.0> : tensor<32x3x3x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x3x33x33xf32>, tensor<32x3x3x3xf32>) outs(%o : tensor<1x32x16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x16x16xf32>
  return %r : tensor<1x32x16x16xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A strided image 11 wide (no divisor near the rows) is peeled into full
// tiles of 8 pixels and a remainder of 2 and 1: each tile reads its
// pixels in place at stride 2, as the full tiles would. Its window is
// short (27 multiply-adds per output), so each pixel keeps one vector of
// output channels: two would save loads on few taps and cost a larger
// transpose.
// CHECK-LABEL: func @peeled_strided_conv
// CHECK-NOT: tensor.empty
// CHECK: scf.forall {{.*}} in (2, 11)
// CHECK: vector.from_elements {{.*}} : vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<8x16xf32>
// CHECK: vector.from_elements {{.*}} : vector<2xf32>
// CHECK: vector.fma {{.*}} : vector<2x16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @peeled_strided_conv(%i: tensor<1x3x23x23xf32>, %o: tensor<1x32x11x11xf32>) -> tensor<1x32x11x11xf32> {
  %k = arith.constant dense<1.0> : tensor<32x3x3x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x3x23x23xf32>, tensor<32x3x3x3xf32>) outs(%o : tensor<1x32x11x11xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x11x11xf32>
  return %r : tensor<1x32x11x11xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 4 + kh, ow * 4 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A stride-4 first layer (11x11, AlexNet's): its pixels are broadcast, so
// any stride reads in place, each pixel a scalar four elements from the
// last; a gather would hold each input element about 7 times. Its 5 pixels
// per tile take two vectors of channels: 10 accumulators, within a quarter
// more than the 8 rows.
// CHECK-LABEL: func @stride4_conv
// CHECK-NOT: tensor.empty
// CHECK: scf.forall
// CHECK: %[[P0:.*]] = tensor.extract %[[ROW:.*]][%c0] : tensor<17xf32>
// CHECK: %[[P1:.*]] = tensor.extract %[[ROW]][%c4] : tensor<17xf32>
// CHECK: %[[P4:.*]] = tensor.extract %[[ROW]][%c16] : tensor<17xf32>
// CHECK: vector.from_elements %[[P0]], %[[P1]], {{.*}}, %[[P4]] : vector<5xf32>
// CHECK: vector.fma {{.*}} : vector<5x32xf32>
func.func @stride4_conv(%i: tensor<1x3x47x47xf32>, %o: tensor<1x32x10x10xf32>) -> tensor<1x32x10x10xf32> {
  %k = arith.constant dense<1.0> : tensor<32x3x11x11xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x3x47x47xf32>, tensor<32x3x11x11xf32>) outs(%o : tensor<1x32x10x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x10x10xf32>
  return %r : tensor<1x32x10x10xf32>
}

// -----

#in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#o = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>

// A strided depthwise convolution has no accumulator rows to share a
// gathered element: its input is not copied. Its output rows (5 of the
// 15) are the accumulators instead, each reading its own input row: per
// tap, one read of twice the lanes per row (31 elements left in the row:
// the read may run past it), deinterleaved to the even elements.
// CHECK-LABEL: func @strided_depthwise
// CHECK-NOT: tensor.empty
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 15) step (1, 5)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ROWS:.*]] = tensor.extract_slice {{.*}} to tensor<9x31xf32>
// CHECK: %[[WIDE0:.*]] = vector.transfer_read %[[ROWS]][%[[C0:.*]], %[[C0]]], %{{.*}} : tensor<9x31xf32>, vector<32xf32>
// CHECK: %[[EVEN0:.*]], %{{.*}} = vector.deinterleave %[[WIDE0]] : vector<32xf32> -> vector<16xf32>
// CHECK: %[[STAGED0:.*]] = vector.broadcast %[[EVEN0]] : vector<16xf32> to vector<5x16xf32>
// CHECK: %[[WIDE1:.*]] = vector.transfer_read %[[ROWS]][%[[C2:.*]], %[[C0]]]
// CHECK: %[[EVEN1:.*]], %{{.*}} = vector.deinterleave %[[WIDE1]]
// CHECK: vector.insert %[[EVEN1]], %[[STAGED0]] [1] : vector<16xf32> into vector<5x16xf32>
// CHECK-COUNT-3: vector.deinterleave
// CHECK: %[[STAGED:.*]] = vector.insert %{{.*}} [4] : vector<16xf32> into vector<5x16xf32>
// CHECK: vector.fma %[[STAGED]], %{{.*}} : vector<5x16xf32>
// CHECK-NOT: tensor.empty
// CHECK: return
func.func @strided_depthwise(%i: tensor<1x4x31x33xf32>, %k: tensor<4x3x3xf32>, %o: tensor<1x4x15x16xf32>) -> tensor<1x4x15x16xf32> {
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x31x33xf32>, tensor<4x3x3xf32>) outs(%o : tensor<1x4x15x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x15x16xf32>
  return %r : tensor<1x4x15x16xf32>
}

// -----

#in3 = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 3 + kh, ow * 3 + kw)>
#w3 = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#o3 = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>

#in1 = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>

// At stride 1 the rows of a depthwise tile (7 of the 14) read one 2-D
// block per tap, multiplied by the broadcast weight.
// CHECK-LABEL: func @depthwise_rows
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 14) step (1, 7)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[BLOCK:.*]] = vector.transfer_read {{.*}} : tensor<7x16xf32>, vector<7x16xf32>
// CHECK: %[[WEIGHT:.*]] = vector.transfer_read {{.*}} : tensor<f32>, vector<7x16xf32>
// CHECK: vector.fma %[[BLOCK]], %[[WEIGHT]], %{{.*}} : vector<7x16xf32>
func.func @depthwise_rows(%i: tensor<1x4x16x18xf32>, %k: tensor<4x3x3xf32>, %o: tensor<1x4x14x16xf32>) -> tensor<1x4x14x16xf32> {
  %r = linalg.generic {indexing_maps = [#in1, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x16x18xf32>, tensor<4x3x3xf32>) outs(%o : tensor<1x4x14x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x14x16xf32>
  return %r : tensor<1x4x14x16xf32>
}

// At stride 3 the tile could not be vectorized: the kernel is left to
// the generic loop lowering rather than tiled around scalar code.
// CHECK-LABEL: func @stride3_depthwise
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// CHECK-NOT: scf.forall
func.func @stride3_depthwise(%i: tensor<1x4x31x34xf32>, %k: tensor<4x3x3xf32>, %o: tensor<1x4x10x11xf32>) -> tensor<1x4x10x11xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x31x34xf32>, tensor<4x3x3xf32>) outs(%o : tensor<1x4x10x11xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x10x11xf32>
  return %r : tensor<1x4x10x11xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A convolution on a 7-wide image with constant weights: vectors along
// the width would leave 9 of 16 lanes empty, so the output channels are
// blocked instead. The output is viewed as 1x1x32x7x7 (channel block, then
// rows), the weights are packed at compile time with the 32 channels of a
// block innermost (here w[f] = 2f), and each of the 7 rows holds two
// vectors of channels.
// DEFAULT-LABEL: func @blocked_conv
// DEFAULT: arith.constant dense<{{\[\[\[\[\[}}0.000000e+00, 2.000000e+00, 4.000000e+00, {{.*}}, 6.200000e+01]]]]]> : tensor<1x1x1x1x32xf32>
// DEFAULT: %[[VIEW:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 1, 32, 7, 7]
// DEFAULT: scf.forall {{.*}} shared_outs(%{{.*}} = %[[VIEW]])
// DEFAULT: vector.fma {{.*}} : vector<7x32xf32>
// DEFAULT: tensor.collapse_shape {{.*}} into tensor<1x32x7x7xf32>
// With at most 8 rows, one vector per row: blocks of 16 channels.
// CHECK-LABEL: func @blocked_conv
// CHECK: arith.constant dense<{{.*}}> : tensor<2x1x1x1x16xf32>
// CHECK: tensor.expand_shape %arg1 {{.*}} output_shape [1, 2, 16, 7, 7]
// CHECK: vector.fma {{.*}} : vector<7x16xf32>
func.func @blocked_conv(%i: tensor<1x1x7x7xf32>, %o: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %k = arith.constant dense<[[[[0.0]]], [[[2.0]]], [[[4.0]]], [[[6.0]]], [[[8.0]]], [[[10.0]]], [[[12.0]]], [[[14.0]]], [[[16.0]]], [[[18.0]]], [[[20.0]]], [[[22.0]]], [[[24.0]]], [[[26.0]]], [[[28.0]]], [[[30.0]]], [[[32.0]]], [[[34.0]]], [[[36.0]]], [[[38.0]]], [[[40.0]]], [[[42.0]]], [[[44.0]]], [[[46.0]]], [[[48.0]]], [[[50.0]]], [[[52.0]]], [[[54.0]]], [[[56.0]]], [[[58.0]]], [[[60.0]]], [[[62.0]]]]> : tensor<32x1x1x1xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<32x1x1x1xf32>) outs(%o : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  return %r : tensor<1x32x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#bias = affine_map<(n, f, h, w) -> (f)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>
#scalar = affine_map<(n, f, h, w) -> ()>

// A blocked convolution with its epilogue: the bias broadcast that
// initializes the output, then a residual add and a ReLU (against a 0-d
// bound, as a Clip reads its bounds). The reshapes of
// the blocked view move past the elementwise ops, which become part of
// the convolution's tiles: the accumulators start from the bias vector,
// and the add and the ReLU run on them before the tile's only write.
// DEFAULT-LABEL: func @fused_epilogue
// DEFAULT: %[[TILES:.*]] = scf.forall {{.*}} -> (tensor<1x1x32x7x7xf32>)
// DEFAULT-NOT: linalg.generic
// DEFAULT: %[[BIAS:.*]] = vector.transfer_read {{.*}} : tensor<32xf32>, vector<32x7xf32>
// DEFAULT: %[[ACC:.*]] = vector.transpose %[[BIAS]], [1, 0] : vector<32x7xf32> to vector<7x32xf32>
// DEFAULT: vector.fma {{.*}}, %[[ACC]] : vector<7x32xf32>
// DEFAULT: arith.addf {{.*}} : vector<32x7xf32>
// DEFAULT: arith.maximumf {{.*}} : vector<32x7xf32>
// DEFAULT: vector.transfer_write
// DEFAULT: tensor.parallel_insert_slice
// DEFAULT-NOT: linalg.generic
// DEFAULT: tensor.collapse_shape %[[TILES]]
func.func @fused_epilogue(%i: tensor<1x1x7x7xf32>, %b: tensor<32xf32>, %res: tensor<1x32x7x7xf32>, %floor: tensor<f32>) -> tensor<1x32x7x7xf32> {
  %k = arith.constant dense<[[[[0.0]]], [[[2.0]]], [[[4.0]]], [[[6.0]]], [[[8.0]]], [[[10.0]]], [[[12.0]]], [[[14.0]]], [[[16.0]]], [[[18.0]]], [[[20.0]]], [[[22.0]]], [[[24.0]]], [[[26.0]]], [[[28.0]]], [[[30.0]]], [[[32.0]]], [[[34.0]]], [[[36.0]]], [[[38.0]]], [[[40.0]]], [[[42.0]]], [[[44.0]]], [[[46.0]]], [[[48.0]]], [[[50.0]]], [[[52.0]]], [[[54.0]]], [[[56.0]]], [[[58.0]]], [[[60.0]]], [[[62.0]]]]> : tensor<32x1x1x1xf32>
  %empty = tensor.empty() : tensor<1x32x7x7xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<32xf32>) outs(%empty : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<1x32x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<32x1x1x1xf32>) outs(%init : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %res : tensor<1x32x7x7xf32>, tensor<1x32x7x7xf32>) outs(%empty : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  %relu = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%add, %floor : tensor<1x32x7x7xf32>, tensor<f32>) outs(%empty : tensor<1x32x7x7xf32>) {
  ^bb0(%x: f32, %lo: f32, %o: f32):
    %m = arith.maximumf %x, %lo : f32
    linalg.yield %m : f32
  } -> tensor<1x32x7x7xf32>
  return %relu : tensor<1x32x7x7xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#all = affine_map<(m, n) -> (m, n)>

// Without consumers, the bias broadcast that initializes the output is
// still computed in the tile, into the accumulators.
// DEFAULT-LABEL: func @fused_init
// DEFAULT-NOT: linalg.generic
// DEFAULT: scf.forall
// DEFAULT: %[[BIAS:.*]] = vector.transfer_read %{{.*}} : tensor<32xf32>, vector<8x32xf32>
// DEFAULT: scf.for {{.*}} iter_args(%{{.*}} = %[[BIAS]]) -> (vector<8x32xf32>)
// DEFAULT-NOT: linalg.generic
func.func @fused_init(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>, %bias: tensor<256xf32>) -> tensor<64x256xf32> {
  %empty = tensor.empty() : tensor<64x256xf32>
  %init = linalg.generic {indexing_maps = [#row, #all], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<256xf32>) outs(%empty : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<64x256xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%init : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}

// -----

#x = affine_map<(m, n, k) -> (m, k)>
#wt = affine_map<(m, n, k) -> (n, k)>
#y = affine_map<(m, n, k) -> (m, n)>

// A fully connected layer's constant [N, K] weight, read along N by the
// vector loop, is stored transposed at compile time ([K, N]: 1 2 / 3 4 /
// 5 6 becomes 1 3 5 / 2 4 6 ...), so each step loads one contiguous
// vector rather than gathering it from N rows.
// DEFAULT-LABEL: func @transposed_weight
// DEFAULT: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, {{.*}}]]> : tensor<2x16xf32>
// DEFAULT: scf.for %[[K:[a-z0-9_]+]] =
// DEFAULT: %[[ROW:.*]] = tensor.extract_slice %[[W]][%[[K]], 0] [1, 16] [1, 1]
// DEFAULT: %[[FLAT:.*]] = tensor.extract_slice %[[ROW]]{{.*}} to tensor<16xf32>
// DEFAULT: %[[V:.*]] = vector.transfer_read %[[FLAT]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<16xf32>, vector<16xf32>
// DEFAULT: vector.fma %{{.*}}, %[[V]]
func.func @transposed_weight(%x: tensor<1x2xf32>, %y: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0], [11.0, 12.0], [13.0, 14.0], [15.0, 16.0], [17.0, 18.0], [19.0, 20.0], [21.0, 22.0], [23.0, 24.0], [25.0, 26.0], [27.0, 28.0], [29.0, 30.0], [31.0, 32.0]]> : tensor<16x2xf32>
  %r = linalg.generic {indexing_maps = [#x, #wt, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x2xf32>, tensor<16x2xf32>) outs(%y : tensor<1x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x16xf32>
  return %r : tensor<1x16xf32>
}

// -----

// A dynamic row loop: full tiles of 2 rows, each 4 vectors wide (8
// accumulators, and a decoder step's single row keeps 4), with the
// epilogue fused as for a static size, then the remainder in tiles of 1
// row, in static shapes.
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func @dynamic_rows
// CHECK: %[[FULL:.*]] = affine.apply
// CHECK: scf.for %{{.*}} = %c0 to %[[FULL]] step %c2
// CHECK: vector.fma {{.*}} : vector<2x64xf32>
// CHECK: arith.maximumf {{.*}} : vector<2x64xf32>
// CHECK: scf.for %{{.*}} = %[[FULL]] to %{{.*}} step %c2
// CHECK: vector.fma {{.*}} : vector<64xf32>
// CHECK: arith.maximumf {{.*}} : vector<64xf32>
// CHECK-NOT: linalg.generic
func.func @dynamic_rows(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %bias: tensor<64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%m) : tensor<?x64xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<?x64xf32>
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%init : tensor<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %v = arith.maximumf %x, %zero : f32
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// Attention scores q·kᵀ over a run-time number of queries and keys: the
// output's contiguous loop is dynamic, but the reduction (a head's 64
// elements) is static and contiguous in both inputs: one dot product per
// score, reduced in vectors.
#q = affine_map<(h, i, j, d) -> (h, i, d)>
#k = affine_map<(h, i, j, d) -> (h, j, d)>
#s = affine_map<(h, i, j, d) -> (h, i, j)>
// CHECK-LABEL: func @dot_products
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} : tensor<64xf32>, vector<64xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<64xf32>, vector<64xf32>
// CHECK: vector.multi_reduction <add>, {{.*}} [0] : vector<64xf32> to f32
// CHECK-NOT: linalg.generic
// REMARK: Remark="register tile 1x1x1x64: one dot product per output element, reduced along d3 (64 elements, vector-width 8)"
func.func @dot_products(%q: tensor<2x?x64xf32>, %k: tensor<2x?x64xf32>, %init: tensor<2x?x?xf32>) -> tensor<2x?x?xf32> {
  %r = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x?x64xf32>, tensor<2x?x64xf32>) outs(%init : tensor<2x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %a = arith.addf %o, %p : f32
    linalg.yield %a : f32
  } -> tensor<2x?x?xf32>
  return %r : tensor<2x?x?xf32>
}

// -----

// A global average pool's sum over each 13x13 image: the two reduced
// loops, contiguous in the input, collapse into one run of 169 elements
// per output element, reduced as one vector (left to the loops, the sum
// would store and reload its running value per element); the zero fill
// and the division are fused into the same tile.
#img = affine_map<(n, c, h, w) -> (n, c, h, w)>
#pooled = affine_map<(n, c, h, w) -> (n, c)>
#id2 = affine_map<(n, c) -> (n, c)>
// CHECK-LABEL: func @global_sum
// CHECK: scf.forall (%{{.*}}) in (32)
// CHECK: %[[ELEMENTS:.*]] = vector.transfer_read {{.*}} : tensor<169xf32>, vector<169xf32>
// CHECK: %[[SUM:.*]] = vector.multi_reduction <add>, %[[ELEMENTS]], %{{.*}} [0] : vector<169xf32> to f32
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return
// REMARK: Remark="register tile 1x1x169: one reduction per output element, reduced along d2 (169 elements, vector-width 8)"
func.func @global_sum(%x: tensor<1x32x13x13xf32>) -> tensor<1x32xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.00591716 : f32
  %empty = tensor.empty() : tensor<1x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x32xf32>) -> tensor<1x32xf32>
  %sum = linalg.generic {indexing_maps = [#img, #pooled], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x : tensor<1x32x13x13xf32>) outs(%init : tensor<1x32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x32xf32>
  %empty2 = tensor.empty() : tensor<1x32xf32>
  %mean = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<1x32xf32>) outs(%empty2 : tensor<1x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %scale : f32
    linalg.yield %m : f32
  } -> tensor<1x32xf32>
  return %mean : tensor<1x32xf32>
}

// -----

// A row's maximum of a squared difference (an input broadcast along the
// reduced loop joins in): one vector per row. A sum over the channels of
// an image (not the input's innermost dimension) is left to the loops.
#row = affine_map<(i, j) -> (i, j)>
#bcast = affine_map<(i, j) -> (i)>
#chw = affine_map<(c, h, w) -> (c, h, w)>
#hw = affine_map<(c, h, w) -> (h, w)>
// CHECK-LABEL: func @row_reductions
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: vector.multi_reduction <maximumf>, %{{.*}}, %{{.*}} [0] : vector<100xf32> to f32
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]
// CHECK: return
func.func @row_reductions(%x: tensor<4x100xf32>, %m: tensor<4xf32>, %init: tensor<4xf32>, %img: tensor<8x4x4xf32>, %out: tensor<4x4xf32>) -> (tensor<4xf32>, tensor<4x4xf32>) {
  %r = linalg.generic {indexing_maps = [#row, #bcast, #bcast], iterator_types = ["parallel", "reduction"]} ins(%x, %m : tensor<4x100xf32>, tensor<4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %d = arith.subf %a, %b : f32
    %q = arith.mulf %d, %d : f32
    %x2 = arith.maximumf %acc, %q : f32
    linalg.yield %x2 : f32
  } -> tensor<4xf32>
  %c = linalg.generic {indexing_maps = [#chw, #hw], iterator_types = ["reduction", "parallel", "parallel"]} ins(%img : tensor<8x4x4xf32>) outs(%out : tensor<4x4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  return %r, %c : tensor<4xf32>, tensor<4x4xf32>
}

// -----

// A run longer than one vector (a normalization over 1024 features) is
// reduced 64 elements at a time, the running value in a register; its
// rows, a dynamic number (a sequence), are one tile each.
#seq = affine_map<(i, j) -> (i, j)>
#perrow = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func @long_rows
// CHECK: scf.forall (%{{.*}}) in (%{{.*}})
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64 iter_args
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [0] : vector<64xf32> to f32
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @long_rows(%x: tensor<?x1024xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [#seq, #perrow], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x1024xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// int8 weights (edge.quantized_matmul): the kernel converts each weight
// vector as it reads it, and multiplies as the float kernel does; the
// column scales are the fused epilogue, on the accumulators.
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
// CHECK-LABEL: func @int8_weights
// CHECK: scf.forall ({{.*}}) = (0) to (8) step (4)
// CHECK: scf.for {{.*}} -> (vector<4x32xf32>)
// CHECK: %[[W:.*]] = vector.transfer_read {{.*}} : tensor<32xi8>, vector<4x32xi8>
// CHECK: %[[F:.*]] = arith.sitofp %[[W]] : vector<4x32xi8> to vector<4x32xf32>
// CHECK: vector.fma {{.*}}, %[[F]], {{.*}} : vector<4x32xf32>
// CHECK: arith.mulf {{.*}} : vector<4x32xf32>
// CHECK-NOT: linalg.generic
// REMARK: Remark="register tile 4x16x1: vector loop d1 (16 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @int8_weights(%x: tensor<8x64xf32>, %w: tensor<64x32xi8>, %s: tensor<32xf32>, %init: tensor<8x32xf32>, %empty: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %sums = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x64xf32>, tensor<64x32xi8>) outs(%init : tensor<8x32xf32>) {
  ^bb0(%a: f32, %b: i8, %o: f32):
    %f = arith.sitofp %b : i8 to f32
    %p = arith.mulf %a, %f : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%sums, %s : tensor<8x32xf32>, tensor<32xf32>) outs(%empty : tensor<8x32xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %m = arith.mulf %v, %c : f32
    linalg.yield %m : f32
  } -> tensor<8x32xf32>
  return %scaled : tensor<8x32xf32>
}

// -----

// int4 weights with block scales (edge.quantized_matmul's lowering): three
// inputs and more are a multiply-accumulate when they only multiply and
// add into the output. Where the full tiles of rows run 4 times or more (a
// prompt), the weights are converted (the byte converted, its high half
// floored, both scaled) once, before them, into f32 tensors that the tiles
// read: the pair of products becomes two multiply-adds into each row's
// accumulators over loaded weights. Fewer full tiles, and the remainder's
// tiles (a decoder's step of one row), convert in the kernel as before.
#i4x = affine_map<(m, n, b, p) -> (m, b, p)>
#i4w = affine_map<(m, n, b, p) -> (b, p, n)>
#i4s = affine_map<(m, n, b, p) -> (b, n)>
#i4o = affine_map<(m, n, b, p) -> (m, n)>
// CHECK-LABEL: func @int4_weights
// CHECK: %[[ENOUGH:.*]] = arith.cmpi sge, %{{.*}}, %c8 : index
// CHECK: scf.if %[[ENOUGH]]
// CHECK: %[[V:.*]] = arith.sitofp {{.*}} : vector<64xi8> to vector<64xf32>
// CHECK: math.floor {{.*}} : vector<64xf32>
// CHECK: math.fma %[[V]], {{.*}} : vector<64xf32>
// CHECK: scf.for {{.*}} step %c2
// CHECK-NOT: arith.sitofp
// CHECK: %[[ACC:.*]] = vector.fma {{.*}} : vector<2x64xf32>
// CHECK-NEXT: vector.fma {{.*}}, %[[ACC]] : vector<2x64xf32>
// CHECK: } else {
// CHECK: scf.for {{.*}} step %c2
// CHECK: %[[V2:.*]] = arith.sitofp {{.*}} : vector<2x64xi8> to vector<2x64xf32>
// CHECK: math.floor {{.*}} : vector<2x64xf32>
// CHECK: %[[LOW:.*]] = math.fma %[[V2]], {{.*}} : vector<2x64xf32>
// CHECK: %[[HIGH:.*]] = arith.mulf {{.*}} : vector<2x64xf32>
// CHECK: %[[ACC2:.*]] = vector.fma {{.*}}, %[[LOW]], {{.*}} : vector<2x64xf32>
// CHECK: vector.fma {{.*}}, %[[HIGH]], %[[ACC2]] : vector<2x64xf32>
// CHECK: arith.sitofp {{.*}} : vector<64xi8> to vector<64xf32>
// CHECK: vector.fma {{.*}} : vector<64xf32>
// CHECK-NOT: linalg.generic
// NOFMA-LABEL: func @int4_weights
// NOFMA-NOT: vector.fma
// REMARK: Remark="register tile 1x32x1x1: vector loop d1 (32 lanes, vector-width 8), rows (at most 8), fused multiply-adds, peeled rows d0 in full tiles of 2 and a remainder"
// REMARK: Remark="full tiles of rows read weights converted once per output tile (8 KiB), from 4 full tiles on"
// Converted weights that would not stay in the core's cache (here 16 KiB
// over 2 x 4 KiB) are converted in every tile.
// SMALLCACHE-LABEL: func @int4_weights
// SMALLCACHE-NOT: scf.if
// SMALLCACHE: arith.sitofp {{.*}} : vector<2x64xi8> to vector<2x64xf32>
// SMALLCACHE-REMARK: Remark="weights converted in every tile of rows: converted once, an output tile's would take 16 KiB, more than 8 KiB (2 x cache-bytes)"
func.func @int4_weights(%even: tensor<?x2x16xf32>, %odd: tensor<?x2x16xf32>, %s: tensor<2x64xf32>, %init: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<25> : tensor<2x16x64xi8>
  %r = linalg.generic {indexing_maps = [#i4x, #i4x, #i4w, #i4s, #i4o], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%even, %odd, %w, %s : tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<2x16x64xi8>, tensor<2x64xf32>) outs(%init : tensor<?x64xf32>) {
  ^bb0(%x0: f32, %x1: f32, %v8: i8, %scale: f32, %acc: f32):
    %vf = arith.sitofp %v8 : i8 to f32
    %sixteenth = arith.constant 0.0625 : f32
    %v16 = arith.mulf %vf, %sixteenth : f32
    %hf = math.floor %v16 : f32
    %m8 = arith.constant -8.0 : f32
    %offset = arith.mulf %scale, %m8 : f32
    %low = math.fma %vf, %scale, %offset : f32
    %p0 = arith.mulf %x0, %low : f32
    %high = arith.mulf %hf, %scale : f32
    %p1 = arith.mulf %x1, %high : f32
    %p = arith.addf %p0, %p1 : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// Constant weights under a dynamic row loop (a decoder's projections) are
// packed into panels of one vector's width, [N / 16, K, 16]: each tile's
// weights are one contiguous stream. The output is viewed blocked, the
// bias (the output's initial value) and the epilogue stay fused.
#pA = affine_map<(m, n, k) -> (m, k)>
#pB = affine_map<(m, n, k) -> (k, n)>
#pC = affine_map<(m, n, k) -> (m, n)>
#pbias = affine_map<(m, n) -> (n)>
#pid = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func @panels
// CHECK: arith.constant dense_resource<edge_packed_weight> : tensor<4x64x16xf32>
// CHECK: scf.for {{.*}} step %c2
// CHECK: vector.fma {{.*}} : vector<2x4x16xf32>
// CHECK: arith.maximumf {{.*}} : vector<2x4x16xf32>
// CHECK: vector.fma {{.*}} : vector<4x16xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x64xf32>
// REMARK: Remark="register tile 1x4x1x8: blocked vector loop d3 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds, peeled rows d0 in full tiles of 2 and a remainder"
func.func @panels(%a: tensor<?x64xf32>, %bias: tensor<64xf32>) -> tensor<?x64xf32> {
  %b = arith.constant dense<0.5> : tensor<64x64xf32>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%m) : tensor<?x64xf32>
  %init = linalg.generic {indexing_maps = [#pbias, #pid], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<?x64xf32>
  %mm = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%init : tensor<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %e2 = tensor.empty(%m) : tensor<?x64xf32>
  %r = linalg.generic {indexing_maps = [#pid, #pid], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<?x64xf32>) outs(%e2 : tensor<?x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %v = arith.maximumf %x, %z : f32
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// int8 weights under a dynamic row loop are packed into panels too.
#qA = affine_map<(m, n, k) -> (m, k)>
#qB = affine_map<(m, n, k) -> (k, n)>
#qC = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func @int8_panels
// CHECK: arith.constant dense_resource<edge_packed_weight> : tensor<2x64x16xi8>
// CHECK: arith.sitofp {{.*}} : vector<4x2x16xi8> to vector<4x2x16xf32>
// CHECK: vector.fma {{.*}} : vector<4x2x16xf32>
func.func @int8_panels(%a: tensor<?x64xf32>, %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %w = arith.constant dense<3> : tensor<64x32xi8>
  %mm = linalg.generic {indexing_maps = [#qA, #qB, #qC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<?x64xf32>, tensor<64x32xi8>) outs(%init : tensor<?x32xf32>) {
  ^bb0(%x: f32, %y: i8, %o: f32):
    %f = arith.sitofp %y : i8 to f32
    %p = arith.mulf %x, %f : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %mm : tensor<?x32xf32>
}

// -----

#in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#win = affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>
#o = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>

// A max pool (linalg's pooling form: the window tensor only sizes the
// reduction loops) tiles like a strided depthwise convolution: output
// rows each read their own deinterleaved input rows. Its -inf fill is
// tiled with it and starts the accumulators; the max may return either
// zero of -0 and +0 (nsz), which spares x86 the sign tests, and still
// propagates NaN.
// CHECK-LABEL: func @max_pool
// CHECK-NOT: linalg.
// CHECK: %[[START:.*]] = arith.constant dense<0xFF800000> : vector<5x16xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 15) step (1, 5)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[START]])
// CHECK: scf.for
// CHECK: vector.deinterleave
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<5x16xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @max_pool(%i: tensor<1x4x31x33xf32>) -> tensor<1x4x15x16xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %empty = tensor.empty() : tensor<1x4x15x16xf32>
  %o = linalg.fill ins(%ninf : f32) outs(%empty : tensor<1x4x15x16xf32>) -> tensor<1x4x15x16xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #win, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %window : tensor<1x4x31x33xf32>, tensor<3x3xf32>) outs(%o : tensor<1x4x15x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x4x15x16xf32>
  return %r : tensor<1x4x15x16xf32>
}

// -----

#in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#win = affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>
#o = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>

// A pooled row of 27 outputs (SqueezeNet's 55-wide images, stride 2) has
// no divisor near the vector width but 9 (vectors of 9 lanes, which LLVM
// splits): its lanes are peeled, one full vector, then 8, 2 and 1 lanes,
// each tile with its rows of sliding accumulators.
// CHECK-LABEL: func @peeled_pool_lanes
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 27) step (1, 3)
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<3x16xf32>
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<3x8xf32>
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<3x2xf32>
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : vector<3xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @peeled_pool_lanes(%i: tensor<1x4x55x55xf32>) -> tensor<1x4x27x27xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %empty = tensor.empty() : tensor<1x4x27x27xf32>
  %o = linalg.fill ins(%ninf : f32) outs(%empty : tensor<1x4x27x27xf32>) -> tensor<1x4x27x27xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #win, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %window : tensor<1x4x55x55xf32>, tensor<3x3xf32>) outs(%o : tensor<1x4x27x27xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x4x27x27xf32>
  return %r : tensor<1x4x27x27xf32>
}

// -----

#in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>
#win = affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>
#o = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>
#all = affine_map<(n, c, h, w) -> (n, c, h, w)>

// An average pool's window sum is a window reduction too; its division,
// the epilogue, runs on the accumulators in the same tile. A sum keeps
// its exact semantics (no fast-math flag).
// CHECK-LABEL: func @average_pool
// CHECK-NOT: linalg.
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 14) step (1, 7)
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<7x16xf32>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<7x16xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @average_pool(%i: tensor<1x4x16x18xf32>) -> tensor<1x4x14x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninth = arith.constant 0.111111112 : f32
  %empty = tensor.empty() : tensor<1x4x14x16xf32>
  %o = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x14x16xf32>) -> tensor<1x4x14x16xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  %sum = linalg.generic {indexing_maps = [#in, #win, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%i, %window : tensor<1x4x16x18xf32>, tensor<3x3xf32>) outs(%o : tensor<1x4x14x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x4x14x16xf32>
  %avg = linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x4x14x16xf32>) outs(%empty : tensor<1x4x14x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    %d = arith.mulf %x, %ninth : f32
    linalg.yield %d : f32
  } -> tensor<1x4x14x16xf32>
  return %avg : tensor<1x4x14x16xf32>
}

// -----

#in = affine_map<(b, r, c) -> (b, r, c)>
#o = affine_map<(b, r, c) -> (b, r)>

// A reduction along an input's own innermost dimension (ReduceMax, a
// softmax's row maximum) is no window reduction but a contiguous one: each
// row's 64 elements are one vector, reduced in registers.
// CHECK-LABEL: func @row_max
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 16)
// CHECK: vector.multi_reduction <maximumf>, %{{.*}}, %{{.*}} [0] : vector<64xf32> to f32
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @row_max(%i: tensor<2x16x64xf32>, %o: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %r = linalg.generic {indexing_maps = [#in, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%i : tensor<2x16x64xf32>) outs(%o : tensor<2x16xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<2x16xf32>
  return %r : tensor<2x16xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// A product without a bias starts from a zero fill, tiled with it: the
// accumulators start at zero in registers, not from a filled tensor.
// DEFAULT-LABEL: func @zero_init
// DEFAULT-NOT: linalg.
// DEFAULT: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// DEFAULT: scf.forall
// DEFAULT: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<8x32xf32>)
// DEFAULT-NOT: linalg.
func.func @zero_init(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x256xf32>) -> tensor<64x256xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%init : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Two products of one shape share their zero fill (CSE merges equal
// initializers: the zero biases of a freshly initialized model too). Each
// gets its own copy, fused into its tiles: no filled tensor in memory.
// DEFAULT-LABEL: func @shared_init
// DEFAULT-NOT: linalg.
// DEFAULT: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// DEFAULT: scf.forall
// DEFAULT: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<8x32xf32>)
// DEFAULT-NOT: linalg.
// DEFAULT: scf.forall
// DEFAULT: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<8x32xf32>)
// DEFAULT-NOT: linalg.
// DEFAULT: return
func.func @shared_init(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>, %c: tensor<128x256xf32>) -> (tensor<64x256xf32>, tensor<64x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x256xf32>) -> tensor<64x256xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%init : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  %q = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %c : tensor<64x128xf32>, tensor<128x256xf32>) outs(%init : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %r, %q : tensor<64x256xf32>, tensor<64x256xf32>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// A static row loop without a divisor near the rows (37 is prime: tiles of
// one row, one accumulator each) is peeled like a dynamic one: 9 full
// tiles of 4 rows, four vectors wide, then the remaining row, every tile
// static.
// DEFAULT-LABEL: func @prime_rows
// DEFAULT: scf.for %{{.*}} = %c0 to %c36 step %c4
// DEFAULT: vector.fma {{.*}} : vector<4x64xf32>
// DEFAULT: vector.fma {{.*}} : vector<64xf32>
// DEFAULT-NOT: linalg.generic
// DEFAULT: return
func.func @prime_rows(%a: tensor<37x64xf32>, %b: tensor<64x64xf32>, %init: tensor<37x64xf32>) -> tensor<37x64xf32> {
  // Its rows are peeled inside each tile: no tile loop moves.
  // ORDER-REMARK-NOT: edge-tile-and-vectorize.mlir:[[@LINE+1]]:{{.*}}output tile loops
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<37x64xf32>, tensor<64x64xf32>) outs(%init : tensor<37x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<37x64xf32>
  return %mm : tensor<37x64xf32>
}

// -----

#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#o = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>
#bias = affine_map<(n, g, f, h, w) -> (g, f)>
#id5 = affine_map<(n, g, f, h, w) -> (n, g, f, h, w)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>

// A pointwise convolution in the grouped form the lowering makes, on a
// 4x12 image: rows of 12 pixels leave lanes empty, the 48-pixel image
// fills three vectors. The view of the grouped form moves past the
// residual add and the ReLU, then the kernel, its bias and its epilogue
// take one pixel loop: tiles of 8 output channels x 48 pixels, contiguous
// in the NCHW output, with no transpose and the epilogue in the same tile.
// Three vectors are an odd number: each output tile peels into a tile of
// two vectors and one of one, both static.
// DEFAULT-LABEL: func @flattened_pointwise
// DEFAULT: %[[TILES:.*]] = scf.forall (%{{.*}}) = (0) to (32) step (8) {{.*}} -> (tensor<1x1x32x48xf32>)
// DEFAULT-NOT: vector.transpose
// DEFAULT: vector.fma {{.*}} : vector<8x32xf32>
// DEFAULT: arith.addf {{.*}} : vector<8x32xf32>
// DEFAULT: arith.maximumf {{.*}} : vector<8x32xf32>
// DEFAULT: vector.fma {{.*}} : vector<8x16xf32>
// DEFAULT: arith.addf {{.*}} : vector<8x16xf32>
// DEFAULT: arith.maximumf {{.*}} : vector<8x16xf32>
// DEFAULT: tensor.parallel_insert_slice
// DEFAULT-NOT: linalg.generic
// DEFAULT: tensor.expand_shape %[[TILES]] {{.*}} into tensor<1x1x32x4x12xf32>
// AVX2-LABEL: func @flattened_pointwise
// AVX2: scf.forall ({{.*}}) = (0, 0, 0, 0) to (1, 1, 32, 48) step (1, 1, 4, 16)
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="image rows do not fill vectors of 8 lanes: one pixel loop over the image"
func.func @flattened_pointwise(%i: tensor<1x1x16x4x12xf32>, %k: tensor<1x32x16x1x1xf32>, %b: tensor<1x32xf32>, %res: tensor<1x32x4x12xf32>) -> tensor<1x32x4x12xf32> {
  %zero = arith.constant 0.0 : f32
  %empty5 = tensor.empty() : tensor<1x1x32x4x12xf32>
  %empty = tensor.empty() : tensor<1x32x4x12xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<1x32xf32>) outs(%empty5 : tensor<1x1x32x4x12xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x32x4x12xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x16x4x12xf32>, tensor<1x32x16x1x1xf32>) outs(%init : tensor<1x1x32x4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x32x4x12xf32>
  %grouped = tensor.collapse_shape %conv [[0], [1, 2], [3], [4]] : tensor<1x1x32x4x12xf32> into tensor<1x32x4x12xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%grouped, %res : tensor<1x32x4x12xf32>, tensor<1x32x4x12xf32>) outs(%empty : tensor<1x32x4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x32x4x12xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%add : tensor<1x32x4x12xf32>) outs(%empty : tensor<1x32x4x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x32x4x12xf32>
  return %relu : tensor<1x32x4x12xf32>
}

// -----

#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#o = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>

// The same convolution whose result a 3x3 convolution pads: it keeps its
// image shape, as edge-pad-in-place writes it into the padded buffer's
// strided interior, which one pixel loop cannot view. Its tiles are
// blocked along the output channels instead; being pointwise, half of its
// 12 pixels of a row per tile, two vectors (32 channels) each, so that
// every broadcast pixel feeds two multiply-adds.
// DEFAULT-LABEL: func @padded_pointwise
// DEFAULT-NOT: to (32, 48)
// DEFAULT: scf.forall {{.*}} -> (tensor<1x1x1x32x4x12xf32>)
// DEFAULT: vector.fma {{.*}} : vector<6x32xf32>
// DEFAULT: tensor.pad
func.func @padded_pointwise(%i: tensor<1x1x16x4x12xf32>, %k: tensor<1x32x16x1x1xf32>, %o: tensor<1x1x32x4x12xf32>) -> tensor<1x32x6x14xf32> {
  %zero = arith.constant 0.0 : f32
  %cst = arith.constant dense<1.0> : tensor<1x32x16x1x1xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %cst : tensor<1x1x16x4x12xf32>, tensor<1x32x16x1x1xf32>) outs(%o : tensor<1x1x32x4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x32x4x12xf32>
  %grouped = tensor.collapse_shape %conv [[0], [1, 2], [3], [4]] : tensor<1x1x32x4x12xf32> into tensor<1x32x4x12xf32>
  %padded = tensor.pad %grouped low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x32x4x12xf32> to tensor<1x32x6x14xf32>
  return %padded : tensor<1x32x6x14xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A 3x3 convolution of the same shape keeps a row of 12 pixels per tile,
// one vector of 16 channels each: its window's taps each read their own
// pixels (two vectors per row measured slower for it).
// DEFAULT-LABEL: func @blocked_window
// DEFAULT: scf.forall {{.*}} -> (tensor<1x2x16x4x12xf32>)
// DEFAULT: vector.fma {{.*}} : vector<12x16xf32>
func.func @blocked_window(%i: tensor<1x16x6x14xf32>, %o: tensor<1x32x4x12xf32>) -> tensor<1x32x4x12xf32> {
  %cst = arith.constant dense<1.0> : tensor<32x16x3x3xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %cst : tensor<1x16x6x14xf32>, tensor<32x16x3x3xf32>) outs(%o : tensor<1x32x4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x4x12xf32>
  return %conv : tensor<1x32x4x12xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// A matrix-vector product over weights known only at run time (constant
// ones are packed: edge-tile-and-vectorize-padding.mlir), with 40 output
// columns: the largest divisor up to 16 lanes is 10, no register's width. The
// vector loop is peeled instead: output tiles of 4 vectors (here one, the
// 40 columns, so no parallel loop is left), in each full vectors of 16
// and then a vector of 8.
// DEFAULT-LABEL: func @peeled_lanes
// DEFAULT: scf.for {{.*}} = %c0 to %c32 step %c16
// DEFAULT: vector.fma {{.*}} : vector<16xf32>
// DEFAULT: vector.fma {{.*}} : vector<8xf32>
// DEFAULT-NOT: vector<10xf32>
func.func @peeled_lanes(%a: tensor<1x64xf32>, %b: tensor<64x40xf32>, %c: tensor<1x40xf32>) -> tensor<1x40xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<1x64xf32>, tensor<64x40xf32>) outs(%c : tensor<1x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x40xf32>
  return %r : tensor<1x40xf32>
}

// -----

#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#o = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>

// A pointwise convolution to 24 channels, which no vector blocks, over a
// 5x7 image, which no vector row fills: one 35-pixel loop, peeled into
// vectors of 16 and a remainder of 2 and 1.
// DEFAULT-LABEL: func @flattened_unblockable
// DEFAULT: scf.forall {{.*}} -> (tensor<1x1x24x35xf32>)
// DEFAULT: vector.fma {{.*}} : vector<12x16xf32>
// DEFAULT: vector.fma {{.*}} : vector<12x2xf32>
// DEFAULT: vector.fma {{.*}} : vector<12xf32>
func.func @flattened_unblockable(%i: tensor<1x1x16x5x7xf32>, %k: tensor<1x24x16x1x1xf32>, %o: tensor<1x1x24x5x7xf32>) -> tensor<1x1x24x5x7xf32> {
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x16x5x7xf32>, tensor<1x24x16x1x1xf32>) outs(%o : tensor<1x1x24x5x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x24x5x7xf32>
  return %conv : tensor<1x1x24x5x7xf32>
}

// -----

#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#o = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>

// A pointwise convolution whose image (8 KiB) is larger than its weights
// (2 KiB). Its output tiles run blocks of channels inside rows of pixels
// once the image exceeds the cache: each row of the image is read once,
// the weights again for every row; the threads split the rows. Where the
// image fits in the cache, the channels stay outermost.
// DEFAULT-LABEL: func @larger_image
// DEFAULT: scf.forall (%[[F:.*]], %[[H:.*]]) = (0, 0) to (32, 8) step (16, 1)
// DEFAULT: tensor.parallel_insert_slice {{.*}}[0, 0, %[[F]], %[[H]], 0] [1, 1, 16, 1, 16]
// ORDER-LABEL: func @larger_image
// ORDER: scf.forall (%[[H:.*]], %[[F:.*]]) = (0, 0) to (8, 32) step (1, 16)
// ORDER: tensor.parallel_insert_slice {{.*}}[0, 0, %[[F]], %[[H]], 0] [1, 1, 16, 1, 16]
func.func @larger_image(%i: tensor<1x1x16x8x16xf32>, %k: tensor<1x32x16x1x1xf32>, %o: tensor<1x1x32x8x16xf32>) -> tensor<1x1x32x8x16xf32> {
  // ORDER-REMARK: edge-tile-and-vectorize.mlir:[[@LINE+1]]:11: remark: {{.*}} Remark="output tile loops in the order d3, d2 (input 0 of 8192 bytes streams once: over cache-bytes 4096)"
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x16x8x16xf32>, tensor<1x32x16x1x1xf32>) outs(%o : tensor<1x1x32x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x32x8x16xf32>
  return %conv : tensor<1x1x32x8x16xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
#all = affine_map<(m, n) -> (m, n)>

// A matmul with an epilogue (a ReLU): the tiles are those of the
// epilogue, whose loops are the output's dimensions; the kernel's order
// (its columns outside its rows, B being the larger input) carries over
// to them.
// ORDER-LABEL: func @epilogue_order
// ORDER: scf.forall (%[[N:.*]], %[[M:.*]]) = (0, 0) to (256, 64) step (32, 8)
// ORDER: arith.maximumf
// ORDER: tensor.parallel_insert_slice {{.*}}[%[[M]], %[[N]]] [8, 32]
func.func @epilogue_order(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  // ORDER-REMARK: edge-tile-and-vectorize.mlir:[[@LINE+1]]:8: remark: {{.*}} Remark="output tile loops in the order d1, d0 (input 1 of 131072 bytes streams once: over cache-bytes 4096)"
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%c : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  %empty = tensor.empty() : tensor<64x256xf32>
  %relu = linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<64x256xf32>) outs(%empty : tensor<64x256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  return %relu : tensor<64x256xf32>
}

// -----

#in = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>
#w = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>
#o = affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>
#pool_in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#pool_win = affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>
#pool_out = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>

// A max pool after a convolution whose threads split the image by rows
// (its image exceeds the cache): the pool's threads split its rows too,
// rather than its channels, so each reads the rows its own core wrote.
// The convolution's rows are followed through the reshape and the pad.
// ORDER-LABEL: func @pool_after_rows
// ORDER: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 32) step (1, 16)
// ORDER: scf.forall (%[[H:.*]], %[[C:.*]]) = (0, 0) to (16, 32) step (8, 1)
// ORDER: tensor.parallel_insert_slice {{.*}}[0, %[[C]], %[[H]], 0] [1, 1, 8, 8]
func.func @pool_after_rows(%i: tensor<1x1x16x32x16xf32>, %k: tensor<1x32x16x1x1xf32>, %o: tensor<1x1x32x32x16xf32>) -> tensor<1x32x16x8xf32> {
  // ORDER-REMARK: edge-tile-and-vectorize.mlir:[[@LINE+1]]:11: remark: {{.*}} Remark="output tile loops in the order d3, d2 (input 0 of 32768 bytes streams once: over cache-bytes 4096)"
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x16x32x16xf32>, tensor<1x32x16x1x1xf32>) outs(%o : tensor<1x1x32x32x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x32x32x16xf32>
  %image = tensor.collapse_shape %conv [[0], [1, 2], [3], [4]] : tensor<1x1x32x32x16xf32> into tensor<1x32x32x16xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %image low[0, 0, 0, 0] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %ninf : f32
  } : tensor<1x32x32x16xf32> to tensor<1x32x33x17xf32>
  %empty = tensor.empty() : tensor<1x32x16x8xf32>
  %start = linalg.fill ins(%ninf : f32) outs(%empty : tensor<1x32x16x8xf32>) -> tensor<1x32x16x8xf32>
  %window = tensor.empty() : tensor<3x3xf32>
  // ORDER-REMARK: edge-tile-and-vectorize.mlir:[[@LINE+1]]:11: remark: {{.*}} Remark="output tile loops in the order d2, d1 (the threads split it as its input's producer does)"
  %pool = linalg.generic {indexing_maps = [#pool_in, #pool_win, #pool_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %window : tensor<1x32x33x17xf32>, tensor<3x3xf32>) outs(%start : tensor<1x32x16x8xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x32x16x8xf32>
  return %pool : tensor<1x32x16x8xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

// A pointwise convolution whose odd rows (13 pixels) have no divisor near
// AVX2's 8 rows is peeled all the same; its 16 channels make a pair of
// vectors, so its tiles take 4 pixels of two vectors (8 accumulators, 2 +
// 4 loads per step) and a remainder, rather than 8 pixels of one.
// AVX2-LABEL: func @odd_pointwise_rows
// AVX2: scf.for {{.*}} = %c0 to %c12 step %c4
// AVX2: vector.fma {{.*}} : vector<2x4x8xf32>
// AVX2: vector.fma {{.*}} : vector<2x8xf32>
func.func @odd_pointwise_rows(%i: tensor<1x8x3x13xf32>, %o: tensor<1x16x3x13xf32>) -> tensor<1x16x3x13xf32> {
  %k = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x8x3x13xf32>, tensor<16x8x1x1xf32>) outs(%o : tensor<1x16x3x13xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x16x3x13xf32>
  return %r : tensor<1x16x3x13xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>
#pairs = affine_map<(n, f, h, w, p) -> (n, f, h, w, p)>
#pooled = affine_map<(n, f, h, w, p) -> (n, f, h, w)>

// A residual add whose other input is another kernel's result (a pooled
// image that a ResNet's first block also convolves) joins the blocked
// convolution's epilogue: the pooled result, read by two ops, can have no
// epilogue of its own, so the add reads it through the blocked view.
// DEFAULT-LABEL: func @residual_of_shared_kernel_result
// DEFAULT: %[[POOL:.*]] = linalg.generic
// DEFAULT: %[[POOL_VIEW:.*]] = tensor.expand_shape %[[POOL]]
// DEFAULT: scf.forall {{.*}} -> (tensor<1x1x32x7x7xf32>)
// DEFAULT: vector.fma {{.*}} : vector<7x32xf32>
// DEFAULT: tensor.extract_slice %[[POOL_VIEW]]
// DEFAULT: arith.addf {{.*}} : vector<32x7xf32>
// DEFAULT: tensor.parallel_insert_slice
// DEFAULT-NOT: linalg.generic
// DEFAULT: return
func.func @residual_of_shared_kernel_result(%i: tensor<1x1x7x7xf32>, %x: tensor<1x32x7x7x2xf32>) -> (tensor<1x32x7x7xf32>, tensor<1x32x7x7xf32>) {
  %k = arith.constant dense<1.0> : tensor<32x1x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x32x7x7xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32>
  %pool = linalg.generic {indexing_maps = [#pairs, #pooled], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x : tensor<1x32x7x7x2xf32>) outs(%fill : tensor<1x32x7x7xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %v, %acc : f32
    linalg.yield %m : f32
  } -> tensor<1x32x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<32x1x1x1xf32>) outs(%fill : tensor<1x32x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %pool : tensor<1x32x7x7xf32>, tensor<1x32x7x7xf32>) outs(%empty : tensor<1x32x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x32x7x7xf32>
  return %add, %pool : tensor<1x32x7x7xf32>, tensor<1x32x7x7xf32>
}
