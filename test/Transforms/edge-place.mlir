// RUN: edge-opt %s --pass-pipeline='builtin.module(edge-place{devices=host,h100})' | FileCheck %s
// RUN: edge-opt %s --pass-pipeline='builtin.module(edge-place{devices=host,h100 pins=big=host})' | FileCheck %s --check-prefix=PINNED
// RUN: not edge-opt %s --pass-pipeline='builtin.module(edge-place{devices=host,h100 pins=nothing=h100})' 2>&1 | FileCheck %s --check-prefix=BADPIN
// RUN: not edge-opt %s --pass-pipeline='builtin.module(edge-place{devices=host,tpu})' 2>&1 | FileCheck %s --check-prefix=BADDEVICE
// RUN: edge-opt %S/Inputs/pinned.mlir --pass-pipeline='builtin.module(edge-place{devices=host,h100})' -split-input-file -verify-diagnostics | FileCheck %S/Inputs/pinned.mlir

// The 512x512x512 matmul (268 MFLOP) pays for its transfers to an H100 and
// the elementwise tail follows it (the result crosses the link either way,
// and the tail is 30 times faster there). Constants get no device. A pin
// keeps the matmul on the host, and the tail with it.
// Each device carries the placer's cost of a copy to every device (PCIe 5:
// 10 us and 25 GB/s), for the schedule's copy estimates.
// CHECK: module attributes {edge.devices = [{kind = "cpu", name = "host", transfer_latency = array<f64: 0.000000e+00, 9.9999999999999991E-6>, transfer_seconds_per_byte = array<f64: 0.000000e+00, 4.000000e-11>}, {kind = "nvidia", name = "h100", transfer_latency = array<f64: 9.9999999999999991E-6, 0.000000e+00>, transfer_seconds_per_byte = array<f64: 4.000000e-11, 0.000000e+00>}]}
// CHECK: edge.constant
// CHECK-NOT: edge.device
// CHECK: edge.matmul {{.*}} {edge.device = "h100"{{.*}}}
// CHECK: edge.fusion_group "elementwise" attributes {edge.device = "h100"{{.*}}}

// PINNED: edge.matmul {{.*}} {edge.device = "host"{{.*}}}
// PINNED: edge.fusion_group "elementwise" attributes {edge.device = "host"{{.*}}}

// BADPIN: error: --pin nothing=h100: no node named 'nothing'
// BADDEVICE: error: --devices: unknown preset 'tpu'
func.func @model(%x: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %w = edge.constant dense<1.0> : tensor<512x512xf32>
  %m = edge.matmul %x, %w : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32> loc("big")
  %g = edge.fusion_group "elementwise" {
    %n = edge.neg %m : tensor<512x512xf32>
    %e = edge.exp %n : tensor<512x512xf32>
    edge.yield %e : tensor<512x512xf32>
  } : tensor<512x512xf32> loc("tail")
  return %g : tensor<512x512xf32>
}
