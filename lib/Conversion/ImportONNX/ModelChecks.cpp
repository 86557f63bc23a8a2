//===- ModelChecks.cpp - Checks on a parsed ModelProto before use ---------===//

#include "ModelChecks.h"

#include "GraphImporter.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <onnx/defs/schema.h>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;
using onnx::TensorProto;

namespace {

/// Walks a model's graphs and subgraphs; the first problem found is
/// reported and stops the walk.
class ModelChecker {
public:
  ModelChecker(int64_t defaultOpset, const ImportOptions &options,
               Location loc)
      : defaultOpset(defaultOpset), options(options), loc(loc) {}

  LogicalResult checkGraph(onnx::GraphProto &graph, unsigned depth);

private:
  /// "node 'NAME' (OpType, opset N): " as the importer's node errors say it.
  std::string describeNode(const onnx::NodeProto &node, unsigned index) const;
  LogicalResult checkNode(onnx::NodeProto &node, unsigned index,
                          unsigned depth);
  LogicalResult checkArity(const onnx::NodeProto &node, unsigned index);
  LogicalResult checkTensor(TensorProto &tensor, const std::string &owner);
  LogicalResult checkValueInfo(const onnx::ValueInfoProto &info,
                               StringRef kind);

  int64_t defaultOpset;
  const ImportOptions &options;
  Location loc;
};

} // namespace

std::string ModelChecker::describeNode(const onnx::NodeProto &node,
                                       unsigned index) const {
  return llvm::formatv("node '{0}' ({1}, opset {2})", getNodeName(node, index),
                       node.op_type(), defaultOpset)
      .str();
}

/// ONNX's shape inference names a node in its errors only when the node has
/// a name; unnamed nodes get the name the importer's diagnostics use.
static void nameNode(onnx::NodeProto &node, unsigned index) {
  if (node.name().empty())
    node.set_name(getNodeName(node, index));
}

LogicalResult ModelChecker::checkGraph(onnx::GraphProto &graph,
                                       unsigned depth) {
  if (depth > kMaxSubgraphDepth)
    return emitError(loc) << "subgraphs are nested more than "
                          << kMaxSubgraphDepth << " levels deep";
  // Each value has one producer: a graph input, an initializer (IR < 4 also
  // lists initializers as inputs) or one output of one node.
  llvm::StringMap<std::string> producers;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (failed(checkValueInfo(input, "input")))
      return failure();
    if (!producers.try_emplace(input.name(), "graph input").second)
      return emitError(loc) << "graph input '" << input.name()
                            << "' is declared twice";
  }
  for (TensorProto &init : *graph.mutable_initializer()) {
    if (failed(checkTensor(init, "initializer '" + init.name() + "'")))
      return failure();
    auto [it, inserted] = producers.try_emplace(init.name(), "initializer");
    if (!inserted && it->second != "graph input")
      return emitError(loc) << "initializer '" << init.name()
                            << "' is given twice";
    it->second = "initializer";
  }
  if (graph.sparse_initializer_size() > 0)
    return emitError(loc) << "sparse initializer '"
                          << graph.sparse_initializer(0).values().name()
                          << "' is not supported";
  for (const onnx::ValueInfoProto &info : graph.value_info())
    if (failed(checkValueInfo(info, "value")))
      return failure();
  for (const onnx::ValueInfoProto &output : graph.output())
    if (failed(checkValueInfo(output, "output")))
      return failure();

  for (auto [index, node] : llvm::enumerate(*graph.mutable_node())) {
    if (failed(checkNode(node, index, depth)))
      return failure();
    for (const std::string &output : node.output()) {
      if (output.empty())
        continue;
      std::string producer = describeNode(node, index);
      auto [it, inserted] = producers.try_emplace(output, producer);
      if (!inserted)
        return emitError(loc)
               << producer << ": writes value '" << output
               << "', which " << it->second << " already defines";
    }
  }
  return success();
}

LogicalResult ModelChecker::checkNode(onnx::NodeProto &node, unsigned index,
                                      unsigned depth) {
  if (node.op_type().empty())
    return emitError(loc) << "node " << index << " of a graph has no op type";
  if (failed(checkArity(node, index)))
    return failure();
  nameNode(node, index);
  for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
    std::string owner = describeNode(node, index) + ", attribute '" +
                        attr.name() + "'";
    if (attr.has_t() && failed(checkTensor(*attr.mutable_t(), owner)))
      return failure();
    for (TensorProto &tensor : *attr.mutable_tensors())
      if (failed(checkTensor(tensor, owner)))
        return failure();
    if (attr.has_sparse_tensor() || attr.sparse_tensors_size() > 0)
      return emitError(loc) << owner << ": sparse tensors are not supported";
    if (attr.has_g() && failed(checkGraph(*attr.mutable_g(), depth + 1)))
      return failure();
    for (onnx::GraphProto &subgraph : *attr.mutable_graphs())
      if (failed(checkGraph(subgraph, depth + 1)))
        return failure();
  }
  return success();
}

/// ONNX's inference functions index a node's inputs and outputs as the
/// schema declares them, without checking the node has that many.
LogicalResult ModelChecker::checkArity(const onnx::NodeProto &node,
                                       unsigned index) {
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), defaultDomain ? static_cast<int>(defaultOpset) : INT_MAX,
      defaultDomain ? "" : node.domain());
  // Ops without a schema are reported by the importer as unsupported.
  if (!schema)
    return success();
  int minInputs = schema->min_input(), maxInputs = schema->max_input();
  if (defaultDomain)
    maxInputs = getNewerMaxInputs(node.op_type(), defaultOpset, maxInputs);
  auto describeRange = [](int min, int max) {
    if (min == max)
      return std::to_string(min);
    if (max == std::numeric_limits<int>::max())
      return "at least " + std::to_string(min);
    return std::to_string(min) + " to " + std::to_string(max);
  };
  if (node.input_size() < minInputs || node.input_size() > maxInputs)
    return emitError(loc) << describeNode(node, index) << ": has "
                          << node.input_size() << " inputs, the op takes "
                          << describeRange(minInputs, maxInputs);
  if (node.output_size() < schema->min_output() ||
      node.output_size() > schema->max_output())
    return emitError(loc) << describeNode(node, index) << ": has "
                          << node.output_size() << " outputs, the op has "
                          << describeRange(schema->min_output(),
                                           schema->max_output());
  return success();
}

/// Number of entries of the typed repeated field that holds `tensor`'s
/// elements when it has no raw_data.
static int64_t getTypedFieldSize(const TensorProto &tensor) {
  switch (tensor.data_type()) {
  case TensorProto::FLOAT:
    return tensor.float_data_size();
  case TensorProto::COMPLEX64:
    return tensor.float_data_size() / 2;
  case TensorProto::DOUBLE:
    return tensor.double_data_size();
  case TensorProto::COMPLEX128:
    return tensor.double_data_size() / 2;
  case TensorProto::INT64:
    return tensor.int64_data_size();
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    return tensor.uint64_data_size();
  case TensorProto::STRING:
    return tensor.string_data_size();
  default:
    return tensor.int32_data_size();
  }
}

LogicalResult ModelChecker::checkTensor(TensorProto &tensor,
                                        const std::string &owner) {
  auto error = [&]() {
    InFlightDiagnostic diag = emitError(loc);
    diag << owner << ": ";
    return diag;
  };
  if (tensor.has_segment())
    return error() << "segmented tensors are not supported";
  size_t elementSize = getRawElementSize(tensor.data_type());
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  for (int64_t dim : dims)
    if (dim < 0)
      return error() << "has a negative dimension " << dim;
  int64_t limit = options.maxTensorBytes / std::max<size_t>(elementSize, 1);
  std::optional<int64_t> count = getElementCount(dims, limit);
  if (!count)
    return error() << "has more elements than the limit of "
                   << options.maxTensorBytes << " bytes allows";
  if (tensor.data_type() == TensorProto::STRING) {
    if (tensor.string_data_size() != *count)
      return error() << "holds " << tensor.string_data_size()
                     << " strings, its dimensions say " << *count;
    return success();
  }
  if (elementSize == 0)
    return error() << "has element type "
                   << getElementTypeName(tensor.data_type())
                   << ", which is not supported";
  int64_t stored = getStoredElementCount(tensor.data_type(), *count);
  int64_t expectedBytes = stored * static_cast<int64_t>(elementSize);
  if (tensor.data_location() == TensorProto::EXTERNAL) {
    if (failed(loadExternalData(tensor, options.modelDirectory, expectedBytes,
                                loc)))
      return failure();
  }
  if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != expectedBytes)
      return error() << "holds " << tensor.raw_data().size()
                     << " bytes of data, its dimensions and type say "
                     << expectedBytes;
    return success();
  }
  if (getTypedFieldSize(tensor) != stored)
    return error() << "holds " << getTypedFieldSize(tensor)
                   << (stored == *count ? " elements, its dimensions say "
                                        : " packed pairs of elements, its "
                                          "dimensions say ")
                   << stored;
  return success();
}

LogicalResult ModelChecker::checkValueInfo(const onnx::ValueInfoProto &info,
                                           StringRef kind) {
  if (info.name().empty() && kind != "value")
    return emitError(loc) << "a graph " << kind << " has no name";
  if (!info.type().has_tensor_type() ||
      !info.type().tensor_type().has_shape())
    return success();
  for (auto [index, dim] :
       llvm::enumerate(info.type().tensor_type().shape().dim()))
    if (dim.has_dim_value() && dim.dim_value() < 0)
      return emitError(loc)
             << "graph " << kind << " '" << info.name()
             << "' has a negative dimension " << dim.dim_value()
             << " at index " << index;
  return success();
}

bool mlir::edge::onnx_import::reduceTakesAxesInput(StringRef opType,
                                                   int64_t opset) {
  return opset >= (opType == "ReduceSum" ? 13 : 18);
}

namespace {
/// An attribute an op gained in opsets 18 to 23, newer than the linked
/// schemas, that the importer reads (or that cannot change its result:
/// Cast's saturate concerns float8 only).
struct NewerAttribute {
  StringLiteral op;
  int64_t since;
  StringLiteral name;
  onnx::AttributeProto::AttributeType type;
};
constexpr NewerAttribute kNewerAttributes[] = {
    {"Split", 18, "num_outputs", onnx::AttributeProto::INT},
    {"Resize", 18, "antialias", onnx::AttributeProto::INT},
    {"Resize", 18, "axes", onnx::AttributeProto::INTS},
    {"Resize", 18, "keep_aspect_ratio_policy", onnx::AttributeProto::STRING},
    {"AveragePool", 19, "dilations", onnx::AttributeProto::INTS},
    {"Cast", 19, "saturate", onnx::AttributeProto::INT},
    {"CastLike", 19, "saturate", onnx::AttributeProto::INT},
    {"QuantizeLinear", 19, "saturate", onnx::AttributeProto::INT},
    {"QuantizeLinear", 21, "block_size", onnx::AttributeProto::INT},
    {"QuantizeLinear", 21, "output_dtype", onnx::AttributeProto::INT},
    {"DequantizeLinear", 21, "block_size", onnx::AttributeProto::INT},
    {"QuantizeLinear", 23, "precision", onnx::AttributeProto::INT},
    {"DequantizeLinear", 23, "output_dtype", onnx::AttributeProto::INT},
};
} // namespace

std::optional<onnx::AttributeProto::AttributeType>
mlir::edge::onnx_import::getNewerAttributeType(StringRef opType, int64_t opset,
                                               StringRef name) {
  // Opset 18 gave every reduction ReduceSum's noop_with_empty_axes.
  if (name == "noop_with_empty_axes" && opType.starts_with("Reduce") &&
      reduceTakesAxesInput(opType, opset))
    return onnx::AttributeProto::INT;
  for (const NewerAttribute &attr : kNewerAttributes)
    if (attr.op == opType && attr.name == name && opset >= attr.since)
      return attr.type;
  return std::nullopt;
}

int mlir::edge::onnx_import::getNewerMaxInputs(StringRef opType, int64_t opset,
                                               int schemaMax) {
  if (opType.starts_with("Reduce") && reduceTakesAxesInput(opType, opset))
    return std::max(schemaMax, 2);
  if (opType == "Pad" && opset >= 18)
    return std::max(schemaMax, 4); // axes
  return schemaMax;
}

LogicalResult
mlir::edge::onnx_import::checkModel(onnx::ModelProto &model,
                                    int64_t defaultOpset,
                                    const ImportOptions &options,
                                    Location loc) {
  if (model.ir_version() < 1 || model.ir_version() > kMaxIRVersion)
    return emitError(loc) << "the model declares ONNX IR version "
                          << model.ir_version() << "; edge reads IR versions "
                          << "1 to " << kMaxIRVersion;
  if (defaultOpset != 0 && (defaultOpset < 1 || defaultOpset > kMaxOpset))
    return emitError(loc) << "the model imports opset " << defaultOpset
                          << " of the default ONNX domain; edge reads "
                          << "opsets 1 to " << kMaxOpset;
  return ModelChecker(defaultOpset, options, loc)
      .checkGraph(*model.mutable_graph(), /*depth=*/0);
}
