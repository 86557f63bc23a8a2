//===- ImportFuzzer.cpp - Fuzz the ONNX importer and graph pipeline -------===//
//
// Bytes -> ModelProto (binary protobuf, or the ONNX text syntax when built
// with EDGE_FUZZ_BUFFER_NAME="fuzz.onnxtxt") -> edge IR -> verifier -> the
// graph pipeline. Diagnostics are expected; a crash, a sanitizer report or
// a hang is a bug.
//
//===----------------------------------------------------------------------===//

#include "edge/Conversion/ImportONNX/ImportONNX.h"
#include "edge/Pipelines/Pipelines.h"
#include "edge/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *registry = new mlir::DialectRegistry();
    mlir::edge::registerAllEdgeDialects(*registry);
    mlir::edge::registerImportONNXDialects(*registry);
    return registry;
  }();
  mlir::MLIRContext context(*registry,
                            mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef contents(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::edge::importONNXModel(contents, EDGE_FUZZ_BUFFER_NAME, &context);
  if (!module)
    return 0;
  mlir::PassManager pm(&context);
  mlir::edge::buildEdgeGraphPipeline(pm);
  (void)pm.run(*module);
  return 0;
}
