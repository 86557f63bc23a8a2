//===- FlattenImageLoops.cpp - One pixel loop for pointwise kernels -------===//
//
// See FlattenImageLoops.h.
//
//===----------------------------------------------------------------------===//

#include "FlattenImageLoops.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

/// Whether `value` is padded (a tensor.pad reads it, directly or through
/// reshapes).
static bool isPadded(Value value) {
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    if (isa<tensor::PadOp>(user))
      return true;
    return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user) &&
           isPadded(user->getResult(0));
  });
}

/// The sequence of `op`'s two innermost loops, which index its identity
/// output's two innermost dimensions.
static ReassociationIndices getInnerPair(linalg::GenericOp op) {
  unsigned loops = op.getNumLoops();
  return {loops - 2, loops - 1};
}

/// Whether `op` is an all-parallel op over its one output's shape (an
/// identity map) whose every operand either ignores the output's two
/// innermost dimensions or reads them as the same contiguous pair: a bias
/// that initializes a kernel's output, or an epilogue (activation,
/// residual add), which collapses with the kernel.
static bool isCollapsibleElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 0 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() < 2 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return llvm::all_of(
             maps,
             [](AffineMap map) { return map.isProjectedPermutation(); }) &&
         linalg::areDimSequencesPreserved(maps, {getInnerPair(op)});
}

/// `map` with the loops of one iteration (`ranges[d] == 1`) replaced by 0
/// in its compound results: a 1x1 window's `oh + kh` reads `oh`. A result
/// that is a loop alone stays, so every loop still sizes an operand.
static AffineMap dropUnitLoopsFromSums(AffineMap map,
                                       ArrayRef<int64_t> ranges) {
  MLIRContext *context = map.getContext();
  SmallVector<AffineExpr> replacements;
  for (auto [d, range] : llvm::enumerate(ranges))
    replacements.push_back(range == 1 ? getAffineConstantExpr(0, context)
                                      : getAffineDimExpr(d, context));
  SmallVector<AffineExpr> results;
  for (AffineExpr result : map.getResults())
    results.push_back(isa<AffineDimExpr>(result)
                          ? result
                          : simplifyAffineExpr(result.replaceDims(replacements),
                                               map.getNumDims(), 0));
  return AffineMap::get(map.getNumDims(), 0, results, context);
}

bool mlir::edge::flattenImageLoops(linalg::GenericOp kernel,
                                   int64_t vectorWidth, bool blocked,
                                   RewriterBase &rewriter) {
  if (!kernel.hasPureTensorSemantics() || kernel.getNumDpsInits() != 1 ||
      kernel->getNumResults() != 1)
    return false;
  AffineMap outMap = kernel.getMatchingIndexingMap(kernel.getDpsInitOperand(0));
  unsigned rank = outMap.getNumResults();
  if (rank < 2 || !outMap.isProjectedPermutation())
    return false;
  unsigned rowLoop = outMap.getDimPosition(rank - 2);
  unsigned columnLoop = outMap.getDimPosition(rank - 1);
  SmallVector<int64_t> ranges = kernel.getStaticLoopRanges();
  int64_t rows = ranges[rowLoop], columns = ranges[columnLoop];
  if (columnLoop != rowLoop + 1 || ShapedType::isDynamic(rows) ||
      ShapedType::isDynamic(columns) || rows < 2 || columns % vectorWidth == 0)
    return false;
  // An image that is no whole number of vectors still takes one pixel loop
  // (its last vectors peeled) when the output channels are not blocked
  // instead (1000 classes over a 13x13 image: vectors of 13 pixels).
  int64_t pixels = rows * columns;
  if (pixels % vectorWidth != 0 && (blocked || pixels < 2 * vectorWidth))
    return false;

  SmallVector<AffineMap> maps;
  for (AffineMap map : kernel.getIndexingMapsArray())
    maps.push_back(dropUnitLoopsFromSums(map, ranges));
  ReassociationIndices image{rowLoop, columnLoop};
  if (!llvm::all_of(
          maps, [](AffineMap map) { return map.isProjectedPermutation(); }) ||
      !linalg::areDimSequencesPreserved(maps, {image}))
    return false;

  // The epilogue: the chain of single users that collapse with the
  // kernel (the ops edge-tile-and-vectorize fuses into its tiles). A
  // padded result keeps its image shape.
  SmallVector<linalg::GenericOp> epilogues;
  Value result = kernel->getResult(0);
  while (result.hasOneUse()) {
    OpOperand &use = *result.getUses().begin();
    auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!user || !user.isDpsInput(&use) || !isCollapsibleElementwise(user) ||
        !user.getMatchingIndexingMap(&use).isIdentity())
      break;
    epilogues.push_back(user);
    result = user->getResult(0);
  }
  if (isPadded(result))
    return false;
  auto initializer =
      kernel.getDpsInitOperand(0)->get().getDefiningOp<linalg::GenericOp>();
  if (initializer &&
      (!initializer->hasOneUse() || !isCollapsibleElementwise(initializer)))
    initializer = nullptr;

  rewriter.modifyOpInPlace(kernel, [&] {
    kernel.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  if (!collapseLoops(kernel, image, rewriter))
    return false;
  if (initializer)
    collapseLoops(initializer, getInnerPair(initializer), rewriter);
  for (linalg::GenericOp epilogue : epilogues)
    collapseLoops(epilogue, getInnerPair(epilogue), rewriter);
  return true;
}

linalg::GenericOp mlir::edge::collapseLoops(linalg::GenericOp op,
                                            const ReassociationIndices &loops,
                                            RewriterBase &rewriter) {
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, {loops}, rewriter);
  if (failed(collapsed))
    return nullptr;
  rewriter.replaceOp(op, collapsed->results);
  return dyn_cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
}
