// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{vector-width=8 rows=8}),canonicalize)' -split-input-file | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-tile-and-vectorize{vector-width=8 rows=8}))' -split-input-file --remarks-filter=edge-tile-and-vectorize --remark-format=emitRemark -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Output channels that are no whole number of vectors (a classifier's
// 1000 classes) are padded up to one, when that adds at most an eighth to
// the work, so that the kernel takes the blocked tile (vectors of output
// channels) rather than vectors along a 7-wide image row.

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#bias = affine_map<(n, f, h, w) -> (f)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>

// 30 channels become 32, four blocks of 8: the weights (w[f] = f + 1) and
// the bias get zeros for the two new channels, the bias broadcast, the
// convolution and its ReLU run over 32 channels in the tiles, and the
// result is the first 30 channels of theirs.
// CHECK-LABEL: func @padded_classifier
// CHECK-DAG: arith.constant dense<{{.*}}[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<4x8xf32>
// CHECK-DAG: arith.constant dense<{{.*}}[2.500000e+01, 2.600000e+01, 2.700000e+01, 2.800000e+01, 2.900000e+01, 3.000000e+01, 0.000000e+00, 0.000000e+00]]]]]> : tensor<4x1x1x1x8xf32>
// CHECK: %[[TILES:.*]] = scf.forall {{.*}} to (4, 49) step (1, 7) {{.*}} -> (tensor<1x4x8x49xf32>)
// CHECK-NOT: linalg.generic
// CHECK: vector.fma {{.*}} : vector<7x8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8x7xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[ALL:.*]] = tensor.collapse_shape %[[TILES]] {{.*}} into tensor<1x32x49xf32>
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[ALL]][0, 0, 0] [1, 30, 49] [1, 1, 1]
// CHECK: %[[RESULT:.*]] = tensor.expand_shape %[[SLICE]] {{.*}} into tensor<1x30x7x7xf32>
// CHECK: return %[[RESULT]]
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="output loop d1 padded from 30 to 32 iterations (zero weights): whole vectors of 8 lanes"
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="register tile 1x1x7x1x1x1x8: blocked vector loop d6 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @padded_classifier(%i: tensor<1x1x7x7xf32>) -> tensor<1x30x7x7xf32> {
  %k = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]], [[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]], [[[9.0]]], [[[10.0]]], [[[11.0]]], [[[12.0]]], [[[13.0]]], [[[14.0]]], [[[15.0]]], [[[16.0]]], [[[17.0]]], [[[18.0]]], [[[19.0]]], [[[20.0]]], [[[21.0]]], [[[22.0]]], [[[23.0]]], [[[24.0]]], [[[25.0]]], [[[26.0]]], [[[27.0]]], [[[28.0]]], [[[29.0]]], [[[30.0]]]]> : tensor<30x1x1x1xf32>
  %b = arith.constant dense<1.0> : tensor<30xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x30x7x7xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<30xf32>) outs(%empty : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<1x30x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<30x1x1x1xf32>) outs(%init : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x30x7x7xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x30x7x7xf32>) outs(%empty : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x30x7x7xf32>
  return %relu : tensor<1x30x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#bias = affine_map<(n, f, h, w) -> (f)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>

// Without a bias the output starts from a fill, which is padded too.
// CHECK-LABEL: func @padded_fill
// CHECK: scf.forall {{.*}} -> (tensor<1x4x8x49xf32>)
// CHECK: vector.fma {{.*}} : vector<7x8xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0, 0] [1, 30, 49] [1, 1, 1]
// REMARK: Remark="output loop d1 padded from 30 to 32 iterations (zero weights): whole vectors of 8 lanes"
func.func @padded_fill(%i: tensor<1x1x7x7xf32>) -> tensor<1x30x7x7xf32> {
  %k = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]], [[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]], [[[9.0]]], [[[10.0]]], [[[11.0]]], [[[12.0]]], [[[13.0]]], [[[14.0]]], [[[15.0]]], [[[16.0]]], [[[17.0]]], [[[18.0]]], [[[19.0]]], [[[20.0]]], [[[21.0]]], [[[22.0]]], [[[23.0]]], [[[24.0]]], [[[25.0]]], [[[26.0]]], [[[27.0]]], [[[28.0]]], [[[29.0]]], [[[30.0]]]]> : tensor<30x1x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x30x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x30x7x7xf32>) -> tensor<1x30x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<30x1x1x1xf32>) outs(%init : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x30x7x7xf32>
  return %conv : tensor<1x30x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#bias = affine_map<(n, f, h, w) -> (f)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>

// A residual add reads the output channels from a tensor known only at
// run time, which has no padded channels: nothing is padded, and the
// convolution keeps vectors along its pixels, six channels as rows.
// CHECK-LABEL: func @residual_not_padded
// CHECK-NOT: tensor.extract_slice {{.*}} [1, 30, 49]
// CHECK: vector.fma {{.*}} : vector<6x8xf32>
// REMARK: remark: [Missed] TilePlan | Category:edge-tile-and-vectorize | Remark="output loop d1 of 30 iterations not padded to whole vectors: an input reading it is no constant, or its initializer no fill or broadcast"
// REMARK-NOT: padded from
func.func @residual_not_padded(%i: tensor<1x1x7x7xf32>, %res: tensor<1x30x7x7xf32>) -> tensor<1x30x7x7xf32> {
  %k = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]], [[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]], [[[9.0]]], [[[10.0]]], [[[11.0]]], [[[12.0]]], [[[13.0]]], [[[14.0]]], [[[15.0]]], [[[16.0]]], [[[17.0]]], [[[18.0]]], [[[19.0]]], [[[20.0]]], [[[21.0]]], [[[22.0]]], [[[23.0]]], [[[24.0]]], [[[25.0]]], [[[26.0]]], [[[27.0]]], [[[28.0]]], [[[29.0]]], [[[30.0]]]]> : tensor<30x1x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x30x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x30x7x7xf32>) -> tensor<1x30x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<30x1x1x1xf32>) outs(%init : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x30x7x7xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %res : tensor<1x30x7x7xf32>, tensor<1x30x7x7xf32>) outs(%empty : tensor<1x30x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x30x7x7xf32>
  return %add : tensor<1x30x7x7xf32>
}

// -----

#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>

#id = affine_map<(n, f, h, w) -> (n, f, h, w)>

// 9 channels would take 16, 7 of them zero: more than an eighth more
// work, so nothing is padded.
// CHECK-LABEL: func @too_few_to_pad
// CHECK-NOT: tensor.extract_slice {{.*}} [1, 9, 49]
// REMARK-NOT: padded
func.func @too_few_to_pad(%i: tensor<1x1x7x7xf32>) -> tensor<1x9x7x7xf32> {
  %k = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]], [[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]], [[[9.0]]]]> : tensor<9x1x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x9x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x9x7x7xf32>) -> tensor<1x9x7x7xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x1x7x7xf32>, tensor<9x1x1x1xf32>) outs(%init : tensor<1x9x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x9x7x7xf32>
  return %conv : tensor<1x9x7x7xf32>
}

// -----

// A long odd pixel loop (a 9x9 image as one loop of 81 pixels) has no half
// to give its rows two vectors each: it is peeled into tiles of 4 pixels of
// two vectors of channels, 30 padded to 32 for that (at most an eighth
// more work), and a remainder tile of one pixel.
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>
// CHECK-LABEL: func @padded_pairs_of_vectors
// CHECK: scf.forall ({{.*}}) = (0) to (4) step (2)
// CHECK: scf.for {{.*}} = %c0 to %c80 step %c4
// CHECK: vector.fma {{.*}} : vector<2x4x8xf32>
// CHECK: vector.fma {{.*}} : vector<2x8xf32>
// CHECK-NOT: linalg.generic
// REMARK: remark: [Analysis] TilePlan | Category:edge-tile-and-vectorize | Remark="image rows do not fill vectors of 8 lanes: one pixel loop over the image"
// REMARK: Remark="output loop d1 padded from 30 to 32 iterations (zero weights): whole vectors of 8 lanes"
// REMARK: Remark="register tile 1x2x1x1x1x1x8: blocked vector loop d6 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds, peeled rows d2 in full tiles of 4 and a remainder"
func.func @padded_pairs_of_vectors(%i: tensor<1x4x9x9xf32>) -> tensor<1x30x9x9xf32> {
  %k = arith.constant dense<0.5> : tensor<30x4x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x30x9x9xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x30x9x9xf32>) -> tensor<1x30x9x9xf32>
  %conv = linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %k : tensor<1x4x9x9xf32>, tensor<30x4x1x1xf32>) outs(%init : tensor<1x30x9x9xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x30x9x9xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x30x9x9xf32>) outs(%empty : tensor<1x30x9x9xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x30x9x9xf32>
  return %relu : tensor<1x30x9x9xf32>
}

// -----

// A matrix-vector product (one output row) has no rows to unroll into
// accumulators: its tiles take four vectors of output columns side by
// side, over weights packed in panels [N / 8, K, 8], one stream per
// vector. Its 60 columns are padded to 64, two tiles of four vectors, the
// bias with them; the result is the first 60 columns.
#x = affine_map<(m, n, k) -> (m, k)>
#w = affine_map<(m, n, k) -> (n, k)>
#o = affine_map<(m, n, k) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func @matrix_vector
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<edge_packed_weight> : tensor<8x3x8xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<edge_padded_weight> : tensor<64xf32>
// CHECK: %[[BIAS:.*]] = tensor.expand_shape %[[B]] {{.*}} into tensor<8x8xf32>
// CHECK: %[[TILES:.*]] = scf.forall (%[[N:.*]]) = (0) to (8) step (4) {{.*}} -> (tensor<1x8x8xf32>)
// CHECK: tensor.extract_slice %[[W]][%[[N]], 0, 0] [4, 3, 8]
// CHECK: tensor.extract_slice %[[BIAS]][%[[N]], 0] [4, 8]
// CHECK: scf.for
// CHECK: vector.fma {{.*}} : vector<4x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[ALL:.*]] = tensor.collapse_shape %[[TILES]] {{.*}} into tensor<1x64xf32>
// CHECK: %[[RESULT:.*]] = tensor.extract_slice %[[ALL]][0, 0] [1, 60] [1, 1]
// CHECK: return %[[RESULT]]
// REMARK: Remark="output loop d1 padded from 60 to 64 iterations (zero weights): whole vectors of 8 lanes"
// REMARK: Remark="register tile 1x4x1x8: blocked vector loop d3 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @matrix_vector(%x: tensor<1x3xf32>) -> tensor<1x60xf32> {
  %w = arith.constant dense<0.5> : tensor<60x3xf32>
  %b = arith.constant dense<2.0> : tensor<60xf32>
  %empty = tensor.empty() : tensor<1x60xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<60xf32>) outs(%empty : tensor<1x60xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<1x60xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x3xf32>, tensor<60x3xf32>) outs(%init : tensor<1x60xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x60xf32>
  return %y : tensor<1x60xf32>
}

// -----

// 48 columns, six vectors, would need a third more work to make whole
// tiles of four: the tiles take three vectors instead, unpadded.
#x = affine_map<(m, n, k) -> (m, k)>
#w = affine_map<(m, n, k) -> (k, n)>
#o = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func @matrix_vector_three_vectors
// CHECK: arith.constant dense_resource<edge_packed_weight> : tensor<6x3x8xf32>
// CHECK: scf.forall ({{.*}}) = (0) to (6) step (3) {{.*}} -> (tensor<1x6x8xf32>)
// CHECK: vector.fma {{.*}} : vector<3x8xf32>
// CHECK-NOT: tensor.extract_slice {{.*}} [1, 48]
// REMARK-NOT: padded
// REMARK: Remark="register tile 1x3x1x8: blocked vector loop d3 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @matrix_vector_three_vectors(%x: tensor<1x3xf32>) -> tensor<1x48xf32> {
  %w = arith.constant dense<0.5> : tensor<3x48xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x48xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x48xf32>) -> tensor<1x48xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x3xf32>, tensor<3x48xf32>) outs(%init : tensor<1x48xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x48xf32>
  return %y : tensor<1x48xf32>
}

// -----

// Weights computed at run time cannot be packed: the product keeps the
// tiles of one vector.
#x = affine_map<(m, n, k) -> (m, k)>
#w = affine_map<(m, n, k) -> (k, n)>
#o = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func @matrix_vector_of_inputs
// CHECK: scf.forall ({{.*}}) = (0) to (48) step (8) {{.*}} -> (tensor<1x48xf32>)
// CHECK: vector.fma {{.*}} : vector<8xf32>
// REMARK-NOT: padded
// REMARK: Remark="register tile 1x8x1: vector loop d1 (8 lanes, vector-width 8), rows (at most 8), fused multiply-adds"
func.func @matrix_vector_of_inputs(%x: tensor<1x3xf32>, %w: tensor<3x48xf32>) -> tensor<1x48xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x48xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x48xf32>) -> tensor<1x48xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x3xf32>, tensor<3x48xf32>) outs(%init : tensor<1x48xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x48xf32>
  return %y : tensor<1x48xf32>
}
