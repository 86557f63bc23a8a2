// The registered GPU pipeline takes the target chip as a typed option and
// optionally serializes the kernels.
// RUN: not edge-opt %s --edge-gpu='target=nvidia:sm_1' 2>&1 | FileCheck %s --check-prefix=BAD-CHIP
// RUN: not edge-opt %s --edge-gpu='target=amd:gfx942 binary=elf' 2>&1 | FileCheck %s --check-prefix=BAD-BINARY

// BAD-CHIP: error: --target=nvidia:sm_1: unknown NVIDIA chip
// BAD-BINARY: error: edge-gpu: binary must be none, embedded or assembly, not 'elf'

func.func @main(%x: tensor<32x64xf32>) -> tensor<32x48xf32> {
  %w = edge.constant dense<0.5> : tensor<64x48xf32>
  %y = edge.matmul %x, %w : (tensor<32x64xf32>, tensor<64x48xf32>) -> tensor<32x48xf32>
  %r = edge.relu %y : tensor<32x48xf32>
  return %r : tensor<32x48xf32>
}
