//===- KernelMatchers.cpp - The kernels edge-tile-and-vectorize takes -----===//
//
// See KernelMatchers.h.
//
//===----------------------------------------------------------------------===//

#include "KernelMatchers.h"

#include "FlattenImageLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::edge;

/// The block argument `value` is, looking through a signed integer to float
/// conversion (a kernel over int8 weights converts each as it reads it).
static Value stripIntegerConversion(Value value) {
  if (auto convert = value.getDefiningOp<arith::SIToFPOp>())
    return convert.getIn();
  return value;
}

/// The scaled form of isMultiplyAccumulate: over three inputs or more,
/// `out + p`, with `p` computed from every input by products, sums,
/// integer-to-float conversions and the floor that unpacks int4 pairs.
static bool isScaledProductAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  unsigned numInputs = op.getNumDpsInputs();
  if (numInputs < 3 || op.getNumDpsInits() != 1)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  Value out = body.getArgument(numInputs);
  if (!add || !out.hasOneUse() || (add.getLhs() != out && add.getRhs() != out))
    return false;
  for (Operation &inner : body.without_terminator())
    if (&inner != add.getOperation() &&
        !isa<arith::MulFOp, arith::AddFOp, math::FmaOp, math::FloorOp,
             arith::SIToFPOp, arith::ConstantOp>(inner))
      return false;
  return llvm::all_of(body.getArguments().take_front(numInputs),
                      [](BlockArgument input) { return !input.use_empty(); });
}

bool mlir::edge::isMultiplyAccumulate(linalg::GenericOp op) {
  if (isScaledProductAccumulate(op))
    return true;
  Block &body = op.getRegion().front();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  if (add.getLhs() != out && add.getRhs() != out)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value lhs = stripIntegerConversion(mul.getLhs());
  Value rhs = stripIntegerConversion(mul.getRhs());
  unsigned conversions = (lhs != mul.getLhs()) + (rhs != mul.getRhs());
  if (body.getOperations().size() != 3 + conversions)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (lhs == a && rhs == b) || (lhs == b && rhs == a);
}

Operation *mlir::edge::getYieldedOp(linalg::GenericOp op) {
  return cast<linalg::YieldOp>(op.getRegion().front().getTerminator())
      .getValues()[0]
      .getDefiningOp();
}

/// Whether `op` is a float add, max or min: what a reduction may combine
/// its running value with, in any order.
static bool isReductionCombiner(Operation *op) {
  return isa_and_present<arith::AddFOp, arith::MaximumFOp, arith::MaxNumFOp,
                         arith::MinimumFOp, arith::MinNumFOp>(op);
}

bool mlir::edge::isWindowReduction(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      body.getOperations().size() != 2 || !body.getArgument(1).use_empty() ||
      !linalg::isaConvolutionOpInterface(op))
    return false;
  Operation *combine = getYieldedOp(op);
  if (!isReductionCombiner(combine))
    return false;
  Value in = body.getArgument(0), out = body.getArgument(2);
  return (combine->getOperand(0) == out && combine->getOperand(1) == in) ||
         (combine->getOperand(0) == in && combine->getOperand(1) == out);
}

bool mlir::edge::isAccumulation(linalg::GenericOp op) {
  return isMultiplyAccumulate(op) || isWindowReduction(op);
}

/// Whether the value `op` yields combines (add, max or min) its output's
/// running value, used nowhere else, with a value of the iteration: a
/// reduction ONNX lets sum in any order.
static bool isCombiningReduction(linalg::GenericOp op) {
  Operation *combine = getYieldedOp(op);
  if (!isReductionCombiner(combine))
    return false;
  Value out = op.getRegionOutputArgs().front();
  return out.hasOneUse() && llvm::is_contained(combine->getOperands(), out);
}

bool mlir::edge::isContiguousReduction(linalg::GenericOp op, int64_t minLength,
                                       int64_t maxLength, int64_t chunk) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || op.getNumReductionLoops() == 0 ||
      !isCombiningReduction(op))
    return false;
  for (Type type : op->getOperandTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.getElementType().isF32())
      return false;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned loops = op.getNumLoops();
  unsigned first = loops - op.getNumReductionLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t length = 1;
  for (unsigned d = 0; d < loops; ++d) {
    if (linalg::isReductionIterator(iterators[d]) != (d >= first))
      return false;
    if (d < first)
      continue;
    if (ShapedType::isDynamic(ranges[d]))
      return false;
    length *= ranges[d];
  }
  if (length < minLength || (length > maxLength && length % chunk != 0))
    return false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation())
      return false;
    if (llvm::none_of(llvm::seq(first, loops),
                      [&](unsigned d) { return map.isFunctionOfDim(d); }))
      continue;
    unsigned results = map.getNumResults();
    if (results < loops - first)
      return false;
    for (unsigned d = first; d < loops; ++d)
      if (map.getDimPosition(results - (loops - d)) != d)
        return false;
  }
  return op.getMatchingIndexingMap(op.getDpsInitOperand(0))
      .isProjectedPermutation();
}

linalg::GenericOp mlir::edge::collapseReducedLoops(linalg::GenericOp op,
                                                   RewriterBase &rewriter) {
  unsigned loops = op.getNumLoops();
  ReassociationIndices reduced;
  for (unsigned d = loops - op.getNumReductionLoops(); d < loops; ++d)
    reduced.push_back(d);
  if (reduced.size() < 2)
    return op;
  return collapseLoops(op, reduced, rewriter);
}

bool mlir::edge::isEpilogueOf(linalg::GenericOp op, OpOperand &operand) {
  if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 0 ||
      op.getNumDpsInits() != 1 || !op.isDpsInput(&operand) ||
      !op.getMatchingIndexingMap(&operand).isIdentity() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

SmallVector<linalg::GenericOp> mlir::edge::getEpilogue(linalg::GenericOp op) {
  SmallVector<linalg::GenericOp> epilogue;
  linalg::GenericOp last = op;
  while (last->getResult(0).hasOneUse()) {
    OpOperand &use = *last->getResult(0).getUses().begin();
    auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!user || !isEpilogueOf(user, use) ||
        user->getResult(0).getType() != last->getResult(0).getType())
      break;
    epilogue.push_back(user);
    last = user;
  }
  return epilogue;
}

int64_t mlir::edge::getCoefficient(AffineExpr expr, unsigned dim) {
  if (auto dimExpr = dyn_cast<AffineDimExpr>(expr))
    return dimExpr.getPosition() == dim ? 1 : 0;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return 0;
  if (binary.getKind() == AffineExprKind::Add)
    return getCoefficient(binary.getLHS(), dim) +
           getCoefficient(binary.getRHS(), dim);
  auto constant = dyn_cast<AffineConstantExpr>(binary.getRHS());
  if (binary.getKind() == AffineExprKind::Mul && constant)
    return constant.getValue() * getCoefficient(binary.getLHS(), dim);
  return 0;
}

int64_t mlir::edge::getContiguousReadStride(linalg::GenericOp op,
                                            unsigned dim) {
  int64_t stride = 0;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() != 0)
      stride = std::max(stride, getCoefficient(map.getResults().back(), dim));
  }
  return stride;
}
