//===- CPUPipeline.cpp - edge -> LLVM dialect pass pipelines --------------===//

#include "edge/Pipelines/Pipelines.h"

#include "TextualPipeline.h"

#include "edge/Conversion/Passes.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::addTextualPipeline(OpPassManager &pm, StringRef pipeline) {
  // The parser resolves pass names through the global registry, which only
  // holds what a tool registered: make sure the passes used here are there.
  static std::once_flag registered;
  std::call_once(registered, [] {
    registerAllPasses();
    registerEdgeTransformsPasses();
  });
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    llvm::report_fatal_error(llvm::Twine("edge: invalid built-in pipeline: ") +
                             error);
}

void mlir::edge::buildEdgeGraphPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldConvBatchNormPass());
  pm.addNestedPass<func::FuncOp>(createFormFusionGroupsPass());
}

void mlir::edge::buildPartitionPipeline(OpPassManager &pm,
                                        llvm::StringRef devices,
                                        llvm::ArrayRef<std::string> pins,
                                        llvm::StringRef objective) {
  PlaceOnDevicesPassOptions options;
  options.devices = devices.str();
  options.pins = llvm::to_vector(pins);
  options.objective = objective.str();
  pm.addPass(createPlaceOnDevicesPass(options));
  pm.addPass(createPartitionPass());
}

void mlir::edge::buildEdgeABIPipeline(OpPassManager &pm,
                                      bool reportIndexErrors) {
  // Kernels are fused after lowering to linalg; the groups only mattered
  // to placement.
  pm.addNestedPass<func::FuncOp>(createInlineFusionGroupsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldConvBatchNormPass());
  CheckIndicesPassOptions checks;
  checks.report = reportIndexErrors;
  pm.addPass(createCheckIndicesPass(checks));
  pm.addPass(createEmitABIMetadataPass());
}

void mlir::edge::buildEdgeLoweringPipeline(
    OpPassManager &pm,
    const std::optional<TileAndVectorizePassOptions> &cpuKernels) {
  pm.addPass(createConvertEdgeToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (!cpuKernels)
    return;
  // Multiply-accumulate kernels become register tiles whose accumulators
  // the subset hoisting keeps in vector registers across the reduction.
  pm.addNestedPass<func::FuncOp>(createTileAndVectorizePass(*cpuKernels));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::edge::buildEdgeToLinalgPipeline(
    OpPassManager &pm,
    const std::optional<TileAndVectorizePassOptions> &cpuKernels) {
  // GPU kernels (no CPU kernel options) cannot call the runtime: their
  // indices are made safe without a report.
  buildEdgeABIPipeline(pm, /*reportIndexErrors=*/cpuKernels.has_value());
  buildEdgeLoweringPipeline(pm, cpuKernels);
}

void mlir::edge::buildLinalgToLLVMLoweringPipeline(OpPassManager &pm) {
  addTextualPipeline(pm, kBufferizePipeline);
  // bfloat16 arithmetic is done in f32 and its conversions become integer
  // code: a CPU without bf16 instructions would otherwise call
  // __truncsfbf2, which neither Debian 12's libgcc nor AArch64's has.
  addTextualPipeline(
      pm, "func.func(convert-linalg-to-parallel-loops,scf-forall-to-parallel),"
          "edge-outline-parallel-loops,"
          "func.func(convert-vector-to-scf{full-unroll=true},"
          "math-extend-to-supported-types{extra-types=f16 target-type=f32},"
          "arith-emulate-unsupported-floats{source-types=bf16 "
          "target-type=f32},"
          "edge-expand-bf16-conversions),"
          "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
          "convert-math-to-funcs,convert-math-to-libm,convert-math-to-llvm,"
          "convert-vector-to-llvm,"
          "finalize-memref-to-llvm{use-generic-functions},"
          "convert-arith-to-llvm,convert-index-to-llvm,"
          "convert-func-to-llvm{use-bare-ptr-memref-call-conv=true},"
          "convert-cf-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts");
}

void mlir::edge::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                           StringRef cpuRequirement) {
  buildLinalgToLLVMLoweringPipeline(pm);
  EmitABIEntryPassOptions entry;
  entry.cpuRequirement = cpuRequirement.str();
  pm.addPass(createEmitABIEntryPass(entry));
}

void mlir::edge::registerEdgePipelines() {
  PassPipelineRegistration<>(
      "edge-to-linalg", "Lower the edge dialect to linalg on tensors",
      [](OpPassManager &pm) {
        buildEdgeToLinalgPipeline(pm, TileAndVectorizePassOptions());
      });
  PassPipelineRegistration<>(
      "edge-linalg-to-llvm",
      "Bufferize and lower linalg to the LLVM dialect with the runtime entry",
      [](OpPassManager &pm) { buildLinalgToLLVMPipeline(pm); });
  PassPipelineRegistration<>(
      "edge-cpu", "The whole CPU pipeline: edge to the LLVM dialect",
      [](OpPassManager &pm) {
        buildEdgeToLinalgPipeline(pm, TileAndVectorizePassOptions());
        buildLinalgToLLVMPipeline(pm);
      });
}
