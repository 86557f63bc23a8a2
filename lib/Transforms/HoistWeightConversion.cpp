//===- HoistWeightConversion.cpp - Weights converted once per tile --------===//
//
// See HoistWeightConversion.h. An int4 kernel's body converts each byte of
// weights, floors its high half and scales both: five vector operations
// beside the eight multiply-adds of a full tile of 4 rows, repeated by all
// 32 tiles of a 128-token prompt over the same weights. Converted once
// into f32 tensors, the weights cost each tile two loads instead, as f32
// weights do. The values are the ones the body computed (the same
// operations, moved), so the results do not change.
//
//===----------------------------------------------------------------------===//

#include "HoistWeightConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// How the body of a kernel splits into what its rows change and what
/// they do not.
struct BodySplit {
  /// The inputs whose maps do not read the row loop, defined outside the
  /// row loop.
  SmallVector<OpOperand *> invariantInputs;
  /// The body's ops that depend on those inputs only (and on constants).
  llvm::SetVector<Operation *> invariantOps;
  /// Their results that the rest of the body uses: what is precomputed.
  SmallVector<Value> hoisted;
};

/// Whether `op` of a kernel body is a constant (not linalg.index, which
/// reads nothing either but changes with the iteration).
bool isBodyConstant(Operation *op) {
  return op->hasTrait<OpTrait::ConstantLike>();
}

BodySplit splitBody(linalg::GenericOp kernel, unsigned rowDim,
                    scf::ForOp rowLoop) {
  BodySplit split;
  llvm::SmallPtrSet<Value, 8> invariant;
  for (OpOperand *input : kernel.getDpsInputOperands()) {
    if (kernel.getMatchingIndexingMap(input).isFunctionOfDim(rowDim) ||
        !rowLoop.isDefinedOutsideOfLoop(input->get()))
      continue;
    split.invariantInputs.push_back(input);
    invariant.insert(kernel.getMatchingBlockArgument(input));
  }
  Block *body = kernel.getBody();
  for (Operation &op : body->without_terminator()) {
    if (isBodyConstant(&op) || op.getNumRegions() != 0 ||
        !isMemoryEffectFree(&op))
      continue;
    bool readsInvariant = false, readsOnlyInvariant = true;
    for (Value operand : op.getOperands()) {
      if (invariant.contains(operand)) {
        readsInvariant = true;
        continue;
      }
      // A body constant, or a value from before the row loop.
      Operation *producer = operand.getDefiningOp();
      bool constant =
          producer && (producer->getBlock() == body
                           ? isBodyConstant(producer)
                           : rowLoop.isDefinedOutsideOfLoop(operand));
      readsOnlyInvariant &= constant;
    }
    if (!readsInvariant || !readsOnlyInvariant)
      continue;
    split.invariantOps.insert(&op);
    for (Value result : op.getResults())
      invariant.insert(result);
  }
  for (Operation *op : split.invariantOps)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !split.invariantOps.contains(user);
          }))
        split.hoisted.push_back(result);
  return split;
}

/// Clones into the builder's block the body constants that `op` reads,
/// once each (`mapping` records them), then `op`.
void cloneWithConstants(OpBuilder &b, Operation *op, Block *body,
                        IRMapping &mapping) {
  for (Value operand : op->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    if (producer && producer->getBlock() == body && isBodyConstant(producer) &&
        !mapping.contains(operand))
      b.clone(*producer, mapping);
  }
  b.clone(*op, mapping);
}

} // namespace

HoistedConversion mlir::edge::hoistWeightConversion(scf::ForOp rowLoop,
                                                    unsigned rowDim,
                                                    int64_t minIterations,
                                                    int64_t maxBytes,
                                                    RewriterBase &rewriter) {
  linalg::GenericOp kernel;
  for (auto op : rowLoop.getBody()->getOps<linalg::GenericOp>()) {
    if (op.getNumReductionLoops() == 0)
      continue;
    if (kernel)
      return {};
    kernel = op;
  }
  // Bodies with regions (whose constants the rewrite would not carry) and
  // loops without results (whose scf.if would yield nothing) stay.
  if (!kernel || kernel.getNumDpsInits() != 1 || rowLoop.getNumResults() == 0 ||
      llvm::any_of(kernel.getBody()->getOperations(),
                   [](Operation &op) { return op.getNumRegions() != 0; }))
    return {};
  BodySplit split = splitBody(kernel, rowDim, rowLoop);
  if (split.hoisted.empty())
    return {};

  // The precomputed values are laid out as the input with the most
  // dimensions reads them, which must read every loop the others do and be
  // the integer weights (not a scalar zero point beside f32 weights).
  MLIRContext *context = kernel.getContext();
  AffineMap layout;
  OpOperand *weights = nullptr;
  for (OpOperand *input : split.invariantInputs) {
    AffineMap map = kernel.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation())
      return {};
    if (!layout || map.getNumResults() > layout.getNumResults()) {
      layout = map;
      weights = input;
    }
  }
  if (!weights || layout.getNumResults() == 0 ||
      !isa<IntegerType>(getElementTypeOrSelf(weights->get().getType())))
    return {};
  SmallVector<int64_t> ranges = kernel.getStaticLoopRanges();
  SmallVector<int64_t> shape;
  for (AffineExpr expr : layout.getResults()) {
    unsigned dim = cast<AffineDimExpr>(expr).getPosition();
    if (ShapedType::isDynamic(ranges[dim]))
      return {};
    shape.push_back(ranges[dim]);
  }
  int64_t bytes = 0;
  for (Value value : split.hoisted) {
    if (!value.getType().isIntOrFloat())
      return {};
    bytes += ShapedType::getNumElements(shape) *
             llvm::divideCeil(value.getType().getIntOrFloatBitWidth(), 8);
  }
  if (bytes > maxBytes)
    return {nullptr, bytes};
  // Each input's map over the layout's dimensions.
  SmallVector<AffineMap> conversionMaps;
  for (OpOperand *input : split.invariantInputs) {
    SmallVector<AffineExpr> exprs;
    for (AffineExpr expr : kernel.getMatchingIndexingMap(input).getResults()) {
      std::optional<unsigned> position = layout.getResultPosition(expr);
      if (!position)
        return {};
      exprs.push_back(getAffineDimExpr(*position, context));
    }
    conversionMaps.push_back(
        AffineMap::get(layout.getNumResults(), 0, exprs, context));
  }

  // The conversion pays off over several tiles: scf.if (the loop runs
  // `minIterations` times or more) { conversion; loop } else { the loop as
  // it was }.
  Location loc = kernel.getLoc();
  rewriter.setInsertionPoint(rowLoop);
  Value span = arith::SubIOp::create(rewriter, loc, rowLoop.getUpperBound(),
                                     rowLoop.getLowerBound());
  Value threshold = arith::MulIOp::create(
      rewriter, loc, rowLoop.getStep(),
      arith::ConstantIndexOp::create(rewriter, loc, minIterations));
  Value enough = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                                       span, threshold);
  auto guard = scf::IfOp::create(rewriter, loc, rowLoop.getResultTypes(),
                                 enough, /*withElseRegion=*/true);
  rewriter.setInsertionPointToStart(guard.thenBlock());
  auto thenYield = scf::YieldOp::create(rewriter, loc, rowLoop.getResults());
  rewriter.setInsertionPointToStart(guard.elseBlock());
  Operation *original = rewriter.clone(*rowLoop);
  scf::YieldOp::create(rewriter, loc, original->getResults());
  for (auto [result, replacement] :
       llvm::zip_equal(rowLoop.getResults(), guard.getResults()))
    rewriter.replaceUsesWithIf(result, replacement, [&](OpOperand &use) {
      return use.getOwner() != thenYield;
    });
  rewriter.moveOpBefore(rowLoop, thenYield);

  // The conversion: the invariant ops, over the weights' loops.
  rewriter.setInsertionPoint(rowLoop);
  SmallVector<Value> invariantValues, inits;
  for (OpOperand *input : split.invariantInputs)
    invariantValues.push_back(input->get());
  for (Value value : split.hoisted)
    inits.push_back(
        tensor::EmptyOp::create(rewriter, loc, shape, value.getType()));
  conversionMaps.append(
      split.hoisted.size(),
      AffineMap::getMultiDimIdentityMap(layout.getNumResults(), context));
  Block *body = kernel.getBody();
  auto conversion = linalg::GenericOp::create(
      rewriter, loc, ValueRange(inits).getTypes(), invariantValues, inits,
      conversionMaps,
      SmallVector<utils::IteratorType>(layout.getNumResults(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location nested, ValueRange args) {
        IRMapping mapping;
        for (auto [input, arg] : llvm::zip(split.invariantInputs, args))
          mapping.map(kernel.getMatchingBlockArgument(input), arg);
        for (Operation *op : split.invariantOps)
          cloneWithConstants(b, op, body, mapping);
        SmallVector<Value> yielded;
        for (Value value : split.hoisted)
          yielded.push_back(mapping.lookup(value));
        linalg::YieldOp::create(b, nested, yielded);
      });

  // The kernel over the converted values, and those inputs the rest of its
  // body still reads itself.
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<BlockArgument> keptArgs;
  for (OpOperand *input : kernel.getDpsInputOperands()) {
    BlockArgument arg = kernel.getMatchingBlockArgument(input);
    bool readByRows = llvm::any_of(arg.getUsers(), [&](Operation *user) {
      return !split.invariantOps.contains(user);
    });
    if (!readByRows)
      continue;
    inputs.push_back(input->get());
    maps.push_back(kernel.getMatchingIndexingMap(input));
    keptArgs.push_back(arg);
  }
  AffineMap layoutMap =
      AffineMap::get(kernel.getNumLoops(), 0, layout.getResults(), context);
  llvm::append_range(inputs, conversion.getResults());
  maps.append(split.hoisted.size(), layoutMap);
  OpOperand *init = kernel.getDpsInitOperand(0);
  maps.push_back(kernel.getMatchingIndexingMap(init));
  rewriter.setInsertionPoint(kernel);
  auto rewritten = linalg::GenericOp::create(
      rewriter, loc, kernel.getResultTypes(), inputs, init->get(), maps,
      kernel.getIteratorTypesArray(),
      [&](OpBuilder &b, Location nested, ValueRange args) {
        IRMapping mapping;
        for (auto [arg, replacement] : llvm::zip(keptArgs, args))
          mapping.map(arg, replacement);
        for (auto [value, replacement] :
             llvm::zip(split.hoisted, args.drop_front(keptArgs.size())))
          mapping.map(value, replacement);
        mapping.map(kernel.getMatchingBlockArgument(init), args.back());
        for (Operation &op : *body)
          if (!split.invariantOps.contains(&op) && !isBodyConstant(&op))
            cloneWithConstants(b, &op, body, mapping);
      });
  rewriter.replaceOp(kernel, rewritten->getResults());
  return {conversion, bytes};
}
