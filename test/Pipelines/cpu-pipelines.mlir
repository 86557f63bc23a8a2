// The registered CPU pipelines take the CPU as a typed option: the kernels
// get its register tiles and the library records what it needs.
// RUN: edge-opt %s --edge-cpu='cpu=x86-64-v3' | FileCheck %s --check-prefix=AVX2
// RUN: edge-opt %s --edge-cpu='cpu=znver4' | FileCheck %s --check-prefix=AVX512
// RUN: edge-opt %s --edge-cpu='cpu=cortex-a76' | FileCheck %s --check-prefix=NEON
// RUN: edge-opt %s --edge-to-linalg='cpu=x86-64-v3' --edge-linalg-to-llvm='cpu=x86-64-v3' | FileCheck %s --check-prefix=AVX2
// RUN: edge-opt %s --dump-pass-pipeline --edge-cpu='cpu=cortex-a76' -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: not edge-opt %s --edge-cpu='cpu=pentium9' 2>&1 | FileCheck %s --check-prefix=BAD-CPU

// The matmul, its zero fill and the Relu are one kernel: one loop. Each
// accumulator row is two of the target's vectors: 8 lanes each on AVX2,
// 16 on AVX-512, 4 on NEON.
// AVX2-LABEL: llvm.func internal @main_parallel0
// AVX2: llvm.intr.fmuladd{{.*}} -> vector<16xf32>
// AVX2-NOT: fmuladd{{.*}}vector<32xf32>
// AVX2: @edge_generated_cpu_requirement("x86-64-v3 {{.*}}avx2

// AVX512-LABEL: llvm.func internal @main_parallel0
// AVX512: llvm.intr.fmuladd{{.*}} -> vector<32xf32>
// AVX512: @edge_generated_cpu_requirement("znver4 {{.*}}avx512f

// NEON-LABEL: llvm.func internal @main_parallel0
// NEON: llvm.intr.fmuladd{{.*}} -> vector<8xf32>
// NEON-NOT: fmuladd{{.*}}vector<16xf32>
// NEON: @edge_generated_cpu_requirement("cortex-a76

// The pipeline is built from typed pass options, so its printed form is
// what edge-opt would run from the command line.
// PIPELINE: edge-emit-abi-metadata
// PIPELINE: convert-edge-to-linalg
// PIPELINE: edge-tile-and-vectorize{cache-bytes=262144 fuse-multiply-add=true rows=16 sliding-rows=8 vector-width=4}
// PIPELINE: edge-transpose-to-shuffles{lanes=4}
// PIPELINE: one-shot-bufferize{{.*}}bufferize-function-boundaries=true{{.*}}function-boundary-type-conversion=identity-layout-map
// PIPELINE: buffer-results-to-out-params{{.*}}hoist-static-allocs=true modify-public-functions=true
// PIPELINE: edge-plan-memory
// PIPELINE: edge-outline-parallel-loops
// PIPELINE: convert-vector-to-scf{{.*}}full-unroll=true
// PIPELINE: arith-emulate-unsupported-floats{source-types={{[{]}}bf16} target-type=f32}
// PIPELINE: finalize-memref-to-llvm{{.*}}use-generic-functions=true
// PIPELINE: convert-func-to-llvm{{.*}}use-bare-ptr-memref-call-conv=true
// PIPELINE: reconcile-unrealized-casts
// PIPELINE: edge-emit-abi-entry{cpu-requirement={{[{]}}cortex-a76 fp-armv8 neon

// BAD-CPU: error: unknown CPU 'pentium9'; known CPUs include native

func.func @main(%x: tensor<32x64xf32>) -> tensor<32x48xf32> {
  %w = edge.constant dense<0.5> : tensor<64x48xf32>
  %y = edge.matmul %x, %w : (tensor<32x64xf32>, tensor<64x48xf32>) -> tensor<32x48xf32>
  %r = edge.relu %y : tensor<32x48xf32>
  return %r : tensor<32x48xf32>
}
