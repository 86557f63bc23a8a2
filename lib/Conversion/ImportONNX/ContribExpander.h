//===- ContribExpander.h - ONNX Runtime's ops as ONNX ops ------*- C++ -*-===//
//
// Internal to the importer (ContribOps.cpp, ContribNormalization.cpp,
// ContribAttention.cpp): the Expander rewrites one contrib node at a time
// into default-domain ONNX nodes, emitted in order in place of the node.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBEXPANDER_H
#define EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBEXPANDER_H

#include "GraphImporter.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

namespace mlir::edge::onnx_import::contrib {

inline constexpr StringLiteral kMicrosoftDomain = "com.microsoft";
/// A Slice end past any dimension (ONNX clamps it to the size).
inline constexpr int64_t kToTheEnd = std::numeric_limits<int64_t>::max();

/// A value's declared dimensions (-1 where dynamic) and element type.
struct DeclaredType {
  SmallVector<int64_t> dims;
  int32_t elementType = onnx::TensorProto::UNDEFINED;
};

/// The attention mask of a decoder, as the expansions of its attention
/// nodes share it.
struct AttentionMask {
  /// [batch, 1, seq, total] floats: 0 where the query sees the key, the
  /// most negative float elsewhere.
  std::string additive;
  /// [batch, seq] int64: each token's position among its row's tokens.
  std::string positions;
};

/// The rotary embedding of one expansion: the caches and the positions
/// (empty where the caches hold each token's row, [batch, seq, dims / 2]).
struct Rotary {
  std::string cos, sin, positions;
  /// Number of leading features of a head that rotate (2 * the caches'
  /// second dimension).
  int64_t dims = 0;
  bool interleaved = false;
};

class Expander {
public:
  Expander(onnx::GraphProto &graph, int64_t opset, Location loc)
      : graph(graph), opset(opset), loc(loc) {}

  LogicalResult run();

private:
  //===--- The node being expanded ---===//

  InFlightDiagnostic error() {
    return emitError(loc) << llvm::formatv("node '{0}' ({1}, opset {2}): ",
                                           getNodeName(*node, index),
                                           node->op_type(), opset)
                                 .str();
  }
  bool hasInput(int i) const {
    return i < node->input_size() && !node->input(i).empty();
  }
  bool hasOutput(int i) const {
    return i < node->output_size() && !node->output(i).empty();
  }
  const onnx::AttributeProto *findAttribute(StringRef name) const {
    for (const onnx::AttributeProto &attr : node->attribute())
      if (attr.name() == name)
        return &attr;
    return nullptr;
  }
  int64_t getInt(StringRef name, int64_t fallback) const {
    const onnx::AttributeProto *attr = findAttribute(name);
    return attr ? attr->i() : fallback;
  }
  float getFloat(StringRef name, float fallback) const {
    const onnx::AttributeProto *attr = findAttribute(name);
    return attr ? attr->f() : fallback;
  }
  /// Fails on an attribute the op does not have, as the importer's schema
  /// check does for ONNX ops.
  LogicalResult checkAttributes(ArrayRef<StringRef> known);
  /// Fails on inputs at `first` or later, which this expansion does not
  /// take.
  LogicalResult checkNoInputsFrom(int first, StringRef what);

  //===--- Emitting ONNX nodes ---===//

  std::string fresh(StringRef hint);
  onnx::NodeProto &add(StringRef type, ArrayRef<std::string> inputs,
                       ArrayRef<std::string> outputs = {});
  std::string op(StringRef type, ArrayRef<std::string> inputs) {
    return add(type, inputs).output(0);
  }
  static void setInt(onnx::NodeProto &n, StringRef name, int64_t value);
  static void setInts(onnx::NodeProto &n, StringRef name,
                      ArrayRef<int64_t> values);
  /// A Constant node holding `tensor`.
  std::string constant(onnx::TensorProto tensor);
  std::string constantI64(ArrayRef<int64_t> values, bool scalar = false);
  std::string constantF32(float value);
  std::string unsqueeze(const std::string &x, ArrayRef<int64_t> axes);
  std::string reduce(StringRef type, const std::string &x,
                     ArrayRef<int64_t> axes, bool keepDims);
  std::string slice(const std::string &x, int64_t axis, int64_t start,
                    int64_t end);
  std::string cast(const std::string &x, onnx::TensorProto::DataType to);
  /// Size `dim` of `x` as an int64 scalar read at run time.
  std::string sizeOf(const std::string &x, int64_t dim);
  std::string reshape(const std::string &x, ArrayRef<int64_t> shape) {
    return op("Reshape", {x, constantI64(shape)});
  }
  std::string transpose(const std::string &x, ArrayRef<int64_t> perm);
  std::string identity(const std::string &x, const std::string &output) {
    return add("Identity", {x}, {output}).output(0);
  }

  //===--- The expansions ---===//

  using Expansion = LogicalResult (Expander::*)();
  /// The expansion of `n`, null for a node that stays as it is.
  Expansion getExpansion(const onnx::NodeProto &n) const;
  LogicalResult expandNode();
  LogicalResult expandSimplifiedNorm(bool withSkip);
  LogicalResult expandRmsNorm() { return expandSimplifiedNorm(false); }
  LogicalResult expandSkipRmsNorm() { return expandSimplifiedNorm(true); }
  LogicalResult expandMish();
  LogicalResult expandSkipLayerNorm();
  LogicalResult expandRotaryEmbedding();
  LogicalResult expandGroupQueryAttention();
  LogicalResult expandGelu();
  LogicalResult expandEmbedLayerNorm();
  LogicalResult expandAttention();
  LogicalResult expandMultiHeadAttention();
  /// Opset 23's RotaryEmbedding and Attention (OnnxAttention.cpp);
  /// RMSNormalization is expandRmsNorm's.
  LogicalResult expandOnnxRotaryEmbedding();
  LogicalResult expandOnnxAttention();
  /// The head size (last dimension) of input `i` of an Attention node:
  /// [batch, heads, length, head], or [batch, length, heads * head] of
  /// `heads` heads; -1 where the graph does not declare it.
  int64_t getAttentionHeadSize(int i, int64_t heads) const;
  /// Q K^T times the node's `scale` (1 / sqrt(head size) where it is 0);
  /// `q` [batch, heads, seq, head], `keys` [batch, heads, total, head].
  std::string scaledScores(const std::string &q, const std::string &keys,
                           int64_t headSize);
  /// softmax(scores) values, as output 0: [batch, seq, heads * head] with
  /// `mergeHeads`, else [batch, heads, seq, head]; returns the softmax.
  std::string emitAttended(const std::string &scores, const std::string &values,
                           bool mergeHeads = true);
  /// `keys` and `values` [batch, heads, new, head] after the past of
  /// inputs `pastInput` and `pastInput + 1` (where given): the present,
  /// outputs 1 and 2 (where named).
  void appendPast(std::string &keys, std::string &values, int pastInput);
  /// Attention and MultiHeadAttention: softmax(Q K^T * scale +
  /// attention_bias (input 5) + mask) V as output 0. The mask is that of
  /// input `maskInput` ([batch] end positions, a [batch, total] or [batch,
  /// seq, total] mask: keys it drops get mask_filter_value) and, with
  /// unidirectional, the causal one (query i of seq at total - seq + i).
  /// `q` [batch, heads, seq, head], `keys` [batch, heads, total, head].
  LogicalResult attendMasked(const std::string &q, const std::string &keys,
                             const std::string &values, int64_t headSize,
                             int maskInput);
  /// `x` [batch, seq, heads * headSize] as [batch, heads, seq, headSize]
  /// (headSize -1: the rest).
  std::string splitHeads(const std::string &x, int64_t heads, int64_t headSize);
  /// [1, total] int64: 0 to total - 1, the keys' positions.
  std::string keyPositions(const std::string &total);
  /// [seq, total] booleans: key j seen by query i, at past + i, where
  /// j <= past + i (and past + i - j < window when window > 0).
  std::string causalSeen(const std::string &keys, const std::string &seq,
                         const std::string &past, int64_t window);

  /// (y - mean) / sqrt(variance + eps) * gamma (+ beta) over the last
  /// axis; the mean and inverse root go to `meanOut` and `invStdOut` when
  /// named.
  std::string layerNormalize(const std::string &y, const std::string &gamma,
                             const std::string &beta, float epsilon,
                             const std::string &meanOut,
                             const std::string &invStdOut);
  /// The rank of `value` where the graph declares it, where it is a cast
  /// of, or a row sum of, a value of known rank, or where getKnownType
  /// tells it.
  std::optional<int64_t> getRank(const std::string &value) const;

  /// y * (mean(y^2) + eps)^-1/2 * gamma over `axes` (negative: from the
  /// end), with the inverse root written to `invStdOut` when named.
  std::string rmsNormalize(const std::string &y, const std::string &gamma,
                           float epsilon, const std::string &invStdOut,
                           ArrayRef<int64_t> axes = {-1});
  /// `x` rotated: [.., heads or seq, head] laid out with positions on axis
  /// `seqAxis` (1 for [batch, seq, heads, head], 2 for [batch, heads, seq,
  /// head]). Features past the rotary ones, when `partial`, pass through.
  std::string applyRotary(const std::string &x, const Rotary &rotary,
                          int64_t seqAxis, bool partial);
  /// Rows `positions` of a rotary cache (the cache itself, [batch, seq,
  /// dims / 2], without positions), with a unit heads dimension at
  /// `headsAxis`; one gather per cache and positions (the layers of a
  /// decoder share them).
  std::string gatherRows(const std::string &cache, const std::string &positions,
                         int64_t headsAxis);
  /// The heads of `x` [batch, kv, total, head] repeated `times` times each,
  /// as Hugging Face's repeat_kv exports it.
  std::string repeatHeads(const std::string &x, int64_t kvHeads, int64_t times,
                          int64_t headSize);
  /// The graph value that the seqlens_k input is the row sums (minus one)
  /// of, or nullopt.
  std::optional<std::string> findAttentionMask(const std::string &seqlens);
  const AttentionMask &getMask(const std::string &maskValue,
                               const std::string &query,
                               const std::string &pastKey, int64_t window);

  std::optional<DeclaredType> getDeclaredType(const std::string &name) const;
  /// The declared type of `value`, else what the common ops producing it
  /// (elementwise and comparisons, Where, MatMul, Gather, Reshape, Expand,
  /// Unsqueeze, Transpose, normalizations, rotary embeddings, opset 23's
  /// Attention) tell from
  /// their inputs' declared or known types:
  /// the expansions run before ONNX's shape inference, and an exporter
  /// need not declare intermediate values. Unknown dimensions are -1.
  std::optional<DeclaredType> getKnownType(const std::string &value) const;
  /// The producing node of `value` among the graph's original nodes.
  const onnx::NodeProto *getProducer(const std::string &value) const {
    auto it = producers.find(value);
    return it == producers.end() ? nullptr : it->second;
  }
  std::optional<SmallVector<int64_t>>
  getConstantInts(const std::string &value) const;

  onnx::GraphProto &graph;
  int64_t opset;
  Location loc;

  llvm::StringSet<> names;
  llvm::StringMap<DeclaredType> declared;
  llvm::StringMap<const onnx::NodeProto *> producers;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  std::map<std::pair<std::string, int64_t>, AttentionMask> masks;
  std::map<std::tuple<std::string, std::string, int64_t>, std::string> gathered;
  /// getKnownType's answers, each value's once (an elementwise op reads two
  /// chains that would otherwise be walked again and again).
  mutable llvm::StringMap<std::optional<DeclaredType>> knownTypes;

  const onnx::NodeProto *node = nullptr;
  unsigned index = 0;
  std::string prefix;
  /// The expansion of the node, in order (a deque: references to its
  /// nodes stay valid while more are added).
  std::deque<onnx::NodeProto> emitted;
};

} // namespace mlir::edge::onnx_import::contrib

#endif // EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBEXPANDER_H
