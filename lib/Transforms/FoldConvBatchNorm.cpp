//===- FoldConvBatchNorm.cpp - Fold batch normalization into conv ---------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace mlir::edge {
#define GEN_PASS_DEF_FOLDCONVBATCHNORMPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

static Value createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                            ArrayRef<float> values) {
  return ConstantOp::create(
      b, loc, makeF32ElementsAttr(type, values, "edge_folded_weight"));
}

/// Rewrites `norm` (fed by a convolution) into one convolution; false when
/// an operand is not a usable constant.
static bool foldInto(BatchNormOp norm, ConvOp conv) {
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  if (!weightType.getElementType().isF32())
    return false;
  int64_t channels = weightType.getDimSize(0);
  std::optional<SmallVector<float>> weight = readF32Constant(conv.getWeight());
  std::optional<SmallVector<float>> scale = readF32Constant(norm.getScale());
  std::optional<SmallVector<float>> shift = readF32Constant(norm.getBias());
  std::optional<SmallVector<float>> mean = readF32Constant(norm.getMean());
  std::optional<SmallVector<float>> variance =
      readF32Constant(norm.getVariance());
  std::optional<SmallVector<float>> bias =
      conv.getBias() ? readF32Constant(conv.getBias())
                     : SmallVector<float>(channels, 0.0f);
  if (!weight || !scale || !shift || !mean || !variance || !bias)
    return false;
  for (const SmallVector<float> *v :
       {&*scale, &*shift, &*mean, &*variance, &*bias})
    if (static_cast<int64_t>(v->size()) != channels)
      return false;

  float epsilon = norm.getEpsilon().convertToFloat();
  int64_t perChannel = weightType.getNumElements() / channels;
  SmallVector<float> newWeight(weight->size()), newBias(channels);
  for (int64_t m = 0; m < channels; ++m) {
    float k = (*scale)[m] / std::sqrt((*variance)[m] + epsilon);
    for (int64_t i = 0; i < perChannel; ++i)
      newWeight[m * perChannel + i] = (*weight)[m * perChannel + i] * k;
    newBias[m] = ((*bias)[m] - (*mean)[m]) * k + (*shift)[m];
  }
  OpBuilder b(norm);
  Value weightValue = createConstant(b, conv.getLoc(), weightType, newWeight);
  Value biasValue = createConstant(
      b, conv.getLoc(),
      RankedTensorType::get({channels}, weightType.getElementType()), newBias);
  Location loc = b.getFusedLoc({conv.getLoc(), norm.getLoc()});
  auto folded =
      ConvOp::create(b, loc, conv.getType(), conv.getInput(), weightValue,
                     biasValue, conv.getStridesAttr(), conv.getPadsAttr(),
                     conv.getDilationsAttr(), conv.getGroupAttr());
  norm.replaceAllUsesWith(folded.getResult());
  norm.erase();
  conv.erase();
  return true;
}

namespace {
struct FoldConvBatchNormPass final
    : edge::impl::FoldConvBatchNormPassBase<FoldConvBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<BatchNormOp> norms;
    getOperation().walk([&](BatchNormOp norm) { norms.push_back(norm); });
    for (BatchNormOp norm : norms) {
      auto conv = norm.getInput().getDefiningOp<ConvOp>();
      if (conv && conv->hasOneUse())
        foldInto(norm, conv);
    }
  }
};
} // namespace
