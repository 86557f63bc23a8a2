// RUN: edge-opt %s --edge-emit-abi-entry -split-input-file -verify-diagnostics | FileCheck %s

// The entry switches on the partition index; each case loads one pointer
// per parameter from the buffer array and calls that partition. The names
// no longer needed are dropped.
// CHECK-LABEL: llvm.func @main_graph(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @edge_generated_entry
// CHECK-SAME: (%[[INDEX:.*]]: i32, %[[BUFFERS:.*]]: !llvm.ptr)
// CHECK: llvm.switch %[[INDEX]] : i32, ^[[DONE:.*]] [
// CHECK-NEXT: 0: ^[[CASE:.*]]
// CHECK-NEXT: ]
// CHECK: ^[[CASE]]:
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[BUFFERS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[BUFFERS]][1]
// CHECK: %[[P1:.*]] = llvm.load %[[S1]]
// CHECK: %[[S2:.*]] = llvm.getelementptr %[[BUFFERS]][2]
// CHECK: %[[P2:.*]] = llvm.load %[[S2]]
// CHECK: llvm.call @main_graph(%[[P0]], %[[P1]], %[[P2]])
// CHECK: llvm.br ^[[DONE]]
// CHECK: ^[[DONE]]:
// CHECK-NEXT: llvm.return
// Without a memory plan, no workspace.
// CHECK: llvm.mlir.global external constant @edge_generated_workspace_bytes(0 : i64)
llvm.func @main_graph(%a: !llvm.ptr {edge.name = "a"}, %b: !llvm.ptr, %out: !llvm.ptr) attributes {edge.entry = 0 : i32} {
  llvm.return
}

// -----

// A partitioned model has one case per partition.
// CHECK-LABEL: llvm.func @edge_generated_entry
// CHECK: llvm.switch
// CHECK-NEXT: 0: ^[[P0:[a-z0-9]*]],
// CHECK-NEXT: 1: ^[[P1:[a-z0-9]*]]
// CHECK: ^[[P0]]:
// CHECK: llvm.call @model_p0
// CHECK: ^[[P1]]:
// CHECK: llvm.call @model_p1
// Partitions run one at a time: the workspace is their largest arena.
// CHECK: llvm.mlir.global external constant @edge_generated_workspace_bytes(4096 : i64)
llvm.func @model_p1(%a: !llvm.ptr) attributes {edge.entry = 1 : i32, edge.arena_bytes = 4096 : i64} {
  llvm.return
}
llvm.func @model_p0(%a: !llvm.ptr, %b: !llvm.ptr) attributes {edge.entry = 0 : i32, edge.arena_bytes = 1024 : i64} {
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
llvm.func @main_graph(%a: i64) attributes {edge.entry = 0 : i32} {
  llvm.return
}

// -----

llvm.func @a() attributes {edge.entry = 0 : i32} {
  llvm.return
}
// expected-error @+1 {{two functions are entry 0}}
llvm.func @b() attributes {edge.entry = 0 : i32} {
  llvm.return
}
