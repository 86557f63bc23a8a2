//===- ImpliedInputs.cpp - Shape operands implied by declared types -------===//
//
// An op whose shape-deciding operand (Reshape's shape, Unsqueeze's axes,
// TopK's k, ...) is a graph input cannot be typed from the operand: its
// values arrive with the run. When the model declares the op's results with
// static shapes, those shapes are the contract: the importer finds every
// value of the operand that gives them, and when all of these build the
// same ops, it imports the node with one of them and records the whole set
// on the graph input. The runtime then rejects a run whose operand holds any
// other value, as for an input bound with --bind-input.
//
// The node's own converter decides which values fit (it is the op's shape
// rule); the trials are built, compared and erased with their diagnostics
// silenced, so nothing of them remains.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"
#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/IR/OperationSupport.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "edge-import-implied-inputs"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// What an operand's entries are: a shape (one size per dimension of the
/// first result, or a broadcast's trailing ones), other sizes (counts,
/// lengths), axes, or an STFT's frame length (which gives the result its
/// frequency bins).
enum class EntryKind { Shape, Sizes, Axes, FrameLength };

struct ShapeOperand {
  StringRef opType;
  unsigned input;
  EntryKind kind;
};

/// The operands that decide their op's result shapes. Most decide nothing
/// else, but some also decide values (CumSum's axis, a reduction's axes
/// without keepdims): the comparison of the ops built for each value that
/// fits tells whether the declared shapes pin the op down.
constexpr ShapeOperand kShapeOperands[] = {
    {"Reshape", 1, EntryKind::Shape},
    {"Expand", 1, EntryKind::Shape},
    {"ConstantOfShape", 0, EntryKind::Shape},
    {"Tile", 1, EntryKind::Shape},
    {"OneHot", 1, EntryKind::Sizes},
    {"TopK", 1, EntryKind::Sizes},
    {"Split", 1, EntryKind::Sizes},
    {"Resize", 3, EntryKind::Shape},
    {"MaxUnpool", 2, EntryKind::Shape},
    {"BlackmanWindow", 0, EntryKind::Sizes},
    {"HannWindow", 0, EntryKind::Sizes},
    {"HammingWindow", 0, EntryKind::Sizes},
    {"STFT", 3, EntryKind::FrameLength},
    {"Unsqueeze", 1, EntryKind::Axes},
    {"Squeeze", 1, EntryKind::Axes},
    {"CumSum", 1, EntryKind::Axes},
    {"ReduceSum", 1, EntryKind::Axes},
    {"ReduceMean", 1, EntryKind::Axes},
    {"ReduceMax", 1, EntryKind::Axes},
    {"ReduceMin", 1, EntryKind::Axes},
    {"ReduceProd", 1, EntryKind::Axes},
    {"ReduceL1", 1, EntryKind::Axes},
    {"ReduceL2", 1, EntryKind::Axes},
    {"ReduceLogSum", 1, EntryKind::Axes},
    {"ReduceLogSumExp", 1, EntryKind::Axes},
    {"ReduceSumSquare", 1, EntryKind::Axes},
};

/// At most this many values are tried per node, and at most this many may
/// be accepted (the library stores each).
constexpr size_t kMaxTrials = 4096;
constexpr size_t kMaxAcceptedValues = 64;
/// Values that compute different results are each imported, and the run
/// selects one: at most this many, for operands of one entry (an axis).
constexpr size_t kMaxVariants = 4;
/// Operands with more entries are not tried.
constexpr int64_t kMaxEntries = 6;

/// One operand to try values for: the graph input, its type and the values
/// each entry may take.
struct Unknown {
  std::string name;
  BlockArgument argument;
  RankedTensorType type;
  /// Per entry, the values it may take.
  SmallVector<SmallVector<int64_t>> domains;
};

/// One trial's ops that survive dead-code removal, in program order.
using TrialOps = SmallVector<Operation *>;

} // namespace

/// The values each of the `numEntries` entries of an operand of `kind` may
/// take. Axes: every axis of the widest of the node's tensors, counted from
/// either end. Sizes: 0, -1 and 1 (Reshape's "copy" and "infer", a
/// broadcast) and the sizes the declared results have; for a shape with one
/// entry per dimension of the first result (Reshape's, Tile's repeats),
/// only that dimension's size and its quotient by the first input's size
/// there. Frame lengths: those that give the declared number of bins.
static SmallVector<SmallVector<int64_t>>
getDomains(EntryKind kind, int64_t numEntries,
           ArrayRef<RankedTensorType> results, RankedTensorType firstInput) {
  llvm::SetVector<int64_t> common;
  int64_t maxRank = firstInput ? firstInput.getRank() : 0;
  for (RankedTensorType result : results)
    maxRank = std::max(maxRank, result.getRank());
  if (kind == EntryKind::Axes) {
    for (int64_t axis = -maxRank; axis < maxRank; ++axis)
      common.insert(axis);
    return SmallVector<SmallVector<int64_t>>(numEntries,
                                             common.takeVector());
  }
  // N bins are a frame of N, or of 2N - 2 or 2N - 1 (one-sided).
  if (kind == EntryKind::FrameLength) {
    if (results.front().getRank() == 4) {
      int64_t bins = results.front().getDimSize(2);
      for (int64_t length : {bins, 2 * bins - 2, 2 * bins - 1})
        common.insert(length);
    }
    return SmallVector<SmallVector<int64_t>>(numEntries,
                                             common.takeVector());
  }
  common.insert(0);
  common.insert(-1);
  common.insert(1);
  if (kind == EntryKind::Sizes || numEntries != results.front().getRank()) {
    for (RankedTensorType result : results)
      for (int64_t size : result.getShape())
        common.insert(size);
    return SmallVector<SmallVector<int64_t>>(numEntries,
                                             common.takeVector());
  }
  SmallVector<SmallVector<int64_t>> domains;
  for (int64_t i = 0; i < numEntries; ++i) {
    llvm::SetVector<int64_t> domain(common.begin(), common.end());
    int64_t size = results.front().getDimSize(i);
    domain.insert(size);
    if (firstInput && firstInput.getRank() == numEntries &&
        !firstInput.isDynamicDim(i) && firstInput.getDimSize(i) > 0 &&
        size % firstInput.getDimSize(i) == 0)
      domain.insert(size / firstInput.getDimSize(i));
    domains.push_back(domain.takeVector());
  }
  return domains;
}

/// `value` as an element of an integer or float type.
static Attribute getElement(Type elementType, int64_t value) {
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(floatType, static_cast<double>(value));
  return IntegerAttr::get(elementType,
                          APInt(elementType.getIntOrFloatBitWidth(), value,
                                /*isSigned=*/true));
}

/// The ops of `body` created since `before` was taken, in program order,
/// outermost only.
static SmallVector<Operation *>
getNewOps(Block &body, const llvm::DenseSet<Operation *> &before) {
  SmallVector<Operation *> created;
  for (Operation &op : body)
    if (!before.contains(&op))
      created.push_back(&op);
  return created;
}

static void eraseOps(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops)) {
    op->dropAllUses();
    op->erase();
  }
}

/// The trial's ops that something uses: its results' producers and what
/// they read. Ops whose results nothing reads (a folded shape constant)
/// say nothing about the result.
static TrialOps getLiveOps(ArrayRef<Operation *> created,
                           ArrayRef<Value> results) {
  llvm::DenseSet<Operation *> live;
  SmallVector<Value> worklist(results);
  llvm::DenseSet<Operation *> createdSet(created.begin(), created.end());
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val().getDefiningOp();
    if (!op || !createdSet.contains(op) || !live.insert(op).second)
      continue;
    llvm::append_range(worklist, op->getOperands());
    op->walk([&](Operation *nested) {
      llvm::append_range(worklist, nested->getOperands());
    });
  }
  TrialOps ops;
  for (Operation *op : created)
    if (live.contains(op))
      ops.push_back(op);
  return ops;
}

/// Whether two trials built the same ops: same names, attributes, types,
/// regions, and operands that are the same outer value or corresponding
/// results of the trials.
static bool buildSameOps(ArrayRef<Operation *> lhs, ArrayRef<Operation *> rhs,
                         ArrayRef<Value> lhsResults,
                         ArrayRef<Value> rhsResults) {
  if (lhs.size() != rhs.size())
    return false;
  llvm::DenseMap<Value, Value> equivalent;
  auto check = [&](Value a, Value b) {
    return success(a == b || equivalent.lookup(a) == b);
  };
  auto mark = [&](Value a, Value b) { equivalent[a] = b; };
  for (auto [a, b] : llvm::zip(lhs, rhs))
    if (!OperationEquivalence::isEquivalentTo(
            a, b, check, mark, OperationEquivalence::IgnoreLocations))
      return false;
  for (auto [a, b] : llvm::zip(lhsResults, rhsResults))
    if (failed(check(a, b)))
      return false;
  return true;
}

FailureOr<bool>
GraphImporter::implyShapeInputs(NodeContext &ctx,
                                const NodeConverter &convert) {
  const onnx::NodeProto &node = ctx.getNode();
  Block *body = builder.getInsertionBlock();
  auto func = dyn_cast_if_present<func::FuncOp>(body->getParentOp());
  if (!func || !node.domain().empty())
    return false;

  // The graph inputs that decide the node's shapes, read by it alone.
  SmallVector<std::pair<const ShapeOperand *, BlockArgument>> operands;
  for (const ShapeOperand &operand : kShapeOperands) {
    if (operand.opType != node.op_type() || !ctx.hasInput(operand.input))
      continue;
    const std::string &name = node.input(operand.input);
    auto argument = dyn_cast<BlockArgument>(ctx.getInput(operand.input));
    if (!argument || argument.getOwner() != body ||
        func.getArgAttr(argument.getArgNumber(), "edge.implied_values"))
      continue;
    auto type = cast<RankedTensorType>(argument.getType());
    // Sizes and axes are integers; OneHot's depth may be a float.
    Type elementType = type.getElementType();
    bool holdsIntegers = elementType.isSignlessInteger()
                             ? elementType.getIntOrFloatBitWidth() >= 32
                             : isa<FloatType>(elementType);
    if (!type.hasStaticShape() || type.getRank() > 1 ||
        type.getNumElements() > kMaxEntries || !holdsIntegers)
      continue;
    if (inputUses.lookup(name) != 1) {
      impliedInputNotes[name] = "it is read by several nodes or returned, so "
                                "one node's declared shapes do not fix it";
      continue;
    }
    operands.emplace_back(&operand, argument);
  }
  if (operands.empty())
    return false;
  auto noteAll = [&](const Twine &note) -> FailureOr<bool> {
    for (auto [operand, argument] : operands)
      impliedInputNotes[node.input(operand->input)] = note.str();
    return false;
  };

  // The node's results must all be declared with static shapes.
  SmallVector<RankedTensorType> declared;
  SmallVector<std::string> outputs;
  for (const std::string &name : node.output()) {
    if (name.empty())
      continue;
    RankedTensorType type = declaredTypes.lookup(name);
    if (!type)
      return noteAll("or declare static shapes for the node's outputs in the "
                     "model: the values that give them are then accepted at "
                     "run time");
    declared.push_back(type);
    outputs.push_back(name);
  }

  auto firstInput = dyn_cast_if_present<RankedTensorType>(
      ctx.getInput(0) ? ctx.getInput(0).getType() : Type());
  SmallVector<Unknown> unknowns;
  for (auto [operand, argument] : operands) {
    auto type = cast<RankedTensorType>(argument.getType());
    unknowns.push_back(
        {node.input(operand->input), argument, type,
         getDomains(operand->kind, type.getNumElements(), declared,
                    operand->input == 0 ? RankedTensorType() : firstInput)});
  }

  // Every combination of entry values, as one index per entry.
  SmallVector<size_t> radices;
  size_t numTrials = 1;
  for (const Unknown &unknown : unknowns)
    for (const SmallVector<int64_t> &domain : unknown.domains) {
      radices.push_back(domain.size());
      numTrials *= domain.size();
      if (numTrials > kMaxTrials)
        return noteAll("its values could not be found from the node's "
                       "declared shapes: too many to try");
    }

  llvm::DenseSet<Operation *> before;
  for (Operation &op : *body)
    before.insert(&op);
  // A trial binds the operands' names and the node's outputs: those are
  // put back after each, and what was evaluated of its ops is forgotten.
  SmallVector<std::pair<std::string, Value>> bound;
  for (const Unknown &unknown : unknowns)
    bound.emplace_back(unknown.name, values.lookup(unknown.name));
  for (const std::string &name : outputs)
    bound.emplace_back(name, values.lookup(name));
  auto undoTrial = [&](ArrayRef<Operation *> ops) {
    for (Operation *op : ops)
      op->walk([&](Operation *nested) {
        for (Value result : nested->getResults())
          evaluatedConstants.erase(result);
      });
    eraseOps(ops);
  };
  auto restoreNames = [&] {
    for (const auto &[name, value] : bound) {
      if (value)
        values[name] = value;
      else
        values.erase(name);
    }
    for (const std::string &name : outputs)
      sequences.erase(name);
  };

  // Accepted values fall into variants: values whose trials built the same
  // ops. Each variant's first trial stays until the others are compared.
  struct Variant {
    SmallVector<Operation *> ops;
    TrialOps live;
    SmallVector<Value> results;
    SmallVector<unsigned> values;
  };
  SmallVector<SmallVector<DenseElementsAttr>> accepted;
  SmallVector<Variant> variants;
  // Variants are selected at run time by comparing one operand entry.
  bool selectable = unknowns.size() == 1 &&
                    unknowns.front().type.getNumElements() == 1;
  bool tooManyVariants = false;
  SmallVector<size_t> digits(radices.size(), 0);
  for (size_t trial = 0; trial < numTrials && !tooManyVariants; ++trial) {
    size_t rest = trial;
    for (auto [digit, radix] : llvm::zip(digits, radices)) {
      digit = rest % radix;
      rest /= radix;
    }
    SmallVector<DenseElementsAttr> attrs;
    unsigned entry = 0;
    for (const Unknown &unknown : unknowns) {
      SmallVector<Attribute> elements;
      for (const SmallVector<int64_t> &domain : unknown.domains)
        elements.push_back(getElement(unknown.type.getElementType(),
                                      domain[digits[entry++]]));
      attrs.push_back(DenseElementsAttr::get(unknown.type, elements));
      values[unknown.name] =
          ConstantOp::create(builder, ctx.getLoc(), attrs.back());
    }

    bool converted;
    {
      ScopedDiagnosticHandler silence(context,
                                      [](Diagnostic &) { return success(); });
      converted = succeeded(convert(ctx));
    }
    SmallVector<Value> results;
    bool fits = converted;
    for (auto [name, type] : llvm::zip(outputs, declared)) {
      Value result = values.lookup(name);
      fits = fits && result && result.getType() == type;
      results.push_back(result);
    }
    SmallVector<Operation *> created = getNewOps(*body, before);
    bool keep = false;
    if (fits) {
      TrialOps live = getLiveOps(created, results);
      auto *variant = llvm::find_if(variants, [&](const Variant &v) {
        return buildSameOps(v.live, live, v.results, results);
      });
      if (variant == variants.end()) {
        LLVM_DEBUG(llvm::dbgs() << "node '" << node.name()
                                << "': variant " << variants.size() << "\n");
        tooManyVariants = variants.size() == (selectable ? kMaxVariants : 1);
        keep = !tooManyVariants;
        if (keep) {
          variants.push_back({created, live, results, {}});
          variant = &variants.back();
          before.insert(created.begin(), created.end());
        }
      }
      if (!tooManyVariants)
        variant->values.push_back(accepted.size());
      accepted.push_back(attrs);
    }
    if (!keep)
      undoTrial(created);
    restoreNames();
  }
  for (Variant &variant : llvm::reverse(variants))
    undoTrial(variant.ops);

  LLVM_DEBUG(llvm::dbgs() << "node '" << node.name() << "' (" << node.op_type()
                          << "): " << accepted.size() << " of " << numTrials
                          << " operand values give the declared shapes, in "
                          << variants.size() << " variants\n");
  if (accepted.empty())
    return noteAll("no value of it gives the shapes the model declares for "
                   "the node's outputs");
  if (tooManyVariants)
    return noteAll("the shapes the model declares for the node's outputs "
                   "leave values that compute different results");
  if (accepted.size() > kMaxAcceptedValues)
    return noteAll("too many of its values give the shapes the model "
                   "declares for the node's outputs");

  for (auto [index, unknown] : llvm::enumerate(unknowns)) {
    SmallVector<Attribute> allowed;
    for (ArrayRef<DenseElementsAttr> attrs : accepted)
      allowed.push_back(attrs[index]);
    func.setArgAttr(unknown.argument.getArgNumber(), "edge.implied_values",
                    builder.getArrayAttr(allowed));
  }
  // One variant: import the node with its first value; the runtime accepts
  // any of them.
  if (variants.size() == 1) {
    for (auto [index, unknown] : llvm::enumerate(unknowns))
      values[unknown.name] = ConstantOp::create(
          builder,
          NameLoc::get(builder.getStringAttr(unknown.name), ctx.getLoc()),
          accepted.front()[index]);
    return false;
  }

  // Several variants: each is imported with its first value, and the run
  // keeps the results of the variant its operand value belongs to.
  const Unknown &unknown = unknowns.front();
  Composer c(ctx);
  auto scalarType = RankedTensorType::get({}, unknown.type.getElementType());
  Value operand = unknown.argument;
  if (unknown.type.getRank() != 0)
    operand = ReshapeOp::create(builder, ctx.getLoc(), scalarType, operand);
  SmallVector<Value> chosen;
  for (const Variant &variant : variants) {
    Value isVariant;
    for (unsigned value : variant.values) {
      Value constant = ConstantOp::create(
          builder, ctx.getLoc(), accepted[value].front().reshape(scalarType));
      Value equal = c.compare<EqualOp>(operand, constant);
      isVariant = isVariant ? c.binary<OrOp>(isVariant, equal) : equal;
    }
    chosen.push_back(isVariant);
  }
  SmallVector<SmallVector<Value>> variantResults;
  for (auto [variant, isVariant] : llvm::zip(variants, chosen)) {
    values[unknown.name] =
        ConstantOp::create(builder, ctx.getLoc(),
                           accepted[variant.values.front()].front());
    llvm::DenseSet<Operation *> before;
    for (Operation &op : *body)
      before.insert(&op);
    if (failed(convert(ctx)))
      return failure();
    SmallVector<Value> results;
    for (const std::string &name : outputs)
      results.push_back(values.lookup(name));
    variantResults.push_back(results);
    // Every variant runs; only the chosen one's size checks may fail the
    // run. The others check their expected sizes against themselves.
    for (Operation *op : getNewOps(*body, before)) {
      auto check = dyn_cast<CheckSizesOp>(op);
      if (!check)
        continue;
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(check);
      auto sizesType = cast<RankedTensorType>(check.getSizes().getType());
      Value expected = ConstantOp::create(
          builder, check.getLoc(),
          DenseElementsAttr::get(sizesType, check.getExpected()));
      check.getSizesMutable().assign(
          c.select(isVariant, check.getSizes(), expected));
    }
  }
  values[unknown.name] = unknown.argument;
  SmallVector<Value> selected = variantResults.back();
  for (int64_t v = variants.size() - 2; v >= 0; --v)
    for (auto [result, candidate] : llvm::zip(selected, variantResults[v]))
      result = c.select(chosen[v], candidate, result);
  for (auto [name, result] : llvm::zip(outputs, selected))
    values[name] = result;
  LLVM_DEBUG(llvm::dbgs() << "node '" << node.name() << "': "
                          << variants.size() << " variants selected at run "
                          << "time\n");
  return true;
}
