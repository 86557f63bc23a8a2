//===- QuantizeWeights.cpp - Matrix products over int8 or int4 weights ----===//
//
// Decoding with a language model reads every weight once per token, so the
// weights' bytes bound its speed. As int8 with one float scale per output
// column they are a quarter of the bytes of f32, and the scale, the same
// along a column, applies once to each sum rather than to every weight. As
// int4 they are an eighth, plus a scale per block of rows: 16 levels per
// column would lose too much precision, 16 per block of 32 weights do not.
// See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/ConstantData.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "edge-quantize-weights"

namespace mlir::edge {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
/// The weights of a matrix product as edge.quantized_matmul takes them.
struct QuantizedWeights {
  /// [K, N], row-major; in [-8, 7] when `int4`.
  SmallVector<int8_t> values;
  /// [N], or [blocks, N] when `blocks` is nonzero.
  SmallVector<float> scales;
  /// Empty, or [blocks, N]: each block's weights shifted by this much
  /// (int4 weights whose zero point is not their midpoint).
  SmallVector<float> offsets;
  int64_t rows = 0, columns = 0;
  int64_t blocks = 0;
  bool int4 = false;
};
} // namespace

/// `values` of a [rows, columns] matrix, read as the [K, N] weights of a
/// product: transposed when the product reads them so.
template <typename T>
static SmallVector<T> toRowsOfK(ArrayRef<T> values, int64_t rows,
                                int64_t columns, bool transposed) {
  if (!transposed)
    return SmallVector<T>(values);
  SmallVector<T> result(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      result[c * rows + r] = values[r * columns + c];
  return result;
}

/// Symmetric quantization of the f32 `weights` [K, N] to integers in
/// [-levels - 1, levels], with one scale, `max |W| / levels`, per block of
/// `block` rows of each column: scales [K / block, N]. Nullopt when a
/// weight is not finite.
static std::optional<QuantizedWeights>
quantizeSymmetric(ArrayRef<float> weights, int64_t k, int64_t n, int64_t block,
                  float levels) {
  QuantizedWeights result;
  result.rows = k;
  result.columns = n;
  result.blocks = k / block;
  result.scales.assign(result.blocks * n, 0.0f);
  auto scaleOf = [&](int64_t i, int64_t j) -> float & {
    return result.scales[i / block * n + j];
  };
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float weight = weights[i * n + j];
      if (!std::isfinite(weight))
        return std::nullopt;
      scaleOf(i, j) = std::max(scaleOf(i, j), std::fabs(weight));
    }
  // A block of zeros keeps a unit scale (and zero weights).
  for (float &scale : result.scales)
    scale = scale == 0.0f ? 1.0f : scale / levels;
  result.values.resize(weights.size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float q = std::round(weights[i * n + j] / scaleOf(i, j));
      result.values[i * n + j] =
          static_cast<int8_t>(std::clamp(q, -levels - 1.0f, levels));
    }
  return result;
}

/// `data` of `shape` broadcast (numpy rules) to `to`, row-major.
static SmallVector<float> broadcastTo(ArrayRef<float> data,
                                      ArrayRef<int64_t> shape,
                                      ArrayRef<int64_t> to) {
  int64_t count = 1;
  for (int64_t size : to)
    count *= size;
  SmallVector<float> result(count);
  size_t lead = to.size() - shape.size();
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, index = 0, stride = 1;
    for (int64_t d = to.size() - 1; d >= 0; --d) {
      int64_t position = rest % to[d];
      rest /= to[d];
      if (d < static_cast<int64_t>(lead))
        continue;
      int64_t size = shape[d - lead];
      index += (size == 1 ? 0 : position) * stride;
      stride *= size;
    }
    result[i] = data[index];
  }
  return result;
}

/// The f32 constant `value`, looking through reshapes (which keep the
/// data's row-major order).
static std::optional<SmallVector<float>> readReshapedF32(Value value) {
  while (auto reshape = value.getDefiningOp<ReshapeOp>())
    value = reshape.getInput();
  return readF32Constant(value);
}

/// The largest block of rows, a divisor of `k`, over which every column of
/// the [k, n] `scales` (one per weight) is constant; k when the scales are
/// one per column.
static int64_t getScaleBlock(ArrayRef<float> scales, int64_t k, int64_t n) {
  for (int64_t blocks = 1; blocks <= k; ++blocks) {
    if (k % blocks != 0)
      continue;
    int64_t block = k / blocks;
    bool constant = true;
    for (int64_t i = 0; i < k && constant; ++i)
      for (int64_t j = 0; j < n && constant; ++j)
        constant = scales[i * n + j] == scales[i / block * block * n + j];
    if (constant)
      return block;
  }
  return 1;
}

/// Block-scaled int8 weights as int4 with offsets when each block of each
/// column spans at most 16 levels (weights dequantized from 4-bit ones,
/// whatever their zero points): shifted into [-8, 7], the shift times the
/// scale the block's offset. `weights` unchanged otherwise.
static void narrowToInt4(QuantizedWeights &weights) {
  int64_t k = weights.rows, n = weights.columns;
  int64_t block = k / weights.blocks;
  if (block % 2 != 0)
    return;
  SmallVector<int> shifts(weights.blocks * n);
  for (int64_t b = 0; b < weights.blocks; ++b)
    for (int64_t j = 0; j < n; ++j) {
      int low = 127, high = -128;
      for (int64_t i = b * block; i < (b + 1) * block; ++i) {
        low = std::min<int>(low, weights.values[i * n + j]);
        high = std::max<int>(high, weights.values[i * n + j]);
      }
      if (high - low > 15)
        return;
      // The least shift that brings the block into [-8, 7].
      shifts[b * n + j] = high > 7 ? high - 7 : low < -8 ? low + 8 : 0;
    }
  bool anyShift = llvm::any_of(shifts, [](int shift) { return shift != 0; });
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      weights.values[i * n + j] -= shifts[i / block * n + j];
  if (anyShift) {
    weights.offsets.resize(shifts.size());
    for (auto [offset, shift, scale] :
         llvm::zip_equal(weights.offsets, shifts, weights.scales))
      offset = shift * scale;
  }
  weights.int4 = true;
}

/// The weights `value` (a [rows, columns] matrix, read transposed when
/// `transposed`) when they are dequantized int8 constants, `cast(q) *
/// scale` (as the importer writes DequantizeLinear), with one scale per
/// column of the product's [K, N] view or per block of its rows: that
/// product, or blocked (DequantizeLinear's block_size) the same product
/// over a view with the blocked dimension split in two, reshaped back.
/// Block-scaled weights that fit 4 bits per block become int4.
static std::optional<QuantizedWeights> matchDequantized(Value value,
                                                        bool transposed) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.hasStaticShape() || type.getRank() != 2 ||
      !type.getElementType().isF32())
    return std::nullopt;
  if (auto reshape = value.getDefiningOp<ReshapeOp>())
    value = reshape.getInput();
  auto mul = value.getDefiningOp<MulOp>();
  if (!mul || cast<RankedTensorType>(mul.getType()).getNumElements() !=
                  type.getNumElements())
    return std::nullopt;
  ArrayRef<int64_t> mulShape = mul.getType().getShape();
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  for (auto [converted, scale] : {std::pair(mul.getLhs(), mul.getRhs()),
                                  std::pair(mul.getRhs(), mul.getLhs())}) {
    auto cast = converted.getDefiningOp<CastOp>();
    if (!cast || cast.getType() != mul.getType())
      continue;
    std::optional<SmallVector<int8_t>> q = readI8Constant(cast.getInput());
    std::optional<SmallVector<float>> scaleData = readReshapedF32(scale);
    auto scaleType = dyn_cast<RankedTensorType>(scale.getType());
    if (!q || !scaleData || !scaleType ||
        scaleType.getRank() > static_cast<int64_t>(mulShape.size()))
      continue;
    SmallVector<float> perElement =
        broadcastTo(*scaleData, scaleType.getShape(), mulShape);
    QuantizedWeights result;
    result.values = toRowsOfK<int8_t>(*q, rows, columns, transposed);
    perElement = toRowsOfK<float>(perElement, rows, columns, transposed);
    result.rows = transposed ? columns : rows;
    result.columns = transposed ? rows : columns;
    int64_t k = result.rows, n = result.columns;
    int64_t block = getScaleBlock(perElement, k, n);
    // Scales per few rows are no blocks a kernel gains from.
    if (block != k && block < 16)
      return std::nullopt;
    result.blocks = block == k ? 0 : k / block;
    for (int64_t b = 0; b < k / block; ++b)
      result.scales.append(perElement.begin() + b * block * n,
                           perElement.begin() + (b * block + 1) * n);
    if (result.blocks)
      narrowToInt4(result);
    return result;
  }
  return std::nullopt;
}

/// The f32 constant matrix `value` (read transposed when `transposed`)
/// quantized as `weights` says: int8 per column of its [K, N] view, or
/// int4 per block of `blockSize` rows of a column (of K rows when K is no
/// multiple of it; nullopt when K is odd).
static std::optional<QuantizedWeights>
quantizeConstant(Value value, bool transposed, WeightQuantization weights,
                 int64_t blockSize) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.hasStaticShape() || type.getRank() != 2)
    return std::nullopt;
  std::optional<SmallVector<float>> data = readF32Constant(value);
  if (!data)
    return std::nullopt;
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  SmallVector<float> kn = toRowsOfK<float>(*data, rows, columns, transposed);
  int64_t k = transposed ? columns : rows, n = transposed ? rows : columns;
  if (weights == WeightQuantization::int8) {
    // -128 stays unused, as symmetric int8 quantizers leave it.
    std::optional<QuantizedWeights> result =
        quantizeSymmetric(kn, k, n, k, 127.0f);
    if (result)
      result->blocks = 0;
    return result;
  }
  if (k % 2 != 0)
    return std::nullopt;
  std::optional<QuantizedWeights> result =
      quantizeSymmetric(kn, k, n, k % blockSize == 0 ? blockSize : k, 7.0f);
  if (result)
    result->int4 = true;
  return result;
}

/// `lhs` times `weights`, whose scales are multiplied by `alpha`, as
/// edge.quantized_matmul of `resultType`.
static Value createQuantizedProduct(OpBuilder &b, Location loc, Value lhs,
                                    QuantizedWeights weights, float alpha,
                                    Type resultType) {
  for (float &scale : weights.scales)
    scale *= alpha;
  for (float &offset : weights.offsets)
    offset *= alpha;
  auto weightType = RankedTensorType::get(
      {weights.rows, weights.columns}, b.getIntegerType(weights.int4 ? 4 : 8));
  SmallVector<int64_t> scaleShape;
  if (weights.blocks)
    scaleShape.push_back(weights.blocks);
  scaleShape.push_back(weights.columns);
  auto scaleType = RankedTensorType::get(scaleShape, b.getF32Type());
  Value values = ConstantOp::create(
      b, loc,
      weights.int4
          ? ElementsAttr(makeI4ElementsAttr(weightType, weights.values))
          : makeI8ElementsAttr(weightType, weights.values, "edge_int8_weight"));
  Value scales = ConstantOp::create(
      b, loc,
      makeF32ElementsAttr(scaleType, weights.scales, "edge_weight_scale"));
  Value offsets;
  if (!weights.offsets.empty())
    offsets = ConstantOp::create(
        b, loc,
        makeF32ElementsAttr(scaleType, weights.offsets, "edge_weight_offset"));
  return QuantizedMatMulOp::create(b, loc, resultType, lhs, values, scales,
                                   offsets);
}

namespace {
/// How f32 constant weights are quantized.
struct QuantizationChoice {
  WeightQuantization weights;
  int64_t blockSize;
};

/// The weights `value` as quantized weights: dequantized int8 constants
/// always, f32 constants as `choice` says.
std::optional<QuantizedWeights> getWeights(Value value, bool transposed,
                                           QuantizationChoice choice) {
  if (std::optional<QuantizedWeights> weights =
          matchDequantized(value, transposed))
    return weights;
  if (choice.weights != WeightQuantization::none)
    return quantizeConstant(value, transposed, choice.weights,
                            choice.blockSize);
  return std::nullopt;
}

struct QuantizeMatMul : OpRewritePattern<MatMulOp> {
  QuantizeMatMul(MLIRContext *context, QuantizationChoice choice)
      : OpRewritePattern(context), choice(choice) {}

  LogicalResult matchAndRewrite(MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    if (!matmul.getLhs().getType().getElementType().isF32())
      return failure();
    std::optional<QuantizedWeights> weights =
        getWeights(matmul.getRhs(), matmul.getTransposeRhs(), choice);
    if (!weights)
      return failure();
    LLVM_DEBUG(llvm::dbgs() << (weights->int4 ? "int4" : "int8")
                            << " weights for " << matmul.getLoc() << "\n");
    rewriter.replaceOp(matmul, createQuantizedProduct(
                                   rewriter, matmul.getLoc(), matmul.getLhs(),
                                   *weights, 1.0f, matmul.getType()));
    return success();
  }

  QuantizationChoice choice;
};

/// alpha * A x B + beta * C: alpha joins the scales, beta * C is added.
struct QuantizeGemm : OpRewritePattern<GemmOp> {
  QuantizeGemm(MLIRContext *context, QuantizationChoice choice)
      : OpRewritePattern(context), choice(choice) {}

  LogicalResult matchAndRewrite(GemmOp gemm,
                                PatternRewriter &rewriter) const override {
    if (gemm.getTransA() || !gemm.getA().getType().getElementType().isF32())
      return failure();
    std::optional<QuantizedWeights> weights =
        getWeights(gemm.getB(), gemm.getTransB(), choice);
    if (!weights)
      return failure();
    LLVM_DEBUG(llvm::dbgs() << (weights->int4 ? "int4" : "int8")
                            << " weights for " << gemm.getLoc() << "\n");
    Location loc = gemm.getLoc();
    Value result = createQuantizedProduct(rewriter, loc, gemm.getA(), *weights,
                                          gemm.getAlpha().convertToFloat(),
                                          gemm.getType());
    if (Value c = gemm.getC()) {
      float beta = gemm.getBeta().convertToFloat();
      if (beta != 1.0f) {
        auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
        Value betaValue = ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(scalarType, ArrayRef<float>(beta)));
        c = MulOp::create(rewriter, loc, c.getType(), c, betaValue);
      }
      result = AddOp::create(rewriter, loc, gemm.getType(), result, c);
    }
    rewriter.replaceOp(gemm, result);
    return success();
  }

  QuantizationChoice choice;
};

struct QuantizeWeightsPass final
    : edge::impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    unsigned block = blockSize;
    if (weights == WeightQuantization::int4 && (block == 0 || block % 2 != 0)) {
      emitError(getOperation().getLoc())
          << "edge-quantize-weights: block-size " << block
          << " is not a positive even number (int4 weights pack pairs of "
             "rows)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<QuantizeMatMul, QuantizeGemm>(
        &getContext(), QuantizationChoice{weights, block});
    // Only these rewrites, no folding or moving of constants: the driver
    // erases the dequantized weights' computation and the f32 weights that
    // no other op uses.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};
} // namespace
