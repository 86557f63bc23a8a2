// RUN: edge-opt %s --edge-fuse-attention -split-input-file | FileCheck %s
// RUN: edge-opt %s --edge-fuse-attention=key-tile=4 -split-input-file | FileCheck %s --check-prefix=TILE4
// RUN: not edge-opt %s --edge-fuse-attention=key-tile=12 -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: edge-fuse-attention: key-tile must be a power of two, got 12

// Grouped-query attention over a cache (4 query heads, 2 key heads): one
// scf.forall over the query rows, keys and values read at head h / 2
// straight from the cache (the repeated heads are gone), the keys in tiles
// of 16 with the scores scaled by division and masked, an online softmax;
// no score matrix, no softmax op. The mask check still reads the scores'
// shape, now of an empty tensor of their sizes.
// CHECK-LABEL: func.func @gqa
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x?x16xf32>, %[[K:.*]]: tensor<1x2x?x16xf32>, %[[V:.*]]: tensor<1x2x?x16xf32>, %[[M:.*]]: tensor<1x1x?x?xf32>)
// CHECK-NOT: edge.select
// CHECK: %[[SHAPED:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x4x?x?xf32>
// CHECK: edge.shape %[[SHAPED]]
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[S:.*]]) in (1, 4, %{{.*}}) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x4x?x16xf32>)
// CHECK: %[[KV:.*]] = arith.divui %[[H]], %c2
// CHECK: vector.transfer_read %[[Q]][%[[B]], %[[H]], %[[S]], %c0]{{.*}} : tensor<1x4x?x16xf32>, vector<16xf32>
// CHECK: scf.for %[[T0:.*]] = %c0 to %{{.*}} step %c16 iter_args(%[[MAX:.*]] = %cst{{.*}}, %{{.*}} = %cst{{.*}}, %{{.*}} = %cst{{.*}}) -> (f32, f32, vector<16xf32>)
// CHECK: %[[MASK:.*]] = vector.transfer_read %[[M]][%c0, %c0, %[[S]], %[[T0]]], %{{.*}} : tensor<1x1x?x?xf32>, vector<16xf32>
// A tile the mask hides is skipped once a key was visible.
// CHECK: %[[HIDDEN:.*]] = vector.reduction <maxnumf>, %[[MASK]]
// CHECK: %[[SHOWN:.*]] = arith.cmpf ogt, %[[HIDDEN]]
// CHECK: %[[FIRST:.*]] = arith.cmpf ule, %[[MAX]]
// CHECK: %[[ANY:.*]] = arith.ori %[[SHOWN]], %[[FIRST]]
// CHECK: scf.if %[[ANY]]
// The tile's 16 keys, unrolled; the last key stands in past the end.
// CHECK: %[[LAST:.*]] = arith.subi %{{.*}}, %c1
// CHECK: arith.minui %[[T0]], %[[LAST]]
// CHECK-COUNT-15: arith.minui
// CHECK-COUNT-16: vector.transfer_read %[[K]][%[[B]], %[[KV]], %{{.*}}, %c0]
// Each key's products, then halved pairwise into one score per lane.
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]
// CHECK-COUNT-26: vector.shuffle
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// CHECK-NEXT: arith.addf
// CHECK-NOT: vector.reduction <add>
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : vector<16xf32>
// CHECK: arith.addf %{{.*}}, %[[MASK]]
// CHECK: arith.cmpi ugt, %{{.*}}, %cst{{.*}} : vector<16xi32>
// CHECK: arith.select
// CHECK: vector.reduction <maxnumf>, %{{.*}} fastmath<nnan>
// CHECK: math.exp %{{.*}} : vector<16xf32>
// CHECK: math.exp %{{.*}} : f32
// Each key's value row weighted by its lane of the tile's weights.
// CHECK: vector.transfer_read %[[V]][%[[B]], %[[KV]], %{{.*}}, %c0]
// CHECK-NEXT: vector.extract %{{.*}}[0]
// CHECK: vector.fma
// CHECK: vector.extract %{{.*}}[15]
// CHECK: vector.fma
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], %[[H]], %[[S]], 0] [1, 1, 1, 16] [1, 1, 1, 1]
// CHECK-NOT: edge.softmax
// CHECK-NOT: edge.matmul
func.func @gqa(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %mask: tensor<1x1x?x?xf32>) -> (tensor<1x4x?x16xf32>, tensor<1xi64>) {
  %c = edge.constant dense<4.0> : tensor<f32>
  %true = edge.constant dense<true> : tensor<1x2x2x1x16xi1>
  %k1 = edge.reshape %k {groups = array<i64: 1, 1, 2, 1>} : (tensor<1x2x?x16xf32>) -> tensor<1x2x1x?x16xf32>
  %k2 = edge.select %true, %k1, %k1 : (tensor<1x2x2x1x16xi1>, tensor<1x2x1x?x16xf32>, tensor<1x2x1x?x16xf32>) -> tensor<1x2x2x?x16xf32>
  %k4 = edge.reshape %k2 : (tensor<1x2x2x?x16xf32>) -> tensor<1x4x?x16xf32>
  %v1 = edge.reshape %v {groups = array<i64: 1, 1, 2, 1>} : (tensor<1x2x?x16xf32>) -> tensor<1x2x1x?x16xf32>
  %v2 = edge.select %true, %v1, %v1 : (tensor<1x2x2x1x16xi1>, tensor<1x2x1x?x16xf32>, tensor<1x2x1x?x16xf32>) -> tensor<1x2x2x?x16xf32>
  %v4 = edge.reshape %v2 : (tensor<1x2x2x?x16xf32>) -> tensor<1x4x?x16xf32>
  %s = edge.matmul %q, %k4 {transpose_rhs} : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x?xf32>
  %d = edge.div %s, %c : (tensor<1x4x?x?xf32>, tensor<f32>) -> tensor<1x4x?x?xf32>
  %n = edge.shape %d {start = 3 : i64} : (tensor<1x4x?x?xf32>) -> tensor<1xi64>
  %a = edge.add %d, %mask : (tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x4x?x?xf32>
  %p = edge.softmax %a {axis = 3 : i64} : tensor<1x4x?x?xf32>
  %o = edge.matmul %p, %v4 : (tensor<1x4x?x?xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  return %o, %n : tensor<1x4x?x16xf32>, tensor<1xi64>
}

// -----

// Without mask, scaled by a product: the scale multiplies the tile's
// scores, and no mask is read. A head of 64 is 4 chunks of the tile's 16
// lanes: a product and 3 multiply-adds fold each key's products.
// CHECK-LABEL: func.func @plain
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} : tensor<2x8x?x64xf32>, vector<64xf32>
// CHECK-COUNT-4: vector.extract_strided_slice {{.*}} : vector<64xf32> to vector<16xf32>
// CHECK: scf.for
// CHECK: vector.extract_strided_slice {{.*}} : vector<64xf32> to vector<16xf32>
// CHECK-NEXT: arith.mulf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: vector.fma
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: vector.fma
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: vector.fma
// CHECK-NOT: vector.reduction <add>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// CHECK-NEXT: %[[SUMS:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NEXT: arith.mulf %[[SUMS]], %cst{{.*}} : vector<16xf32>
// CHECK-NOT: vector.transfer_read {{.*}} tensor<2x8x?x?xf32>
// CHECK: scf.forall.in_parallel
// A tile of 4 keys (NEON's vector): two halvings give the 4 scores in
// key order.
// TILE4-LABEL: func.func @plain
// TILE4: %[[P0:.*]] = vector.shuffle %[[A:.*]], %[[B:.*]] [0, 1, 4, 5]
// TILE4-NEXT: %[[P1:.*]] = vector.shuffle %[[A]], %[[B]] [2, 3, 6, 7]
// TILE4-NEXT: %[[AB:.*]] = arith.addf %[[P0]], %[[P1]]
// TILE4: %[[CD:.*]] = arith.addf
// TILE4-NEXT: %[[E:.*]] = vector.shuffle %[[AB]], %[[CD]] [0, 2, 4, 6]
// TILE4-NEXT: %[[O:.*]] = vector.shuffle %[[AB]], %[[CD]] [1, 3, 5, 7]
// TILE4-NEXT: arith.addf %[[E]], %[[O]] : vector<4xf32>
func.func @plain(%q: tensor<2x8x?x64xf32>, %k: tensor<2x8x?x64xf32>, %v: tensor<2x8x?x32xf32>) -> tensor<2x8x?x32xf32> {
  %c = edge.constant dense<0.125> : tensor<1xf32>
  %s = edge.matmul %q, %k {transpose_rhs} : (tensor<2x8x?x64xf32>, tensor<2x8x?x64xf32>) -> tensor<2x8x?x?xf32>
  %m = edge.mul %c, %s : (tensor<1xf32>, tensor<2x8x?x?xf32>) -> tensor<2x8x?x?xf32>
  %p = edge.softmax %m {axis = 3 : i64} : tensor<2x8x?x?xf32>
  %o = edge.matmul %p, %v : (tensor<2x8x?x?xf32>, tensor<2x8x?x32xf32>) -> tensor<2x8x?x32xf32>
  return %o : tensor<2x8x?x32xf32>
}

// -----

// Not attention as the kernel computes it: the probabilities are also
// returned (they would have to be written), the softmax is over another
// axis, the scale is not a constant, the head size is dynamic.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: scf.forall
// CHECK-COUNT-4: edge.softmax
func.func @kept(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: tensor<f32>, %qd: tensor<1x2x4x?xf32>, %kd: tensor<1x2x6x?xf32>)
    -> (tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) {
  %s = edge.matmul %q, %k {transpose_rhs} : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x4x6xf32>
  %p = edge.softmax %s {axis = 3 : i64} : tensor<1x2x4x6xf32>
  %o = edge.matmul %p, %v : (tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32>
  %s2 = edge.matmul %k, %q {transpose_rhs} : (tensor<1x2x6x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x6x4xf32>
  %p2 = edge.softmax %s2 {axis = 2 : i64} : tensor<1x2x6x4xf32>
  %o2 = edge.matmul %p2, %q : (tensor<1x2x6x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x6x8xf32>
  %s3 = edge.matmul %q, %k {transpose_rhs} : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x4x6xf32>
  %d3 = edge.div %s3, %scale : (tensor<1x2x4x6xf32>, tensor<f32>) -> tensor<1x2x4x6xf32>
  %p3 = edge.softmax %d3 {axis = 3 : i64} : tensor<1x2x4x6xf32>
  %o3 = edge.matmul %p3, %v : (tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32>
  %s4 = edge.matmul %qd, %kd {transpose_rhs} : (tensor<1x2x4x?xf32>, tensor<1x2x6x?xf32>) -> tensor<1x2x4x6xf32>
  %p4 = edge.softmax %s4 {axis = 3 : i64} : tensor<1x2x4x6xf32>
  %o4 = edge.matmul %p4, %v : (tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32>
  return %o, %p, %o2, %o3, %o4 : tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
}
