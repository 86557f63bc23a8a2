// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-expand-bf16-conversions))' | FileCheck %s

// A truncation to bf16 rounds the f32 bits to nearest even with integer
// operations; no arith.truncf (LLVM's __truncsfbf2) is left.
// CHECK-LABEL: func @truncate
// CHECK: arith.bitcast {{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.trunci {{.*}} : i32 to i16
// CHECK: arith.bitcast {{.*}} : i16 to bf16
// CHECK-NOT: arith.truncf
func.func @truncate(%x: f32) -> bf16 {
  %r = arith.truncf %x : f32 to bf16
  return %r : bf16
}

// Vectors too, and extension back to f32 is a shift of the bits.
// CHECK-LABEL: func @round_trip
// CHECK-NOT: arith.truncf
// CHECK: arith.shli {{.*}} : vector<8xi32>
// CHECK-NOT: arith.extf
func.func @round_trip(%x: vector<8xf32>) -> vector<8xf32> {
  %b = arith.truncf %x : vector<8xf32> to vector<8xbf16>
  %r = arith.extf %b : vector<8xbf16> to vector<8xf32>
  return %r : vector<8xf32>
}

// Everything else is left alone: maximumf stays one op (arith-expand would
// rewrite it into compares and selects), other conversions keep theirs.
// CHECK-LABEL: func @untouched
// CHECK: arith.maximumf
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @untouched(%x: f32, %y: f32) -> f16 {
  %m = arith.maximumf %x, %y : f32
  %h = arith.truncf %m : f32 to f16
  return %h : f16
}
