//===- MatMulNBits.cpp - Import com.microsoft MatMulNBits -----------------===//
//
// ONNX Runtime's weight-only quantized matrix product, which its model
// builders and quantizers write for 4-bit language models: weights stored
// by output column in blocks of `block_size` rows, each block with a float
// scale and an unsigned zero point. The weights become the int4 (or int8)
// constant of an edge.quantized_matmul with block scales; zero points
// other than the midpoint become its offsets.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "llvm/Support/FormatVariadic.h"

#include <functional>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// The inputs of MatMulNBits, by position.
enum Input : unsigned { kA, kB, kScales, kZeroPoints, kGroupIndex, kBias };

/// The node's quantized weights, decoded.
struct NBitsWeights {
  int64_t k = 0, n = 0, bits = 0, blockSize = 0, blocks = 0;
  /// [K, N]: the stored value minus the midpoint (2^(bits - 1)), so that
  /// the midpoint zero point needs no correction.
  SmallVector<int8_t> values;
  /// [blocks, N].
  SmallVector<float> scales;
  /// [blocks, N]: (midpoint - zero point) * scale, each block's shift;
  /// empty when every zero point is the midpoint.
  SmallVector<float> offsets;
};

/// The `bits`-wide unsigned field `index` of a byte stream packed from
/// the lowest bits up, as MatMulNBits stores weights and zero points.
uint8_t readField(ArrayRef<int8_t> bytes, int64_t index, int64_t bits) {
  if (bits == 8)
    return static_cast<uint8_t>(bytes[index]);
  return getPackedNibble(bytes.data(), index);
}

FailureOr<NBitsWeights> decodeWeights(NodeContext &ctx) {
  NBitsWeights w;
  w.k = ctx.getInt("K", 0);
  w.n = ctx.getInt("N", 0);
  w.bits = ctx.getInt("bits", 4);
  w.blockSize = ctx.getInt("block_size", 0);
  // Beyond 2^31 the sizes below could overflow; no weight matrix is that
  // long.
  constexpr int64_t kMaxSize = int64_t(1) << 31;
  if (w.k <= 0 || w.n <= 0 || w.k > kMaxSize || w.n > kMaxSize)
    return ctx.emitError("attributes K and N must be in [1, 2^31]");
  if (w.bits != 4 && w.bits != 8)
    return ctx.emitError("bits=" + Twine(w.bits) + " is not supported: 4 or 8");
  if (w.blockSize < 16 || (w.blockSize & (w.blockSize - 1)) != 0)
    return ctx.emitError("block_size=" + Twine(w.blockSize) +
                         " must be a power of two, at least 16");
  w.blocks = (w.k + w.blockSize - 1) / w.blockSize;
  int64_t blobBytes = w.blockSize * w.bits / 8;

  std::optional<SmallVector<int8_t>> packed = readI8Constant(ctx.getInput(kB));
  if (!packed)
    return ctx.emitNotConstantError(
        kB, "the packed weights B must be a constant uint8 tensor");
  if (static_cast<int64_t>(packed->size()) != w.n * w.blocks * blobBytes)
    return ctx.emitError("B holds " + Twine(packed->size()) +
                         " bytes; N x ceil(K / block_size) x block_size * "
                         "bits / 8 = " +
                         Twine(w.n * w.blocks * blobBytes));
  std::optional<SmallVector<float>> scales =
      readF32Constant(ctx.getInput(kScales));
  if (!scales)
    return ctx.emitNotConstantError(
        kScales, "the scales must be a constant float tensor");
  if (static_cast<int64_t>(scales->size()) != w.n * w.blocks)
    return ctx.emitError(
        "scales hold " + Twine(scales->size()) +
        " values; N x ceil(K / block_size) = " + Twine(w.n * w.blocks));

  // Zero points: packed like the weights (each column's blocks padded to a
  // whole byte), or floats of the scales' type; the midpoint by default.
  int64_t midpoint = int64_t(1) << (w.bits - 1);
  std::function<float(int64_t, int64_t)> zeroPointOf = [=](int64_t, int64_t) {
    return static_cast<float>(midpoint);
  };
  std::optional<SmallVector<int8_t>> packedZeros;
  std::optional<SmallVector<float>> floatZeros;
  if (ctx.hasInput(kZeroPoints)) {
    Value zeros = ctx.getInput(kZeroPoints);
    if ((packedZeros = readI8Constant(zeros))) {
      auto count = static_cast<int64_t>(packedZeros->size());
      int64_t rowBytes = (w.blocks * w.bits + 7) / 8;
      if (count != w.n * rowBytes)
        return ctx.emitError(
            "packed zero_points hold " + Twine(count) +
            " bytes; N x ceil(blocks * bits / 8) = " + Twine(w.n * rowBytes));
      zeroPointOf = [&, rowBytes](int64_t column, int64_t block) {
        ArrayRef<int8_t> row =
            ArrayRef<int8_t>(*packedZeros).slice(column * rowBytes, rowBytes);
        return static_cast<float>(readField(row, block, w.bits));
      };
    } else if ((floatZeros = readF32Constant(zeros))) {
      auto count = static_cast<int64_t>(floatZeros->size());
      if (count != w.n * w.blocks)
        return ctx.emitError(
            "float zero_points hold " + Twine(count) +
            " values; N x ceil(K / block_size) = " + Twine(w.n * w.blocks));
      zeroPointOf = [&](int64_t column, int64_t block) {
        return (*floatZeros)[column * w.blocks + block];
      };
    } else {
      return ctx.emitNotConstantError(
          kZeroPoints,
          "the zero points must be a constant uint8 or float tensor");
    }
  }

  w.values.assign(w.k * w.n, 0);
  w.scales.assign(w.blocks * w.n, 0.0f);
  SmallVector<float> offsets(w.blocks * w.n, 0.0f);
  bool anyOffset = false;
  for (int64_t column = 0; column < w.n; ++column) {
    ArrayRef<int8_t> columnBytes = ArrayRef<int8_t>(*packed).slice(
        column * w.blocks * blobBytes, w.blocks * blobBytes);
    for (int64_t row = 0; row < w.k; ++row)
      w.values[row * w.n + column] =
          static_cast<int8_t>(readField(columnBytes, row, w.bits) - midpoint);
    for (int64_t block = 0; block < w.blocks; ++block) {
      float scale = (*scales)[column * w.blocks + block];
      float offset = (midpoint - zeroPointOf(column, block)) * scale;
      w.scales[block * w.n + column] = scale;
      offsets[block * w.n + column] = offset;
      anyOffset |= offset != 0.0f;
    }
  }
  if (anyOffset)
    w.offsets = std::move(offsets);
  return w;
}

/// MatMulNBits(A, B, scales, zero_points?, g_idx?, bias?).
LogicalResult convertMatMulNBits(NodeContext &ctx) {
  FailureOr<RankedTensorType> aType = ctx.getInputType(kA);
  if (failed(aType))
    return failure();
  if (!aType->getElementType().isF32())
    return ctx.emitError("only float32 activations are supported (A is " +
                         Twine(llvm::formatv("{0}", aType->getElementType())) +
                         ")");
  if (ctx.hasInput(kGroupIndex))
    return ctx.emitError("g_idx (act-order weights) is not supported");
  FailureOr<NBitsWeights> w = decodeWeights(ctx);
  if (failed(w))
    return failure();
  int64_t rank = aType->getRank();
  if (rank == 0 ||
      (!aType->isDynamicDim(rank - 1) && aType->getDimSize(rank - 1) != w->k))
    return ctx.emitError("A's last dimension must be K = " + Twine(w->k));

  Composer c(ctx);
  Type f32 = c.b.getF32Type();
  SmallVector<int64_t> resultShape(aType->getShape());
  resultShape.back() = w->n;
  auto resultType = RankedTensorType::get(resultShape, f32);
  auto weightsType =
      RankedTensorType::get({w->k, w->n}, c.b.getIntegerType(w->bits));
  Value a = ctx.getInput(kA);
  Value y;
  if (w->k % w->blockSize == 0) {
    Value weights = ConstantOp::create(
        c.b, c.loc,
        w->bits == 4
            ? ElementsAttr(makeI4ElementsAttr(weightsType, w->values))
            : makeI8ElementsAttr(weightsType, w->values, "edge_int8_weight"));
    Value scales = ConstantOp::create(
        c.b, c.loc,
        makeF32ElementsAttr(RankedTensorType::get({w->blocks, w->n}, f32),
                            w->scales, "edge_weight_scale"));
    // Zero points other than the midpoint: each block's weights shifted by
    // (midpoint - z) * s, which the kernel adds as it scales them.
    Value offsets;
    if (!w->offsets.empty())
      offsets = ConstantOp::create(
          c.b, c.loc,
          makeF32ElementsAttr(RankedTensorType::get({w->blocks, w->n}, f32),
                              w->offsets, "edge_weight_offset"));
    y = QuantizedMatMulOp::create(c.b, c.loc, resultType, a, weights, scales,
                                  offsets);
  } else {
    // A last block shorter than the others: dequantized to f32 weights
    // (exact, four or eight times the bytes).
    SmallVector<float> dequantized(w->k * w->n);
    for (int64_t row = 0; row < w->k; ++row)
      for (int64_t column = 0; column < w->n; ++column) {
        int64_t block = (row / w->blockSize) * w->n + column;
        dequantized[row * w->n + column] =
            w->values[row * w->n + column] * w->scales[block] +
            (w->offsets.empty() ? 0.0f : w->offsets[block]);
      }
    Value weights = ConstantOp::create(
        c.b, c.loc,
        makeF32ElementsAttr(RankedTensorType::get({w->k, w->n}, f32),
                            dequantized, "edge_dequantized_weight"));
    y = MatMulOp::create(c.b, c.loc, resultType, a, weights);
  }
  if (ctx.hasInput(kBias)) {
    FailureOr<RankedTensorType> biasType = ctx.getInputType(kBias);
    if (failed(biasType))
      return failure();
    if (biasType->getRank() != 1 || biasType->getDimSize(0) != w->n ||
        !biasType->getElementType().isF32())
      return ctx.emitError("bias must be float32 [N]");
    y = c.binary<AddOp>(y, ctx.getInput(kBias));
  }
  ctx.setOutput(0, y);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerMicrosoftOps(OpRegistry &registry) {
  constexpr auto kInt = onnx::AttributeProto::INT;
  registry.add("com.microsoft", "MatMulNBits", convertMatMulNBits,
               {{"K", kInt},
                {"N", kInt},
                {"bits", kInt},
                {"block_size", kInt},
                {"accuracy_level", kInt}});
}
