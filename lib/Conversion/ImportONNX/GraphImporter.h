//===- GraphImporter.h - State of one ONNX graph import ---------*- C++ -*-===//
//
// Internal to the importer. GraphImporter holds the value table and the
// builder while the nodes of a graph are converted; NodeContext gives a node
// converter typed access to the node's inputs and attributes and reports
// errors located at the node, naming its op type and opset.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_CONVERSION_IMPORTONNX_GRAPHIMPORTER_H
#define EDGE_LIB_CONVERSION_IMPORTONNX_GRAPHIMPORTER_H

#include "edge/Conversion/ImportONNX/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace mlir::edge::onnx_import {

class GraphImporter;

/// The node's name, or `OpType_N` (N: its index in its graph) when it has
/// none: the name diagnostics and locations use.
std::string getNodeName(const onnx::NodeProto &node, unsigned index);

/// ONNX's 4-bit integer types (IR version 10, opset 21), newer than the
/// linked ONNX's DataType enum. Tensors of them pack two elements per byte,
/// the first in the low half; the importer unpacks them to one i8 each.
inline constexpr int32_t kOnnxUInt4 = 21;
inline constexpr int32_t kOnnxInt4 = 22;
inline bool isInt4DataType(int32_t dataType) {
  return dataType == kOnnxUInt4 || dataType == kOnnxInt4;
}
/// Element `index`, unsigned, of 4-bit elements packed two per byte with
/// the first in the low half: ONNX's INT4/UINT4 tensors and ONNX Runtime's
/// MatMulNBits pack them so.
inline uint8_t getPackedNibble(const void *bytes, int64_t index) {
  uint8_t byte = static_cast<const uint8_t *>(bytes)[index / 2];
  return index % 2 == 0 ? byte & 0xF : byte >> 4;
}
/// Whether ONNX type `dataType` is an unsigned integer, which MLIR
/// represents as a signless one.
bool isUnsignedDataType(int32_t dataType);

/// Converts ONNX element type codes and tensors to MLIR (Types.cpp). The
/// 4-bit types convert to i8 (one element per byte, see kOnnxInt4).
Type convertElementType(int32_t dataType, MLIRContext *context);
std::string getElementTypeName(int32_t dataType);
/// Bytes of one element of ONNX type `dataType` in raw_data (bool: one
/// byte; the 4-bit types: one byte, a packed pair); 0 for types without a
/// fixed size (STRING, UNDEFINED, unknown).
size_t getRawElementSize(int32_t dataType);
/// The bytes (raw_data) or typed-field entries (int32_data) that hold
/// `count` elements of ONNX type `dataType`: two 4-bit elements share one.
int64_t getStoredElementCount(int32_t dataType, int64_t count);
/// The number of elements `dims` describe, or std::nullopt when a dimension
/// is negative or the count exceeds `limit`.
std::optional<int64_t> getElementCount(ArrayRef<int64_t> dims, int64_t limit);
/// The elements of `tensor` as little-endian bytes of `elementSize` each,
/// from raw_data or from the typed field ONNX stores its type in.
std::vector<char> getTensorBytes(const onnx::TensorProto &tensor,
                                 size_t elementSize);
/// Converts an initializer or Constant value. Returns failure (and reports
/// at `loc`) for unsupported types, external data or inconsistent sizes.
FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                      Location loc, size_t resourceThreshold);

/// The constant a graph input is bound to (--bind-input), checked against the
/// input's type; errors are reported at `loc` (BoundInputs.cpp).
FailureOr<DenseElementsAttr> convertBoundInput(const BoundInput &bound,
                                               StringRef name,
                                               RankedTensorType type,
                                               int32_t dataType, Location loc);

/// One element of an int64 tensor that holds sizes (a shape computation):
/// a constant, or the run-time size of dimension `dim` of `tensor`.
struct SizeEntry {
  int64_t constant = 0;
  Value tensor;
  int64_t dim = 0;

  bool isConstant() const { return !tensor; }
};

/// Access to one node while it is converted.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              int64_t opset, Location loc)
      : importer(importer), node(node), opset(opset), loc(loc) {}

  const onnx::NodeProto &getNode() const { return node; }
  int64_t getOpset() const { return opset; }
  Location getLoc() const { return loc; }
  OpBuilder &getBuilder();

  /// Number of inputs/outputs present (an empty name means "absent").
  unsigned getNumInputs() const;
  bool hasInput(unsigned index) const;
  bool hasOutput(unsigned index) const;
  /// Input `index` as a value; null if absent.
  Value getInput(unsigned index) const;
  /// Whether input `index` has an unsigned ONNX element type (MLIR integers
  /// are signless, so the importer remembers).
  bool isUnsignedInput(unsigned index) const;
  /// The ONNX element type of input `index`, when known.
  std::optional<int32_t> getInputDataType(unsigned index) const;
  /// Input `index` as a compile-time constant, if it is one.
  std::optional<DenseElementsAttr> getConstantInput(unsigned index) const;
  /// The single integer of a constant input (a scalar or a one-element
  /// tensor); emitNotConstantError(index, message) when it is not one.
  FailureOr<int64_t> getConstantScalarInt(unsigned index,
                                          const Twine &message) const;
  /// Integer values of a constant int64 input (shapes, axes, pads); an
  /// error naming `what` when the input is not a compile-time constant.
  FailureOr<SmallVector<int64_t>> getConstantInts(unsigned index,
                                                  const Twine &what) const;
  /// The elements of input `index`, a shape: constants, or sizes of
  /// tensors read at run time (traceSizeEntries); an error naming `what`
  /// when it is computed any other way.
  FailureOr<SmallVector<SizeEntry>> getSizeEntries(unsigned index,
                                                   const Twine &what) const;
  /// The static type the model declares (or implies, DeclaredTypes.cpp)
  /// for output `index`, if any.
  RankedTensorType getDeclaredOutputType(unsigned index) const;
  /// Binds output `index` to `value`.
  void setOutput(unsigned index, Value value);
  /// Records the ONNX element type of output `index`, where the converter
  /// knows it better than ONNX's shape inference (a type chosen by an
  /// attribute of a newer opset).
  void setOutputDataType(unsigned index, int32_t dataType);
  /// Input `index` as a sequence (its tensors, in order); an error when it
  /// is not one the importer built.
  FailureOr<SmallVector<Value>> getSequenceInput(unsigned index) const;
  /// Imports the subgraph held by graph attribute `name` with `inputs`.
  FailureOr<SmallVector<Value>> importSubgraph(StringRef name,
                                               ArrayRef<Value> inputs);
  /// Binds output `index` to a sequence of tensors.
  void setSequenceOutput(unsigned index, ArrayRef<Value> tensors);

  /// Attribute look-ups; the default applies when the attribute is absent.
  const onnx::AttributeProto *getAttr(StringRef name) const;
  int64_t getInt(StringRef name, int64_t defaultValue) const;
  float getFloat(StringRef name, float defaultValue) const;
  std::string getString(StringRef name, StringRef defaultValue) const;
  std::optional<SmallVector<int64_t>> getInts(StringRef name) const;

  /// "node 'conv1' (Conv, opset 13): " + message, at the node's location.
  InFlightDiagnostic emitError(const Twine &message) const;
  /// emitError for input `index` that must be a compile-time constant; when
  /// the input is a graph input, the message tells how to bind it.
  InFlightDiagnostic emitNotConstantError(unsigned index,
                                          const Twine &message) const;
  /// getInputType for an input that must be a float tensor of rank >=
  /// `minRank`.
  FailureOr<RankedTensorType> getFloatInputType(unsigned index,
                                                int64_t minRank = 0) const;
  /// Checks input `index` is a ranked static tensor and returns its type.
  FailureOr<RankedTensorType> getInputType(unsigned index) const;
  /// Normalizes `axis` in [-rank, rank) (or [-rank, rank] when
  /// `inclusive`) to non-negative; reports an error when out of range.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   bool inclusive = false) const;

private:
  GraphImporter &importer;
  const onnx::NodeProto &node;
  int64_t opset;
  Location loc;
};

/// A node converter: builds edge ops for the node and binds its outputs.
using NodeConverter = std::function<LogicalResult(NodeContext &)>;

/// The attributes of an op that ONNX's schemas do not describe (another
/// vendor's domain, such as com.microsoft), by name.
using DeclaredAttributes = llvm::StringMap<onnx::AttributeProto::AttributeType>;

/// The table of supported ops, by domain and op type, filled by the
/// per-family registration functions.
class OpRegistry {
public:
  static const OpRegistry &get();
  const NodeConverter *lookup(StringRef domain, StringRef opType) const;
  /// The attributes declared with an op of a domain outside ONNX's schemas;
  /// null for ONNX's own ops.
  const DeclaredAttributes *lookupAttributes(StringRef domain,
                                             StringRef opType) const;
  /// Registers an op of the default ONNX domain.
  void add(StringRef opType, NodeConverter converter);
  void add(StringRef domain, StringRef opType, NodeConverter converter);
  /// Registers an op of a domain that ONNX's schemas do not describe, with
  /// its attributes, which the importer then checks as it checks a
  /// schema's.
  void add(StringRef domain, StringRef opType, NodeConverter converter,
           DeclaredAttributes attributes);

private:
  llvm::StringMap<NodeConverter> converters;
  llvm::StringMap<DeclaredAttributes> attributes;
};

void registerElementwiseOps(OpRegistry &registry);
void registerNeuralNetworkOps(OpRegistry &registry);
void registerTensorOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerLayoutOps(OpRegistry &registry);
void registerGeneratorOps(OpRegistry &registry);
void registerResizeOps(OpRegistry &registry);
void registerQuantizationOps(OpRegistry &registry);
void registerMicrosoftOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerSequenceOps(OpRegistry &registry);
void registerControlFlowOps(OpRegistry &registry);
void registerTrainingOps(OpRegistry &registry);
void registerSignalOps(OpRegistry &registry);
void registerDetectionOps(OpRegistry &registry);
void registerUniqueOps(OpRegistry &registry);
void registerGridSampleOps(OpRegistry &registry);
void registerLinearAlgebraOps(OpRegistry &registry);
void registerTextOps(OpRegistry &registry);

/// The ops `value` is computed from when they all derive from constants
/// (no graph input, no op with regions, static shapes, at most a few
/// hundred ops), each after its operands' producers; failure otherwise or
/// when `value` already is a constant.
FailureOr<SmallVector<Operation *>> getConstantSubgraph(Value value);

/// The elements of the 0-D or 1-D integer tensor `value` when each is a
/// constant or a tensor's size: what Shape -> Gather/Slice -> Unsqueeze ->
/// Concat (and casts, and torch's Where(Equal(sizes, -1), 1, sizes))
/// compute. nullopt when an element is computed from anything else.
std::optional<SmallVector<SizeEntry>> traceSizeEntries(Value value);

/// Whether dimension `aDim` of `a` and `bDim` of `b` have one size at run
/// time: they trace to one source (traceSizeSource), or to graph inputs'
/// dimensions of one symbol (`edge.dim_symbols`).
bool haveEqualSizes(Value a, int64_t aDim, Value b, int64_t bDim);

/// Converts the nodes of one graph into the body of a function.
class GraphImporter {
public:
  GraphImporter(MLIRContext *context, StringRef modelName,
                const ImportOptions &options)
      : context(context), builder(context), modelName(modelName.str()),
        options(options) {}

  /// Builds the model function into `module`.
  LogicalResult importGraph(const onnx::GraphProto &graph, int64_t opset,
                            ModuleOp module);

  OpBuilder &getBuilder() { return builder; }
  /// Erases an op the import built, forgetting it everywhere it is held.
  void eraseOp(Operation *op) {
    checkedBroadcasts.erase(op);
    op->erase();
  }
  MLIRContext *getContext() { return context; }
  Value lookup(StringRef name) const { return values.lookup(name); }
  void bind(StringRef name, Value value) { values[name] = value; }
  const SmallVector<Value> *lookupSequence(StringRef name) const {
    auto it = sequences.find(name);
    return it == sequences.end() ? nullptr : &it->second;
  }
  void bindSequence(StringRef name, ArrayRef<Value> tensors) {
    sequences[name] = SmallVector<Value>(tensors);
  }
  const ImportOptions &getOptions() const { return options; }
  /// The value of `value` when it is computed from constants only and the
  /// options' evaluator computes it (ConstantSubgraphs.cpp); remembered, so
  /// each value is evaluated at most once.
  std::optional<DenseElementsAttr> evaluateConstant(Value value);
  /// The static type the model declares for value `name` of the main graph
  /// (ONNX value_info or graph output) or implies through elementwise
  /// users of declared shape; null when it does neither.
  RankedTensorType getDeclaredType(StringRef name) const {
    return declaredTypes.lookup(name);
  }
  /// Why graph input `name` could not be implied from the declared shapes of
  /// the node that reads it; empty when it was not tried.
  StringRef getImpliedInputNote(StringRef name) const {
    auto it = impliedInputNotes.find(name);
    return it == impliedInputNotes.end() ? StringRef() : it->second;
  }
  void setOnnxElementType(StringRef name, int32_t dataType) {
    onnxElementTypes[name] = dataType;
  }
  /// The ONNX element type of a graph value, if known.
  std::optional<int32_t> getOnnxElementType(StringRef name) const {
    auto it = onnxElementTypes.find(name);
    if (it == onnxElementTypes.end())
      return std::nullopt;
    return it->second;
  }
  /// Imports the nodes of a subgraph (an If branch, a Loop body) in place,
  /// with its inputs bound to `inputs`; returns its outputs. Outer values
  /// stay visible; a second import of the same body rebinds its names.
  FailureOr<SmallVector<Value>> importSubgraph(const onnx::GraphProto &graph,
                                               ArrayRef<Value> inputs,
                                               int64_t opset, Location loc);
  /// The location of a node: its name, inside the model file.
  Location getNodeLoc(const onnx::NodeProto &node, unsigned index);

private:
  LogicalResult importInitializers(const onnx::GraphProto &graph);
  /// Replaces the graph inputs named by --bind-input with constants.
  LogicalResult bindInputs(func::FuncOp func,
                           ArrayRef<const onnx::ValueInfoProto *> inputs,
                           Location loc);
  FailureOr<func::FuncOp> createFunction(const onnx::GraphProto &graph,
                                         ModuleOp module);
  LogicalResult checkSupported(const onnx::GraphProto &graph, int64_t opset);
  LogicalResult importNodes(const onnx::GraphProto &graph, int64_t opset);
  LogicalResult checkAttributes(NodeContext &ctx);
  /// Refuses a node with a dynamic input unless its op handles them.
  LogicalResult checkDynamicSizes(NodeContext &ctx);
  /// Makes the broadcasts the node built after `last` in `block` safe with
  /// dynamic sizes: a dynamic size that meets a static one (other than 1)
  /// is checked at run time to be it, and two dynamic sizes to be equal
  /// unless haveEqualSizes proves it. The lowering indexes such dimensions
  /// alike, so none may be smaller than the result.
  LogicalResult checkBroadcastSizes(NodeContext &ctx, Block *block,
                                    Operation *last);
  /// Records for the outputs of `node` that have no ONNX element type the
  /// type of its first input, where the op keeps it (data movement, the
  /// bitwise ops).
  void recordKeptElementTypes(const onnx::NodeProto &node);
  LogicalResult checkSignedness(NodeContext &ctx);
  /// Records the static types the model declares for its values, those
  /// that elementwise users of known shape imply for their operands, and
  /// how often each graph input is read (DeclaredTypes.cpp).
  void recordDeclaredTypes(const onnx::GraphProto &graph);
  /// Replaces the shape-deciding graph inputs of the node with constants
  /// when the node's declared result types leave one choice of ops, and
  /// records the values those types allow (`edge.implied_values`). When a
  /// few choices compute different results, imports each and selects one
  /// at run time: then returns true, the node being converted.
  FailureOr<bool> implyShapeInputs(NodeContext &ctx,
                                   const NodeConverter &convert);
  /// The type of a graph input with each bounded dynamic dimension at its
  /// bound (--dim=SYMBOL<=BOUND).
  RankedTensorType getBoundType(const onnx::ValueInfoProto &info) const;
  bool fitsSizeLimit(RankedTensorType type) const;
  LogicalResult checkSize(NodeContext &ctx, Value value, StringRef name);
  /// ONNX element types of graph values (inputs, initializers, and what
  /// ONNX shape inference recorded), for checks the MLIR types cannot make.
  void recordElementTypes(const onnx::GraphProto &graph);
  LogicalResult createReturn(const onnx::GraphProto &graph, func::FuncOp func);
  FailureOr<RankedTensorType>
  convertValueType(const onnx::ValueInfoProto &info, Location loc,
                   bool isInput);

  MLIRContext *context;
  OpBuilder builder;
  std::string modelName;
  const ImportOptions &options;
  llvm::StringMap<Value> values;
  /// evaluateConstant's results (null: the value could not be evaluated).
  llvm::DenseMap<Value, DenseElementsAttr> evaluatedConstants;
  /// Sequences, which exist only while importing: every sequence op has
  /// constant positions, so each becomes a list of tensor values.
  llvm::StringMap<SmallVector<Value>> sequences;
  llvm::StringSet<> initializerNames;
  llvm::StringMap<int32_t> onnxElementTypes;
  /// Static types the model declares (or implies) for values of the main
  /// graph.
  llvm::StringMap<RankedTensorType> declaredTypes;
  /// The broadcasts checkBroadcastSizes has made safe.
  llvm::DenseSet<Operation *> checkedBroadcasts;
  /// How many node inputs and graph outputs name each value.
  llvm::StringMap<unsigned> inputUses;
  /// Why a shape-deciding graph input was not implied from declared shapes,
  /// for the error that it is not a constant.
  llvm::StringMap<std::string> impliedInputNotes;
};

} // namespace mlir::edge::onnx_import

#endif // EDGE_LIB_CONVERSION_IMPORTONNX_GRAPHIMPORTER_H
