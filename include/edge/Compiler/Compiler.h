//===- Compiler.h - edge's compiler as a library ----------------*- C++ -*-===//
//
// One function compiles a model: import (ONNX or edge IR), the graph
// pipeline, placement and partitioning across the described devices, each
// partition through its device's backend, and code generation and linking
// into a model library (or any earlier stage, written as text). edge-compile
// is a command line over it; the Python module and the tests call it too.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_COMPILER_COMPILER_H
#define EDGE_COMPILER_COMPILER_H

#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class Diagnostic;
class MLIRContext;
namespace edge {

/// The stage compileModel stops at and writes.
enum class EmitKind {
  /// The edge dialect after the graph pipeline (partitioned with several
  /// devices).
  Edge,
  /// linalg on tensors.
  Linalg,
  /// The kernels' PTX or AMDGPU assembly (GPU targets).
  Device,
  /// Optimized LLVM IR of the host code.
  LLVM,
  /// Host assembly.
  Asm,
  /// Host object file.
  Obj,
  /// The model library and its C header.
  SharedLib,
};

struct CompileOptions {
  /// An ONNX model, or edge IR (`.mlir`, as --emit=edge writes).
  std::string inputPath;
  /// Where the result goes. Empty: `model.so` beside the input for a
  /// library, standard output for a text stage ("-" too).
  std::string outputPath;
  /// `cpu`, `cpu:CPU`, `nvidia:CHIP` or `amd:CHIP` (docs/targets.md).
  std::string target = "cpu";
  /// The CPU of the host code (`native`, `x86-64-v3`, `cortex-a76`, ...);
  /// empty: from the target or the CPU devices, else this machine.
  std::string cpu;
  EmitKind emit = EmitKind::SharedLib;
  /// `NAME:DIMS` static shapes of graph inputs.
  std::vector<std::string> inputShapes;
  /// `SYMBOL<=BOUND` (dynamic, at most BOUND) or `SYMBOL=SIZE` (fixed) for
  /// the named dynamic dimensions of graph inputs.
  std::vector<std::string> dims;
  /// `NAME=FILE.pb` or `NAME=V0,V1,...` values fixed at compile time.
  std::vector<std::string> boundInputs;
  /// A device description file or comma-separated presets.
  std::string devices = "host";
  /// `NODE=DEVICE` placements the placer must respect.
  std::vector<std::string> pins;
  /// What the placement minimizes: `latency` (one run) or `throughput`.
  std::string objective = "latency";
  /// Profiles (edge-run --profile) of libraries placed on several devices,
  /// whose measured partition times correct the placer's estimates, in
  /// order (ProfileFeedback.h).
  std::vector<std::string> profileFeedback;
  /// Weight quantization: `none`, `int8-weights` (the f32 constant weights
  /// of matrix products as int8 with per-column scales) or `int4-weights`
  /// (int4 with a scale per block of 32 rows of each column).
  std::string quantize = "none";
  /// The cost report (JSON) and the placed graph (Graphviz DOT).
  std::string reportPath;
  std::string reportDotPath;
  /// GPU code: also write each kernel module's PTX or code object here.
  std::string deviceCodeDir;
  /// LLVM's optimization level for host (and device) code.
  unsigned optLevel = 3;
};

/// A diagnostic of a compilation, split into the node it names, when it
/// names one (`node 'NAME' (OP, opset N): MESSAGE`).
struct CompileDiagnostic {
  /// error, warning, note or remark.
  std::string severity;
  /// The whole message, as edge-compile prints it.
  std::string message;
  /// The ONNX node, op type and opset, when the message names a node.
  std::string node, opType;
  int64_t opset = -1;
};

/// "error", "warning", "note" or "remark": how edge-compile and
/// CompileDiagnostic name a diagnostic's severity.
llvm::StringRef getSeverityName(const Diagnostic &diagnostic);

/// The dialects, extensions and translations compileModel needs.
void registerCompilerDialects(DialectRegistry &registry);

/// Compiles as `options` say. On failure, problems in the model have been
/// reported through `context`'s diagnostic handler (located at the ONNX
/// node) and `error` is empty; problems with the options or files are in
/// `error`, not yet reported.
LogicalResult compileModel(MLIRContext &context, const CompileOptions &options,
                           std::string &error);

/// compileModel in a context of its own, with every diagnostic collected
/// into `diagnostics` instead of printed (for callers without MLIR: the
/// Python module). `error` is as for compileModel.
LogicalResult compileModelCollectingDiagnostics(
    const CompileOptions &options, std::vector<CompileDiagnostic> &diagnostics,
    std::string &error);

} // namespace edge
} // namespace mlir

#endif // EDGE_COMPILER_COMPILER_H
