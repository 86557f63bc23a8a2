//===- OnnxAttention.cpp - ONNX's own attention ops (opset 23) ------------===//
//
// Opset 23 made standard ops of what LLM exporters had written as ONNX
// Runtime's contrib ops or as subgraphs: Attention (grouped-query heads, a
// KV cache, a causal or given mask, a soft cap), RotaryEmbedding and
// RMSNormalization. They are newer than the linked schemas and are
// expanded, like the contrib ops (ContribAttention.cpp), into the ONNX ops
// of their definitions, which edge-fuse-attention then makes one kernel.
//
// Attention follows the definition as corrected after opset 23 was
// published (and as ONNX Runtime computes it): 3-D inputs are split into
// heads as [batch, seq, heads, head] then transposed, query head h reads
// key head h / (q_num_heads / kv_num_heads), a causal query i sees keys up
// to i + the past's length, a mask and is_causal combine, and the soft cap
// applies before the mask.
//
//===----------------------------------------------------------------------===//

#include "ContribExpander.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;
using namespace mlir::edge::onnx_import::contrib;

/// RotaryEmbedding(X, cos_cache, sin_cache, position_ids?) of opset 23, on
/// [batch, heads, seq, head] or [batch, seq, heads * head] (num_heads).
/// With position_ids the caches are [positions, rotary / 2] tables, without
/// them [batch, seq, rotary / 2].
LogicalResult Expander::expandOnnxRotaryEmbedding() {
  if (failed(checkAttributes(
          {"interleaved", "num_heads", "rotary_embedding_dim"})))
    return failure();
  if (node->input_size() > 4)
    return error() << "has " << node->input_size()
                   << " inputs; RotaryEmbedding takes at most 4";
  for (int i = 0; i < 3; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " is missing";
  std::string x = node->input(0);
  std::optional<int64_t> rank = getRank(x);
  if (!rank)
    rank = getRank(node->output(0));
  if (rank != 3 && rank != 4)
    return error() << "X must be [batch, heads, seq, head] or [batch, seq, "
                      "hidden]"
                   << (rank ? "" : " (its rank cannot be told: declare it)");
  Rotary rotary;
  rotary.cos = node->input(1);
  rotary.sin = node->input(2);
  rotary.interleaved = getInt("interleaved", 0) != 0;
  bool positions = hasInput(3);
  if (positions)
    rotary.positions = node->input(3);
  std::optional<DeclaredType> cosType = getKnownType(rotary.cos);
  size_t cacheRank = positions ? 2 : 3;
  if (!cosType || cosType->dims.size() != cacheRank ||
      cosType->dims.back() <= 0)
    return error() << "cos_cache must be a tensor of static last dimension, "
                   << (positions ? "[positions, rotary dimensions / 2] with "
                                   "position_ids"
                                 : "[batch, seq, rotary dimensions / 2] "
                                   "without position_ids");
  rotary.dims = 2 * cosType->dims.back();
  int64_t rotaryDim = getInt("rotary_embedding_dim", 0);
  if (rotaryDim != 0 && rotaryDim != rotary.dims)
    return error() << "rotary_embedding_dim=" << rotaryDim
                   << " disagrees with cos_cache, whose rows hold "
                   << rotary.dims / 2 << " values";
  int64_t heads = getInt("num_heads", 0);
  // Without rotary_embedding_dim the whole head rotates: the caches must
  // hold half of it. A head of unknown size keeps what the caches do not
  // cover as it is, which is the same where they do cover it.
  bool partial = rotaryDim != 0;
  if (!partial) {
    std::optional<DeclaredType> type = getKnownType(x);
    int64_t headSize = -1;
    if (type && type->dims.size() == 4)
      headSize = type->dims.back();
    else if (type && type->dims.size() == 3 && type->dims.back() > 0 &&
             heads > 0 && type->dims.back() % heads == 0)
      headSize = type->dims.back() / heads;
    if (headSize > 0 && headSize != rotary.dims)
      return error() << "cos_cache rows hold " << rotary.dims / 2
                     << " values; a head of " << headSize << " needs "
                     << headSize / 2 << " (or a rotary_embedding_dim)";
    partial = headSize <= 0;
  }
  if (*rank == 4) {
    identity(applyRotary(x, rotary, /*seqAxis=*/2, partial), node->output(0));
    return success();
  }
  if (heads <= 0)
    return error() << "num_heads is required for a 3-D input";
  std::string rotated = applyRotary(reshape(x, {0, 0, heads, -1}), rotary,
                                    /*seqAxis=*/1, partial);
  identity(reshape(rotated, {0, 0, -1}), node->output(0));
  return success();
}

/// The head size (last dimension) of input `i` of an Attention node, [batch,
/// heads, length, head] or, 3-D, [batch, length, heads * head]; -1 when the
/// graph does not declare it.
int64_t Expander::getAttentionHeadSize(int i, int64_t heads) const {
  std::optional<DeclaredType> type = getKnownType(node->input(i));
  if (!type || type->dims.empty() || type->dims.back() <= 0)
    return -1;
  if (type->dims.size() == 4)
    return type->dims.back();
  return type->dims.back() % heads == 0 ? type->dims.back() / heads : -1;
}

/// Attention(Q, K, V, attn_mask?, past_key?, past_value?) of opset 23:
/// outputs Y, present_key, present_value, qk_matmul_output.
LogicalResult Expander::expandOnnxAttention() {
  if (failed(checkAttributes({"is_causal", "kv_num_heads", "q_num_heads",
                              "qk_matmul_output_mode", "scale", "softcap",
                              "softmax_precision"})) ||
      failed(checkNoInputsFrom(6, "nonpad_kv_seqlen, of opset 24")))
    return failure();
  for (int i = 0; i < 3; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " (Q, K and V) is missing";
  if (hasInput(4) != hasInput(5))
    return error() << "past_key and past_value must both be given";
  if (hasOutput(1) != hasOutput(2))
    return error() << "present_key and present_value must both be named";
  int64_t mode = getInt("qk_matmul_output_mode", 0);
  if (mode < 0 || mode > 3)
    return error() << "qk_matmul_output_mode=" << mode
                   << " is not one of 0 to 3";
  if (const onnx::AttributeProto *precision =
          findAttribute("softmax_precision");
      precision && precision->i() != onnx::TensorProto::FLOAT)
    return error() << "softmax_precision=" << precision->i()
                   << " is not supported: only FLOAT (1)";

  std::optional<int64_t> rank = getRank(node->input(0));
  if (rank != 3 && rank != 4)
    return error() << "Q must be [batch, heads, seq, head] or [batch, seq, "
                      "heads * head]"
                   << (rank ? "" : " (its rank cannot be told: declare it)");
  for (int i : {1, 2})
    if (std::optional<int64_t> other = getRank(node->input(i));
        other && other != rank)
      return error() << "input " << i << " has rank " << *other << ", Q rank "
                     << *rank;
  int64_t heads = getInt("q_num_heads", 0);
  int64_t kvHeads = getInt("kv_num_heads", 0);
  if (*rank == 4) {
    std::optional<DeclaredType> q = getKnownType(node->input(0));
    std::optional<DeclaredType> k = getKnownType(node->input(1));
    if (q && q->dims.size() == 4 && q->dims[1] > 0)
      heads = q->dims[1];
    if (k && k->dims.size() == 4 && k->dims[1] > 0)
      kvHeads = k->dims[1];
  }
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
    return error() << "the query heads (" << heads << ") must be a positive "
                   << "multiple of the key and value heads (" << kvHeads
                   << "): set q_num_heads and kv_num_heads for 3-D inputs, "
                      "declare the heads of 4-D ones";
  int64_t headSize = getAttentionHeadSize(0, heads);
  int64_t valueHeadSize = getAttentionHeadSize(2, kvHeads);
  if (headSize <= 0 || valueHeadSize <= 0)
    return error() << "the head sizes must be static: declare Q and V";

  std::string q = node->input(0), keys = node->input(1),
              values = node->input(2);
  if (*rank == 3) {
    q = splitHeads(q, heads, headSize);
    keys = splitHeads(keys, kvHeads, headSize);
    values = splitHeads(values, kvHeads, valueHeadSize);
  }
  appendPast(keys, values, /*pastInput=*/4);
  if (heads != kvHeads) {
    keys = repeatHeads(keys, kvHeads, heads / kvHeads, headSize);
    values = repeatHeads(values, kvHeads, heads / kvHeads, valueHeadSize);
  }

  // Scores, then the soft cap, the mask, the softmax: each of those is what
  // qk_matmul_output_mode 0 to 3 names.
  std::string scores = scaledScores(q, keys, headSize);
  auto emitScores = [&](int64_t step) {
    if (mode == step && hasOutput(3))
      identity(scores, node->output(3));
  };
  emitScores(0);
  float softcap = getFloat("softcap", 0.0f);
  if (softcap > 0.0f)
    scores = op("Mul",
                {op("Tanh", {op("Mul", {scores, constantF32(1.0f / softcap)})}),
                 constantF32(softcap)});
  emitScores(1);
  // A boolean mask keeps keys where true; a float one is added. Masked
  // keys get the most negative float (a row with none left averages the
  // values, as ONNX Runtime's does).
  std::string lowest = constantF32(std::numeric_limits<float>::lowest());
  std::string bias;
  if (hasInput(3)) {
    std::optional<DeclaredType> maskType = getKnownType(node->input(3));
    if (!maskType)
      return error() << "the type of attn_mask cannot be told: declare it";
    bias = maskType->elementType == onnx::TensorProto::BOOL
               ? op("Where", {node->input(3), constantF32(0.0f), lowest})
               : node->input(3);
  }
  if (getInt("is_causal", 0) != 0) {
    std::string seq = sizeOf(q, 2), total = sizeOf(keys, 2);
    std::string past =
        hasInput(4) ? sizeOf(node->input(4), 2) : constantI64({0}, true);
    std::string causal =
        causalSeen(keyPositions(total), seq, past, /*window=*/-1);
    bias =
        op("Where", {causal, bias.empty() ? constantF32(0.0f) : bias, lowest});
  }
  if (!bias.empty())
    scores = op("Add", {scores, bias});
  emitScores(2);
  scores = emitAttended(scores, values, /*mergeHeads=*/*rank == 3);
  emitScores(3);
  return success();
}
