//===- CheckIndices.cpp - Check indices read from run-time data -----------===//
//
// An index out of range in a Gather over token ids reads outside the
// embedding table: a crash for a large index, silently wrong numbers for a
// small one. Every data-dependent index is checked once, before the op that
// uses it, by an edge.check_indices whose lowering reports to the runtime.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/ModelPlacement.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

namespace mlir::edge {
#define GEN_PASS_DEF_CHECKINDICESPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// The runtime functions an out-of-range index and a slice size other than
/// the declared one are reported to (RunStatus.h).
static constexpr StringLiteral kReportFunction = "edge_rt_index_out_of_range";
static constexpr StringLiteral kSizeReportFunction = "edge_rt_size_mismatch";

/// Declares runtime function `name(i32, ...)` unless the module has it.
static void declareReportFunction(ModuleOp module, StringRef name,
                                  ArrayRef<Type> arguments) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto report =
      func::FuncOp::create(builder, module.getLoc(), name,
                           builder.getFunctionType(arguments, {}));
  report.setPrivate();
}

namespace {
/// The indices operand of an indexing op and what each index may address.
struct IndexUse {
  OpOperand *indices;
  /// One bound for every index, or one per entry of an index tuple.
  SmallVector<int64_t> bounds;
  /// The indexed operand and its dimension each bound is the size of (read
  /// at run time where dynamic).
  Value indexed;
  SmallVector<int64_t> dims;
  /// How the runtime describes the operand: "axis 1", "dimensions 0-1".
  std::string what;
};
} // namespace

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

static IndexUse axisUse(OpOperand &indices, Value indexed, int64_t axis) {
  return {&indices, {shapeOf(indexed)[axis]}, indexed, {axis},
          "axis " + std::to_string(axis)};
}

static IndexUse tupleUse(OpOperand &indices, Value indexed, int64_t first) {
  int64_t depth = shapeOf(indices.get()).back();
  IndexUse use{&indices,
               SmallVector<int64_t>(shapeOf(indexed).slice(first, depth)),
               indexed, llvm::to_vector(llvm::seq(first, first + depth)),
               "dimensions " + std::to_string(first)};
  if (depth > 1)
    use.what += " to " + std::to_string(first + depth - 1);
  return use;
}

static std::optional<IndexUse> getIndexUse(Operation *op) {
  if (auto gather = dyn_cast<GatherOp>(op))
    return axisUse(gather.getIndicesMutable(), gather.getInput(),
                   gather.getAxis());
  if (auto gather = dyn_cast<GatherElementsOp>(op))
    return axisUse(gather.getIndicesMutable(), gather.getInput(),
                   gather.getAxis());
  if (auto gather = dyn_cast<GatherNDOp>(op))
    return tupleUse(gather.getIndicesMutable(), gather.getInput(),
                    gather.getBatchDims());
  if (auto scatter = dyn_cast<ScatterElementsOp>(op))
    return axisUse(scatter.getIndicesMutable(), scatter.getData(),
                   scatter.getAxis());
  if (auto scatter = dyn_cast<ScatterNDOp>(op))
    return tupleUse(scatter.getIndicesMutable(), scatter.getData(), 0);
  return std::nullopt;
}

/// "node 'NAME' (gather, axis 0)": the ONNX node the importer located the op
/// at, the op and what its indices address.
static std::string describeOp(Operation *op, StringRef what) {
  std::string node = getNodeName(op->getLoc());
  std::string text = node.empty() ? "" : "node '" + node + "' ";
  return text + "(" + op->getName().stripDialect().str() + ", " + what.str() +
         ")";
}

/// Checks constant indices now. Returns failure after reporting one out of
/// range.
static LogicalResult checkConstantIndices(Operation *op, const IndexUse &use,
                                          DenseIntElementsAttr values) {
  int64_t position = 0;
  size_t tuple = use.bounds.size();
  for (const APInt &value : values) {
    int64_t index = value.getSExtValue();
    int64_t bound = use.bounds[position % tuple];
    if (index < -bound || index >= bound)
      return op->emitError() << "index " << index << " (element " << position
                             << " of the indices) is out of range for "
                             << use.what << " of size " << bound;
    ++position;
  }
  return success();
}

namespace {
struct CheckIndicesPass
    : mlir::edge::impl::CheckIndicesPassBase<CheckIndicesPass> {
  using CheckIndicesPassBase::CheckIndicesPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Sites already numbered (the pass may run twice) keep their numbers.
    int32_t nextSite = 0;
    module.walk([&](Operation *op) {
      std::optional<RunTimeCheck> check = getRunTimeCheck(op);
      if (check && check->site)
        nextSite = std::max(nextSite, *check->site + 1);
    });

    bool failedAny = false;
    bool reported = false;
    module.walk([&](Operation *op) {
      std::optional<IndexUse> use = getIndexUse(op);
      if (!use)
        return;
      Value indices = use->indices->get();
      auto indicesType = cast<ShapedType>(indices.getType());
      if (indices.getDefiningOp<CheckIndicesOp>() ||
          (indicesType.hasStaticShape() && indicesType.getNumElements() == 0))
        return;
      if (llvm::is_contained(use->bounds, 0)) {
        op->emitError() << "indexes " << use->what
                        << " of size 0: no index is valid";
        failedAny = true;
        return;
      }
      // Constant indices into static sizes are checked now; into dynamic
      // sizes, at run time like the others.
      DenseIntElementsAttr constant;
      bool dynamicBounds = llvm::any_of(use->bounds, ShapedType::isDynamic);
      if (!dynamicBounds && matchPattern(indices, m_Constant(&constant))) {
        failedAny |= failed(checkConstantIndices(op, *use, constant));
        return;
      }
      OpBuilder builder(op);
      SmallVector<Value> sizes;
      for (auto [bound, dim] : llvm::zip(use->bounds, use->dims))
        if (ShapedType::isDynamic(bound))
          sizes.push_back(
              tensor::DimOp::create(builder, op->getLoc(), use->indexed, dim));
      IntegerAttr site;
      if (report) {
        site = builder.getI32IntegerAttr(nextSite++);
        reported = true;
      }
      auto check = CheckIndicesOp::create(
          builder, op->getLoc(), indices.getType(), indices, sizes,
          builder.getDenseI64ArrayAttr(use->bounds), site,
          builder.getStringAttr(describeOp(op, use->what)));
      use->indices->set(check.getResult());
    });
    if (failedAny)
      return signalPassFailure();

    // Sizes computed at run time (slices, checked sizes) report one other
    // than the declared.
    bool reportedSizes = false;
    if (report)
      module.walk([&](Operation *op) {
        std::optional<RunTimeCheck> check = getRunTimeCheck(op);
        if (!check || isa<CheckIndicesOp>(op))
          return;
        if (!check->site)
          setRunTimeCheckSite(op, nextSite++);
        reportedSizes = true;
      });
    Builder builder(&getContext());
    Type i32 = builder.getI32Type(), i64 = builder.getI64Type();
    if (reported)
      declareReportFunction(module, kReportFunction, {i32, i64, i64});
    if (reportedSizes)
      declareReportFunction(module, kSizeReportFunction, {i32, i32, i64, i64});
  }
};
} // namespace
