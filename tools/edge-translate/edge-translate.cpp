//===- edge-translate.cpp - Translations into and out of edge -------------===//
//
// mlir-translate with `--import-onnx` (ONNX binary or text syntax to the
// edge dialect) next to the upstream translations (e.g. --mlir-to-llvmir).
//
//===----------------------------------------------------------------------===//

#include "edge/Conversion/ImportONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::edge::registerImportONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "edge translation driver\n"));
}
