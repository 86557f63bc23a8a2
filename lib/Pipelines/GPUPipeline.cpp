//===- GPUPipeline.cpp - linalg -> host code launching GPU kernels --------===//

#include "edge/Pipelines/Pipelines.h"

#include "TextualPipeline.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::buildLinalgToGPULoweringPipeline(OpPassManager &pm,
                                                  const GPUTarget &target) {
  addTextualPipeline(pm, kBufferizePipeline);
  // Every loop nest becomes a kernel over device buffers; the host keeps
  // the allocations and launches (one stream per run: gpu-async-region).
  // Constants and index arithmetic are sunk into the kernels before they
  // are outlined, so launch bounds and strides stay compile-time constants
  // in the device code (divisions by them become multiplications). Integer
  // powers become functions, which outlining copies into the kernels.
  addTextualPipeline(pm, "func.func(convert-linalg-to-parallel-loops,"
                         "edge-map-to-gpu,cse),"
                         "edge-gpu-device-buffers,"
                         "func.func(gpu-launch-sink-index-computations),"
                         "convert-math-to-funcs,gpu-kernel-outlining,"
                         "func.func(gpu-async-region)");
  bool nvidia = target.vendor == GPUTarget::Vendor::NVIDIA;
  if (nvidia)
    addTextualPipeline(
        pm, llvm::formatv("nvvm-attach-target{{chip={0} features={1} O=3}",
                          target.chip, target.features)
                .str());
  else
    addTextualPipeline(
        pm,
        llvm::formatv("rocdl-attach-target{{chip={0} O=3}", target.chip).str());
  // Kernels and host code share the loop and index lowering; math in
  // kernels goes to libdevice (NVIDIA) or the device libraries (AMD).
  addTextualPipeline(pm,
                     "expand-strided-metadata,lower-affine,convert-scf-to-cf");
  // Kernels take bare pointers like the host functions: the launch passes
  // each buffer as one pointer, and both sides must agree on that.
  addTextualPipeline(
      pm, nvidia
              ? "gpu.module(convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv})"
              : "gpu.module(convert-gpu-to-rocdl{use-bare-ptr-memref-call-conv})");
  addTextualPipeline(
      pm, "gpu-to-llvm{use-bare-pointers-for-host=true "
          "use-bare-pointers-for-kernels=true},"
          "finalize-memref-to-llvm,convert-arith-to-llvm,"
          "convert-index-to-llvm,"
          "convert-func-to-llvm{use-bare-ptr-memref-call-conv=true},"
          "convert-cf-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts");
}

void mlir::edge::buildLinalgToGPUPipeline(OpPassManager &pm,
                                          const GPUTarget &target,
                                          StringRef cpuRequirement) {
  buildLinalgToGPULoweringPipeline(pm, target);
  EmitABIEntryPassOptions options;
  options.deviceTarget = target.str();
  options.cpuRequirement = cpuRequirement.str();
  pm.addPass(createEmitABIEntryPass(options));
}

void mlir::edge::buildGPUBinaryPipeline(OpPassManager &pm,
                                        const GPUTarget &target,
                                        GPUBinaryFormat format) {
  bool nvidia = target.vendor == GPUTarget::Vendor::NVIDIA;
  StringRef name;
  switch (format) {
  case GPUBinaryFormat::Embedded:
    // NVIDIA: a fatbin holds the cubin ptxas made for the chip and the PTX
    // (for newer chips); AMD: the HSA code object.
    name = nvidia ? "fatbin" : "bin";
    break;
  case GPUBinaryFormat::Assembly:
    name = "isa";
    break;
  }
  addTextualPipeline(
      pm, llvm::formatv("gpu-module-to-binary{{format={0} toolkit={1}}", name,
                        target.toolkitPath)
              .str());
}
