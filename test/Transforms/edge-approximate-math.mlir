// RUN: edge-opt %s --edge-approximate-math | FileCheck %s
// RUN: edge-opt %s --edge-approximate-math='functions=tanh' | FileCheck %s --check-prefix=TANH

// tanh, erf and exp become polynomial arithmetic, for scalars and vectors
// of any rank, with vector.fma or LLVM's fma intrinsic rather than math.fma
// (which libm lowering would make a call); other functions stay.
// CHECK-LABEL: func @approximated
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.fma
// CHECK: vector.fma {{.*}} : vector<2x4xf32>
// CHECK: llvm.intr.fma
// CHECK: math.log
// TANH-LABEL: func @approximated
// TANH-NOT: math.tanh
// TANH: math.erf
// TANH: math.exp
func.func @approximated(%x: f32, %v: vector<2x4xf32>) -> (f32, vector<2x4xf32>, f32, f32) {
  %0 = math.tanh %x : f32
  %1 = math.erf %v : vector<2x4xf32>
  %2 = math.exp %0 : f32
  %3 = math.log %x : f32
  return %0, %1, %2, %3 : f32, vector<2x4xf32>, f32, f32
}
