//===- PartitionSizes.cpp - Dynamic sizes across partitions ---------------===//

#include "PartitionSizes.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::edge;

std::optional<CacheLayout> mlir::edge::getCacheLayout(DictionaryAttr attrs) {
  auto layout =
      attrs ? attrs.getAs<DenseI64ArrayAttr>(kCacheLayoutAttrName) : nullptr;
  if (!layout || layout.size() != 2)
    return std::nullopt;
  return CacheLayout{layout[0], layout[1]};
}

FailureOr<PartitionSizes> PartitionSizes::analyze(func::FuncOp model) {
  PartitionSizes sizes;
  sizes.model = model;
  sizes.symbols = getDimSymbols(model);
  if (sizes.symbols.empty())
    return sizes;
  FailureOr<DenseMap<Value, RankedTensorType>> bounds =
      inferBoundTypes(model, sizes.symbols);
  if (failed(bounds))
    return failure();
  sizes.boundTypes = std::move(*bounds);
  std::optional<SmallVector<SmallVector<int64_t>>> resultBounds;
  FailureOr<SmallVector<CacheOutput>> caches =
      findCacheOutputs(model, sizes.symbols, resultBounds);
  if (failed(caches))
    return failure();
  sizes.caches = std::move(*caches);
  auto ret = cast<func::ReturnOp>(model.getBody().front().getTerminator());
  for (const CacheOutput &cache : sizes.caches) {
    CacheLayout layout{cache.axis, cache.capacity};
    sizes.cacheLayouts[model.getArgument(cache.input)] = layout;
    sizes.cacheLayouts[ret.getOperand(cache.output)] = layout;
  }

  // The symbols, then each output's sizes, which its partition writes.
  Builder b(model.getContext());
  sizes.numEntries = sizes.symbols.names.size();
  for (OpOperand &output : ret->getOpOperands()) {
    Value value = output.get();
    if (isa<BlockArgument>(value))
      return model.emitError("output ")
             << output.getOperandNumber()
             << " is an input of the model; a model with dynamic sizes that "
                "returns an input runs on one device";
    sizes.sizeOffsets[value].push_back(sizes.numEntries);
    sizes.numEntries += cast<RankedTensorType>(value.getType()).getRank();
    // What the schedule's metadata says of the output once its producer
    // is a call.
    sizes.outputAttrs.push_back(sizes.withAttrs(
        model.getResultAttrDict(output.getOperandNumber()),
        {b.getNamedAttr(kDimSymbolsAttrName, sizes.getSymbolNames(value).first),
         b.getNamedAttr(
             kBoundShapeAttrName,
             b.getDenseI64ArrayAttr(
                 sizes.boundTypes.lookup(value)
                     ? sizes.boundTypes.lookup(value).getShape()
                     : cast<RankedTensorType>(value.getType()).getShape()))}));
  }
  return sizes;
}

std::pair<ArrayAttr, bool> PartitionSizes::getSymbolNames(Value value) {
  Builder b(model.getContext());
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<Attribute> names;
  bool unnamed = false;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    StringRef name;
    if (type.isDynamicDim(dim)) {
      if (std::optional<unsigned> symbol =
              symbols.getSizeSymbol(model, value, dim))
        name = symbols.names[*symbol];
      unnamed |= name.empty();
    }
    names.push_back(b.getStringAttr(name));
  }
  return {b.getArrayAttr(names), unnamed};
}

ArrayRef<int64_t> PartitionSizes::getSizeOffsets(Value value) {
  SmallVector<int64_t> &offsets = sizeOffsets[value];
  if (offsets.empty()) {
    offsets.push_back(numEntries);
    numEntries += cast<RankedTensorType>(value.getType()).getRank();
  }
  return offsets;
}

DictionaryAttr PartitionSizes::withAttrs(DictionaryAttr attrs,
                                         ArrayRef<NamedAttribute> add) {
  NamedAttrList list(attrs);
  for (NamedAttribute attr : add)
    list.set(attr.getName(), attr.getValue());
  return list.getDictionary(model.getContext());
}

void PartitionSizes::annotate(func::FuncOp func, ArrayRef<Value> inputs,
                              ArrayRef<Value> outputs) {
  if (!isDynamic())
    return;
  Builder b(model.getContext());
  func->setAttr(kDimBoundsAttrName, model->getAttr(kDimBoundsAttrName));
  auto cacheAttr = [&](Value value, SmallVector<NamedAttribute> &attrs) {
    auto it = cacheLayouts.find(value);
    if (it != cacheLayouts.end())
      attrs.push_back(b.getNamedAttr(
          kCacheLayoutAttrName,
          b.getDenseI64ArrayAttr({it->second.axis, it->second.capacity})));
  };
  auto boundAttr = [&](Value value, SmallVector<NamedAttribute> &attrs) {
    attrs.push_back(b.getNamedAttr(
        kBoundShapeAttrName,
        b.getDenseI64ArrayAttr(boundTypes.lookup(value).getShape())));
  };

  for (auto [index, value] : llvm::enumerate(inputs)) {
    SmallVector<NamedAttribute> attrs;
    cacheAttr(value, attrs);
    auto type = cast<RankedTensorType>(value.getType());
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      // A graph input: its sizes are symbols.
      if (Attribute names =
              model.getArgAttr(arg.getArgNumber(), kDimSymbolsAttrName))
        attrs.push_back(b.getNamedAttr(kDimSymbolsAttrName, names));
    } else if (!type.hasStaticShape()) {
      // A computed value: a size it shares with a graph input's symbol is
      // that symbol, the others are read where its producer wrote them.
      auto [names, readsSizes] = getSymbolNames(value);
      attrs.push_back(b.getNamedAttr(kDimSymbolsAttrName, names));
      if (readsSizes)
        attrs.push_back(
            b.getNamedAttr(kSizeOffsetAttrName,
                           b.getI64IntegerAttr(getSizeOffsets(value)[0])));
      boundAttr(value, attrs);
    }
    func.setArgAttrs(index, withAttrs(func.getArgAttrDict(index), attrs));
  }

  for (auto [index, value] : llvm::enumerate(outputs)) {
    SmallVector<NamedAttribute> attrs;
    cacheAttr(value, attrs);
    // Every output's sizes, and those of a computed value another
    // partition reads or a device copies.
    bool returned = sizeOffsets.count(value);
    if (returned || !cast<RankedTensorType>(value.getType()).hasStaticShape())
      attrs.push_back(b.getNamedAttr(
          kSizeOffsetsAttrName, b.getDenseI64ArrayAttr(getSizeOffsets(value))));
    if (!cast<RankedTensorType>(value.getType()).hasStaticShape())
      boundAttr(value, attrs);
    func.setResultAttrs(index, withAttrs(func.getResultAttrDict(index), attrs));
  }

  // The caches this partition appends to: it reads the past and writes the
  // present.
  SmallVector<CacheOutput> appends;
  auto ret = cast<func::ReturnOp>(model.getBody().front().getTerminator());
  for (const CacheOutput &cache : caches) {
    auto input = llvm::find(inputs, model.getArgument(cache.input));
    auto output = llvm::find(outputs, ret.getOperand(cache.output));
    if (input != inputs.end() && output != outputs.end())
      appends.push_back({static_cast<unsigned>(input - inputs.begin()),
                         static_cast<unsigned>(output - outputs.begin()),
                         cache.axis, cache.capacity});
  }
  setCacheOutputs(func, appends);
  partitions.push_back(func);
}

void PartitionSizes::finish(func::FuncOp schedule) {
  if (!isDynamic())
    return;
  Builder b(model.getContext());
  setCacheOutputs(schedule, caches);
  schedule.setAllResultAttrs(outputAttrs);
  for (func::FuncOp func : partitions)
    func->setAttr(kShapeEntriesAttrName, b.getI64IntegerAttr(numEntries));
  schedule->setAttr(kShapeEntriesAttrName, b.getI64IntegerAttr(numEntries));
}
