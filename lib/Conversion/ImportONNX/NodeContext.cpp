//===- NodeContext.cpp - Typed access to one ONNX node --------------------===//

#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace mlir::edge::onnx_import;

OpBuilder &NodeContext::getBuilder() { return importer.getBuilder(); }

unsigned NodeContext::getNumInputs() const { return node.input_size(); }

bool NodeContext::hasInput(unsigned index) const {
  return static_cast<int>(index) < node.input_size() &&
         !node.input(index).empty();
}

bool NodeContext::hasOutput(unsigned index) const {
  return static_cast<int>(index) < node.output_size() &&
         !node.output(index).empty();
}

Value NodeContext::getInput(unsigned index) const {
  if (!hasInput(index))
    return {};
  return importer.lookup(node.input(index));
}

void NodeContext::setOutputDataType(unsigned index, int32_t dataType) {
  if (hasOutput(index))
    importer.setOnnxElementType(node.output(index), dataType);
}

std::optional<int32_t> NodeContext::getInputDataType(unsigned index) const {
  if (!hasInput(index))
    return std::nullopt;
  return importer.getOnnxElementType(node.input(index));
}

bool NodeContext::isUnsignedInput(unsigned index) const {
  std::optional<int32_t> type = getInputDataType(index);
  return type && isUnsignedDataType(*type);
}

std::optional<DenseElementsAttr>
NodeContext::getConstantInput(unsigned index) const {
  Value value = getInput(index);
  DenseElementsAttr attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  // Computed from constants by ops without folders: evaluated as a whole.
  if (value)
    return importer.evaluateConstant(value);
  return std::nullopt;
}

FailureOr<int64_t>
NodeContext::getConstantScalarInt(unsigned index, const Twine &message) const {
  std::optional<DenseElementsAttr> value = getConstantInput(index);
  if (!value || value->getNumElements() != 1 ||
      !value->getElementType().isSignlessInteger())
    return emitNotConstantError(index, message);
  return (*value->getValues<APInt>().begin()).getSExtValue();
}

FailureOr<SmallVector<int64_t>>
NodeContext::getConstantInts(unsigned index, const Twine &what) const {
  std::optional<DenseElementsAttr> attr = getConstantInput(index);
  // Computed from static sizes of dynamic tensors (half the last size of a
  // [batch, heads, seq, 64] tensor): constants too.
  if (!attr)
    if (std::optional<SmallVector<SizeEntry>> entries =
            traceSizeEntries(getInput(index)))
      if (llvm::all_of(*entries,
                       [](const SizeEntry &e) { return e.isConstant(); }))
        return llvm::map_to_vector(
            *entries, [](const SizeEntry &e) { return e.constant; });
  if (!attr || !attr->getElementType().isInteger(64))
    return emitNotConstantError(index, what + " must be a constant int64 "
                                              "tensor (shapes computed at run "
                                              "time are not supported)");
  return llvm::to_vector(attr->getValues<int64_t>());
}

FailureOr<SmallVector<SizeEntry>>
NodeContext::getSizeEntries(unsigned index, const Twine &what) const {
  if (std::optional<DenseElementsAttr> attr = getConstantInput(index))
    if (attr->getElementType().isInteger(64))
      return llvm::map_to_vector(attr->getValues<int64_t>(), [](int64_t v) {
        return SizeEntry{v, Value(), 0};
      });
  if (std::optional<SmallVector<SizeEntry>> entries =
          traceSizeEntries(getInput(index)))
    return *entries;
  return emitNotConstantError(
      index, what + " must be a constant int64 tensor or be computed from "
                    "the sizes of tensors (Shape -> Gather -> Concat); other "
                    "shapes computed at run time are not supported");
}

/// Folds the op defining `value` when all its operands are constants, so
/// that shape computations (Shape -> Gather -> Concat -> Reshape) become
/// constants as they are imported.
static Value foldIfConstant(GraphImporter &importer, Value value) {
  OpBuilder &builder = importer.getBuilder();
  Operation *op = value.getDefiningOp();
  if (!op || isa<edge::ConstantOp>(op) || op->getNumResults() != 1 ||
      !llvm::all_of(op->getOperands(), [](Value operand) {
        return matchPattern(operand, m_Constant());
      }))
    return value;
  SmallVector<Value> folded;
  if (failed(builder.tryFold(op, folded)) || folded.size() != 1)
    return value;
  if (op->use_empty())
    importer.eraseOp(op);
  return folded.front();
}

void NodeContext::setOutput(unsigned index, Value value) {
  if (hasOutput(index))
    importer.bind(node.output(index), foldIfConstant(importer, value));
}

FailureOr<SmallVector<Value>>
NodeContext::getSequenceInput(unsigned index) const {
  if (!hasInput(index))
    return emitError("input " + Twine(index) + " is missing");
  const SmallVector<Value> *tensors = importer.lookupSequence(node.input(index));
  if (!tensors)
    return emitError("input '" + node.input(index) +
                     "' must be a sequence built in the graph (sequence "
                     "graph inputs are not supported)");
  return *tensors;
}

FailureOr<SmallVector<Value>>
NodeContext::importSubgraph(StringRef name, ArrayRef<Value> inputs) {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr || !attr->has_g())
    return emitError("graph attribute '" + name + "' is missing");
  return importer.importSubgraph(attr->g(), inputs, opset, loc);
}

void NodeContext::setSequenceOutput(unsigned index, ArrayRef<Value> tensors) {
  if (hasOutput(index))
    importer.bindSequence(node.output(index), tensors);
}

const onnx::AttributeProto *NodeContext::getAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeContext::getInt(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->i() : defaultValue;
}

float NodeContext::getFloat(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeContext::getString(StringRef name,
                                   StringRef defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::getInts(StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

InFlightDiagnostic NodeContext::emitError(const Twine &message) const {
  // Unnamed nodes are called by their location name (OpType_index).
  std::string name = node.name();
  if (auto nameLoc = dyn_cast<NameLoc>(loc); name.empty() && nameLoc)
    name = nameLoc.getName().str();
  return mlir::emitError(loc) << "node '" << name << "' (" << node.op_type()
                              << ", opset " << opset << "): " << message;
}

/// The graph inputs (function arguments) that `value` is computed from,
/// looking through at most `kMaxOps` ops; empty when there are more.
static SmallVector<BlockArgument> findGraphInputs(Value value) {
  constexpr unsigned kMaxOps = 64;
  SmallVector<BlockArgument> inputs;
  SmallVector<Value> worklist = {value};
  llvm::SmallPtrSet<Operation *, 16> visited;
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(current)) {
      if (!llvm::is_contained(inputs, arg))
        inputs.push_back(arg);
      continue;
    }
    Operation *op = current.getDefiningOp();
    if (!op || !visited.insert(op).second)
      continue;
    if (visited.size() > kMaxOps)
      return {};
    llvm::append_range(worklist, op->getOperands());
  }
  return inputs;
}

RankedTensorType NodeContext::getDeclaredOutputType(unsigned index) const {
  if (!hasOutput(index))
    return {};
  return importer.getDeclaredType(node.output(index));
}

InFlightDiagnostic
NodeContext::emitNotConstantError(unsigned index,
                                  const Twine &message) const {
  InFlightDiagnostic diag = emitError(message);
  Value value = getInput(index);
  if (!value)
    return diag;
  // Values computed from graph inputs only can be made constants by fixing
  // those inputs at compile time; say how.
  for (BlockArgument arg : findGraphInputs(value)) {
    auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                  "edge.name");
    if (!name)
      continue;
    diag << "; to compile for fixed values of graph input '" << name.getValue()
         << "', bind it with --bind-input=" << name.getValue() << "=VALUES";
    StringRef note = importer.getImpliedInputNote(name.getValue());
    if (note.starts_with("or "))
      diag << ", " << note;
    else if (!note.empty())
      diag << " (" << note << ")";
  }
  return diag;
}

FailureOr<RankedTensorType> NodeContext::getInputType(unsigned index) const {
  Value value = getInput(index);
  if (!value)
    return emitError("input " + Twine(index) + " is missing");
  // Dynamic sizes reach only the converters that handle them
  // (GraphImporter::checkDynamicSizes).
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return emitError("input " + Twine(index) + " must be a ranked tensor");
  return type;
}

FailureOr<RankedTensorType>
NodeContext::getFloatInputType(unsigned index, int64_t minRank) const {
  FailureOr<RankedTensorType> type = getInputType(index);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()))
    return emitError("element type ")
           << type->getElementType() << " is not supported";
  if (type->getRank() < minRank)
    return emitError("input " + Twine(index) + " must have rank >= " +
                     Twine(minRank));
  return type;
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              bool inclusive) const {
  int64_t upper = inclusive ? rank : rank - 1;
  if (axis < -rank || axis > upper)
    return emitError("axis " + Twine(axis) + " is out of range for rank " +
                     Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

const OpRegistry &OpRegistry::get() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerNeuralNetworkOps(r);
    registerTensorOps(r);
    registerReductionOps(r);
    registerLayoutOps(r);
    registerGeneratorOps(r);
    registerResizeOps(r);
    registerQuantizationOps(r);
    registerMicrosoftOps(r);
    registerRecurrentOps(r);
    registerSequenceOps(r);
    registerControlFlowOps(r);
    registerTrainingOps(r);
    registerSignalOps(r);
    registerDetectionOps(r);
    registerUniqueOps(r);
    registerGridSampleOps(r);
    registerLinearAlgebraOps(r);
    registerTextOps(r);
    return r;
  }();
  return registry;
}

/// "domain:op", with the default domain (also spelled "ai.onnx") empty.
static std::string getRegistryKey(StringRef domain, StringRef opType) {
  if (domain == "ai.onnx")
    domain = "";
  return (domain + ":" + opType).str();
}

const NodeConverter *OpRegistry::lookup(StringRef domain,
                                        StringRef opType) const {
  auto it = converters.find(getRegistryKey(domain, opType));
  return it == converters.end() ? nullptr : &it->second;
}

const DeclaredAttributes *OpRegistry::lookupAttributes(StringRef domain,
                                                       StringRef opType) const {
  auto it = attributes.find(getRegistryKey(domain, opType));
  return it == attributes.end() ? nullptr : &it->second;
}

void OpRegistry::add(StringRef domain, StringRef opType,
                     NodeConverter converter, DeclaredAttributes declared) {
  add(domain, opType, std::move(converter));
  attributes[getRegistryKey(domain, opType)] = std::move(declared);
}

void OpRegistry::add(StringRef opType, NodeConverter converter) {
  add("", opType, std::move(converter));
}

void OpRegistry::add(StringRef domain, StringRef opType,
                     NodeConverter converter) {
  converters[getRegistryKey(domain, opType)] = std::move(converter);
}
