//===- CollectedDiagnostics.cpp - compileModel for callers without MLIR ---===//

#include "edge/Compiler/Compiler.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/Regex.h"

using namespace mlir;
using namespace mlir::edge;

/// Splits `node 'NAME' (OP, opset N): ...` into its parts.
static void findNode(CompileDiagnostic &diagnostic) {
  static const llvm::Regex nodePattern(
      "node '([^']*)' \\(([^,()]+), opset ([0-9]+)\\)");
  SmallVector<StringRef> parts;
  if (!nodePattern.match(diagnostic.message, &parts))
    return;
  diagnostic.node = parts[1].str();
  diagnostic.opType = parts[2].str();
  (void)parts[3].getAsInteger(10, diagnostic.opset);
}

static void collect(Diagnostic &diag,
                    std::vector<CompileDiagnostic> &diagnostics) {
  CompileDiagnostic collected;
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    collected.severity = "error";
    break;
  case DiagnosticSeverity::Warning:
    collected.severity = "warning";
    break;
  case DiagnosticSeverity::Note:
    collected.severity = "note";
    break;
  case DiagnosticSeverity::Remark:
    collected.severity = "remark";
    break;
  }
  collected.message = diag.str();
  findNode(collected);
  // A diagnostic located at a node whose message does not name it.
  if (collected.node.empty())
    if (auto name = dyn_cast<NameLoc>(diag.getLocation()))
      collected.node = name.getName().str();
  diagnostics.push_back(std::move(collected));
  for (Diagnostic &note : diag.getNotes())
    collect(note, diagnostics);
}

LogicalResult mlir::edge::compileModelCollectingDiagnostics(
    const CompileOptions &options, std::vector<CompileDiagnostic> &diagnostics,
    std::string &error) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    collect(diag, diagnostics);
    return success();
  });
  return compileModel(context, options, error);
}
