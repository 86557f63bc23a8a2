//===- ImportONNX.h - Import ONNX models into the edge dialect --*- C++ -*-===//
//
// The importer reads an ONNX ModelProto (binary protobuf, or the ONNX text
// syntax), runs ONNX shape inference, and builds a module with one public
// `func.func` whose arguments and results are the graph's inputs and outputs
// (named by `edge.name` attributes). Initializers become `edge.constant`s
// (large ones as `dense_resource` blobs); every node becomes edge ops located
// at the node's name. Errors are reported through the context's diagnostic
// handler; unsupported ops are all reported, one diagnostic per node.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_CONVERSION_IMPORTONNX_IMPORTONNX_H
#define EDGE_CONVERSION_IMPORTONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
namespace edge {

/// The value a graph input is fixed to at compile time (--bind-input): a
/// serialized onnx.TensorProto (as in the backend tests' input_N.pb files),
/// or, when `serializedTensor` is empty, `literals` in row-major order.
struct BoundInput {
  std::string serializedTensor;
  llvm::SmallVector<std::string> literals;
};

/// Computes `value`, whose ops depend on constants only: `subgraph` holds
/// them, each after its operands' producers. Returns failure when it cannot.
using ConstantEvaluator = std::function<llvm::FailureOr<DenseElementsAttr>(
    llvm::ArrayRef<Operation *> subgraph, Value value)>;

struct ImportOptions {
  /// Shapes that replace the declared shapes of graph inputs (for dynamic
  /// dimensions): input name -> static shape.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Named dynamic dimensions (ONNX dim_params) that stay dynamic, with the
  /// largest size each may take at run time: symbol -> bound (--dim=N<=B).
  llvm::StringMap<int64_t> dimBounds;
  /// Named dynamic dimensions fixed to one size: symbol -> size (--dim=N=S).
  llvm::StringMap<int64_t> dimSizes;
  /// Graph inputs whose values are fixed at compile time: input name -> value.
  /// Each stays an argument of the model function (the ABI is unchanged) but
  /// the graph reads a constant, so shapes and axes it gives become static;
  /// the runtime rejects other values (see docs/runtime.md).
  llvm::StringMap<BoundInput> boundInputs;
  /// Initializers of at least this many bytes become dense_resource blobs.
  size_t resourceThresholdBytes = 256;
  /// Name of the model function.
  std::string functionName = "main_graph";
  /// The folder tensors stored in external files are read from (the model
  /// file's folder); without one, a model with external data is refused.
  std::optional<std::string> modelDirectory;
  /// No tensor of the model, constant or computed, may be larger: the model
  /// is refused before anything of that size is allocated.
  int64_t maxTensorBytes = int64_t(1) << 36;
  /// Computes the values a node needs as constants (a shape, axes, sizes)
  /// whose subgraph has no folder, such as ConstantOfShape -> Equal ->
  /// Where: edge-compile compiles and runs it. Without one, only ops with
  /// folders fold and such nodes are refused.
  ConstantEvaluator constantEvaluator;
};

/// Imports a model held in memory. `bufferName` names the source in
/// diagnostics (usually the file path); `contents` is binary protobuf or,
/// when it starts with '<' after white space, the ONNX text syntax.
OwningOpRef<ModuleOp> importONNXModel(StringRef contents, StringRef bufferName,
                                      MLIRContext *context,
                                      const ImportOptions &options = {});

/// Reads and imports a model file.
OwningOpRef<ModuleOp> importONNXFile(StringRef path, MLIRContext *context,
                                     const ImportOptions &options = {});

/// Parses `NAME:D0xD1x...` (as in --input-shape) into `options`.
LogicalResult parseInputShapeOption(StringRef text, ImportOptions &options,
                                    std::string &error);

/// Parses `SYMBOL<=BOUND` (keep the dimension dynamic, at most BOUND) or
/// `SYMBOL=SIZE` (fix it), as in --dim, into `options`.
LogicalResult parseDimOption(StringRef text, ImportOptions &options,
                             std::string &error);

/// Parses `NAME=FILE.pb` or `NAME=V0,V1,...` (as in --bind-input) into
/// `options`, reading the file.
LogicalResult parseBindInputOption(StringRef text, ImportOptions &options,
                                   std::string &error);

/// Registers `--import-onnx` with mlir-translate style drivers.
void registerImportONNXTranslation();

/// Dialects the importer creates ops of.
void registerImportONNXDialects(DialectRegistry &registry);

} // namespace edge
} // namespace mlir

#endif // EDGE_CONVERSION_IMPORTONNX_IMPORTONNX_H
