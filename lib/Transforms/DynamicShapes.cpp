//===- DynamicShapes.cpp - A model's dynamic sizes in the ABI -------------===//

#include "DynamicShapes.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ReifyShapes.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::edge;

std::optional<unsigned> DimSymbols::find(StringRef name) const {
  auto it = llvm::find(names, name);
  if (it == names.end())
    return std::nullopt;
  return it - names.begin();
}

std::optional<unsigned> DimSymbols::getArgumentSymbol(func::FuncOp func,
                                                      unsigned arg,
                                                      int64_t dim) const {
  auto symbols = func.getArgAttrOfType<ArrayAttr>(arg, kDimSymbolsAttrName);
  if (!symbols || dim >= static_cast<int64_t>(symbols.size()))
    return std::nullopt;
  auto name = dyn_cast<StringAttr>(symbols[dim]);
  if (!name || name.getValue().empty())
    return std::nullopt;
  return find(name.getValue());
}

std::optional<unsigned>
DimSymbols::getSizeSymbol(func::FuncOp func, Value value, int64_t dim) const {
  auto [source, sourceDim] = traceSizeSource(value, dim);
  auto arg = dyn_cast<BlockArgument>(source);
  if (!arg || arg.getOwner()->getParentOp() != func)
    return std::nullopt;
  return getArgumentSymbol(func, arg.getArgNumber(), sourceDim);
}

RankedTensorType DimSymbols::getBoundType(func::FuncOp func,
                                          unsigned arg) const {
  auto type = cast<RankedTensorType>(func.getArgument(arg).getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [dim, size] : llvm::enumerate(shape))
    if (std::optional<unsigned> symbol = getArgumentSymbol(func, arg, dim))
      size = bounds[*symbol];
  return type.clone(shape);
}

DimSymbols mlir::edge::getDimSymbols(func::FuncOp func) {
  DimSymbols symbols;
  auto bounds = func->getAttrOfType<DictionaryAttr>(kDimBoundsAttrName);
  if (!bounds)
    return symbols;
  for (NamedAttribute entry : bounds) {
    symbols.names.push_back(entry.getName().getValue());
    symbols.bounds.push_back(cast<IntegerAttr>(entry.getValue()).getInt());
  }
  return symbols;
}

/// The type `op`'s result `index` has once its operands have the (static)
/// types they have in `mapping`.
static FailureOr<Type> inferBoundType(Operation *op, unsigned index,
                                      ArrayRef<Type> operandTypes) {
  auto resultType = cast<RankedTensorType>(op->getResult(index).getType());
  if (resultType.hasStaticShape())
    return Type(resultType);
  if (auto slice = dyn_cast<SliceOp>(op)) {
    // A dynamic size is taken whole: the input's bound.
    auto input = cast<RankedTensorType>(operandTypes.front());
    SmallVector<int64_t> shape(resultType.getShape());
    for (auto [dim, size] : llvm::enumerate(shape))
      if (ShapedType::isDynamic(size))
        size = input.getDimSize(dim);
    return Type(resultType.clone(shape));
  }
  if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
    // The ops infer from their operands' types only: operands of the bound
    // types stand in for the real ones.
    OpBuilder builder(op);
    SmallVector<Value> stand;
    SmallVector<Operation *> scratch;
    for (Type type : operandTypes) {
      Operation *empty = tensor::EmptyOp::create(
          builder, op->getLoc(), cast<RankedTensorType>(type).getShape(),
          cast<RankedTensorType>(type).getElementType());
      scratch.push_back(empty);
      stand.push_back(empty->getResult(0));
    }
    SmallVector<Type> inferred;
    LogicalResult ok = infer.inferReturnTypes(
        op->getContext(), op->getLoc(), stand, op->getAttrDictionary(),
        op->getPropertiesStorage(), op->getRegions(), inferred);
    for (Operation *empty : scratch)
      empty->erase();
    if (failed(ok))
      return failure();
    return inferred[index];
  }
  auto input = cast<RankedTensorType>(operandTypes.front());
  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    // By edge.reshape's rules, at the bounds.
    auto original = cast<RankedTensorType>(reshape.getInput().getType());
    return Type(resultType.clone(
        inferReshapeSizes(input.getShape(), original.getShape(),
                          resultType.getShape(), reshape.getGroups())));
  }
  // Elementwise ops without inference (unary, cast, softmax) and index
  // checks: the shape of their first operand.
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      isa<CheckIndicesOp>(op))
    return Type(resultType.clone(input.getShape()));
  return op->emitError("cannot bound the sizes of this op's result");
}

FailureOr<DenseMap<Value, RankedTensorType>>
mlir::edge::inferBoundTypes(func::FuncOp func, const DimSymbols &symbols) {
  DenseMap<Value, RankedTensorType> bound;
  for (unsigned arg = 0, e = func.getNumArguments(); arg < e; ++arg)
    bound[func.getArgument(arg)] = symbols.getBoundType(func, arg);
  auto typeOf = [&](Value value) -> Type {
    RankedTensorType type = bound.lookup(value);
    return type ? Type(type) : value.getType();
  };
  WalkResult walk = func.getBody().walk([&](Operation *op) {
    if (op->getNumResults() == 0 || llvm::all_of(op->getResultTypes(), [](Type t) {
          auto ranked = dyn_cast<RankedTensorType>(t);
          return !ranked || ranked.hasStaticShape();
        }))
      return WalkResult::advance();
    // A fusion group's results are its body's (visited first).
    if (auto group = dyn_cast<FusionGroupOp>(op)) {
      Operation *yield = group.getBody().front().getTerminator();
      for (auto [result, yielded] :
           llvm::zip(group->getResults(), yield->getOperands()))
        bound[result] = cast<RankedTensorType>(typeOf(yielded));
      return WalkResult::advance();
    }
    SmallVector<Type> operandTypes =
        llvm::map_to_vector(op->getOperands(), typeOf);
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      FailureOr<Type> type = inferBoundType(op, i, operandTypes);
      if (failed(type))
        return WalkResult::interrupt();
      bound[op->getResult(i)] = cast<RankedTensorType>(*type);
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return bound;
}

FailureOr<SmallVector<SmallVector<int64_t>>>
mlir::edge::inferResultBounds(func::FuncOp func, const DimSymbols &symbols) {
  FailureOr<DenseMap<Value, RankedTensorType>> bound =
      inferBoundTypes(func, symbols);
  if (failed(bound))
    return failure();
  SmallVector<SmallVector<int64_t>> results;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value value : ret.getOperands()) {
    RankedTensorType type = bound->lookup(value);
    results.push_back(llvm::to_vector(
        (type ? type : cast<RankedTensorType>(value.getType())).getShape()));
  }
  return results;
}

FailureOr<SmallVector<CacheOutput>> mlir::edge::findCacheOutputs(
    func::FuncOp func, const DimSymbols &symbols,
    std::optional<SmallVector<SmallVector<int64_t>>> &resultBounds) {
  SmallVector<CacheOutput> caches;
  if (symbols.empty() || func.isExternal())
    return caches;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  llvm::SmallDenseSet<unsigned> taken;
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto concat = value.getDefiningOp<ConcatOp>();
    if (!concat || concat.getInputs().size() != 2)
      continue;
    auto input = dyn_cast<BlockArgument>(concat.getInputs().front());
    int64_t axis = concat.getAxis();
    if (!input || input.getOwner()->getParentOp() != func ||
        !symbols.getArgumentSymbol(func, input.getArgNumber(), axis) ||
        llvm::count(ret.getOperands(), value) != 1 ||
        !taken.insert(input.getArgNumber()).second)
      continue;
    caches.push_back(
        {input.getArgNumber(), static_cast<unsigned>(index), axis, 0});
  }
  if (caches.empty())
    return caches;
  if (!resultBounds) {
    FailureOr<SmallVector<SmallVector<int64_t>>> bounds =
        inferResultBounds(func, symbols);
    if (failed(bounds))
      return failure();
    resultBounds = std::move(*bounds);
  }
  for (CacheOutput &cache : caches)
    cache.capacity = (*resultBounds)[cache.output][cache.axis];
  return caches;
}

void mlir::edge::setCacheOutputs(func::FuncOp func,
                                 ArrayRef<CacheOutput> caches) {
  if (caches.empty()) {
    func->removeAttr(kCacheOutputsAttrName);
    return;
  }
  Builder b(func.getContext());
  SmallVector<Attribute> entries;
  for (const CacheOutput &cache : caches)
    entries.push_back(b.getDenseI64ArrayAttr(
        {cache.input, cache.output, cache.axis, cache.capacity}));
  func->setAttr(kCacheOutputsAttrName, b.getArrayAttr(entries));
}

SmallVector<CacheOutput> mlir::edge::getCacheOutputs(func::FuncOp func) {
  SmallVector<CacheOutput> caches;
  auto entries = func->getAttrOfType<ArrayAttr>(kCacheOutputsAttrName);
  if (!entries)
    return caches;
  for (auto entry : entries.getAsRange<DenseI64ArrayAttr>())
    if (entry && entry.size() == 4)
      caches.push_back({static_cast<unsigned>(entry[0]),
                        static_cast<unsigned>(entry[1]), entry[2], entry[3]});
  return caches;
}
