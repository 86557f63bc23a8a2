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

FailureOr<CPUTarget> resolveTarget(const EdgeCPUPipelineOptions &options,
                                   ErrorHandler onError) {
  llvm::Expected<CPUTarget> target =
      resolveCPUTarget(options.cpu, options.features);
  if (!target) {
    (void)onError(llvm::toString(target.takeError()));
    return failure();
  }
  return *target;
}

} // namespace

void mlir::edge::registerEdgePipelines() {
  registerValidatedPipeline<EdgeCPUPipelineOptions>(
      "edge-to-linalg",
      "Lower the edge dialect to linalg on tensors, with the kernels tiled "
      "for a CPU",
      [](OpPassManager &pm, const EdgeCPUPipelineOptions &options,
         ErrorHandler onError) -> LogicalResult {
        FailureOr<CPUTarget> target = resolveTarget(options, onError);
        if (failed(target))
          return failure();
        buildEdgeToLinalgPipeline(pm, target->getKernelOptions());
        return success();
      });
  registerValidatedPipeline<EdgeCPUPipelineOptions>(
      "edge-linalg-to-llvm",
      "Bufferize and lower linalg to the LLVM dialect with the runtime "
      "entry, recording the CPU the code needs",
      [](OpPassManager &pm, const EdgeCPUPipelineOptions &options,
         ErrorHandler onError) -> LogicalResult {
        FailureOr<CPUTarget> target = resolveTarget(options, onError);
        if (failed(target))
          return failure();
        buildLinalgToLLVMPipeline(pm, target->getRequirementRecord());
        return success();
      });
  registerValidatedPipeline<EdgeCPUPipelineOptions>(
      "edge-cpu", "The whole CPU pipeline: edge to the LLVM dialect",
      [](OpPassManager &pm, const EdgeCPUPipelineOptions &options,
         ErrorHandler onError) -> LogicalResult {
        FailureOr<CPUTarget> target = resolveTarget(options, onError);
        if (failed(target))
          return failure();
        buildEdgeToLinalgPipeline(pm, target->getKernelOptions());
        buildLinalgToLLVMPipeline(pm, target->getRequirementRecord());
        return success();
      });
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
