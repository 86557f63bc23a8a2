//===- Registration.cpp - Register edge dialects and passes ---------------===//

#include "edge/Registration.h"

#include "edge/Conversion/Passes.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Pipelines/Pipelines.h"
#include "edge/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::edge::registerAllEdgeDialects(DialectRegistry &registry) {
  registry.insert<EdgeDialect>();
}

void mlir::edge::registerAllEdgePasses() {
  registerEdgeConversionPasses();
  registerEdgeTransformsPasses();
  registerEdgePipelines();
}
