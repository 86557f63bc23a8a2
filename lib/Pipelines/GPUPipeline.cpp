//===- GPUPipeline.cpp - linalg -> host code launching GPU kernels --------===//

#include "edge/Pipelines/Pipelines.h"

#include "PipelineParts.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::buildLinalgToGPULoweringPipeline(OpPassManager &pm,
                                                  const GPUTarget &target) {
  addBufferizePipeline(pm);
  // Every loop nest becomes a kernel over device buffers; the host keeps
  // the allocations and launches (one stream per run: gpu-async-region).
  // Constants and index arithmetic are sunk into the kernels before they
  // are outlined, so launch bounds and strides stay compile-time constants
  // in the device code (divisions by them become multiplications). Integer
  // powers become functions, which outlining copies into the kernels.
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createConvertLinalgToParallelLoopsPass());
  loops.addPass(createMapToGPUPass());
  loops.addPass(createCSEPass());
  pm.addPass(createGPUDeviceBuffersPass());
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  bool nvidia = target.vendor == GPUTarget::Vendor::NVIDIA;
  if (nvidia) {
    GpuNVVMAttachTargetOptions attach;
    attach.chip = target.chip;
    attach.features = target.features;
    attach.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(attach));
  } else {
    GpuROCDLAttachTargetOptions attach;
    attach.chip = target.chip;
    attach.optLevel = 3;
    pm.addPass(createGpuROCDLAttachTarget(attach));
  }
  // Kernels and host code share the loop and index lowering; math in
  // kernels goes to libdevice (NVIDIA) or the device libraries (AMD).
  addLoopsToControlFlowPipeline(pm);
  // Kernels take bare pointers like the host functions: the launch passes
  // each buffer as one pointer, and both sides must agree on that.
  if (nvidia) {
    ConvertGpuOpsToNVVMOpsOptions kernels;
    kernels.useBarePtrCallConv = true;
    pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(kernels));
  } else {
    ConvertGpuOpsToROCDLOpsOptions kernels;
    kernels.useBarePtrCallConv = true;
    pm.addNestedPass<gpu::GPUModuleOp>(
        createConvertGpuOpsToROCDLOps(kernels));
  }
  GpuToLLVMConversionPassOptions launches;
  launches.hostBarePtrCallConv = true;
  launches.kernelBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(launches));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  addFinalLLVMConversions(pm);
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
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = name.str();
  binary.toolkitPath = target.toolkitPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
