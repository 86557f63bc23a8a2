//===- ContribAttention.cpp - ONNX Runtime's attention ops ----------------===//
//
// GroupQueryAttention and RotaryEmbedding (what ONNX Runtime GenAI's model
// builder writes), Attention and MultiHeadAttention (its transformer
// optimizer's), as ONNX ops (ContribOps.cpp): heads split by Reshape,
// rotary embeddings gathered from the caches, the present as
// Concat(past, new) along the positions (so the library keeps the cache in
// place), heads repeated by Unsqueeze/Expand/Reshape of sizes read from
// Shape, and softmax(Q K^T * scale + mask) V, which edge-fuse-attention
// makes one kernel.
//
// GroupQueryAttention locates each row's tokens by seqlens_k alone, which
// holds for unpadded rows and right-padded prompts. The expansion masks
// with the attention mask that seqlens_k is computed from instead: a key is
// seen where the mask is 1 and it is not after the query, and a token's
// rotary position is the number of tokens before it. This is the same
// wherever GroupQueryAttention's result is defined, and also holds for the
// left-padded batches edge's generator forms.
//
//===----------------------------------------------------------------------===//

#include "ContribExpander.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;
using namespace mlir::edge::onnx_import::contrib;

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

std::optional<int64_t> Expander::getRank(const std::string &value) const {
  if (std::optional<DeclaredType> type = getDeclaredType(value))
    return static_cast<int64_t>(type->dims.size());
  const onnx::NodeProto *producer = getProducer(value);
  if (!producer || producer->input_size() < 1)
    return std::nullopt;
  StringRef type = producer->op_type();
  if (type == "Cast" || type == "Identity")
    return getRank(producer->input(0));
  // EmbedLayerNormalization's mask_index, a ReduceSum over one axis.
  if (type == "EmbedLayerNormalization" && producer->output_size() > 1 &&
      producer->output(1) == value)
    return 1;
  if (type == "ReduceSum" && producer->input_size() == 2) {
    std::optional<int64_t> rank = getRank(producer->input(0));
    std::optional<SmallVector<int64_t>> axes =
        getConstantInts(producer->input(1));
    bool keep = true;
    for (const onnx::AttributeProto &attr : producer->attribute())
      if (attr.name() == "keepdims")
        keep = attr.i() != 0;
    if (rank && axes)
      return keep ? *rank : *rank - static_cast<int64_t>(axes->size());
  }
  if (std::optional<DeclaredType> known = getKnownType(value))
    return static_cast<int64_t>(known->dims.size());
  return std::nullopt;
}

std::string Expander::splitHeads(const std::string &x, int64_t heads,
                                 int64_t headSize) {
  return transpose(reshape(x, {0, 0, heads, headSize}), {0, 2, 1, 3});
}

std::string Expander::keyPositions(const std::string &total) {
  return unsqueeze(
      op("Range", {constantI64({0}, true), total, constantI64({1}, true)}),
      {0});
}

std::string Expander::causalSeen(const std::string &keys,
                                 const std::string &seq,
                                 const std::string &past, int64_t window) {
  std::string queries = unsqueeze(
      op("Add",
         {op("Range", {constantI64({0}, true), seq, constantI64({1}, true)}),
          past}),
      {1});
  std::string seen = op("LessOrEqual", {keys, queries});
  if (window > 0)
    seen = op("And", {seen, op("Less", {op("Sub", {queries, keys}),
                                        constantI64({window}, true)})});
  return seen;
}

LogicalResult Expander::attendMasked(const std::string &q,
                                     const std::string &keys,
                                     const std::string &values,
                                     int64_t headSize, int maskInput) {
  std::string scores = scaledScores(q, keys, headSize);
  if (hasInput(5)) // attention_bias, after the scaling
    scores = op("Add", {scores, node->input(5)});
  // Keys a row may see get 0, the others mask_filter_value; with
  // unidirectional, keys after the query the most negative float.
  std::string zero = constantI64({0}, true);
  std::string seq = sizeOf(q, 2);
  std::string total = sizeOf(keys, 2);
  std::string positions = keyPositions(total);
  std::string seen;
  if (hasInput(maskInput)) {
    std::string maskIndex = node->input(maskInput);
    std::optional<int64_t> rank = getRank(maskIndex);
    std::string mask64 = cast(maskIndex, onnx::TensorProto::INT64);
    if (rank == 1) {
      // End positions, [batch]: keys before each row's end.
      seen = unsqueeze(op("Less", {positions, unsqueeze(mask64, {1})}), {1, 2});
    } else if (rank == 2) {
      // [batch, total] raw: keys whose mask is positive.
      seen = unsqueeze(op("Greater", {mask64, zero}), {1, 2});
    } else if (rank == 3) {
      seen = unsqueeze(op("Greater", {mask64, zero}), {1});
    } else {
      return error() << "input " << maskInput
                     << " (the mask) must be [batch] end positions, a "
                        "[batch, total] or [batch, seq, total] mask"
                     << (rank ? "" : " (its rank cannot be told: declare it)");
    }
  }
  std::string mask;
  if (!seen.empty())
    mask = op("Where", {seen, constantF32(0.0f),
                        constantF32(getFloat("mask_filter_value", -10000.0f))});
  if (getInt("unidirectional", 0) != 0) {
    // Query i is at total - seq + i.
    std::string causal =
        causalSeen(positions, seq, op("Sub", {total, seq}), /*window=*/-1);
    std::string lowest = constantF32(std::numeric_limits<float>::lowest());
    mask =
        op("Where", {causal, mask.empty() ? constantF32(0.0f) : mask, lowest});
  }
  emitAttended(mask.empty() ? scores : op("Add", {scores, mask}), values);
  return success();
}

std::string Expander::scaledScores(const std::string &q,
                                   const std::string &keys, int64_t headSize) {
  float scale = getFloat("scale", 0.0f);
  if (scale == 0.0f)
    scale = 1.0f / std::sqrt(static_cast<float>(headSize));
  return op("Mul", {op("MatMul", {q, transpose(keys, {0, 1, 3, 2})}),
                    constantF32(scale)});
}

std::string Expander::emitAttended(const std::string &scores,
                                   const std::string &values, bool mergeHeads) {
  onnx::NodeProto &softmax = add("Softmax", {scores});
  setInt(softmax, "axis", -1);
  std::string context = op("MatMul", {softmax.output(0), values});
  if (mergeHeads)
    context = reshape(transpose(context, {0, 2, 1, 3}), {0, 0, -1});
  identity(context, node->output(0));
  return softmax.output(0);
}

void Expander::appendPast(std::string &keys, std::string &values,
                          int pastInput) {
  if (hasInput(pastInput)) {
    keys = op("Concat", {node->input(pastInput), keys});
    setInt(emitted.back(), "axis", 2);
    values = op("Concat", {node->input(pastInput + 1), values});
    setInt(emitted.back(), "axis", 2);
  }
  if (hasOutput(1))
    keys = identity(keys, node->output(1));
  if (hasOutput(2))
    values = identity(values, node->output(2));
}

/// MultiHeadAttention(query, key, value, bias?, key_padding_mask?,
/// attention_bias?, past_key?, past_value?) of com.microsoft, with 3-D
/// query, key and value ([batch, seq, heads * head]) or 4-D key and value
/// ([batch, heads, length, head], cross-attention): outputs, present_key,
/// present_value.
LogicalResult Expander::expandMultiHeadAttention() {
  if (failed(checkAttributes(
          {"num_heads", "mask_filter_value", "scale", "unidirectional"})) ||
      failed(checkNoInputsFrom(8, "past_sequence_length or "
                                  "cache_indirection")))
    return failure();
  if (hasOutput(3))
    return error() << "output 3 (the scores) is not supported";
  if (!hasInput(1) || !hasInput(2))
    return error() << "key and value are required (packed query, key and "
                      "value are not supported)";
  if (hasInput(6) != hasInput(7))
    return error() << "past_key and past_value must both be given";
  int64_t heads = getInt("num_heads", 0);
  if (heads <= 0)
    return error() << "num_heads must be positive";
  // Keys of undeclared rank are projections, [batch, length, hidden].
  std::optional<int64_t> keyRank = getRank(node->input(1));
  bool crossAttention = keyRank == 4;
  if (crossAttention && (hasInput(3) || hasInput(6)))
    return error() << "4-D keys and values take no bias and no past";
  if (keyRank && *keyRank != 3 && *keyRank != 4)
    return error() << "key must be [batch, length, hidden] or [batch, heads, "
                      "length, head]";
  // The head size, from what the graph declares.
  int64_t headSize = -1;
  if (std::optional<DeclaredType> q = getDeclaredType(node->input(0));
      q && q->dims.size() == 3 && q->dims[2] > 0)
    headSize = q->dims[2] % heads == 0 ? q->dims[2] / heads : -1;
  for (std::string name : {hasInput(6) ? node->input(6) : std::string(),
                           crossAttention ? node->input(1) : std::string(),
                           hasOutput(1) ? node->output(1) : std::string()})
    if (std::optional<DeclaredType> t =
            name.empty() ? std::nullopt : getDeclaredType(name);
        headSize <= 0 && t && t->dims.size() == 4 && t->dims[3] > 0)
      headSize = t->dims[3];
  // Else a third of the biases (query, key and value of one size).
  std::optional<DeclaredType> biasType =
      hasInput(3) ? getDeclaredType(node->input(3)) : std::nullopt;
  if (headSize <= 0 && biasType && biasType->dims.size() == 1 &&
      biasType->dims[0] % (3 * heads) == 0)
    headSize = biasType->dims[0] / (3 * heads);
  if (headSize <= 0)
    return error() << "the head size must be static: declare the query as "
                      "[batch, seq, num_heads * head_size]";
  int64_t hidden = heads * headSize;

  std::string query = node->input(0), key = node->input(1),
              value = node->input(2);
  if (hasInput(3)) {
    if (!biasType || biasType->dims.size() != 1 ||
        biasType->dims[0] <= 2 * hidden)
      return error() << "the bias must be a static vector of query, key and "
                        "value biases";
    int64_t total = biasType->dims[0];
    query = op("Add", {query, slice(node->input(3), 0, 0, hidden)});
    key = op("Add", {key, slice(node->input(3), 0, hidden, 2 * hidden)});
    value = op("Add", {value, slice(node->input(3), 0, 2 * hidden, total)});
  }
  std::string keys = key, values = value;
  if (!crossAttention) {
    keys = splitHeads(key, heads, headSize);
    values = splitHeads(value, heads, -1);
  }
  appendPast(keys, values, 6);
  return attendMasked(splitHeads(query, heads, headSize), keys, values,
                      headSize, /*maskInput=*/4);
}

/// Attention(input, weights, bias, mask_index?, past?, attention_bias?) of
/// com.microsoft, as ONNX Runtime's BERT optimizer writes it: the packed
/// query/key/value projection, then softmax(Q K^T * scale +
/// attention_bias + mask) V per head.
LogicalResult Expander::expandAttention() {
  if (failed(checkAttributes({"num_heads", "unidirectional", "qkv_hidden_sizes",
                              "scale", "mask_filter_value", "do_rotary",
                              "rotary_embedding_dim",
                              "past_present_share_buffer"})))
    return failure();
  if (hasInput(4) || hasOutput(1))
    return error() << "past and present are not supported yet";
  if (failed(checkNoInputsFrom(6, "past_sequence_length")))
    return failure();
  if (getInt("do_rotary", 0) != 0)
    return error() << "do_rotary=1 is not supported";
  if (!hasInput(0) || !hasInput(1) || !hasInput(2))
    return error() << "input, weights and bias are required";
  int64_t heads = getInt("num_heads", 0);
  std::optional<DeclaredType> biasType = getDeclaredType(node->input(2));
  if (!biasType || biasType->dims.size() != 1 || biasType->dims[0] <= 0)
    return error() << "the bias must be a vector of static size";
  SmallVector<int64_t> sizes;
  if (const onnx::AttributeProto *attr = findAttribute("qkv_hidden_sizes"))
    sizes.assign(attr->ints().begin(), attr->ints().end());
  else
    sizes.assign(3, biasType->dims[0] / 3);
  if (heads <= 0 || sizes.size() != 3 || sizes[0] != sizes[1] ||
      sizes[0] + sizes[1] + sizes[2] != biasType->dims[0] ||
      llvm::any_of(sizes, [&](int64_t d) { return d <= 0 || d % heads; }))
    return error() << "num_heads (" << heads << ") and the query, key and "
                   << "value sizes (qkv_hidden_sizes or a third of the "
                   << biasType->dims[0] << " biases each) must divide";
  int64_t headSize = sizes[0] / heads, valueHeadSize = sizes[2] / heads;

  // The projections, [batch, seq, D + D + Dv], split by columns.
  std::string projected = op(
      "Add", {op("MatMul", {node->input(0), node->input(1)}), node->input(2)});
  auto heads4 = [&](int64_t start, int64_t size, int64_t perHead) {
    return splitHeads(slice(projected, 2, start, start + size), heads, perHead);
  };
  return attendMasked(heads4(0, sizes[0], headSize),
                      heads4(sizes[0], sizes[1], headSize),
                      heads4(sizes[0] + sizes[1], sizes[2], valueHeadSize),
                      headSize, /*maskInput=*/3);
}

//===----------------------------------------------------------------------===//
// Rotary embeddings
//===----------------------------------------------------------------------===//

std::string Expander::gatherRows(const std::string &cache,
                                 const std::string &positions,
                                 int64_t headsAxis) {
  auto key = std::make_tuple(cache, positions, headsAxis);
  if (auto it = gathered.find(key); it != gathered.end())
    return it->second;
  // Without positions the caches already hold each token's row.
  std::string rows =
      unsqueeze(positions.empty() ? cache : op("Gather", {cache, positions}),
                {headsAxis});
  return gathered.emplace(key, rows).first->second;
}

std::string Expander::applyRotary(const std::string &x, const Rotary &rotary,
                                  int64_t seqAxis, bool partial) {
  // The caches' rows at the positions, [batch, seq, dims / 2], given a
  // unit heads dimension to broadcast over x's.
  int64_t headsAxis = seqAxis == 1 ? 2 : 1;
  std::string cos = gatherRows(rotary.cos, rotary.positions, headsAxis);
  std::string sin = gatherRows(rotary.sin, rotary.positions, headsAxis);
  int64_t half = rotary.dims / 2;
  std::string rotated;
  if (!rotary.interleaved) {
    // Halves: (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin).
    std::string x1 = slice(x, 3, 0, half);
    std::string x2 = slice(x, 3, half, rotary.dims);
    rotated =
        op("Concat", {op("Sub", {op("Mul", {x1, cos}), op("Mul", {x2, sin})}),
                      op("Add", {op("Mul", {x2, cos}), op("Mul", {x1, sin})})});
    setInt(emitted.back(), "axis", 3);
  } else {
    // Pairs of neighbours: features 2i and 2i+1 rotate together.
    std::string part = partial ? slice(x, 3, 0, rotary.dims) : x;
    std::string pairs = reshape(part, {0, 0, 0, half, 2});
    std::string even = slice(pairs, 4, 0, 1);
    std::string odd = slice(pairs, 4, 1, 2);
    std::string cos5 = unsqueeze(cos, {4});
    std::string sin5 = unsqueeze(sin, {4});
    std::string joined =
        op("Concat",
           {op("Sub", {op("Mul", {even, cos5}), op("Mul", {odd, sin5})}),
            op("Add", {op("Mul", {odd, cos5}), op("Mul", {even, sin5})})});
    setInt(emitted.back(), "axis", 4);
    rotated = reshape(joined, {0, 0, 0, rotary.dims});
  }
  if (!partial)
    return rotated;
  std::string joined =
      op("Concat", {rotated, slice(x, 3, rotary.dims, kToTheEnd)});
  setInt(emitted.back(), "axis", 3);
  return joined;
}

/// RotaryEmbedding(input, position_ids, cos_cache, sin_cache) of
/// com.microsoft, on [batch, seq, hidden] or [batch, heads, seq, head].
LogicalResult Expander::expandRotaryEmbedding() {
  if (failed(
          checkAttributes({"interleaved", "num_heads", "rotary_embedding_dim",
                           "scale", "is_packed_batching"})))
    return failure();
  for (int i = 0; i < 4; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " is missing";
  if (getInt("is_packed_batching", 0) != 0)
    return error() << "is_packed_batching=1 is not supported";
  if (getFloat("scale", 1.0f) != 1.0f)
    return error() << "scale=" << getFloat("scale", 1.0f)
                   << " is not supported: only 1";
  Rotary rotary;
  rotary.cos = node->input(2);
  rotary.sin = node->input(3);
  rotary.interleaved = getInt("interleaved", 0) != 0;
  std::optional<DeclaredType> cosType = getDeclaredType(rotary.cos);
  if (!cosType || cosType->dims.size() != 2 || cosType->dims[1] <= 0)
    return error() << "cos_cache must be a tensor of static shape "
                      "[positions, rotary dimensions / 2]";
  rotary.dims = 2 * cosType->dims[1];
  int64_t rotaryDim = getInt("rotary_embedding_dim", 0);
  if (rotaryDim != 0 && rotaryDim != rotary.dims)
    return error() << "rotary_embedding_dim=" << rotaryDim
                   << " disagrees with cos_cache, whose rows hold "
                   << rotary.dims / 2 << " values";

  // Positions: [batch, seq], or one start position for every row.
  std::string x = node->input(0);
  std::optional<DeclaredType> inputType = getDeclaredType(x);
  if (!inputType)
    inputType = getDeclaredType(node->output(0));
  int64_t rank = inputType ? static_cast<int64_t>(inputType->dims.size()) : 3;
  if (rank != 3 && rank != 4)
    return error() << "the input has rank " << rank << "; it must be 3 or 4";
  int64_t seqAxis = rank == 3 ? 1 : 2;
  rotary.positions = node->input(1);
  std::optional<DeclaredType> positionsType = getDeclaredType(rotary.positions);
  if (positionsType && positionsType->dims.size() == 1) {
    std::string seq = sizeOf(x, seqAxis);
    std::string steps =
        op("Range", {constantI64({0}, true), seq, constantI64({1}, true)});
    rotary.positions =
        unsqueeze(op("Add", {steps, rotary.positions}), {0}); // [1, seq]
  }

  // As ONNX Runtime has it, rotary_embedding_dim makes the rotation
  // partial; the head size is then the hidden size over num_heads.
  bool partial = rotaryDim != 0;
  int64_t heads = getInt("num_heads", 0);
  if (partial && heads <= 0)
    return error() << "rotary_embedding_dim needs num_heads";
  if (rank == 4) {
    identity(applyRotary(x, rotary, seqAxis, partial), node->output(0));
    return success();
  }
  // [batch, seq, hidden]: heads split off and merged back.
  std::string split = partial ? reshape(x, {0, 0, heads, -1})
                              : reshape(x, {0, 0, -1, rotary.dims});
  std::string rotated = applyRotary(split, rotary, seqAxis, partial);
  identity(reshape(rotated, {0, 0, -1}), node->output(0));
  return success();
}

//===----------------------------------------------------------------------===//
// GroupQueryAttention
//===----------------------------------------------------------------------===//

std::optional<std::string>
Expander::findAttentionMask(const std::string &seqlens) {
  auto skipCasts = [&](std::string value) {
    while (const onnx::NodeProto *p = getProducer(value)) {
      if (p->op_type() != "Cast" || p->input_size() < 1)
        break;
      value = p->input(0);
    }
    return value;
  };
  const onnx::NodeProto *sub = getProducer(skipCasts(seqlens));
  if (!sub || sub->op_type() != "Sub" || sub->input_size() != 2)
    return std::nullopt;
  std::optional<SmallVector<int64_t>> one = getConstantInts(sub->input(1));
  if (!one || one->size() != 1 || (*one)[0] != 1)
    return std::nullopt;
  const onnx::NodeProto *sums = getProducer(skipCasts(sub->input(0)));
  if (!sums || sums->op_type() != "ReduceSum" || sums->input_size() < 1)
    return std::nullopt;
  SmallVector<int64_t> axes;
  if (sums->input_size() > 1) {
    std::optional<SmallVector<int64_t>> values =
        getConstantInts(sums->input(1));
    if (!values)
      return std::nullopt;
    axes = *values;
  }
  for (const onnx::AttributeProto &attr : sums->attribute())
    if (attr.name() == "axes")
      axes.assign(attr.ints().begin(), attr.ints().end());
  if (axes.size() != 1 || (axes[0] != 1 && axes[0] != -1))
    return std::nullopt;
  return skipCasts(sums->input(0));
}

const AttentionMask &Expander::getMask(const std::string &maskValue,
                                       const std::string &query,
                                       const std::string &pastKey,
                                       int64_t window) {
  auto key = std::make_pair(maskValue, window);
  if (auto it = masks.find(key); it != masks.end())
    return it->second;
  // Query i of a run of `seq` tokens after `past` ones is at past + i;
  // key j is seen when j <= past + i (and past + i - j < window), where
  // the mask is 1: the exported decoders' causal mask.
  std::string zero = constantI64({0}, true);
  std::string one = constantI64({1}, true);
  std::string past = pastKey.empty() ? zero : sizeOf(pastKey, 2);
  std::string seen = causalSeen(keyPositions(sizeOf(maskValue, 1)),
                                sizeOf(query, 1), past, window);
  std::string allowed = // [batch, seq, total]
      op("And", {unsqueeze(seen, {0}),
                 cast(unsqueeze(maskValue, {1}), onnx::TensorProto::BOOL)});
  AttentionMask mask;
  mask.additive = unsqueeze(
      op("Where", {allowed, constantF32(0.0f),
                   constantF32(std::numeric_limits<float>::lowest())}),
      {1});
  // A token's position: the tokens it sees, itself included, minus one
  // (padding queries see none: position 0).
  std::string seenCount =
      reduce("ReduceSum", cast(allowed, onnx::TensorProto::INT64), {2}, false);
  mask.positions = op("Max", {op("Sub", {seenCount, one}), zero});
  return masks.emplace(key, std::move(mask)).first->second;
}

std::string Expander::repeatHeads(const std::string &x, int64_t kvHeads,
                                  int64_t times, int64_t headSize) {
  // Constant shapes (Expand broadcasts the ones; Reshape's 0 keeps the
  // batch, -1 takes the length) give ONNX's shape inference, which reads no
  // computed shape, the result's rank.
  std::string expanded =
      op("Expand", {unsqueeze(x, {2}), constantI64({1, 1, times, 1, 1})});
  return reshape(expanded, {0, kvHeads * times, -1, headSize});
}

/// GroupQueryAttention(query, key?, value?, past_key?, past_value?,
/// seqlens_k, total_sequence_length, cos_cache?, sin_cache?) of
/// com.microsoft: outputs, present_key, present_value.
LogicalResult Expander::expandGroupQueryAttention() {
  if (failed(checkAttributes({"num_heads", "kv_num_heads", "scale",
                              "local_window_size", "do_rotary",
                              "rotary_interleaved", "softcap", "smooth_softmax",
                              "qk_output"})) ||
      failed(checkNoInputsFrom(9, "position_ids, attention_bias or "
                                  "head_sink")))
    return failure();
  if (opset < 13)
    return error() << "needs opset 13 or later of the default domain";
  int64_t heads = getInt("num_heads", 0);
  int64_t kvHeads = getInt("kv_num_heads", 0);
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
    return error() << "num_heads (" << heads << ") must be a positive "
                   << "multiple of kv_num_heads (" << kvHeads << ")";
  if (getInt("smooth_softmax", 0) != 0)
    return error() << "smooth_softmax=1 is not supported";
  if (getInt("qk_output", 0) != 0)
    return error() << "qk_output is not supported";
  if (node->output_size() > 3)
    return error() << "output 3 (the attention scores) is not supported";
  if (!hasInput(0) || !hasInput(5))
    return error() << "query and seqlens_k are required";
  if (hasInput(1) != hasInput(2))
    return error() << "key and value must both be given or both be omitted "
                      "(packed into the query)";
  if (hasInput(3) != hasInput(4))
    return error() << "past_key and past_value must both be given";

  // The head size, from the cache the graph declares.
  int64_t headSize = -1;
  int32_t elementType = onnx::TensorProto::UNDEFINED;
  for (std::string name : {hasInput(3) ? node->input(3) : std::string(),
                           hasOutput(1) ? node->output(1) : std::string()}) {
    std::optional<DeclaredType> type =
        name.empty() ? std::nullopt : getDeclaredType(name);
    if (type && type->dims.size() == 4 && type->dims[3] > 0) {
      headSize = type->dims[3];
      elementType = type->elementType;
      break;
    }
  }
  if (headSize <= 0)
    return error() << "the head size must be static: declare past_key or "
                      "present_key as [batch, kv_num_heads, positions, "
                      "head_size]";
  if (elementType != onnx::TensorProto::FLOAT)
    return error() << "only float32 caches are supported (this model's are "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(elementType))
                   << ")";

  std::optional<std::string> maskValue = findAttentionMask(node->input(5));
  if (!maskValue)
    return error() << "seqlens_k must be computed from the attention mask, "
                      "as ReduceSum(mask, axes=[1]) - 1 (ONNX Runtime "
                      "GenAI's model builder writes that): edge masks "
                      "each row's padding with the attention mask itself";

  // Queries, keys and values, [batch, seq, heads, head]. Where the graph
  // declares the inputs' features, they must be the heads'.
  auto checkFeatures = [&](int i, int64_t features) -> LogicalResult {
    std::optional<DeclaredType> type = getDeclaredType(node->input(i));
    if (!type || type->dims.size() != 3 || type->dims[2] < 0 ||
        type->dims[2] == features)
      return success();
    return error() << "input " << i << " has " << type->dims[2]
                   << " features; the heads need " << features;
  };
  int64_t packedHeads = hasInput(1) ? heads : heads + 2 * kvHeads;
  if (failed(checkFeatures(0, packedHeads * headSize)) ||
      (hasInput(1) && (failed(checkFeatures(1, kvHeads * headSize)) ||
                       failed(checkFeatures(2, kvHeads * headSize)))))
    return failure();
  std::string query = node->input(0), key, value;
  if (hasInput(1)) {
    key = node->input(1);
    value = node->input(2);
  } else {
    int64_t q = heads * headSize, kv = kvHeads * headSize;
    key = slice(query, 2, q, q + kv);
    value = slice(query, 2, q + kv, q + 2 * kv);
    query = slice(query, 2, 0, q);
  }
  std::string pastKey = hasInput(3) ? node->input(3) : "";
  int64_t window = getInt("local_window_size", -1);
  const AttentionMask &mask =
      getMask(*maskValue, node->input(0), pastKey, window);
  std::string q4 = reshape(query, {0, 0, heads, headSize});
  std::string k4 = reshape(key, {0, 0, kvHeads, headSize});
  std::string v4 = reshape(value, {0, 0, kvHeads, headSize});
  if (getInt("do_rotary", 0) != 0) {
    if (!hasInput(7) || !hasInput(8))
      return error() << "do_rotary=1 needs cos_cache and sin_cache";
    Rotary rotary;
    rotary.cos = node->input(7);
    rotary.sin = node->input(8);
    rotary.positions = mask.positions;
    rotary.interleaved = getInt("rotary_interleaved", 0) != 0;
    std::optional<DeclaredType> cosType = getDeclaredType(rotary.cos);
    if (!cosType || cosType->dims.size() != 2 || cosType->dims[1] <= 0 ||
        2 * cosType->dims[1] > headSize)
      return error() << "cos_cache must be a tensor of static shape "
                        "[positions, rotary dimensions / 2], at most half "
                        "the head size";
    rotary.dims = 2 * cosType->dims[1];
    bool partial = rotary.dims < headSize;
    q4 = applyRotary(q4, rotary, /*seqAxis=*/1, partial);
    k4 = applyRotary(k4, rotary, /*seqAxis=*/1, partial);
  }

  // The present: the past and the new keys and values along the positions.
  std::string keys = transpose(k4, {0, 2, 1, 3});
  std::string values = transpose(v4, {0, 2, 1, 3});
  appendPast(keys, values, 3);
  if (heads != kvHeads) {
    keys = repeatHeads(keys, kvHeads, heads / kvHeads, headSize);
    values = repeatHeads(values, kvHeads, heads / kvHeads, headSize);
  }

  std::string scores =
      scaledScores(transpose(q4, {0, 2, 1, 3}), keys, headSize);
  float softcap = getFloat("softcap", 0.0f);
  if (softcap > 0.0f)
    scores = op("Mul",
                {op("Tanh", {op("Mul", {scores, constantF32(1.0f / softcap)})}),
                 constantF32(softcap)});
  emitAttended(op("Add", {scores, mask.additive}), values);
  return success();
}
