// RUN: edge-opt %s --edge-reassociate-reductions | FileCheck %s

// Float sums may be reassociated (a tree of shuffles in LLVM); other kinds
// and integer sums keep their flags.
// CHECK-LABEL: func @reductions
// CHECK: vector.reduction <add>, %arg0 fastmath<reassoc> : vector<64xf32> into f32
// CHECK: vector.reduction <add>, %arg0, %arg2 fastmath<reassoc,nnan> : vector<64xf32> into f32
// CHECK: vector.reduction <maximumf>, %arg0 : vector<64xf32> into f32
// CHECK: vector.reduction <add>, %arg1 : vector<8xi32> into i32
func.func @reductions(%v: vector<64xf32>, %i: vector<8xi32>, %acc: f32) -> (f32, f32, f32, i32) {
  %0 = vector.reduction <add>, %v : vector<64xf32> into f32
  %1 = vector.reduction <add>, %v, %acc fastmath<nnan> : vector<64xf32> into f32
  %2 = vector.reduction <maximumf>, %v : vector<64xf32> into f32
  %3 = vector.reduction <add>, %i : vector<8xi32> into i32
  return %0, %1, %2, %3 : f32, f32, f32, i32
}
