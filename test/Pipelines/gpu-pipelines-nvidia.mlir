// REQUIRES: cuda-toolkit
// RUN: edge-opt %s --edge-gpu='target=nvidia:sm_90' | FileCheck %s --check-prefix=NVVM
// RUN: edge-opt %s --edge-gpu='target=nvidia:sm_90 binary=assembly' | FileCheck %s --check-prefix=PTX

// The host launches each loop nest as a kernel on one stream; the kernels
// stay NVVM in gpu.module ops carrying the chip, or become its assembly.
// NVVM: gpu.launch_func <%{{.*}} : !llvm.ptr> @main_kernel::@main_kernel
// NVVM: gpu.module @main_kernel [#nvvm.target<O = 3, chip = "sm_90"
// NVVM-NEXT: llvm.func @main_kernel(%{{.*}}: !llvm.ptr) attributes {gpu.kernel{{.*}}nvvm.kernel
// NVVM-NOT: gpu.binary
// PTX: gpu.binary @main_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90"{{.*}}assembly = "{{.*}}.target sm_90
// PTX-NOT: gpu.module

func.func @main(%x: tensor<32x64xf32>) -> tensor<32x48xf32> {
  %w = edge.constant dense<0.5> : tensor<64x48xf32>
  %y = edge.matmul %x, %w : (tensor<32x64xf32>, tensor<64x48xf32>) -> tensor<32x48xf32>
  %r = edge.relu %y : tensor<32x48xf32>
  return %r : tensor<32x48xf32>
}
