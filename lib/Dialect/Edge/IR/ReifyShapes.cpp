//===- ReifyShapes.cpp - Run-time sizes of edge op results ----------------===//
//
// ReifyRankedShapedTypeOpInterface for the ops that take dynamic sizes: each
// dynamic result size as a computation on the operands' sizes (tensor.dim
// and arith). The lowering to linalg sizes its tensor.empty ops with them,
// and `tensor.dim` of an op's result folds to them.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ReifyShapes.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

using SizeFn = function_ref<OpFoldResult(OpBuilder &, int64_t)>;

/// The sizes of `result`: static ones as attributes, dynamic ones from
/// `dynamicSize(builder, dim)`.
static void reifySizes(OpBuilder &b, Value result,
                       ReifiedRankedShapedTypeDims &reified, SizeFn dynamicSize) {
  auto type = cast<RankedTensorType>(result.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t dim = 0; dim < type.getRank(); ++dim)
    sizes.push_back(type.isDynamicDim(dim) ? dynamicSize(b, dim)
                                           : OpFoldResult(b.getIndexAttr(
                                                 type.getDimSize(dim))));
  reified.push_back(std::move(sizes));
}

static Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return tensor::DimOp::create(b, loc, tensor, dim);
}

/// A dynamic result size of a broadcast: the size of an operand that is
/// dynamic on that dimension (two such operands have one size).
static OpFoldResult broadcastSize(OpBuilder &b, Location loc,
                                  ValueRange operands, int64_t resultRank,
                                  int64_t dim) {
  for (Value operand : operands) {
    // Tensors only (an index check's dynamic bounds are sizes).
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      continue;
    int64_t aligned = dim - (resultRank - type.getRank());
    if (aligned >= 0 && type.isDynamicDim(aligned))
      return dimOf(b, loc, operand, aligned);
  }
  llvm_unreachable("a dynamic broadcast size comes from a dynamic operand");
}

/// Elementwise ops and the ops whose result has their first operand's
/// shape (batch_norm, softmax, clip): numpy broadcasting of the tensor
/// operands.
template <typename OpTy>
struct BroadcastShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<BroadcastShape<OpTy>,
                                                      OpTy> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    int64_t rank = cast<RankedTensorType>(op->getResult(0).getType()).getRank();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      return broadcastSize(b, op->getLoc(), op->getOperands(), rank, dim);
    });
    return success();
  }
};

struct MatMulShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<MatMulShape, MatMulOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto matmul = cast<MatMulOp>(op);
    Value lhs = matmul.getLhs(), rhs = matmul.getRhs();
    int64_t lhsRank = matmul.getLhs().getType().getRank();
    int64_t rhsRank = matmul.getRhs().getType().getRank();
    int64_t rank = matmul.getType().getRank();
    Location loc = op->getLoc();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      // The trailing dimensions: lhs rows (absent for a vector lhs), rhs
      // columns (absent for a vector rhs); the rest broadcast.
      bool hasRows = lhsRank > 1, hasCols = rhsRank > 1;
      if (hasCols && dim == rank - 1)
        return OpFoldResult(dimOf(
            b, loc, rhs, matmul.getTransposeRhs() ? rhsRank - 2 : rhsRank - 1));
      if (hasRows && dim == rank - 1 - (hasCols ? 1 : 0))
        return OpFoldResult(dimOf(b, loc, lhs, lhsRank - 2));
      int64_t batchRank = rank - (hasRows ? 1 : 0) - (hasCols ? 1 : 0);
      for (auto [operand, operandRank] :
           {std::pair(lhs, lhsRank), std::pair(rhs, rhsRank)}) {
        int64_t aligned = dim - (batchRank - std::max<int64_t>(operandRank - 2, 0));
        if (aligned >= 0 && aligned < operandRank - 2 &&
            cast<RankedTensorType>(operand.getType()).isDynamicDim(aligned))
          return OpFoldResult(dimOf(b, loc, operand, aligned));
      }
      llvm_unreachable("a dynamic matmul size comes from a dynamic operand");
    });
    return success();
  }
};

/// [..., M, N] from lhs [..., M, K] and weights [K, N].
struct QuantizedMatMulShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<QuantizedMatMulShape,
                                                      QuantizedMatMulOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto matmul = cast<QuantizedMatMulOp>(op);
    int64_t rank = matmul.getType().getRank();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      if (dim == rank - 1)
        return OpFoldResult(dimOf(b, op->getLoc(), matmul.getWeights(), 1));
      return OpFoldResult(dimOf(b, op->getLoc(), matmul.getLhs(), dim));
    });
    return success();
  }
};

struct GemmShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<GemmShape, GemmOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto gemm = cast<GemmOp>(op);
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      if (dim == 0)
        return OpFoldResult(
            dimOf(b, op->getLoc(), gemm.getA(), gemm.getTransA() ? 1 : 0));
      return OpFoldResult(
          dimOf(b, op->getLoc(), gemm.getB(), gemm.getTransB() ? 0 : 1));
    });
    return success();
  }
};

} // namespace

Value mlir::edge::createWindowOutputSize(OpBuilder &b, Location loc,
                                         Value size, int64_t kernel,
                                         int64_t stride, int64_t dilation,
                                         int64_t padBegin, int64_t padEnd,
                                         bool ceilMode) {
  auto constant = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  int64_t extent = (kernel - 1) * dilation + 1;
  // span = size + pads - extent; out = span / stride + 1 (floor or ceil).
  Value span = arith::AddIOp::create(b, loc, size,
                                     constant(padBegin + padEnd - extent));
  Value steps = ceilMode ? Value(arith::CeilDivSIOp::create(b, loc, span,
                                                            constant(stride)))
                         : Value(arith::FloorDivSIOp::create(
                               b, loc, span, constant(stride)));
  Value out = arith::AddIOp::create(b, loc, steps, constant(1));
  if (!ceilMode)
    return out;
  // A last window that would start inside the end padding is dropped.
  Value lastStart = arith::MulIOp::create(
      b, loc, arith::SubIOp::create(b, loc, out, constant(1)),
      constant(stride));
  Value limit = arith::AddIOp::create(b, loc, size, constant(padBegin));
  Value inPadding = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                          lastStart, limit);
  return arith::SelectOp::create(
      b, loc, inPadding, arith::SubIOp::create(b, loc, out, constant(1)), out);
}

namespace {

/// Convolution and pooling: [N, C, spatial...] with windows over the
/// spatial dimensions.
template <typename OpTy>
struct WindowShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<WindowShape<OpTy>, OpTy> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto window = cast<OpTy>(op);
    Value input = window.getInput();
    Location loc = op->getLoc();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      if (dim < 2)
        return OpFoldResult(dimOf(b, loc, input, dim));
      int64_t i = dim - 2;
      ArrayRef<int64_t> pads = window.getPads();
      int64_t k = pads.size() / 2;
      int64_t kernel, dilation = 1;
      bool ceilMode = false;
      if constexpr (std::is_same_v<OpTy, ConvOp>) {
        kernel = cast<RankedTensorType>(window.getWeight().getType())
                     .getDimSize(dim);
        dilation = window.getDilations()[i];
      } else {
        kernel = window.getKernelShape()[i];
        ceilMode = window.getCeilMode();
        if constexpr (std::is_same_v<OpTy, MaxPoolOp>)
          dilation = window.getDilations()[i];
      }
      return OpFoldResult(createWindowOutputSize(
          b, loc, dimOf(b, loc, input, dim), kernel, window.getStrides()[i],
          dilation, pads[i], pads[i + k], ceilMode));
    });
    return success();
  }
};

/// Ops whose result dimension `d` is dimension `sourceDim(d)` of their
/// first operand (global pooling, reductions, transpose, a slice's dynamic
/// sizes).
template <typename OpTy>
struct ForwardedShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ForwardedShape<OpTy>,
                                                      OpTy> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto forwarded = cast<OpTy>(op);
    Value input = op->getOperand(0);
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<int64_t> sources;
    if constexpr (std::is_same_v<OpTy, TransposeOp>) {
      llvm::append_range(sources, forwarded.getPermutation());
    } else if constexpr (std::is_same_v<OpTy, GlobalAveragePoolOp> ||
                         std::is_same_v<OpTy, GlobalMaxPoolOp>) {
      sources = {0, 1};
    } else if constexpr (std::is_same_v<OpTy, SliceOp>) {
      // Dynamic sizes are taken whole.
      sources = llvm::to_vector(llvm::seq<int64_t>(0, inputRank));
    } else {
      // Reductions: the kept dimensions, in order.
      ArrayRef<int64_t> axes = forwarded.getAxes();
      for (int64_t d = 0; d < inputRank; ++d) {
        bool reduced = axes.empty() || llvm::is_contained(axes, d);
        if (!reduced || forwarded.getKeepDims())
          sources.push_back(reduced ? -1 : d);
      }
    }
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      return OpFoldResult(dimOf(b, op->getLoc(), input, sources[dim]));
    });
    return success();
  }
};

struct ConcatShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ConcatShape, ConcatOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto concat = cast<ConcatOp>(op);
    int64_t axis = concat.getAxis();
    Location loc = op->getLoc();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      if (dim != axis)
        return broadcastSize(b, loc, concat.getInputs(),
                             concat.getType().getRank(), dim);
      Value total;
      for (Value input : concat.getInputs()) {
        Value size = dimOf(b, loc, input, axis);
        total = total ? Value(arith::AddIOp::create(b, loc, total, size)) : size;
      }
      return OpFoldResult(total);
    });
    return success();
  }
};

/// Gather: the input's sizes around the axis, the indices' in its place.
struct GatherShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<GatherShape, GatherOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto gather = cast<GatherOp>(op);
    int64_t axis = gather.getAxis();
    int64_t indexRank =
        cast<RankedTensorType>(gather.getIndices().getType()).getRank();
    reifySizes(b, op->getResult(0), reified, [&](OpBuilder &b, int64_t dim) {
      if (dim < axis)
        return OpFoldResult(dimOf(b, op->getLoc(), gather.getInput(), dim));
      if (dim < axis + indexRank)
        return OpFoldResult(
            dimOf(b, op->getLoc(), gather.getIndices(), dim - axis));
      return OpFoldResult(dimOf(b, op->getLoc(), gather.getInput(),
                                dim - indexRank + 1));
    });
    return success();
  }
};

struct ReshapeShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<ReshapeShape, ReshapeOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto reshape = cast<ReshapeOp>(op);
    auto resultType = reshape.getType();
    Location loc = op->getLoc();
    SmallVector<Value> sizes =
        getReshapeDynamicSizes(b, loc, reshape.getInput(),
                               cast<RankedTensorType>(resultType),
                               reshape.getGroups());
    unsigned next = 0;
    reifySizes(b, op->getResult(0), reified,
               [&](OpBuilder &, int64_t) { return OpFoldResult(sizes[next++]); });
    return success();
  }
};

template <typename... OpTys>
void attachBroadcastShapes(MLIRContext *context) {
  (OpTys::template attachInterface<BroadcastShape<OpTys>>(*context), ...);
}

/// An iota is as long as the dimension it counts.
struct IotaShape
    : ReifyRankedShapedTypeOpInterface::ExternalModel<IotaShape, IotaOp> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &reified) const {
    auto iota = cast<IotaOp>(op);
    reifySizes(b, iota.getResult(), reified, [&](OpBuilder &b, int64_t) {
      return OpFoldResult(
          dimOf(b, op->getLoc(), iota.getLike(), iota.getDim()));
    });
    return success();
  }
};

} // namespace

SmallVector<Value> mlir::edge::getReshapeDynamicSizes(
    OpBuilder &b, Location loc, Value input, RankedTensorType result,
    std::optional<ArrayRef<int64_t>> groupLengths) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<Value> sizes;
  if (result.getNumDynamicDims() == 1) {
    // The one dynamic size holds the elements the static ones do not: the
    // input's one dynamic size where the static ones match (so that it
    // traces to its source).
    int64_t inputStatic = getNumElements(inputType.getShape());
    int64_t resultStatic = getNumElements(result.getShape());
    if (inputType.getNumDynamicDims() == 1 && inputStatic == resultStatic &&
        resultStatic > 0) {
      for (int64_t d = 0; d < inputType.getRank(); ++d)
        if (inputType.isDynamicDim(d))
          sizes.push_back(dimOf(b, loc, input, d));
      return sizes;
    }
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      count = arith::MulIOp::create(b, loc, count, dimOf(b, loc, input, d));
    Value rest = arith::ConstantIndexOp::create(
        b, loc, std::max<int64_t>(1, getNumElements(result.getShape())));
    sizes.push_back(arith::DivUIOp::create(b, loc, count, rest));
    return sizes;
  }
  // Several: by the groups of dimensions the reshape collapses or expands.
  auto groups =
      getReshapeGroups(inputType.getShape(), result.getShape(), groupLengths);
  assert(groups && "the verifier checks the groups");
  bool collapse = result.getRank() <= inputType.getRank();
  SmallVector<Value> all(result.getRank());
  for (auto [index, group] : llvm::enumerate(*groups)) {
    if (collapse) {
      if (!result.isDynamicDim(index))
        continue;
      // A group of one is that size (so that it traces to a symbol).
      Value product;
      for (int64_t d : group) {
        Value size = dimOf(b, loc, input, d);
        product = product ? Value(arith::MulIOp::create(b, loc, product, size))
                          : size;
      }
      all[index] = product;
      continue;
    }
    int64_t known = 1;
    for (int64_t d : group)
      if (!result.isDynamicDim(d))
        known *= result.getDimSize(d);
    // The input's size itself when the rest of the group is ones (an
    // unsqueeze), so that the size traces to its source.
    for (int64_t d : group)
      if (result.isDynamicDim(d))
        all[d] = known <= 1 ? dimOf(b, loc, input, index)
                            : Value(arith::DivUIOp::create(
                                  b, loc, dimOf(b, loc, input, index),
                                  arith::ConstantIndexOp::create(b, loc, known)));
  }
  for (Value size : all)
    if (size)
      sizes.push_back(size);
  return sizes;
}

std::pair<Value, int64_t> mlir::edge::traceSizeSource(Value value,
                                                      int64_t dim) {
  while (auto reify = dyn_cast_if_present<ReifyRankedShapedTypeOpInterface>(
             value.getDefiningOp())) {
    // Reify in a scratch block, read which operand size it is, drop it.
    OpBuilder builder(value.getContext());
    Block scratch;
    builder.setInsertionPointToStart(&scratch);
    ReifiedRankedShapedTypeDims sizes;
    if (failed(reify.reifyResultShapes(builder, sizes)))
      break;
    auto size = dyn_cast<Value>(sizes[cast<OpResult>(value).getResultNumber()][dim]);
    auto dimOp = size ? size.getDefiningOp<tensor::DimOp>() : nullptr;
    std::optional<int64_t> index =
        dimOp ? dimOp.getConstantIndex() : std::nullopt;
    Value source = dimOp ? dimOp.getSource() : Value();
    while (!scratch.empty())
      scratch.back().erase();
    if (!index)
      break;
    value = source;
    dim = *index;
  }
  return {value, dim};
}

void mlir::edge::attachReifyShapeModels(MLIRContext *context) {
  attachBroadcastShapes<
      AddOp, SubOp, MulOp, DivOp, DivUOp, PowOp, ShiftLeftOp, ShiftRightUOp,
      RemOp, ModOp, MaxOp, MinOp, PReluOp, EqualOp, LessOp, LessEqualOp,
      GreaterOp, GreaterEqualOp, AndOp, OrOp, XorOp, SelectOp, CastOp, ReluOp,
      NegOp, AbsOp, SigmoidOp, TanhOp, ExpOp, LogOp, SqrtOp, ErfOp,
      ReciprocalOp, FloorOp, CeilOp, RoundOp, SignOp, SinOp, CosOp, TanOp,
      AsinOp, AcosOp, AtanOp, SinhOp, CoshOp, AsinhOp, AcoshOp, AtanhOp,
      SoftplusOp, SoftsignOp, HardSwishOp, NotOp, LeakyReluOp, EluOp, CeluOp,
      SeluOp, HardSigmoidOp, ThresholdedReluOp, ClipOp, BatchNormOp,
      SoftmaxOp, CheckIndicesOp>(context);
  GatherOp::attachInterface<GatherShape>(*context);
  MatMulOp::attachInterface<MatMulShape>(*context);
  GemmOp::attachInterface<GemmShape>(*context);
  QuantizedMatMulOp::attachInterface<QuantizedMatMulShape>(*context);
  ConvOp::attachInterface<WindowShape<ConvOp>>(*context);
  MaxPoolOp::attachInterface<WindowShape<MaxPoolOp>>(*context);
  AveragePoolOp::attachInterface<WindowShape<AveragePoolOp>>(*context);
  GlobalAveragePoolOp::attachInterface<ForwardedShape<GlobalAveragePoolOp>>(
      *context);
  GlobalMaxPoolOp::attachInterface<ForwardedShape<GlobalMaxPoolOp>>(*context);
  TransposeOp::attachInterface<ForwardedShape<TransposeOp>>(*context);
  SliceOp::attachInterface<ForwardedShape<SliceOp>>(*context);
  ReduceSumOp::attachInterface<ForwardedShape<ReduceSumOp>>(*context);
  ReduceMeanOp::attachInterface<ForwardedShape<ReduceMeanOp>>(*context);
  ReduceProdOp::attachInterface<ForwardedShape<ReduceProdOp>>(*context);
  ReduceMaxOp::attachInterface<ForwardedShape<ReduceMaxOp>>(*context);
  ReduceMinOp::attachInterface<ForwardedShape<ReduceMinOp>>(*context);
  ConcatOp::attachInterface<ConcatShape>(*context);
  ReshapeOp::attachInterface<ReshapeShape>(*context);
  IotaOp::attachInterface<IotaShape>(*context);
}
