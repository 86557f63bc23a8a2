//===- PipelineParts.cpp - Pieces shared by the CPU and GPU pipelines -----===//

#include "PipelineParts.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::addBufferizePipeline(OpPassManager &pm) {
  OpPassManager &beforeBufferization = pm.nest<func::FuncOp>();
  beforeBufferization.addPass(createDynamicShapesABIPass());
  beforeBufferization.addPass(createDistinctResultsPass());
  beforeBufferization.addPass(createPadInPlacePass());
  beforeBufferization.addPass(createConcatInPlacePass());
  beforeBufferization.addPass(createWriteIntoDestinationsPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A result computed into views of its buffer (a kernel's reshaped view
  // of its output) is returned through the inverse reshapes; folded away,
  // the buffer itself is returned, which BufferResultsToOutParams then
  // replaces by the caller's: no allocation and no copy.
  pm.addPass(createCanonicalizerPass());

  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);

  OpPassManager &afterBufferization = pm.nest<func::FuncOp>();
  afterBufferization.addPass(createEmptyArgumentBuffersPass());
  afterBufferization.addPass(createPlanMemoryPass());
  pm.addPass(createMemrefCopyToLinalgPass());
}

void mlir::edge::addLoopsToControlFlowPipeline(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
}

void mlir::edge::addFinalLLVMConversions(OpPassManager &pm) {
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcs;
  funcs.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcs));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}
