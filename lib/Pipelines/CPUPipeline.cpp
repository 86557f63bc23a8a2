//===- CPUPipeline.cpp - edge -> LLVM dialect pass pipelines --------------===//

#include "edge/Pipelines/Pipelines.h"

#include "PipelineParts.h"

#include "edge/Conversion/Passes.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::buildEdgeGraphPipeline(OpPassManager &pm,
                                        WeightQuantization weights) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldConvBatchNormPass());
  QuantizeWeightsPassOptions quantize;
  quantize.weights = weights;
  pm.addNestedPass<func::FuncOp>(createQuantizeWeightsPass(quantize));
  pm.addNestedPass<func::FuncOp>(createFormFusionGroupsPass());
}

void mlir::edge::buildPartitionPipeline(OpPassManager &pm,
                                        llvm::StringRef devices,
                                        llvm::ArrayRef<std::string> pins,
                                        llvm::StringRef objective,
                                        llvm::ArrayRef<std::string> profiles) {
  PlaceOnDevicesPassOptions options;
  options.devices = devices.str();
  options.pins = llvm::to_vector(pins);
  options.objective = objective.str();
  options.profileFeedback = llvm::to_vector(profiles);
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
  // Attention becomes one kernel over the keys on CPUs, a tile of keys'
  // scores in one vector register.
  if (cpuKernels) {
    FuseAttentionPassOptions attention;
    attention.keyTile = cpuKernels->vectorWidth;
    pm.addNestedPass<func::FuncOp>(createFuseAttentionPass(attention));
  }
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
  // The hoisted accumulators of a tile of channel vectors are transposed
  // to the output's layout once per tile.
  if (llvm::isPowerOf2_64(cpuKernels->vectorWidth) &&
      cpuKernels->vectorWidth > 1) {
    TransposeToShufflesPassOptions transposes;
    transposes.lanes = cpuKernels->vectorWidth;
    pm.addNestedPass<func::FuncOp>(createTransposeToShufflesPass(transposes));
  }
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
  addBufferizePipeline(pm);
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createConvertLinalgToParallelLoopsPass());
  loops.addPass(createForallToParallelLoopPass());
  // Parallel loops become functions the runtime's thread pool calls.
  pm.addPass(createOutlineParallelLoopsPass());

  OpPassManager &scalars = pm.nest<func::FuncOp>();
  // Dot-product kernels reduce a vector to a scalar (vector.reduction).
  scalars.addPass(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  scalars.addPass(createReassociateReductionsPass());
  scalars.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll(true)));
  // f16 math is computed in f32; bfloat16 arithmetic too, and its
  // conversions become integer code: a CPU without bf16 instructions would
  // otherwise call __truncsfbf2, which neither Debian 12's libgcc nor
  // AArch64's has.
  math::MathExtendToSupportedTypesOptions mathTypes;
  mathTypes.extraTypeStrs = {"f16"};
  scalars.addPass(math::createMathExtendToSupportedTypes(mathTypes));
  arith::ArithEmulateUnsupportedFloatsOptions emulated;
  emulated.sourceTypeStrs = {"bf16"};
  scalars.addPass(arith::createArithEmulateUnsupportedFloats(emulated));
  scalars.addPass(createExpandBF16ConversionsPass());
  // tanh, erf and exp as arithmetic the loop vectorizer handles, not libm
  // calls.
  scalars.addPass(createApproximateMathPass());

  addLoopsToControlFlowPipeline(pm);
  pm.addPass(createConvertMathToFuncs());
  // LLVM's intrinsics first: floor, ceil, round, sqrt and fabs are one
  // instruction on every target and stay vectors, where libm would take a
  // call per lane (the exp approximation's floor in every softmax, SiLU and
  // attention kernel). libm gets what LLVM has no intrinsic for (atan,
  // tanh, ...).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  FinalizeMemRefToLLVMConversionPassOptions memrefs;
  memrefs.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefs));
  addFinalLLVMConversions(pm);
}

void mlir::edge::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                           StringRef cpuRequirement) {
  buildLinalgToLLVMLoweringPipeline(pm);
  EmitABIEntryPassOptions entry;
  entry.cpuRequirement = cpuRequirement.str();
  pm.addPass(createEmitABIEntryPass(entry));
}
