// A dense array of index elements crashes MLIR 22's parser; edge-opt finds it
// first and reports it. Mentions in comments and strings are left alone.
// RUN: not edge-opt %s --allow-unregistered-dialect 2>&1 | FileCheck %s
// RUN: edge-opt --list-passes | FileCheck %s --check-prefix=PASSES

// CHECK: parser-guard.mlir:[[@LINE+3]]:20: error: dense arrays of 'index' elements are not valid attributes (and crash MLIR 22's parser); write array<i64: ...>
// PASSES: edge-tile-and-vectorize
func.func @f() {
  "test.op"() {a = array<index: 1, 2>, s = "array<index: 3>"} : () -> ()
  return
}
