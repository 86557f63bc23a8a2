// REQUIRES: rocm-device-libs
// RUN: edge-opt %s --edge-gpu='target=amd:gfx942' | FileCheck %s --check-prefix=ROCDL
// RUN: edge-opt %s --edge-gpu='target=amd:gfx942 binary=assembly' | FileCheck %s --check-prefix=ISA

// The host launches each loop nest as a kernel on one stream; the kernels
// stay ROCDL in gpu.module ops carrying the chip, or become its assembly.
// ROCDL: gpu.launch_func <%{{.*}} : !llvm.ptr> @main_kernel::@main_kernel
// ROCDL: gpu.module @main_kernel [#rocdl.target<O = 3, chip = "gfx942"
// ROCDL-NEXT: llvm.func @main_kernel(%{{.*}}: !llvm.ptr) attributes {gpu.kernel{{.*}}rocdl.kernel
// ROCDL-NOT: gpu.binary
// ISA: gpu.binary @main_kernel [#gpu.object<#rocdl.target<O = 3, chip = "gfx942"{{.*}}assembly = "{{.*}}amdgcn-amd-amdhsa--gfx942
// ISA-NOT: gpu.module

func.func @main(%x: tensor<32x64xf32>) -> tensor<32x48xf32> {
  %w = edge.constant dense<0.5> : tensor<64x48xf32>
  %y = edge.matmul %x, %w : (tensor<32x64xf32>, tensor<64x48xf32>) -> tensor<32x48xf32>
  %r = edge.relu %y : tensor<32x48xf32>
  return %r : tensor<32x48xf32>
}
