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

StringRef mlir::edge::getSeverityName(const Diagnostic &diagnostic) {
  switch (diagnostic.getSeverity()) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  llvm_unreachable("unknown diagnostic severity");
}

static void collect(Diagnostic &diag,
                    std::vector<CompileDiagnostic> &diagnostics) {
  CompileDiagnostic collected;
  collected.severity = getSeverityName(diag).str();
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
