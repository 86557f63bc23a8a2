//===- PadKernelLoop.cpp - A kernel's output channels padded --------------===//
//
// See PadKernelLoop.h.
//
//===----------------------------------------------------------------------===//

#include "PadKernelLoop.h"

#include "KernelMatchers.h"
#include "TilePlan.h"

#include "edge/Dialect/Edge/IR/ConstantData.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// `data` of `shape` with dimension `position` grown to `size`, the new
/// elements zero.
template <typename T>
SmallVector<T> padData(ArrayRef<T> data, ArrayRef<int64_t> shape,
                       unsigned position, int64_t size) {
  int64_t outer = 1, inner = 1;
  for (int64_t extent : shape.take_front(position))
    outer *= extent;
  for (int64_t extent : shape.drop_front(position + 1))
    inner *= extent;
  int64_t run = shape[position] * inner;
  SmallVector<T> padded(outer * size * inner, T(0));
  for (int64_t o = 0; o < outer; ++o)
    std::copy_n(data.begin() + o * run, run, padded.begin() + o * size * inner);
  return padded;
}

/// `value`'s type with dimension `position` of size `size`.
RankedTensorType getPaddedType(Value value, unsigned position, int64_t size) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[position] = size;
  return type.clone(shape);
}

/// The constant `value` (possibly reshaped: getReshapedConstant) with its
/// dimension `position` grown to `size` by zeros; null when its data cannot
/// be read.
Value padConstant(Value value, unsigned position, int64_t size,
                  RewriterBase &rewriter) {
  arith::ConstantOp source = getReshapedConstant(value);
  if (!source)
    return {};
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType paddedType = getPaddedType(value, position, size);
  ElementsAttr padded;
  if (std::optional<SmallVector<float>> data = readF32Constant(source))
    padded = makeF32ElementsAttr(
        paddedType, padData<float>(*data, type.getShape(), position, size),
        "edge_padded_weight");
  else if (std::optional<SmallVector<int8_t>> data = readI8Constant(source))
    padded = makeI8ElementsAttr(
        paddedType, padData<int8_t>(*data, type.getShape(), position, size),
        "edge_padded_weight");
  else
    return {};
  return arith::ConstantOp::create(rewriter, source.getLoc(), padded);
}

/// One op of the padded chain: the op, the loop that runs over the padded
/// dimension, and the input that the previous op of the chain gives (null
/// for the first ones).
struct ChainStep {
  linalg::GenericOp op;
  unsigned loop;
  Value previous;
};

/// The operand dimension that loop `loop` of `op` indexes through
/// `operand`: nullopt when the operand does not use the loop; failure when
/// it uses it otherwise than as one whole dimension.
FailureOr<std::optional<unsigned>>
getIndexedDim(linalg::GenericOp op, OpOperand &operand, unsigned loop) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  if (!map.isFunctionOfDim(loop))
    return std::optional<unsigned>();
  std::optional<unsigned> position =
      map.getResultPosition(getAffineDimExpr(loop, op.getContext()));
  if (!position || llvm::count_if(map.getResults(), [&](AffineExpr result) {
                     return result.isFunctionOfDim(loop);
                   }) != 1)
    return failure();
  return position;
}

/// Whether `step` can run padded: each input reading the loop is the
/// previous step's result or a constant, and the body does not read the
/// output's old value (but for the kernel's, which its initializer
/// pads): a fresh tensor of the padded shape then takes its place.
bool canPad(const ChainStep &step, bool isKernel) {
  linalg::GenericOp op = step.op;
  for (OpOperand *input : op.getDpsInputOperands()) {
    FailureOr<std::optional<unsigned>> dim =
        getIndexedDim(op, *input, step.loop);
    if (failed(dim))
      return false;
    if (*dim && input->get() != step.previous &&
        !isPackableConstant(input->get()))
      return false;
  }
  OpOperand *init = op.getDpsInitOperand(0);
  if (failed(getIndexedDim(op, *init, step.loop)))
    return false;
  return isKernel || !op.payloadUsesValueFromOperand(init);
}

/// The padded copy of `step.op`, computed into `init`, reading `previous`
/// (the padded previous step) in place of `step.previous`.
linalg::GenericOp padStep(const ChainStep &step, Value previous, Value init,
                          int64_t size, RewriterBase &rewriter) {
  linalg::GenericOp op = step.op;
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs;
  for (OpOperand *input : op.getDpsInputOperands()) {
    std::optional<unsigned> dim = *getIndexedDim(op, *input, step.loop);
    if (!dim)
      inputs.push_back(input->get());
    else if (input->get() == step.previous)
      inputs.push_back(previous);
    else
      inputs.push_back(padConstant(input->get(), *dim, size, rewriter));
    if (!inputs.back())
      return nullptr;
  }
  auto padded = linalg::GenericOp::create(
      rewriter, op.getLoc(), TypeRange{init.getType()}, inputs,
      ValueRange{init}, op.getIndexingMapsArray(), op.getIteratorTypesArray());
  rewriter.cloneRegionBefore(op.getRegion(), padded.getRegion(),
                             padded.getRegion().end());
  padded->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  return padded;
}

} // namespace

linalg::GenericOp mlir::edge::padKernelLoop(linalg::GenericOp op, unsigned dim,
                                            int64_t size,
                                            RewriterBase &rewriter) {
  MLIRContext *ctx = op.getContext();
  // Static shapes: the fresh tensors and the slice take no sizes computed
  // at run time.
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      !linalg::isParallelIterator(op.getIteratorTypesArray()[dim]) ||
      !cast<RankedTensorType>(op->getResult(0).getType()).hasStaticShape())
    return nullptr;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> outputDim =
      outMap.getResultPosition(getAffineDimExpr(dim, ctx));
  if (!outputDim)
    return nullptr;

  // The kernel's initializer: a fill (possibly reshaped: its value is a
  // scalar), or an all-parallel op (a bias broadcast).
  Value init = op.getDpsInits()[0];
  Operation *initializer = init.getDefiningOp();
  SmallVector<Operation *> reshapes;
  while (initializer && initializer->hasOneUse() &&
         isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(initializer)) {
    reshapes.push_back(initializer);
    initializer = initializer->getOperand(0).getDefiningOp();
  }
  if (!initializer || !initializer->hasOneUse())
    return nullptr;
  auto fill = dyn_cast<linalg::FillOp>(initializer);
  auto broadcast = reshapes.empty() ? dyn_cast<linalg::GenericOp>(initializer)
                                    : linalg::GenericOp();
  std::optional<ChainStep> initStep;
  if (broadcast) {
    AffineMap map =
        broadcast.getMatchingIndexingMap(broadcast.getDpsInitOperand(0));
    if (broadcast.getNumReductionLoops() != 0 ||
        !map.isProjectedPermutation() || map.getNumDims() <= *outputDim)
      return nullptr;
    initStep = ChainStep{broadcast, map.getDimPosition(*outputDim), Value()};
    if (!canPad(*initStep, /*isKernel=*/false))
      return nullptr;
  } else if (!fill) {
    return nullptr;
  }

  ChainStep kernelStep{op, dim, Value()};
  if (!canPad(kernelStep, /*isKernel=*/true))
    return nullptr;
  // The epilogue's loops are the output's dimensions (identity maps).
  SmallVector<ChainStep> epilogue;
  Value previous = op->getResult(0);
  for (linalg::GenericOp step : getEpilogue(op)) {
    epilogue.push_back({step, *outputDim, previous});
    if (!canPad(epilogue.back(), /*isKernel=*/false))
      return nullptr;
    previous = step->getResult(0);
  }

  // The padded initializer, kernel and epilogue, each in front of its
  // original.
  auto freshTensor = [&](Value like) {
    RankedTensorType type = getPaddedType(like, *outputDim, size);
    return tensor::EmptyOp::create(rewriter, like.getLoc(), type.getShape(),
                                   type.getElementType())
        .getResult();
  };
  Value paddedInit;
  if (fill) {
    rewriter.setInsertionPoint(op);
    paddedInit = linalg::FillOp::create(rewriter, fill.getLoc(),
                                        fill.getInputs()[0], freshTensor(init))
                     .getResult(0);
  } else {
    rewriter.setInsertionPoint(initializer);
    linalg::GenericOp padded =
        padStep(*initStep, Value(), freshTensor(init), size, rewriter);
    if (!padded)
      return nullptr;
    paddedInit = padded->getResult(0);
  }
  linalg::GenericOp paddedKernel =
      padStep(kernelStep, Value(), paddedInit, size, rewriter);
  if (!paddedKernel)
    return nullptr;
  Value last = paddedKernel->getResult(0);
  for (const ChainStep &step : epilogue) {
    rewriter.setInsertionPoint(step.op);
    linalg::GenericOp padded =
        padStep(step, last, freshTensor(step.op->getResult(0)), size, rewriter);
    if (!padded)
      return nullptr;
    last = padded->getResult(0);
  }

  // The original result: the padded one's leading part.
  Operation *original = epilogue.empty() ? op : epilogue.back().op;
  auto type = cast<RankedTensorType>(original->getResult(0).getType());
  rewriter.setInsertionPoint(original);
  SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(rewriter.getContext(), type.getShape());
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, original->getLoc(), type, last, offsets, sizes, strides);
  rewriter.replaceOp(original, slice);
  if (!epilogue.empty()) {
    for (const ChainStep &step : llvm::reverse(ArrayRef(epilogue).drop_back()))
      rewriter.eraseOp(step.op);
    rewriter.eraseOp(op);
  }
  for (Operation *reshape : reshapes)
    rewriter.eraseOp(reshape);
  rewriter.eraseOp(initializer);
  return paddedKernel;
}
