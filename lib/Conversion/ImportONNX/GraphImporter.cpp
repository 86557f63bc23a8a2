//===- GraphImporter.cpp - Convert an ONNX graph into a function ----------===//

#include "GraphImporter.h"
#include "Composer.h"
#include "ModelChecks.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <onnx/defs/schema.h>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

std::string mlir::edge::onnx_import::getNodeName(const onnx::NodeProto &node,
                                                unsigned index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

Location GraphImporter::getNodeLoc(const onnx::NodeProto &node,
                                   unsigned index) {
  return NameLoc::get(StringAttr::get(context, getNodeName(node, index)),
                      FileLineColLoc::get(context, modelName, 0, 0));
}

FailureOr<RankedTensorType>
GraphImporter::convertValueType(const onnx::ValueInfoProto &info, Location loc,
                                bool isInput) {
  StringRef kind = isInput ? "input" : "output";
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph " << kind << " '" << info.name()
                          << "' is not a tensor (sequences, maps and optionals "
                             "are not supported)";
  const onnx::TypeProto::Tensor &tensorType = info.type().tensor_type();
  Type elementType = convertElementType(tensorType.elem_type(), context);
  if (!elementType || isInt4DataType(tensorType.elem_type()))
    return emitError(loc) << "graph " << kind << " '" << info.name()
                          << "' has element type "
                          << getElementTypeName(tensorType.elem_type())
                          << ", which is not supported"
                          << (elementType ? " (4-bit tensors are read as "
                                            "initializers: weights)"
                                          : "");

  auto overridden = options.inputShapes.find(info.name());
  if (isInput && overridden != options.inputShapes.end()) {
    if (tensorType.has_shape() &&
        tensorType.shape().dim_size() !=
            static_cast<int>(overridden->second.size()))
      return emitError(loc) << "--input-shape gives input '" << info.name()
                            << "' rank " << overridden->second.size()
                            << ", the model declares rank "
                            << tensorType.shape().dim_size();
    return RankedTensorType::get(overridden->second, elementType);
  }
  if (!tensorType.has_shape())
    return emitError(loc) << "graph " << kind << " '" << info.name()
                          << "' has no shape; give one with --input-shape="
                          << info.name() << ":D0xD1x...";
  SmallVector<int64_t> shape;
  for (const auto &[index, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() < 0)
      return emitError(loc) << "graph " << kind << " '" << info.name()
                            << "' has a negative dimension " << dim.dim_value()
                            << " at index " << index;
    if (dim.has_dim_value()) {
      if (dim.dim_value() > (int64_t(1) << 31))
        return emitError(loc) << "graph " << kind << " '" << info.name()
                              << "' has dimension " << dim.dim_value()
                              << ", larger than supported (2^31)";
      shape.push_back(dim.dim_value());
      continue;
    }
    if (!isInput ||
        (dim.has_dim_param() && options.dimBounds.count(dim.dim_param()))) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (dim.has_dim_param())
      return emitError(loc)
             << "graph input '" << info.name() << "' has a dynamic dimension '"
             << dim.dim_param() << "' at index " << index << "; bound it with --dim="
             << dim.dim_param() << "<=N (one library for every size up to N), "
             << "fix it with --dim=" << dim.dim_param()
             << "=N, or give the input's shape with --input-shape="
             << info.name() << ":D0xD1x...";
    return emitError(loc) << "graph input '" << info.name()
                          << "' has an unnamed dynamic dimension at index "
                          << index << "; give the input's shape with "
                          << "--input-shape=" << info.name() << ":D0xD1x...";
  }
  auto type = RankedTensorType::get(shape, elementType);
  if (isInput && !type.hasStaticShape() && !fitsSizeLimit(getBoundType(info)))
    return emitError(loc) << "graph input '" << info.name()
                          << "' would be a " << getBoundType(info)
                          << " at the bounds of its dimensions, larger than "
                             "the limit of "
                          << options.maxTensorBytes << " bytes per tensor";
  if (type.hasStaticShape() && !fitsSizeLimit(type))
    return emitError(loc) << "graph " << kind << " '" << info.name()
                          << "' would be a " << type
                          << ", larger than the limit of "
                          << options.maxTensorBytes << " bytes per tensor";
  return type;
}

RankedTensorType
GraphImporter::getBoundType(const onnx::ValueInfoProto &info) const {
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim :
       info.type().tensor_type().shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : options.dimBounds.lookup(
                                              dim.dim_param()));
  return RankedTensorType::get(
      shape, convertElementType(info.type().tensor_type().elem_type(), context));
}

/// Records which symbol each dynamic dimension of input `index` is
/// (`edge.dim_symbols`, "" for static dimensions) and the bound of every
/// symbol of the function (`edge.dim_bounds`): the ABI metadata describes
/// them to the runtime, which checks each run's shapes against them.
static void recordDimSymbols(func::FuncOp func, unsigned index,
                             const onnx::ValueInfoProto &info,
                             const llvm::StringMap<int64_t> &dimBounds) {
  auto type = cast<RankedTensorType>(func.getArgument(index).getType());
  if (type.hasStaticShape())
    return;
  Builder builder(func.getContext());
  SmallVector<Attribute> symbols;
  NamedAttrList bounds;
  if (auto existing = func->getAttrOfType<DictionaryAttr>(kDimBoundsAttrName))
    bounds.append(existing.getValue());
  for (auto [dim, size] : llvm::zip(info.type().tensor_type().shape().dim(),
                                    type.getShape())) {
    StringRef symbol = ShapedType::isDynamic(size) ? StringRef(dim.dim_param())
                                                   : StringRef();
    symbols.push_back(builder.getStringAttr(symbol));
    if (!symbol.empty())
      bounds.set(symbol, builder.getI64IntegerAttr(dimBounds.lookup(symbol)));
  }
  func.setArgAttr(index, kDimSymbolsAttrName, builder.getArrayAttr(symbols));
  func->setAttr(kDimBoundsAttrName, bounds.getDictionary(func.getContext()));
}

FailureOr<func::FuncOp>
GraphImporter::createFunction(const onnx::GraphProto &graph, ModuleOp module) {
  Location fileLoc = FileLineColLoc::get(context, modelName, 0, 0);
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());

  SmallVector<Type> inputTypes;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  bool failedAny = false;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    // IR version < 4 lists initializers as inputs too; they are constants.
    if (initializerNames.contains(input.name()))
      continue;
    FailureOr<RankedTensorType> type = convertValueType(input, fileLoc, true);
    if (failed(type)) {
      failedAny = true;
      continue;
    }
    inputTypes.push_back(*type);
    inputs.push_back(&input);
  }
  for (const auto &entry : options.inputShapes) {
    if (llvm::any_of(inputs, [&](const onnx::ValueInfoProto *input) {
          return input->name() == entry.getKey();
        }))
      continue;
    std::string names;
    for (const onnx::ValueInfoProto *input : inputs)
      names += (names.empty() ? "'" : ", '") + input->name() + "'";
    emitError(fileLoc) << "--input-shape names '" << entry.getKey()
                       << "', which is not an input of the graph (inputs: "
                       << (names.empty() ? "none" : names) << ")";
    failedAny = true;
  }
  if (failedAny)
    return failure();

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, fileLoc, options.functionName,
                                   builder.getFunctionType(inputTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [index, input] : llvm::enumerate(inputs)) {
    func.setArgAttr(index, "edge.name", builder.getStringAttr(input->name()));
    int32_t dataType = input->type().tensor_type().elem_type();
    if (isUnsignedDataType(dataType))
      func.setArgAttr(index, "edge.onnx_dtype",
                      builder.getI32IntegerAttr(dataType));
    values[input->name()] = body->getArgument(index);
    recordDimSymbols(func, index, *input, options.dimBounds);
  }
  builder.setInsertionPointToStart(body);
  if (failed(bindInputs(func, inputs, fileLoc)))
    return failure();
  return func;
}

LogicalResult GraphImporter::bindInputs(
    func::FuncOp func, ArrayRef<const onnx::ValueInfoProto *> inputs,
    Location loc) {
  bool failedAny = false;
  for (const auto &entry : options.boundInputs) {
    StringRef name = entry.getKey();
    const auto *input = llvm::find_if(inputs, [&](const auto *info) {
      return info->name() == name;
    });
    if (input == inputs.end()) {
      emitError(loc) << "--bind-input names '" << name
                     << "', which is not a graph input of the model";
      failedAny = true;
      continue;
    }
    unsigned index = input - inputs.begin();
    auto type = cast<RankedTensorType>(func.getArgument(index).getType());
    FailureOr<DenseElementsAttr> value =
        convertBoundInput(entry.getValue(), name, type,
                          (*input)->type().tensor_type().elem_type(), loc);
    if (failed(value)) {
      failedAny = true;
      continue;
    }
    // The argument stays so that callers pass the same buffers as to the
    // ONNX model; the ABI metadata records the value for the runtime check.
    func.setArgAttr(index, "edge.bound_value", *value);
    values[name] = ConstantOp::create(
        builder, NameLoc::get(builder.getStringAttr(name), loc), *value);
  }
  return failure(failedAny);
}

LogicalResult GraphImporter::importInitializers(const onnx::GraphProto &graph) {
  for (const onnx::TensorProto &init : graph.initializer()) {
    Location loc =
        NameLoc::get(StringAttr::get(context, init.name()),
                     FileLineColLoc::get(context, modelName, 0, 0));
    FailureOr<ElementsAttr> value =
        convertTensor(init, loc, options.resourceThresholdBytes);
    if (failed(value))
      return failure();
    values[init.name()] = ConstantOp::create(builder, loc, *value);
  }
  return success();
}

LogicalResult GraphImporter::checkSupported(const onnx::GraphProto &graph,
                                            int64_t opset) {
  const OpRegistry &registry = OpRegistry::get();
  bool allSupported = true;
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    // Subgraphs (If branches, Loop bodies) are checked with their node.
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g() && failed(checkSupported(attr.g(), opset)))
        allSupported = false;
      for (const onnx::GraphProto &subgraph : attr.graphs())
        if (failed(checkSupported(subgraph, opset)))
          allSupported = false;
    }
    if (registry.lookup(node.domain(), node.op_type()))
      continue;
    allSupported = false;
    Location loc = getNodeLoc(node, index);
    InFlightDiagnostic diag = emitError(loc)
                              << "unsupported ONNX op '" << node.op_type()
                              << "' (opset " << opset << ") in node '"
                              << cast<NameLoc>(loc).getName().str() << "'";
    if (!defaultDomain)
      diag << " of domain '" << node.domain() << "'";
  }
  return success(allSupported);
}

/// Checks the node's attributes against the ONNX schema of its opset, so
/// that a converter never reads a value of the wrong kind as a default.
LogicalResult GraphImporter::checkAttributes(NodeContext &ctx) {
  const onnx::NodeProto &node = ctx.getNode();
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  // Other domains have their own opset versions; their ops are checked
  // against the newest schema.
  int version = domain.empty() ? static_cast<int>(ctx.getOpset()) : INT_MAX;
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), version, domain);
  // ONNX describes its own domains only; ops of other domains
  // (com.microsoft) declare their attributes where they are registered.
  const DeclaredAttributes *declared =
      schema ? nullptr
             : OpRegistry::get().lookupAttributes(domain, node.op_type());
  if (!schema && !declared)
    return ctx.emitError("no ONNX schema for this op at this opset");
  auto declaredType = [&](const std::string &name)
      -> std::optional<onnx::AttributeProto::AttributeType> {
    if (declared) {
      auto it = declared->find(name);
      if (it == declared->end())
        return std::nullopt;
      return it->second;
    }
    auto it = schema->attributes().find(name);
    if (it != schema->attributes().end())
      return it->second.type;
    if (!domain.empty())
      return std::nullopt;
    return getNewerAttributeType(node.op_type(), ctx.getOpset(), name);
  };
  for (const onnx::AttributeProto &attr : node.attribute()) {
    std::optional<onnx::AttributeProto::AttributeType> type =
        declaredType(attr.name());
    if (!type)
      return ctx.emitError("unknown attribute '" + attr.name() + "'");
    if (attr.type() != *type)
      return ctx.emitError(
          "attribute '" + attr.name() + "' must be " +
          onnx::AttributeProto::AttributeType_Name(*type) + ", got " +
          onnx::AttributeProto::AttributeType_Name(attr.type()));
  }
  return success();
}

/// Outputs that ONNX's inference left untyped (after an op newer than it)
/// take the ONNX type of the first input of an op that keeps it, so that a
/// BitwiseAnd of uint8 stays unsigned through the reshapes after it.
void GraphImporter::recordKeptElementTypes(const onnx::NodeProto &node) {
  static const llvm::StringSet<> keepsType = {
      "Identity",  "Reshape",    "Flatten",   "Squeeze",    "Unsqueeze",
      "Transpose", "Concat",     "Gather",    "Slice",      "Expand",
      "Tile",      "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot"};
  if (node.input_size() == 0 || !keepsType.contains(node.op_type()))
    return;
  std::optional<int32_t> dataType = getOnnxElementType(node.input(0));
  if (!dataType)
    return;
  for (const std::string &output : node.output())
    if (!output.empty() && !getOnnxElementType(output))
      setOnnxElementType(output, *dataType);
}

/// Integer ops are lowered with signed arithmetic: an unsigned input is
/// accepted only by ops whose result does not depend on signedness.
LogicalResult GraphImporter::checkSignedness(NodeContext &ctx) {
  // Data movement, equality, two's complement add/sub/mul, bitwise logic,
  // ops whose importers handle unsigned inputs (Div as edge.divu, Mod, Max,
  // Min, (de)quantization, Pow exponents) and BitShift (unsigned only).
  static const llvm::StringSet<> agnostic = {"Identity",
                                             "Reshape",
                                             "Flatten",
                                             "Squeeze",
                                             "Unsqueeze",
                                             "Transpose",
                                             "Concat",
                                             "Gather",
                                             "Slice",
                                             "Shape",
                                             "Size",
                                             "Dropout",
                                             "Equal",
                                             "Where",
                                             "Constant",
                                             "Add",
                                             "Sub",
                                             "Mul",
                                             "Div",
                                             "Mod",
                                             "Max",
                                             "Min",
                                             "BitShift",
                                             "BitwiseAnd",
                                             "BitwiseOr",
                                             "BitwiseXor",
                                             "BitwiseNot",
                                             "QuantizeLinear",
                                             "DequantizeLinear",
                                             "Pow",
                                             "MatMulInteger",
                                             "ConvInteger",
                                             "QLinearMatMul",
                                             "QLinearConv",
                                             "MaxPool",
                                             "NonZero",
                                             "Compress",
                                             "MatMulNBits"};
  const onnx::NodeProto &node = ctx.getNode();
  if (agnostic.contains(node.op_type()))
    return success();
  for (unsigned i = 0; i < ctx.getNumInputs(); ++i)
    if (ctx.isUnsignedInput(i))
      return ctx.emitError(
          "input '" + node.input(i) + "' has unsigned type " +
          getElementTypeName(*getOnnxElementType(node.input(i))) +
          ", which this op does not support yet");
  return success();
}

void GraphImporter::recordElementTypes(const onnx::GraphProto &graph) {
  auto record = [&](const onnx::ValueInfoProto &info) {
    if (info.type().has_tensor_type())
      onnxElementTypes[info.name()] = info.type().tensor_type().elem_type();
  };
  for (const onnx::ValueInfoProto &info : graph.input())
    record(info);
  for (const onnx::ValueInfoProto &info : graph.value_info())
    record(info);
  for (const onnx::ValueInfoProto &info : graph.output())
    record(info);
  for (const onnx::TensorProto &init : graph.initializer())
    onnxElementTypes[init.name()] = init.data_type();
}

/// A shape may be legal dimension by dimension and still describe more
/// memory than any machine has; such a tensor is refused before code that
/// would allocate it exists.
bool GraphImporter::fitsSizeLimit(RankedTensorType type) const {
  unsigned bitWidth = type.getElementType().isIntOrFloat()
                          ? type.getElementType().getIntOrFloatBitWidth()
                          : 64;
  int64_t elementBytes = std::max<int64_t>(1, (bitWidth + 7) / 8);
  return getElementCount(type.getShape(),
                         options.maxTensorBytes / elementBytes)
      .has_value();
}

LogicalResult GraphImporter::checkSize(NodeContext &ctx, Value value,
                                       StringRef name) {
  auto type = dyn_cast_if_present<RankedTensorType>(value ? value.getType()
                                                          : Type());
  if (!type || !type.hasStaticShape() || fitsSizeLimit(type))
    return success();
  return ctx.emitError("output '" + name + "' would be a ")
         << type << ", larger than the limit of " << options.maxTensorBytes
         << " bytes per tensor";
}

/// The ONNX ops whose converters, edge ops and lowerings handle dynamic
/// sizes. A node of another op with a dynamic input is refused, naming the
/// input: its converter computes with static sizes.
static bool handlesDynamicSizes(StringRef opType) {
  static const llvm::StringSet<> ops = {
      // Elementwise, with numpy broadcasting.
      "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "LessOrEqual",
      "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Max", "Min", "Sum",
      "Mean", "Where", "Cast", "CastLike", "Clip", "Relu", "Neg", "Abs", "Sign",
      "Not", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Erf", "Reciprocal",
      "Floor", "Ceil", "Round", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
      "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softplus", "Softsign",
      "HardSwish", "LeakyRelu", "Elu", "Celu", "Selu", "HardSigmoid",
      "ThresholdedRelu",
      // Contractions, windows, normalization, reductions.
      "MatMul", "MatMulNBits", "Gemm", "Conv", "MaxPool", "AveragePool",
      "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Softmax",
      "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
      "LayerNormalization",
      // Data movement, and shapes computed from sizes.
      "Identity", "Dropout", "Flatten", "Transpose", "Concat", "Reshape",
      "Squeeze", "Unsqueeze", "Shape", "Gather", "Expand", "Slice", "Split"};
  return ops.contains(opType);
}

LogicalResult GraphImporter::checkDynamicSizes(NodeContext &ctx) {
  const onnx::NodeProto &node = ctx.getNode();
  if (handlesDynamicSizes(node.op_type()))
    return success();
  for (const auto &[index, name] : llvm::enumerate(node.input())) {
    Value value = name.empty() ? Value() : values.lookup(name);
    auto type = dyn_cast_if_present<RankedTensorType>(value ? value.getType()
                                                            : Type());
    if (type && !type.hasStaticShape())
      return ctx.emitError("input " + Twine(index) + " ('" + name + "') is a ")
             << type << "; this op does not handle dynamic sizes yet: fix "
             << "them with --dim=SYMBOL=SIZE or --input-shape";
  }
  return success();
}

LogicalResult GraphImporter::checkBroadcastSizes(NodeContext &ctx,
                                                 Block *block,
                                                 Operation *last) {
  auto begin = last ? std::next(last->getIterator()) : block->begin();
  // A Loop or If node's body was imported, and checked, node by node.
  SmallVector<Operation *> built;
  for (Operation &op : llvm::make_range(begin, block->end()))
    if (op.hasTrait<ElementwiseTrait>() && op.getNumOperands() > 1 &&
        checkedBroadcasts.insert(&op).second)
      built.push_back(&op);
  for (Operation *op : built) {
    auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!result)
      continue;
    int64_t rank = result.getRank();
    for (int64_t d = 0; d < rank; ++d) {
      // The operands' sizes along result dimension d.
      SmallVector<std::pair<unsigned, int64_t>> dynamic;
      std::optional<int64_t> fixed;
      for (auto [index, operand] : llvm::enumerate(op->getOperands())) {
        auto type = cast<RankedTensorType>(operand.getType());
        int64_t dim = d - (rank - type.getRank());
        if (dim < 0)
          continue;
        if (type.isDynamicDim(dim))
          dynamic.emplace_back(index, dim);
        else if (type.getDimSize(dim) != 1)
          fixed = type.getDimSize(dim);
      }
      if (dynamic.empty() || (!fixed && dynamic.size() == 1))
        continue;
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(op);
      Composer c(ctx);
      auto sizeOf = [&](Value operand, int64_t dim) {
        return c.sliceAxis(
            ShapeOp::create(builder, ctx.getLoc(),
                            RankedTensorType::get(
                                {c.typeOf(operand).getRank() - dim},
                                builder.getI64Type()),
                            operand, builder.getI64IntegerAttr(dim)),
            0, 0, 1);
      };
      // A dynamic size meeting a static one must be it; two dynamic sizes
      // must be equal, which the run checks unless their symbols or shape
      // rules prove it.
      auto [first, firstDim] = dynamic.front();
      Value firstSize;
      for (auto [index, dim] : dynamic) {
        Value operand = op->getOperand(index);
        if (fixed) {
          op->setOperand(index,
                         c.checkSizes(operand, sizeOf(operand, dim), {*fixed},
                                      ("a dynamic size of input " +
                                       Twine(index) + " meeting " +
                                       Twine(*fixed))
                                          .str()));
        } else if (index != first &&
                   !haveEqualSizes(op->getOperand(first), firstDim, operand,
                                   dim)) {
          if (!firstSize)
            firstSize = sizeOf(op->getOperand(first), firstDim);
          op->setOperand(
              index, c.checkSizesAgainst(
                         operand, sizeOf(operand, dim), firstSize,
                         ("input " + Twine(index) + " against input " +
                          Twine(first) + ", which it must equal")
                             .str()));
        }
      }
    }
  }
  return success();
}

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph,
                                         int64_t opset) {
  const OpRegistry &registry = OpRegistry::get();
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    NodeContext ctx(*this, node, opset, getNodeLoc(node, index));
    for (const auto &[inputIndex, name] : llvm::enumerate(node.input()))
      if (!name.empty() && !values.count(name) && !sequences.count(name))
        return ctx.emitError("input " + Twine(inputIndex) + " ('" + name +
                             "') is not defined before the node");
    if (failed(checkAttributes(ctx)) || failed(checkSignedness(ctx)) ||
        failed(checkDynamicSizes(ctx)))
      return failure();
    const NodeConverter &convert =
        *registry.lookup(node.domain(), node.op_type());
    Block *block = builder.getInsertionBlock();
    Operation *last = block->empty() ? nullptr : &block->back();
    FailureOr<bool> converted = implyShapeInputs(ctx, convert);
    if (failed(converted) || (!*converted && failed(convert(ctx))) ||
        failed(checkBroadcastSizes(ctx, block, last)))
      return failure();
    recordKeptElementTypes(node);
    for (const auto &[outputIndex, name] : llvm::enumerate(node.output())) {
      if (name.empty())
        continue;
      if (!values.count(name) && !sequences.count(name))
        return ctx.emitError("output " + Twine(outputIndex) + " ('" + name +
                             "') is not supported");
      if (failed(checkSize(ctx, values.lookup(name), name)))
        return failure();
    }
  }
  return success();
}

LogicalResult GraphImporter::createReturn(const onnx::GraphProto &graph,
                                          func::FuncOp func) {
  Location fileLoc = FileLineColLoc::get(context, modelName, 0, 0);
  SmallVector<Value> results;
  for (const auto &[index, output] : llvm::enumerate(graph.output())) {
    Value value = values.lookup(output.name());
    if (!value && sequences.count(output.name()))
      return emitError(fileLoc) << "graph output '" << output.name()
                                << "' is a sequence; sequence outputs are not "
                                   "supported";
    if (!value)
      return emitError(fileLoc) << "graph output '" << output.name()
                                << "' is not produced by any node";
    // An output declared without a type (which ONNX's inference did not
    // give one either: ops newer than its schemas) has the computed type.
    if (output.type().value_case() == onnx::TypeProto::VALUE_NOT_SET) {
      results.push_back(value);
      continue;
    }
    FailureOr<RankedTensorType> declared =
        convertValueType(output, fileLoc, /*isInput=*/false);
    if (failed(declared))
      return failure();
    auto actual = cast<RankedTensorType>(value.getType());
    {
      bool shapeAgrees = declared->getRank() == actual.getRank();
      for (int64_t i = 0; shapeAgrees && i < actual.getRank(); ++i)
        shapeAgrees = declared->isDynamicDim(i) ||
                      declared->getDimSize(i) == actual.getDimSize(i);
      if (declared->getElementType() != actual.getElementType() ||
          !shapeAgrees)
        return emitError(fileLoc)
               << "graph output '" << output.name() << "' is declared as "
               << *declared << " but computes " << actual;
    }
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(
      func.getFunctionType().getInputs(), ValueRange(results).getTypes()));
  for (const auto &[index, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(index, "edge.name",
                       builder.getStringAttr(output.name()));
    // The declared type, else the one an importer recorded (an op newer
    // than ONNX's inference, which left the output untyped).
    int32_t dataType = output.type().tensor_type().elem_type();
    if (dataType == onnx::TensorProto::UNDEFINED)
      dataType = getOnnxElementType(output.name()).value_or(dataType);
    if (isUnsignedDataType(dataType))
      func.setResultAttr(index, "edge.onnx_dtype",
                         builder.getI32IntegerAttr(dataType));
  }
  return success();
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                              ArrayRef<Value> inputs, int64_t opset,
                              Location loc) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return emitError(loc) << "subgraph '" << graph.name() << "' takes "
                          << graph.input_size() << " inputs, given "
                          << inputs.size();
  for (auto [info, value] : llvm::zip(graph.input(), inputs))
    values[info.name()] = value;
  recordElementTypes(graph);
  if (failed(importInitializers(graph)) || failed(importNodes(graph, opset)))
    return failure();
  SmallVector<Value> outputs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value)
      return emitError(loc) << "subgraph output '" << output.name()
                            << "' is not a tensor produced in the subgraph";
    outputs.push_back(value);
  }
  return outputs;
}

LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph,
                                         int64_t opset, ModuleOp module) {
  // Report every unsupported op before anything else: a user wants the
  // whole list at once, not one per attempt.
  if (failed(checkSupported(graph, opset)))
    return failure();
  recordElementTypes(graph);
  recordDeclaredTypes(graph);
  FailureOr<func::FuncOp> func = createFunction(graph, module);
  if (failed(func))
    return failure();
  if (failed(importInitializers(graph)) || failed(importNodes(graph, opset)) ||
      failed(createReturn(graph, *func)))
    return failure();
  return success();
}
