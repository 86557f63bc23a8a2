//===- TextOps.cpp - Import ONNX TfIdfVectorizer --------------------------===//
//
// TfIdfVectorizer counts, in each row of token ids, the n-grams of a pool:
// n consecutive tokens, or tokens `d` apart for a skip distance d from 1 to
// max_skip_count + 1 (unigrams once per position). Everything is static
// (the row length and the pool are known when the model compiles), so each
// (n, d) is a handful of slices of the row compared with the pool's tokens:
//
//   match[r, i, j]  tokens i, i + d, ..., i + (n - 1) d of row r equal the
//                   n tokens of pool n-gram j (an And of n Equals)
//   count[r, j]     matches summed over the positions i and the distances
//
// Each count is then weighted (TF: as is, IDF: weight if present, TFIDF:
// count x weight) and lands in its output column (ngram_indexes) through
// a product with a 0/1 matrix, which also sums n-grams sharing a column.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Positions x n-grams x n a row may compare: the masks stay small.
constexpr int64_t kMaxComparedTokens = 1 << 24;

/// The pool as the importer reads it: n-grams of each length, in pool
/// order, each with its index among all n-grams.
struct NGramPool {
  /// grams[n - 1]: the n-grams of length n, n tokens each.
  SmallVector<SmallVector<SmallVector<int64_t>>> grams;
  /// firstIndex[n - 1]: the index of the first n-gram of length n.
  SmallVector<int64_t> firstIndex;
  int64_t size = 0;
};

/// The pool of pool_int64s cut by ngram_counts (the start of each length's
/// n-grams in the pool), or failure with the node's error.
FailureOr<NGramPool> readPool(NodeContext &ctx, int64_t maxLength) {
  std::optional<SmallVector<int64_t>> counts = ctx.getInts("ngram_counts");
  std::optional<SmallVector<int64_t>> pool = ctx.getInts("pool_int64s");
  if (ctx.getAttr("pool_strings"))
    return ctx.emitError("string pools (pool_strings) are not supported; "
                         "pool_int64s is");
  if (!counts || !pool)
    return ctx.emitError("needs ngram_counts and pool_int64s");
  if (static_cast<int64_t>(counts->size()) < maxLength)
    return ctx.emitError("ngram_counts needs an entry for each n-gram "
                         "length up to max_gram_length");
  NGramPool result;
  for (int64_t n = 1; n <= static_cast<int64_t>(counts->size()); ++n) {
    int64_t start = (*counts)[n - 1];
    int64_t end = n < static_cast<int64_t>(counts->size())
                      ? (*counts)[n]
                      : static_cast<int64_t>(pool->size());
    if (start < 0 || end < start || end > static_cast<int64_t>(pool->size()) ||
        (end - start) % n != 0)
      return ctx.emitError("ngram_counts entry " + Twine(n - 1) +
                           " does not cut pool_int64s into " + Twine(n) +
                           "-grams");
    result.firstIndex.push_back(result.size);
    SmallVector<SmallVector<int64_t>> grams;
    for (int64_t i = start; i < end; i += n)
      grams.emplace_back(pool->begin() + i, pool->begin() + i + n);
    result.size += static_cast<int64_t>(grams.size());
    result.grams.push_back(std::move(grams));
  }
  return result;
}

/// How often each n-gram of length `n` (token k of each: `tokens[k]`)
/// occurs in each row of `x` [rows, length] at skip distance `distance`,
/// as f32 [rows, n-grams]; null when no position fits.
Value countAtDistance(Composer &c, Value x, int64_t n, int64_t distance,
                      ArrayRef<SmallVector<int64_t>> grams) {
  RankedTensorType type = c.typeOf(x);
  int64_t rows = type.getDimSize(0), length = type.getDimSize(1);
  int64_t positions = length - (n - 1) * distance;
  if (positions <= 0 || grams.empty())
    return nullptr;
  int64_t count = static_cast<int64_t>(grams.size());
  Value match;
  for (int64_t k = 0; k < n; ++k) {
    Value tokens =
        c.reshape(c.slice(x, {0, k * distance}, {rows, positions}, {1, 1}),
                  {rows, positions, 1});
    SmallVector<int64_t> column;
    for (const SmallVector<int64_t> &gram : grams)
      column.push_back(gram[k]);
    Value equal =
        c.compare<EqualOp>(tokens, c.constant(ArrayRef(column), {1, 1, count},
                                              type.getElementType()));
    match = match ? c.binary<AndOp>(match, equal) : equal;
  }
  return c.countTrue(match, {1});
}

LogicalResult convertTfIdfVectorizer(NodeContext &ctx) {
  FailureOr<RankedTensorType> xType = ctx.getInputType(0);
  if (failed(xType))
    return failure();
  Type element = xType->getElementType();
  if (!element.isInteger(32) && !element.isInteger(64))
    return ctx.emitError("needs int32 or int64 token ids (string inputs are "
                         "not supported)");
  if (!xType->hasStaticShape() || xType->getRank() < 1 || xType->getRank() > 2)
    return ctx.emitError("needs token ids of static shape [C] or [N, C]");
  int64_t minLength = ctx.getInt("min_gram_length", 0);
  int64_t maxLength = ctx.getInt("max_gram_length", 0);
  int64_t maxSkip = ctx.getInt("max_skip_count", 0);
  std::string mode = ctx.getString("mode", "");
  if (minLength < 1 || maxLength < minLength || maxSkip < 0)
    return ctx.emitError("needs 1 <= min_gram_length <= max_gram_length and "
                         "max_skip_count >= 0");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.emitError("mode '" + mode + "' is not TF, IDF or TFIDF");
  FailureOr<NGramPool> pool = readPool(ctx, maxLength);
  if (failed(pool))
    return failure();
  std::optional<SmallVector<int64_t>> indexes = ctx.getInts("ngram_indexes");
  if (!indexes || static_cast<int64_t>(indexes->size()) != pool->size)
    return ctx.emitError("ngram_indexes needs one output column per n-gram "
                         "of the pool (" +
                         Twine(pool->size) + ")");
  SmallVector<float> weights(pool->size, 1.0f);
  if (const onnx::AttributeProto *attr = ctx.getAttr("weights")) {
    if (attr->floats_size() != pool->size)
      return ctx.emitError("weights needs one entry per n-gram of the pool");
    weights.assign(attr->floats().begin(), attr->floats().end());
  }
  int64_t columns = 0;
  for (int64_t index : *indexes) {
    if (index < 0)
      return ctx.emitError("ngram_indexes holds a negative column");
    columns = std::max(columns, index + 1);
  }

  Composer c(ctx);
  Value x = ctx.getInput(0);
  int64_t rows = xType->getRank() == 2 ? xType->getDimSize(0) : 1;
  int64_t length = xType->getShape().back();
  if (rows * length * pool->size * maxLength > kMaxComparedTokens)
    return ctx.emitError("compares too many tokens with the pool (at most " +
                         Twine(kMaxComparedTokens) + ")");
  x = c.reshape(x, {rows, length});
  // Counts of every n-gram of the pool, [rows, pool size], lengths below
  // min_gram_length left at zero.
  Type f32 = c.b.getF32Type();
  SmallVector<Value> parts;
  for (int64_t n = 1; n <= static_cast<int64_t>(pool->grams.size()); ++n) {
    ArrayRef<SmallVector<int64_t>> grams = pool->grams[n - 1];
    if (grams.empty())
      continue;
    Value counts;
    if (n >= minLength && n <= maxLength) {
      // Unigrams count once per position, whatever the skip.
      int64_t distances = n == 1 ? 1 : maxSkip + 1;
      for (int64_t distance = 1; distance <= distances; ++distance)
        if (Value atDistance = countAtDistance(c, x, n, distance, grams))
          counts = counts ? c.binary<AddOp>(counts, atDistance) : atDistance;
    }
    if (!counts)
      counts = c.splat(RankedTensorType::get(
                           {rows, static_cast<int64_t>(grams.size())}, f32),
                       c.b.getF32FloatAttr(0));
    parts.push_back(counts);
  }
  Value counts = c.concat(parts, 1);
  auto perGram = RankedTensorType::get({1, pool->size}, f32);
  Value weightValues = ConstantOp::create(
      c.b, c.loc, DenseElementsAttr::get(perGram, ArrayRef<float>(weights)));
  if (mode == "TFIDF")
    counts = c.binary<MulOp>(counts, weightValues);
  else if (mode == "IDF")
    counts = c.select(c.compare<GreaterOp>(counts, c.scalar(f32, 0)),
                      weightValues, c.scalar(f32, 0));
  // The output columns: a 0/1 matrix [pool size, columns].
  SmallVector<float> placement(pool->size * columns, 0.0f);
  for (auto [gram, index] : llvm::enumerate(*indexes))
    placement[gram * columns + index] = 1.0f;
  auto placementType = RankedTensorType::get({pool->size, columns}, f32);
  Value place = ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(placementType, ArrayRef<float>(placement)));
  Value y = MatMulOp::create(
      c.b, c.loc, RankedTensorType::get({rows, columns}, f32), counts, place);
  if (xType->getRank() == 1)
    y = c.reshape(y, {columns});
  ctx.setOutput(0, y);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerTextOps(OpRegistry &registry) {
  registry.add("TfIdfVectorizer", convertTfIdfVectorizer);
}
