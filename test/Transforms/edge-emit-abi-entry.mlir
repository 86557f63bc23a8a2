// RUN: edge-opt %s --edge-emit-abi-entry -split-input-file -verify-diagnostics | FileCheck %s

// The entry loads one pointer per parameter from its argument and calls the
// model function; the names no longer needed are dropped.
// CHECK-LABEL: llvm.func @main_graph(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @edge_generated_entry
// CHECK-SAME: (%[[BUFFERS:.*]]: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[BUFFERS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[BUFFERS]][1]
// CHECK: %[[P1:.*]] = llvm.load %[[S1]]
// CHECK: %[[S2:.*]] = llvm.getelementptr %[[BUFFERS]][2]
// CHECK: %[[P2:.*]] = llvm.load %[[S2]]
// CHECK: llvm.call @main_graph(%[[P0]], %[[P1]], %[[P2]])
// CHECK: llvm.return
llvm.func @main_graph(%a: !llvm.ptr {edge.name = "a"}, %b: !llvm.ptr, %out: !llvm.ptr) attributes {edge.entry} {
  llvm.return
}

// -----

// expected-error @+1 {{no lowered function is tagged 'edge.entry' (run edge-emit-abi-metadata first)}}
module {
  llvm.func @f() {
    llvm.return
  }
}

// -----

// expected-error @+1 {{model parameters must be bare pointers (lower with use-bare-ptr-memref-call-conv), got 'i64'}}
llvm.func @main_graph(%a: i64) attributes {edge.entry} {
  llvm.return
}
