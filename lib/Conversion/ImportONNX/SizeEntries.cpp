//===- SizeEntries.cpp - What the elements of a shape computation are -----===//
//
// Models exported with dynamic axes compute the shapes they reshape to from
// the sizes of their tensors: Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape. With dynamic sizes these values are only known at run time, but
// each element is still a constant or one tensor's size, and knowing which
// lets the importer type the Reshape (static where constant) and relate its
// dynamic sizes to its input's.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ReifyShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

/// Shape computations have a handful of elements; anything longer is data.
static constexpr int64_t kMaxSizeEntries = 16;

/// Whether `value` is an integer tensor of rank 0 or 1 short enough to be a
/// shape.
static bool isSizeVector(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getRank() <= 1 &&
         type.getNumElements() <= kMaxSizeEntries &&
         type.getElementType().isSignlessInteger();
}

/// `entries[index]` with Python's negative indices; nullopt out of range.
static std::optional<SizeEntry> pick(ArrayRef<SizeEntry> entries,
                                     int64_t index) {
  int64_t count = entries.size();
  if (index < 0)
    index += count;
  if (index < 0 || index >= count)
    return std::nullopt;
  return entries[index];
}

/// `entries` with a single entry repeated to `count` (numpy broadcasting of
/// a scalar or one-element vector); nullopt when the counts disagree.
static std::optional<SmallVector<SizeEntry>>
broadcastEntries(std::optional<SmallVector<SizeEntry>> entries,
                 size_t count) {
  if (!entries || entries->size() == count)
    return entries;
  if (entries->size() != 1)
    return std::nullopt;
  return SmallVector<SizeEntry>(count, entries->front());
}

/// The entries of the operands of an elementwise op, pair by pair (numpy
/// broadcasting); nullopt when either is not traceable.
static std::optional<SmallVector<std::pair<SizeEntry, SizeEntry>>>
traceEntryPairs(Value lhsValue, Value rhsValue) {
  std::optional<SmallVector<SizeEntry>> lhs = traceSizeEntries(lhsValue);
  std::optional<SmallVector<SizeEntry>> rhs = traceSizeEntries(rhsValue);
  if (!lhs || !rhs)
    return std::nullopt;
  size_t count = std::max(lhs->size(), rhs->size());
  lhs = broadcastEntries(lhs, count);
  rhs = broadcastEntries(rhs, count);
  if (!lhs || !rhs)
    return std::nullopt;
  SmallVector<std::pair<SizeEntry, SizeEntry>> pairs;
  for (auto [a, b] : llvm::zip_equal(*lhs, *rhs))
    pairs.push_back({a, b});
  return pairs;
}

/// The entries of an elementwise op on two traced operands, `fold` giving
/// each pair's entry; nullopt where an operand or a pair is not traceable.
static std::optional<SmallVector<SizeEntry>> traceEntrywise(
    Value lhs, Value rhs,
    llvm::function_ref<std::optional<SizeEntry>(SizeEntry, SizeEntry)> fold) {
  auto pairs = traceEntryPairs(lhs, rhs);
  if (!pairs)
    return std::nullopt;
  SmallVector<SizeEntry> entries;
  for (auto [a, b] : *pairs) {
    std::optional<SizeEntry> entry = fold(a, b);
    if (!entry)
      return std::nullopt;
    entries.push_back(*entry);
  }
  return entries;
}

/// Whether `a == b` for every element, where it can be told at compile
/// time: equal constants, one size twice, or a size (never negative)
/// against a negative constant. nullopt where any element cannot be told.
static std::optional<SmallVector<bool>> traceEqualities(EqualOp equal) {
  auto pairs = traceEntryPairs(equal.getLhs(), equal.getRhs());
  if (!pairs)
    return std::nullopt;
  SmallVector<bool> result;
  for (auto [a, b] : *pairs) {
    if (a.isConstant() && b.isConstant())
      result.push_back(a.constant == b.constant);
    else if (!a.isConstant() && !b.isConstant() && a.tensor == b.tensor &&
             a.dim == b.dim)
      result.push_back(true);
    else if ((a.isConstant() && a.constant < 0) ||
             (b.isConstant() && b.constant < 0))
      result.push_back(false);
    else
      return std::nullopt;
  }
  return result;
}

std::optional<SmallVector<SizeEntry>>
mlir::edge::onnx_import::traceSizeEntries(Value value) {
  if (!isSizeVector(value))
    return std::nullopt;
  DenseIntElementsAttr constant;
  if (matchPattern(value, m_Constant(&constant)))
    return llvm::map_to_vector(constant.getValues<APInt>(), [](APInt v) {
      return SizeEntry{v.getSExtValue(), Value(), 0};
    });
  Operation *op = value.getDefiningOp();
  if (!op)
    return std::nullopt;

  if (auto shape = dyn_cast<ShapeOp>(op)) {
    auto input = cast<RankedTensorType>(shape.getInput().getType());
    SmallVector<SizeEntry> entries;
    int64_t start = shape.getStart();
    int64_t count = cast<RankedTensorType>(shape.getType()).getDimSize(0);
    for (int64_t d = start; d < start + count; ++d)
      entries.push_back(input.isDynamicDim(d)
                            ? SizeEntry{0, shape.getInput(), d}
                            : SizeEntry{input.getDimSize(d), Value(), 0});
    return entries;
  }
  // Unsqueeze/Squeeze of a size, and int64 <-> int32 casts: the same
  // elements.
  if (isa<ReshapeOp, CastOp>(op) && isSizeVector(op->getOperand(0)))
    return traceSizeEntries(op->getOperand(0));
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    SmallVector<SizeEntry> entries;
    for (Value input : concat.getInputs()) {
      std::optional<SmallVector<SizeEntry>> part = traceSizeEntries(input);
      if (!part)
        return std::nullopt;
      entries.append(*part);
    }
    return entries;
  }
  if (auto gather = dyn_cast<GatherOp>(op)) {
    DenseIntElementsAttr indices;
    std::optional<SmallVector<SizeEntry>> source =
        traceSizeEntries(gather.getInput());
    if (!source || !matchPattern(gather.getIndices(), m_Constant(&indices)))
      return std::nullopt;
    SmallVector<SizeEntry> entries;
    for (const APInt &index : indices.getValues<APInt>()) {
      std::optional<SizeEntry> entry = pick(*source, index.getSExtValue());
      if (!entry)
        return std::nullopt;
      entries.push_back(*entry);
    }
    return entries;
  }
  // torch's expand(-1, ...) with sizes read from a tensor:
  // Where(Equal(sizes, -1), 1, sizes), decided element by element.
  if (auto select = dyn_cast<SelectOp>(op)) {
    auto equal = select.getCondition().getDefiningOp<EqualOp>();
    std::optional<SmallVector<bool>> condition =
        equal ? traceEqualities(equal) : std::nullopt;
    if (!condition)
      return std::nullopt;
    std::optional<SmallVector<SizeEntry>> lhs =
        broadcastEntries(traceSizeEntries(select.getLhs()), condition->size());
    std::optional<SmallVector<SizeEntry>> rhs =
        broadcastEntries(traceSizeEntries(select.getRhs()), condition->size());
    if (!lhs || !rhs)
      return std::nullopt;
    SmallVector<SizeEntry> entries;
    for (auto [chooseLhs, a, b] : llvm::zip(*condition, *lhs, *rhs))
      entries.push_back(chooseLhs ? a : b);
    return entries;
  }
  // Products of constants (a static size times a repeat count), or of a
  // size and 1.
  if (auto mul = dyn_cast<MulOp>(op))
    return traceEntrywise(
        mul.getLhs(), mul.getRhs(),
        [](SizeEntry a, SizeEntry b) -> std::optional<SizeEntry> {
          if (a.isConstant() && b.isConstant())
            return SizeEntry{a.constant * b.constant, Value(), 0};
          if (a.isConstant() && a.constant == 1)
            return b;
          if (b.isConstant() && b.constant == 1)
            return a;
          return std::nullopt;
        });
  // Quotients of constants (half a static size), or of a size and 1.
  if (auto div = dyn_cast<DivOp>(op))
    return traceEntrywise(
        div.getLhs(), div.getRhs(),
        [](SizeEntry a, SizeEntry b) -> std::optional<SizeEntry> {
          if (a.isConstant() && b.isConstant() && b.constant != 0)
            return SizeEntry{a.constant / b.constant, Value(), 0};
          if (b.isConstant() && b.constant == 1)
            return a;
          return std::nullopt;
        });
  if (auto slice = dyn_cast<SliceOp>(op)) {
    std::optional<SmallVector<SizeEntry>> source =
        traceSizeEntries(slice.getInput());
    if (!source || slice.getStarts().size() != 1)
      return std::nullopt;
    SmallVector<SizeEntry> entries;
    for (int64_t i = 0; i < slice.getSizes()[0]; ++i) {
      std::optional<SizeEntry> entry =
          pick(*source, slice.getStarts()[0] + i * slice.getSteps()[0]);
      if (!entry)
        return std::nullopt;
      entries.push_back(*entry);
    }
    return entries;
  }
  return std::nullopt;
}

/// The symbol of dimension `dim` of graph input `value`, if it is one.
static StringRef getInputSymbol(Value value, int64_t dim) {
  auto arg = dyn_cast<BlockArgument>(value);
  auto func = arg ? dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp())
                  : func::FuncOp();
  auto symbols = func ? func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                                         kDimSymbolsAttrName)
                      : ArrayAttr();
  if (!symbols || dim >= static_cast<int64_t>(symbols.size()))
    return {};
  auto name = dyn_cast<StringAttr>(symbols[dim]);
  return name ? name.getValue() : StringRef();
}

bool mlir::edge::onnx_import::haveEqualSizes(Value a, int64_t aDim, Value b,
                                             int64_t bDim) {
  std::pair<Value, int64_t> aSource = traceSizeSource(a, aDim);
  std::pair<Value, int64_t> bSource = traceSizeSource(b, bDim);
  if (aSource == bSource)
    return true;
  StringRef aSymbol = getInputSymbol(aSource.first, aSource.second);
  return !aSymbol.empty() &&
         aSymbol == getInputSymbol(bSource.first, bSource.second);
}
