//===- ContribOps.cpp - ONNX Runtime's ops as ONNX subgraphs --------------===//
//
// ONNX Runtime's model builder, quantizer and transformer optimizer write
// ops of its com.microsoft domain (GroupQueryAttention, the fused BERT
// ops, ...). Each is replaced, on the ModelProto and before ONNX shape
// inference, by default-domain ops that compute the same thing in the form
// an exported PyTorch model has, so that the importer, the KV-cache
// detection and edge-fuse-attention treat them as they treat that model
// (docs/onnxruntime-ops.md). This file holds the driver and the emission
// of nodes; the expansions are in ContribNormalization.cpp and
// ContribAttention.cpp.
//
//===----------------------------------------------------------------------===//

#include "ContribOps.h"
#include "ContribExpander.h"
#include "ModelChecks.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;
using namespace mlir::edge::onnx_import::contrib;

//===----------------------------------------------------------------------===//
// Emitting nodes
//===----------------------------------------------------------------------===//

std::string Expander::fresh(StringRef hint) {
  std::string base = prefix + hint.str();
  std::string name = base;
  for (unsigned n = 1; names.contains(name); ++n)
    name = base + "_" + std::to_string(n);
  names.insert(name);
  return name;
}

onnx::NodeProto &Expander::add(StringRef type, ArrayRef<std::string> inputs,
                               ArrayRef<std::string> outputs) {
  onnx::NodeProto &n = emitted.emplace_back();
  n.set_op_type(type.str());
  n.set_name(fresh(type));
  for (const std::string &input : inputs)
    n.add_input(input);
  if (outputs.empty())
    n.add_output(fresh(type.str() + "_output"));
  for (const std::string &output : outputs)
    n.add_output(output);
  return n;
}

void Expander::setInt(onnx::NodeProto &n, StringRef name, int64_t value) {
  onnx::AttributeProto *attr = n.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::INT);
  attr->set_i(value);
}

void Expander::setInts(onnx::NodeProto &n, StringRef name,
                       ArrayRef<int64_t> values) {
  onnx::AttributeProto *attr = n.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values)
    attr->add_ints(value);
}

std::string Expander::constant(onnx::TensorProto tensor) {
  onnx::NodeProto &n = add("Constant", {});
  onnx::AttributeProto *attr = n.add_attribute();
  attr->set_name("value");
  attr->set_type(onnx::AttributeProto::TENSOR);
  *attr->mutable_t() = std::move(tensor);
  return n.output(0);
}

std::string Expander::constantI64(ArrayRef<int64_t> values, bool scalar) {
  onnx::TensorProto tensor;
  tensor.set_data_type(onnx::TensorProto::INT64);
  if (!scalar)
    tensor.add_dims(static_cast<int64_t>(values.size()));
  for (int64_t value : values)
    tensor.add_int64_data(value);
  return constant(std::move(tensor));
}

std::string Expander::constantF32(float value) {
  onnx::TensorProto tensor;
  tensor.set_data_type(onnx::TensorProto::FLOAT);
  tensor.add_float_data(value);
  return constant(std::move(tensor));
}

std::string Expander::unsqueeze(const std::string &x, ArrayRef<int64_t> axes) {
  return op("Unsqueeze", {x, constantI64(axes)});
}

std::string Expander::reduce(StringRef type, const std::string &x,
                             ArrayRef<int64_t> axes, bool keepDims) {
  bool axesAsInput = reduceTakesAxesInput(type, opset);
  onnx::NodeProto &n =
      axesAsInput ? add(type, {x, constantI64(axes)}) : add(type, {x});
  if (!axesAsInput)
    setInts(n, "axes", axes);
  setInt(n, "keepdims", keepDims);
  return n.output(0);
}

std::string Expander::slice(const std::string &x, int64_t axis, int64_t start,
                            int64_t end) {
  return op("Slice",
            {x, constantI64({start}), constantI64({end}), constantI64({axis})});
}

std::string Expander::cast(const std::string &x,
                           onnx::TensorProto::DataType to) {
  onnx::NodeProto &n = add("Cast", {x});
  setInt(n, "to", to);
  return n.output(0);
}

std::string Expander::sizeOf(const std::string &x, int64_t dim) {
  onnx::NodeProto &n =
      add("Gather", {op("Shape", {x}), constantI64({dim}, /*scalar=*/true)});
  setInt(n, "axis", 0);
  return n.output(0);
}

std::string Expander::transpose(const std::string &x, ArrayRef<int64_t> perm) {
  onnx::NodeProto &n = add("Transpose", {x});
  setInts(n, "perm", perm);
  return n.output(0);
}

//===----------------------------------------------------------------------===//
// What the graph declares
//===----------------------------------------------------------------------===//

std::optional<DeclaredType>
Expander::getDeclaredType(const std::string &name) const {
  auto it = declared.find(name);
  if (it == declared.end())
    return std::nullopt;
  return it->second;
}

/// The numpy broadcast of dimensions `a` and `b` (-1: unknown).
static SmallVector<int64_t> broadcastDims(ArrayRef<int64_t> a,
                                          ArrayRef<int64_t> b) {
  SmallVector<int64_t> dims(std::max(a.size(), b.size()), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t &d = dims[dims.size() - 1 - i];
    if (x == 1 || x == y)
      d = y;
    else if (y == 1)
      d = x;
  }
  return dims;
}

std::optional<DeclaredType>
Expander::getKnownType(const std::string &value) const {
  if (std::optional<DeclaredType> type = getDeclaredType(value))
    return type;
  if (auto it = knownTypes.find(value); it != knownTypes.end())
    return it->second;
  knownTypes[value] = std::nullopt; // no cycle in a valid graph
  const onnx::NodeProto *producer = getProducer(value);
  if (!producer || producer->input_size() < 1 || producer->output(0) != value)
    return std::nullopt;
  StringRef type = producer->op_type();
  auto input = [&](int i) -> std::optional<DeclaredType> {
    if (i >= producer->input_size() || producer->input(i).empty())
      return std::nullopt;
    return getKnownType(producer->input(i));
  };
  auto constantInput = [&](int i) -> std::optional<SmallVector<int64_t>> {
    if (i >= producer->input_size() || producer->input(i).empty())
      return std::nullopt;
    return getConstantInts(producer->input(i));
  };
  auto intAttribute = [&](StringRef name, int64_t fallback) {
    for (const onnx::AttributeProto &attr : producer->attribute())
      if (attr.name() == name)
        return static_cast<int64_t>(attr.i());
    return fallback;
  };
  std::optional<DeclaredType> result;
  if (llvm::is_contained({"Identity",
                          "Relu",
                          "Sigmoid",
                          "Tanh",
                          "Neg",
                          "Exp",
                          "Sqrt",
                          "Erf",
                          "Cos",
                          "Sin",
                          "Not",
                          "Softmax",
                          "LayerNormalization",
                          "SimplifiedLayerNormalization",
                          "RMSNormalization",
                          "SkipSimplifiedLayerNormalization",
                          "SkipLayerNormalization",
                          "RotaryEmbedding",
                          "Gelu",
                          "FastGelu",
                          "Mish",
                          "Dropout"},
                         type)) {
    result = input(0);
  } else if (type == "Cast") {
    result = input(0);
    if (result)
      result->elementType = static_cast<int32_t>(intAttribute("to", 0));
  } else if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Pow", "And", "Or",
                                 "Xor", "Equal", "Less", "LessOrEqual",
                                 "Greater", "GreaterOrEqual"},
                                type)) {
    std::optional<DeclaredType> a = input(0), b = input(1);
    if (a && b) {
      result = a;
      result->dims = broadcastDims(a->dims, b->dims);
      if (llvm::is_contained(
              {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"},
              type))
        result->elementType = onnx::TensorProto::BOOL;
    }
  } else if (type == "Where") {
    std::optional<DeclaredType> condition = input(0), a = input(1),
                                b = input(2);
    if (condition && a && b) {
      result = a;
      result->dims =
          broadcastDims(condition->dims, broadcastDims(a->dims, b->dims));
    }
  } else if (type == "Expand") {
    std::optional<DeclaredType> data = input(0);
    std::optional<SmallVector<int64_t>> shape = constantInput(1);
    if (data && shape) {
      result = data;
      result->dims = broadcastDims(data->dims, *shape);
    }
  } else if (type == "MatMul") {
    std::optional<DeclaredType> a = input(0), b = input(1);
    if (a && b && a->dims.size() >= 2 && b->dims.size() >= 2) {
      result = a;
      result->dims = broadcastDims(ArrayRef(a->dims).drop_back(2),
                                   ArrayRef(b->dims).drop_back(2));
      result->dims.append({a->dims[a->dims.size() - 2], b->dims.back()});
    }
  } else if (type == "Gather") {
    std::optional<DeclaredType> data = input(0), indices = input(1);
    int64_t axis = intAttribute("axis", 0);
    int64_t rank = data ? static_cast<int64_t>(data->dims.size()) : 0;
    if (data && indices && axis >= -rank && axis < rank) {
      if (axis < 0)
        axis += rank;
      result = data;
      result->dims.assign(data->dims.begin(), data->dims.begin() + axis);
      llvm::append_range(result->dims, indices->dims);
      result->dims.append(data->dims.begin() + axis + 1, data->dims.end());
    }
  } else if (type == "Reshape") {
    std::optional<DeclaredType> data = input(0);
    std::optional<SmallVector<int64_t>> shape = constantInput(1);
    if (data && shape) {
      result = data;
      result->dims.clear();
      for (auto [i, entry] : llvm::enumerate(*shape))
        result->dims.push_back(entry > 0 ? entry
                               : entry == 0 && i < data->dims.size()
                                   ? data->dims[i]
                                   : -1);
    }
  } else if (type == "Attention" && producer->domain().empty()) {
    // Opset 23's: Q's shape with V's head size (times the query heads, 3-D).
    std::optional<DeclaredType> q = input(0), v = input(2);
    if (q && v && !q->dims.empty() && v->dims.size() == q->dims.size()) {
      result = q;
      int64_t heads = intAttribute("q_num_heads", 0);
      int64_t kvHeads = intAttribute("kv_num_heads", 0);
      int64_t valueSize = v->dims.back();
      result->dims.back() =
          q->dims.size() == 4 ? valueSize
          : valueSize > 0 && kvHeads > 0 && valueSize % kvHeads == 0
              ? valueSize / kvHeads * heads
              : -1;
    }
  } else if (type == "Unsqueeze") {
    // Axes as an input (opset 13) or an attribute.
    std::optional<DeclaredType> data = input(0);
    std::optional<SmallVector<int64_t>> axes = constantInput(1);
    for (const onnx::AttributeProto &attr : producer->attribute())
      if (attr.name() == "axes")
        axes = SmallVector<int64_t>(attr.ints().begin(), attr.ints().end());
    if (data && axes) {
      int64_t rank = data->dims.size() + axes->size();
      SmallVector<bool> inserted(rank, false);
      for (int64_t axis : *axes)
        if (axis >= -rank && axis < rank)
          inserted[axis < 0 ? axis + rank : axis] = true;
      result = data;
      result->dims.clear();
      auto next = data->dims.begin();
      for (int64_t d = 0; d < rank; ++d)
        result->dims.push_back(inserted[d]                ? 1
                               : next != data->dims.end() ? *next++
                                                          : -1);
    }
  } else if (type == "Transpose") {
    std::optional<DeclaredType> data = input(0);
    if (data) {
      SmallVector<int64_t> perm;
      for (const onnx::AttributeProto &attr : producer->attribute())
        if (attr.name() == "perm")
          perm.assign(attr.ints().begin(), attr.ints().end());
      if (perm.empty())
        for (int64_t d = data->dims.size() - 1; d >= 0; --d)
          perm.push_back(d);
      result = data;
      result->dims.clear();
      for (int64_t d : perm)
        result->dims.push_back(
            d >= 0 && d < static_cast<int64_t>(data->dims.size())
                ? data->dims[d]
                : -1);
    }
  }
  knownTypes[value] = result;
  return result;
}

std::optional<SmallVector<int64_t>>
Expander::getConstantInts(const std::string &value) const {
  const onnx::TensorProto *tensor = nullptr;
  if (auto it = initializers.find(value); it != initializers.end())
    tensor = it->second;
  else if (const onnx::NodeProto *producer = getProducer(value);
           producer && producer->op_type() == "Constant")
    for (const onnx::AttributeProto &attr : producer->attribute())
      if (attr.name() == "value" && attr.has_t())
        tensor = &attr.t();
  bool wide = tensor && tensor->data_type() == onnx::TensorProto::INT64;
  if (!tensor || (!wide && tensor->data_type() != onnx::TensorProto::INT32))
    return std::nullopt;
  size_t size = wide ? 8 : 4;
  std::vector<char> bytes = getTensorBytes(*tensor, size);
  SmallVector<int64_t> values;
  for (size_t i = 0; i + size <= bytes.size(); i += size)
    values.push_back(
        wide
            ? static_cast<int64_t>(llvm::support::endian::read64le(&bytes[i]))
            : static_cast<int32_t>(llvm::support::endian::read32le(&bytes[i])));
  return values;
}

LogicalResult Expander::checkAttributes(ArrayRef<StringRef> known) {
  for (const onnx::AttributeProto &attr : node->attribute())
    if (!llvm::is_contained(known, attr.name()))
      return error() << "unknown attribute '" << attr.name() << "'";
  return success();
}

LogicalResult Expander::checkNoInputsFrom(int first, StringRef what) {
  for (int i = first; i < node->input_size(); ++i)
    if (!node->input(i).empty())
      return error() << "input " << i << " (" << what
                     << ") is not supported yet";
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

Expander::Expansion Expander::getExpansion(const onnx::NodeProto &n) const {
  StringRef type = n.op_type();
  bool microsoft = n.domain() == kMicrosoftDomain;
  bool onnxDomain = n.domain().empty() || n.domain() == "ai.onnx";
  // ONNX Runtime registers SimplifiedLayerNormalization in the default
  // domain (ONNX has no op of that name) as well as in its own; Gelu (20),
  // Mish (18), RMSNormalization, RotaryEmbedding and Attention (23) are
  // ONNX's, newer than the linked schemas.
  if (type == "SimplifiedLayerNormalization" && (microsoft || onnxDomain))
    return &Expander::expandRmsNorm;
  if (type == "Gelu" && onnxDomain && opset >= 20)
    return &Expander::expandGelu;
  if (type == "Mish" && onnxDomain && opset >= 18)
    return &Expander::expandMish;
  if (onnxDomain && opset >= 23)
    return llvm::StringSwitch<Expansion>(type)
        .Case("RMSNormalization", &Expander::expandRmsNorm)
        .Case("RotaryEmbedding", &Expander::expandOnnxRotaryEmbedding)
        .Case("Attention", &Expander::expandOnnxAttention)
        .Default(nullptr);
  if (!microsoft)
    return nullptr;
  return llvm::StringSwitch<Expansion>(type)
      .Cases({"Gelu", "BiasGelu", "FastGelu", "QuickGelu"},
             &Expander::expandGelu)
      .Case("SkipSimplifiedLayerNormalization", &Expander::expandSkipRmsNorm)
      .Case("SkipLayerNormalization", &Expander::expandSkipLayerNorm)
      .Case("RotaryEmbedding", &Expander::expandRotaryEmbedding)
      .Case("EmbedLayerNormalization", &Expander::expandEmbedLayerNorm)
      .Case("Attention", &Expander::expandAttention)
      .Case("MultiHeadAttention", &Expander::expandMultiHeadAttention)
      .Case("GroupQueryAttention", &Expander::expandGroupQueryAttention)
      .Default(nullptr);
}

LogicalResult Expander::expandNode() {
  Expansion expansion = getExpansion(*node);
  if (!expansion)
    return success();
  // No schema checked these nodes' arity; every one of them needs its
  // first input and output.
  if (!hasInput(0) || !hasOutput(0))
    return error() << "input 0 and output 0 are required";
  return (this->*expansion)();
}

LogicalResult Expander::run() {
  auto declare = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type())
      return;
    const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
    DeclaredType type;
    type.elementType = tensor.elem_type();
    if (!tensor.has_shape())
      return;
    for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim())
      type.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    declared[info.name()] = type;
  };
  for (const onnx::ValueInfoProto &info : graph.input())
    declare(info);
  for (const onnx::ValueInfoProto &info : graph.value_info())
    declare(info);
  for (const onnx::ValueInfoProto &info : graph.output())
    declare(info);
  for (const onnx::TensorProto &init : graph.initializer()) {
    initializers[init.name()] = &init;
    DeclaredType type;
    type.elementType = init.data_type();
    type.dims.assign(init.dims().begin(), init.dims().end());
    declared[init.name()] = type;
  }
  for (const onnx::ValueInfoProto &info : graph.input())
    names.insert(info.name());
  for (const onnx::TensorProto &init : graph.initializer())
    names.insert(init.name());
  bool any = false;
  for (const onnx::NodeProto &n : graph.node()) {
    names.insert(n.name());
    for (const std::string &output : n.output()) {
      names.insert(output);
      producers[output] = &n;
    }
    any |= getExpansion(n) != nullptr;
  }
  if (!any)
    return success();

  std::vector<onnx::NodeProto> rewritten;
  for (auto [i, n] : llvm::enumerate(graph.node())) {
    node = &n;
    index = i;
    prefix = getNodeName(n, i) + "/";
    emitted.clear();
    if (failed(expandNode()))
      return failure();
    if (emitted.empty())
      rewritten.push_back(n);
    else
      llvm::append_range(rewritten, emitted);
  }
  node = nullptr;
  graph.clear_node();
  for (onnx::NodeProto &n : rewritten)
    *graph.add_node() = std::move(n);
  return success();
}

LogicalResult mlir::edge::onnx_import::expandContribOps(onnx::ModelProto &model,
                                                        int64_t defaultOpset,
                                                        Location loc) {
  return Expander(*model.mutable_graph(), defaultOpset, loc).run();
}
