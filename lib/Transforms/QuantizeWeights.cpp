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

/// The scale of each element of a [rows, columns] product `cast(q) *
/// scale`, `scale` broadcasting (numpy rules) to it.
static std::optional<SmallVector<float>>
broadcastScale(Value scale, int64_t rows, int64_t columns) {
  auto type = cast<RankedTensorType>(scale.getType());
  std::optional<SmallVector<float>> values = readF32Constant(scale);
  if (!values || type.getRank() > 2)
    return std::nullopt;
  int64_t scaleRows = type.getRank() == 2 ? type.getDimSize(0) : 1;
  int64_t scaleColumns =
      type.getRank() >= 1 ? type.getDimSize(type.getRank() - 1) : 1;
  if ((scaleRows != 1 && scaleRows != rows) ||
      (scaleColumns != 1 && scaleColumns != columns))
    return std::nullopt;
  SmallVector<float> result(rows * columns);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      result[r * columns + c] =
          (*values)[(scaleRows == 1 ? 0 : r) * scaleColumns +
                    (scaleColumns == 1 ? 0 : c)];
  return result;
}

/// The weights `value` (a [rows, columns] matrix, read transposed when
/// `transposed`) when they are dequantized int8 constants, `cast(q) *
/// scale` (as the importer writes DequantizeLinear), with one scale per
/// column of the product's [K, N] view.
static std::optional<QuantizedWeights> matchDequantized(Value value,
                                                        bool transposed) {
  auto mul = value.getDefiningOp<MulOp>();
  auto type = cast<RankedTensorType>(value.getType());
  if (!mul || !type.hasStaticShape() || type.getRank() != 2 ||
      !type.getElementType().isF32())
    return std::nullopt;
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  for (auto [converted, scale] : {std::pair(mul.getLhs(), mul.getRhs()),
                                  std::pair(mul.getRhs(), mul.getLhs())}) {
    auto cast = converted.getDefiningOp<CastOp>();
    if (!cast || cast.getType() != type)
      continue;
    std::optional<SmallVector<int8_t>> q = readI8Constant(cast.getInput());
    std::optional<SmallVector<float>> scales =
        broadcastScale(scale, rows, columns);
    if (!q || !scales)
      continue;
    QuantizedWeights result;
    result.values = toRowsOfK<int8_t>(*q, rows, columns, transposed);
    SmallVector<float> perElement =
        toRowsOfK<float>(*scales, rows, columns, transposed);
    result.rows = transposed ? columns : rows;
    result.columns = transposed ? rows : columns;
    result.scales.assign(perElement.begin(),
                         perElement.begin() + result.columns);
    for (int64_t i = 0; i < result.rows; ++i)
      for (int64_t j = 0; j < result.columns; ++j)
        if (perElement[i * result.columns + j] != result.scales[j])
          return std::nullopt;
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
  return QuantizedMatMulOp::create(b, loc, resultType, lhs, values, scales,
                                   /*offsets=*/Value());
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
