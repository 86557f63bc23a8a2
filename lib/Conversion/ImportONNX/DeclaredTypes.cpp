//===- DeclaredTypes.cpp - Static types the model declares or implies -----===//
//
// The types a model declares for its values (graph outputs, value_info, and
// what ONNX shape inference added) are a contract the run must keep. Ops
// whose shape-deciding operands arrive with the run (a Range, a Slice, a
// Reshape fed by graph inputs) are compiled for those types, and the run
// checks them.
//
// Shape inference only works forwards, so a Range whose length comes from a
// graph input stays `[?]` even when every path from it reaches a declared
// `[10]` through elementwise ops. The importer adds the backward direction:
// an elementwise result of known shape fixes the shape of an operand that
// the other operands cannot widen. The implied shapes are as binding as the
// declared ones: any other shape would break a declaration downstream.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Debug.h"

#include <functional>

#define DEBUG_TYPE "edge-import-declared-types"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {
/// What the model says of a value's type: its element type, its shape with
/// -1 for unknown dimensions, and the symbol naming each unknown one (empty
/// when none does).
struct PartialType {
  RankedTensorType type;
  SmallVector<std::string> symbols;
};
} // namespace

/// The partial type of `info`; nullopt without an element type or a shape.
static std::optional<PartialType>
convertPartialType(const onnx::ValueInfoProto &info, MLIRContext *context) {
  if (!info.type().has_tensor_type() ||
      !info.type().tensor_type().has_shape())
    return std::nullopt;
  Type elementType =
      convertElementType(info.type().tensor_type().elem_type(), context);
  if (!elementType)
    return std::nullopt;
  PartialType partial;
  SmallVector<int64_t> shape;
  for (const auto &dim : info.type().tensor_type().shape().dim()) {
    bool known = dim.has_dim_value() && dim.dim_value() >= 0;
    shape.push_back(known ? dim.dim_value() : ShapedType::kDynamic);
    partial.symbols.push_back(known ? "" : dim.dim_param());
  }
  partial.type = RankedTensorType::get(shape, elementType);
  return partial;
}

/// Ops whose result 0 has the shape of their input 0.
static bool preservesShape(StringRef opType) {
  static const llvm::StringSet<> ops = {
      "Identity", "Cast", "CastLike", "Clip", "Dropout", "Relu", "Neg", "Abs",
      "Sign", "Not", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Erf",
      "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Tan", "Asin",
      "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softplus",
      "Softsign", "HardSwish", "LeakyRelu", "Elu", "Celu", "Selu",
      "HardSigmoid", "ThresholdedRelu", "IsNaN", "IsInf", "Softmax",
      "LogSoftmax", "Hardmax", "Gelu", "Mish", "Shrink", "BitwiseNot"};
  return ops.contains(opType);
}

/// Ops whose result is the numpy broadcast of all their inputs.
static bool broadcastsInputs(StringRef opType) {
  static const llvm::StringSet<> ops = {
      "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean",
      "And", "Or", "Xor", "Equal", "Less", "LessOrEqual", "Greater",
      "GreaterOrEqual", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
      "Where"};
  return ops.contains(opType);
}

void GraphImporter::recordDeclaredTypes(const onnx::GraphProto &graph) {
  llvm::StringMap<PartialType> partialTypes;
  for (const onnx::ValueInfoProto &info : graph.value_info())
    if (std::optional<PartialType> partial = convertPartialType(info, context))
      partialTypes[info.name()] = *partial;
  for (const onnx::ValueInfoProto &info : graph.output())
    if (std::optional<PartialType> partial = convertPartialType(info, context))
      partialTypes[info.name()] = *partial;
  for (const auto &[name, partial] : partialTypes)
    if (partial.type.hasStaticShape())
      declaredTypes[name] = partial.type;

  // The static shape of a value the other operands of a node are known to
  // have: declared, an initializer's, or a static graph input's. The
  // symbols of graph inputs are the user's dynamic dimensions, never
  // implied; the others name sizes ONNX shape inference found equal.
  llvm::StringMap<SmallVector<int64_t>> knownShapes;
  for (const onnx::TensorProto &initializer : graph.initializer())
    knownShapes[initializer.name()] = SmallVector<int64_t>(
        initializer.dims().begin(), initializer.dims().end());
  llvm::StringSet<> inputSymbols;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    std::optional<PartialType> partial = convertPartialType(input, context);
    if (!partial)
      continue;
    if (partial->type.hasStaticShape())
      knownShapes[input.name()] = SmallVector<int64_t>(partial->type.getShape());
    for (const std::string &symbol : partial->symbols)
      inputSymbols.insert(symbol);
  }
  auto knownShape = [&](const std::string &name)
      -> std::optional<SmallVector<int64_t>> {
    if (RankedTensorType type = declaredTypes.lookup(name))
      return SmallVector<int64_t>(type.getShape());
    auto it = knownShapes.find(name);
    if (it == knownShapes.end())
      return std::nullopt;
    return it->second;
  };

  // Sizes of inference symbols, learned from implied shapes.
  llvm::StringMap<int64_t> symbolSizes;
  auto imply = [&](const std::string &name, ArrayRef<int64_t> shape,
                   const onnx::NodeProto &user) {
    auto it = partialTypes.find(name);
    if (name.empty() || declaredTypes.count(name) || it == partialTypes.end())
      return false;
    const PartialType &partial = it->second;
    if (partial.type.getRank() != static_cast<int64_t>(shape.size()))
      return false;
    for (auto [known, implied] : llvm::zip(partial.type.getShape(), shape))
      if (!ShapedType::isDynamic(known) && known != implied)
        return false;
    LLVM_DEBUG(llvm::dbgs() << "'" << name << "' is " << shape
                            << ", implied by node '" << user.name() << "'\n");
    declaredTypes[name] = partial.type.clone(shape);
    for (auto [symbol, size] : llvm::zip(partial.symbols, shape))
      if (!symbol.empty() && !inputSymbols.contains(symbol))
        symbolSizes.try_emplace(symbol, size);
    return true;
  };

  // Backwards, so that each result's shape is final (implied by all its
  // later users) before its operands are looked at; then the sizes of the
  // symbols found type more values, which may imply more operands.
  for (bool changed = true; changed;) {
    changed = false;
    for (const onnx::NodeProto &node : llvm::reverse(graph.node())) {
      if (!node.domain().empty() || node.output_size() == 0)
        continue;
      RankedTensorType result = declaredTypes.lookup(node.output(0));
      if (!result)
        continue;
      ArrayRef<int64_t> shape = result.getShape();
      if (preservesShape(node.op_type())) {
        if (node.input_size() > 0)
          changed |= imply(node.input(0), shape, node);
        continue;
      }
      if (!broadcastsInputs(node.op_type()))
        continue;
      // An operand has the result's shape when every other operand is all
      // ones of a lower rank: none can widen it or lend it dimensions.
      for (int i = 0; i < node.input_size(); ++i) {
        bool othersNarrow = true;
        for (int j = 0; j < node.input_size() && othersNarrow; ++j) {
          if (j == i)
            continue;
          std::optional<SmallVector<int64_t>> other = knownShape(node.input(j));
          othersNarrow =
              other &&
              (other->empty() ||
               (other->size() < shape.size() &&
                llvm::all_of(*other, [](int64_t d) { return d == 1; })));
        }
        if (othersNarrow)
          changed |= imply(node.input(i), shape, node);
      }
      // A dimension where every operand has one symbol, or size 1, or none
      // (a lower rank) is that symbol's size.
      for (int64_t dim = 0; dim < result.getRank(); ++dim) {
        StringRef symbol;
        bool single = true;
        for (const std::string &name : node.input()) {
          auto it = partialTypes.find(name);
          std::optional<SmallVector<int64_t>> known = knownShape(name);
          int64_t rank = it != partialTypes.end() ? it->second.type.getRank()
                         : known ? static_cast<int64_t>(known->size())
                                 : -1;
          int64_t offset = dim - (result.getRank() - rank);
          if (rank < 0) {
            single = false;
            break;
          }
          if (offset < 0)
            continue;
          if (known) {
            single = single && (*known)[offset] == 1;
            continue;
          }
          StringRef own = it->second.symbols[offset];
          if (!ShapedType::isDynamic(it->second.type.getDimSize(offset))) {
            single = single && it->second.type.getDimSize(offset) == 1;
          } else if (own.empty() || (!symbol.empty() && own != symbol)) {
            single = false;
          } else {
            symbol = own;
          }
        }
        if (single && !symbol.empty() && !inputSymbols.contains(symbol) &&
            symbolSizes.try_emplace(symbol, shape[dim]).second) {
          LLVM_DEBUG(llvm::dbgs() << "'" << symbol << "' is " << shape[dim]
                                  << ", by node '" << node.name() << "'\n");
          changed = true;
        }
      }
    }
    for (const auto &[name, partial] : partialTypes) {
      if (declaredTypes.count(name))
        continue;
      SmallVector<int64_t> shape(partial.type.getShape());
      bool complete = true;
      for (auto [size, symbol] : llvm::zip(shape, partial.symbols)) {
        if (!ShapedType::isDynamic(size))
          continue;
        auto it = symbolSizes.find(symbol);
        complete = complete && !symbol.empty() && it != symbolSizes.end();
        if (complete)
          size = it->second;
      }
      if (!complete)
        continue;
      LLVM_DEBUG(llvm::dbgs() << "'" << name << "' is " << shape
                              << ", by the sizes of its symbols\n");
      declaredTypes[name] = partial.type.clone(shape);
      changed = true;
    }
  }

  // A graph input read by several nodes (or returned) must suit them all:
  // only inputs read once are implied.
  std::function<void(const onnx::GraphProto &)> countUses =
      [&](const onnx::GraphProto &g) {
        for (const onnx::NodeProto &node : g.node()) {
          for (const std::string &name : node.input())
            ++inputUses[name];
          for (const onnx::AttributeProto &attr : node.attribute()) {
            if (attr.has_g())
              countUses(attr.g());
            for (const onnx::GraphProto &sub : attr.graphs())
              countUses(sub);
          }
        }
        for (const onnx::ValueInfoProto &output : g.output())
          ++inputUses[output.name()];
      };
  countUses(graph);
}
