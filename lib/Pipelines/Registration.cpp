//===- Registration.cpp - edge pipelines as edge-opt options --------------===//

#include "edge/Pipelines/CPUTarget.h"
#include "edge/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/Error.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

using ErrorHandler = function_ref<LogicalResult(const Twine &)>;

/// PassPipelineRegistration whose builder may reject its options' values
/// (an unknown CPU or GPU) through the pass manager's error handler, so
/// that edge-opt prints a message instead of building half a pipeline.
template <typename Options>
void registerValidatedPipeline(
    StringRef argument, StringRef description,
    std::function<LogicalResult(OpPassManager &, const Options &,
                                ErrorHandler)>
        builder) {
  registerPassPipeline(
      argument, description,
      [builder](OpPassManager &pm, StringRef text, ErrorHandler onError) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        return builder(pm, options, onError);
      },
      [](function_ref<void(const detail::PassOptions &)> printOptions) {
        printOptions(Options());
      });
}

/// Registers a CPU pipeline: edge -> linalg on tensors with the kernels
/// tiled for the options' CPU, and/or linalg -> LLVM recording that CPU.
void registerCPUPipeline(StringRef argument, StringRef description,
                         bool edgeToLinalg, bool linalgToLLVM) {
  registerValidatedPipeline<EdgeCPUPipelineOptions>(
      argument, description,
      [=](OpPassManager &pm, const EdgeCPUPipelineOptions &options,
          ErrorHandler onError) -> LogicalResult {
        llvm::Expected<CPUTarget> target =
            resolveCPUTarget(options.cpu, options.features);
        if (!target)
          return onError(llvm::toString(target.takeError()));
        if (edgeToLinalg)
          buildEdgeToLinalgPipeline(pm, target->getKernelOptions());
        if (linalgToLLVM)
          buildLinalgToLLVMPipeline(pm, target->getRequirementRecord());
        return success();
      });
}

} // namespace

void mlir::edge::registerEdgePipelines() {
  registerCPUPipeline("edge-to-linalg",
                      "Lower the edge dialect to linalg on tensors, with the "
                      "kernels tiled for a CPU",
                      /*edgeToLinalg=*/true, /*linalgToLLVM=*/false);
  registerCPUPipeline("edge-linalg-to-llvm",
                      "Bufferize and lower linalg to the LLVM dialect with the "
                      "runtime entry, recording the CPU the code needs",
                      /*edgeToLinalg=*/false, /*linalgToLLVM=*/true);
  registerCPUPipeline("edge-cpu",
                      "The whole CPU pipeline: edge to the LLVM dialect",
                      /*edgeToLinalg=*/true, /*linalgToLLVM=*/true);
  registerValidatedPipeline<EdgeGPUPipelineOptions>(
      "edge-gpu",
      "The whole GPU pipeline: edge to host code in the LLVM dialect that "
      "launches NVVM or ROCDL kernels",
      [](OpPassManager &pm, const EdgeGPUPipelineOptions &options,
         ErrorHandler onError) -> LogicalResult {
        GPUTarget target;
        std::string error;
        if (failed(parseGPUTarget(options.target, target, error)))
          return onError(error);
        std::optional<GPUBinaryFormat> format;
        if (options.binary == "embedded")
          format = GPUBinaryFormat::Embedded;
        else if (options.binary == "assembly")
          format = GPUBinaryFormat::Assembly;
        else if (options.binary != "none")
          return onError("edge-gpu: binary must be none, embedded or "
                         "assembly, not '" +
                         options.binary + "'");
        buildEdgeToLinalgPipeline(pm, /*cpuKernels=*/std::nullopt);
        buildLinalgToGPUPipeline(pm, target);
        if (format)
          buildGPUBinaryPipeline(pm, target, *format);
        return success();
      });
}
