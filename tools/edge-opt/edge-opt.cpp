//===- edge-opt.cpp - mlir-opt with the edge dialect and passes -----------===//

#include "edge/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::edge::registerAllEdgePasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to NVVM/ROCDL LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::edge::registerAllEdgeDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "edge optimizer driver\n", registry));
}
