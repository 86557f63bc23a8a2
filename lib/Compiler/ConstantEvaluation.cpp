//===- ConstantEvaluation.cpp - Constant subgraphs computed by edge -------===//
//
// The importer's constant evaluator (ImportOptions::constantEvaluator): a
// subgraph of edge ops whose inputs are all constants becomes a model of its
// own, which edge compiles for this machine and runs, so that any op edge
// can compile folds, not only ops with a folder.
//
//===----------------------------------------------------------------------===//

#include "ConstantEvaluation.h"

#include "edge/Compiler/CompileAndLoad.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

#include "mlir/IR/Remarks.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::edge;

/// edge-compile --remarks-filter=edge-constant-evaluation shows each
/// evaluation at the node whose value it computed.
static constexpr remark::RemarkOpts kEvaluationRemark =
    remark::RemarkOpts::name("ConstantSubgraph")
        .category("edge-constant-evaluation");

/// The subgraph as the model function of a module of its own: no inputs,
/// `value` its only output.
static std::string printSubgraph(ArrayRef<Operation *> subgraph, Value value) {
  MLIRContext *context = value.getContext();
  OpBuilder builder(context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(value.getLoc());
  builder.setInsertionPointToEnd(module->getBody());
  auto function = func::FuncOp::create(
      builder, value.getLoc(), "main_graph",
      builder.getFunctionType({}, {value.getType()}));
  function.setResultAttr(0, "edge.name", builder.getStringAttr("value"));
  builder.setInsertionPointToEnd(function.addEntryBlock());
  IRMapping mapping;
  for (Operation *op : subgraph)
    builder.clone(*op, mapping);
  func::ReturnOp::create(builder, value.getLoc(), mapping.lookup(value));
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

/// The bytes of an output as an attribute of `type`.
static DenseElementsAttr toAttribute(RankedTensorType type,
                                     const unsigned char *data, size_t bytes) {
  // The ABI holds one byte per bool; the attribute packs them as bits.
  if (type.getElementType().isInteger(1)) {
    SmallVector<bool> values(data, data + bytes);
    return DenseElementsAttr::get(type, values);
  }
  ArrayRef<char> raw(reinterpret_cast<const char *>(data), bytes);
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat))
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

FailureOr<DenseElementsAttr>
mlir::edge::evaluateByCompiling(ArrayRef<Operation *> subgraph, Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return failure();
  SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("edge-constant", dir))
    return failure();
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(dir); });

  // Code for this machine, without optimizations that would take longer
  // than the run: the subgraphs are small.
  CompileOptions options;
  options.cpu = "native";
  options.optLevel = 1;
  llvm::Expected<std::unique_ptr<::edge::LoadedModel>> model = compileAndLoad(
      printSubgraph(subgraph, value), ".mlir", dir, "constant", options);
  if (!model) {
    remark::missed(value.getLoc(), kEvaluationRemark)
        << llvm::formatv("cannot evaluate {0} ops: {1}", subgraph.size(),
                         llvm::toString(model.takeError()))
               .str();
    return failure();
  }
  const edge_tensor_info &info = (*model)->getOutput(0);
  std::vector<unsigned char> data(info.num_bytes);
  void *outputs[] = {data.data()};
  std::string error;
  if (!(*model)->run(nullptr, outputs, error)) {
    remark::missed(value.getLoc(), kEvaluationRemark)
        << llvm::formatv("evaluating {0} ops failed: {1}", subgraph.size(),
                         error)
               .str();
    return failure();
  }
  DenseElementsAttr attr = toAttribute(type, data.data(), data.size());
  if (!attr)
    return failure();
  std::string typeText;
  llvm::raw_string_ostream(typeText) << type;
  remark::analysis(value.getLoc(), kEvaluationRemark)
      << llvm::formatv("evaluated {0} ops into a constant {1}",
                       subgraph.size(), typeText)
             .str();
  return attr;
}
