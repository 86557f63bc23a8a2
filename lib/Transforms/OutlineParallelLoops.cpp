//===- OutlineParallelLoops.cpp - Run parallel loops on the thread pool ---===//
//
// Every outermost scf.parallel of a function becomes a call of the runtime's
//
//   void edge_parallel_for(void (*body)(void *ctx, int64_t begin,
//                                       int64_t end),
//                          void *ctx, int64_t iterations, int64_t work,
//                          const char *nodes);
//
// `body` is the loop outlined into a function that runs the linearized
// iterations [begin, end); `ctx` points to a stack struct holding the values
// the loop uses from outside, in their LLVM form. The runtime runs the body
// once over everything on one thread, or splits the range over its pool.
// `nodes` names the ONNX nodes the loop computes (from its location), so
// that a profile says which kernel took the time; null when unknown.
//
// The pass runs on memrefs, before the conversion to the LLVM dialect, so
// the outlined body is lowered with everything else. The struct is written
// and read through LLVM dialect ops: each captured value crosses between
// its type and its LLVM type through an unrealized_conversion_cast, which
// the conversion to LLVM later folds away (reconcile-unrealized-casts).
//
//===----------------------------------------------------------------------===//

#include "edge/Placement/ModelPlacement.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::edge {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

static constexpr llvm::StringLiteral kParallelForSymbol = "edge_parallel_for";

/// Trip count assumed for a loop whose bounds are not constants.
static constexpr int64_t kUnknownTripCount = 16;

/// The trip count of one loop dimension, kUnknownTripCount when its bounds
/// are not constants.
static int64_t getTripCount(OpFoldResult lb, OpFoldResult ub,
                            OpFoldResult step) {
  std::optional<int64_t> l = getConstantIntValue(lb);
  std::optional<int64_t> u = getConstantIntValue(ub);
  std::optional<int64_t> s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return kUnknownTripCount;
  return std::max<int64_t>(0, llvm::divideCeil(*u - *l, *s));
}

/// The trip count of each dimension of `loop` (kUnknownTripCount where its
/// bounds are not constants).
static SmallVector<int64_t> getStaticTripCounts(LoopLikeOpInterface loop) {
  std::optional<SmallVector<OpFoldResult>> lbs = loop.getLoopLowerBounds();
  std::optional<SmallVector<OpFoldResult>> ubs = loop.getLoopUpperBounds();
  std::optional<SmallVector<OpFoldResult>> steps = loop.getLoopSteps();
  if (!lbs || !ubs || !steps)
    return {kUnknownTripCount};
  SmallVector<int64_t> counts;
  for (auto [lb, ub, step] : llvm::zip(*lbs, *ubs, *steps))
    counts.push_back(getTripCount(lb, ub, step));
  return counts;
}

/// The product of `counts`, saturated at what the work estimate can hold.
static uint64_t multiplyCounts(ArrayRef<int64_t> counts) {
  uint64_t product = 1;
  for (int64_t count : counts)
    product = llvm::SaturatingMultiply<uint64_t>(product, count);
  return std::min<uint64_t>(product, std::numeric_limits<int32_t>::max());
}

/// What a store of a fill (a loop that reads no memory: a padded buffer's
/// border, a zero initialization) counts for against arithmetic. Its lines
/// were last written by whichever kernel used that memory before, often
/// on the other core: ResNet-18's border columns took 3-4 us at one thread
/// and 16-33 us at two, serially, and half that split over both threads.
static constexpr uint64_t kFillStoreWork = 16;

/// Operations one iteration of `loop` executes, inner loops multiplied out:
/// the runtime only splits loops worth more than a thread's wake-up.
static int64_t estimateWorkPerIteration(scf::ParallelOp loop) {
  bool reads = false;
  loop.getBody()->walk([&](Operation *op) {
    reads = reads || mightHaveEffect<MemoryEffects::Read>(op);
  });
  uint64_t work = 0;
  loop.getBody()->walk([&](Operation *op) {
    uint64_t count = 1;
    for (Operation *parent = op->getParentOp(); parent != loop;
         parent = parent->getParentOp())
      if (auto inner = dyn_cast<LoopLikeOpInterface>(parent))
        count = llvm::SaturatingMultiply<uint64_t>(
            count, multiplyCounts(getStaticTripCounts(inner)));
    if (!reads && hasEffect<MemoryEffects::Write>(op))
      count = llvm::SaturatingMultiply<uint64_t>(count, kFillStoreWork);
    work = llvm::SaturatingAdd(work, count);
  });
  return std::clamp<uint64_t>(work, 1, std::numeric_limits<int32_t>::max());
}

/// Split iterations that keep every thread of a pool busy and balanced.
static constexpr uint64_t kMinSplitIterations = 64;

/// How many outer dimensions (of trip counts `counts`) the runtime splits:
/// the fewest whose iterations reach kMinSplitIterations. Linearizing more
/// would cost a division per inner iteration and hide the inner loops from
/// LLVM.
static unsigned countDimensionsToSplit(ArrayRef<int64_t> counts) {
  uint64_t product = 1;
  for (unsigned d = 0; d < counts.size(); ++d) {
    product = llvm::SaturatingMultiply<uint64_t>(product, counts[d]);
    if (product >= kMinSplitIterations)
      return d + 1;
  }
  return counts.size();
}

/// Whether `op` is a loop or lies inside one: only loops that run once per
/// call are dispatched, so that no dispatch happens per outer iteration.
static bool isInsideLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (isa<LoopLikeOpInterface>(parent))
      return true;
  return false;
}

/// Whether `op` can be recreated inside the outlined body instead of being
/// passed in: constants and other operand-less pure ops (memref.get_global).
static bool isRematerializable(Operation *op) {
  return op && op->getNumOperands() == 0 && op->getNumRegions() == 0 &&
         op->getNumResults() == 1 && isPure(op);
}

namespace {
struct OutlineParallelLoopsPass final
    : edge::impl::OutlineParallelLoopsPassBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    LowerToLLVMOptions options(&getContext(), DataLayout(module));
    LLVMTypeConverter converter(&getContext(), options);

    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (loop.getNumResults() == 0 && !isInsideLoop(loop) &&
          loop->getParentOfType<func::FuncOp>())
        loops.push_back(loop);
    });
    if (loops.empty())
      return;

    func::FuncOp runtimeDecl = getOrDeclareParallelFor(module, symbols);
    llvm::DenseMap<func::FuncOp, unsigned> outlinedPerFunction;
    for (scf::ParallelOp loop : loops) {
      auto parent = loop->getParentOfType<func::FuncOp>();
      std::string name = (parent.getSymName() + "_parallel" +
                          llvm::Twine(outlinedPerFunction[parent]++))
                             .str();
      if (failed(outline(loop, name, converter, symbols, runtimeDecl)))
        return signalPassFailure();
    }
  }

  /// The body's signature: (ctx, begin, end).
  FunctionType getBodyType() {
    MLIRContext *ctx = &getContext();
    Type i64 = IntegerType::get(ctx, 64);
    return FunctionType::get(ctx, {LLVM::LLVMPointerType::get(ctx), i64, i64},
                             {});
  }

  func::FuncOp getOrDeclareParallelFor(ModuleOp module, SymbolTable &symbols) {
    if (auto existing = symbols.lookup<func::FuncOp>(kParallelForSymbol))
      return existing;
    MLIRContext *ctx = &getContext();
    Type i64 = IntegerType::get(ctx, 64);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    auto type = FunctionType::get(ctx, {getBodyType(), ptr, i64, i64, ptr}, {});
    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    auto decl = func::FuncOp::create(builder, module.getLoc(),
                                     kParallelForSymbol, type);
    decl.setPrivate();
    symbols.insert(decl);
    return decl;
  }

  LogicalResult outline(scf::ParallelOp loop, StringRef name,
                        const LLVMTypeConverter &converter,
                        SymbolTable &symbols, func::FuncOp runtimeDecl) {
    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();

    // What the loop uses from outside: passed in the struct, except what
    // the body can recreate.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop->getRegions(), used);
    for (Value bound : loop->getOperands())
      used.insert(bound);
    SmallVector<Value> captures;
    SmallVector<Operation *> rematerialized;
    SmallVector<Type> fieldTypes;
    for (Value value : used) {
      Operation *def = value.getDefiningOp();
      if (isRematerializable(def)) {
        rematerialized.push_back(def);
        continue;
      }
      Type converted = converter.convertType(value.getType());
      if (!converted)
        return loop.emitError("cannot pass a value of type ")
               << value.getType() << " to an outlined parallel loop";
      captures.push_back(value);
      fieldTypes.push_back(converted);
    }
    auto structType = LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);

    // The body: for i in [begin, end): delinearize i, run the loop's body.
    auto parent = loop->getParentOfType<func::FuncOp>();
    OpBuilder builder(parent);
    auto body = func::FuncOp::create(builder, loc, name, getBodyType());
    body.setPrivate();
    // Internal: the address escapes to the runtime only.
    body->setAttr("llvm.linkage",
                  LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    symbols.insert(body);
    Block *entry = body.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (Operation *op : rematerialized)
      builder.clone(*op, mapping);
    Value ctxArg = entry->getArgument(0);
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value field = LLVM::GEPOp::create(
          builder, loc, ptrType, structType, ctxArg,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      Value loaded =
          LLVM::LoadOp::create(builder, loc, fieldTypes[index], field);
      mapping.map(value, castTo(builder, loaded, value.getType()));
    }
    Type indexType = builder.getIndexType();
    Value begin = arith::IndexCastOp::create(builder, loc, indexType,
                                             entry->getArgument(1));
    Value end = arith::IndexCastOp::create(builder, loc, indexType,
                                           entry->getArgument(2));
    SmallVector<int64_t> staticCounts = getStaticTripCounts(loop);
    unsigned splitDims = countDimensionsToSplit(staticCounts);
    SmallVector<Value> counts =
        buildTripCounts(builder, loop, splitDims, mapping);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto linear = scf::ForOp::create(builder, loc, begin, end, one);
    func::ReturnOp::create(builder, loc);
    builder.setInsertionPointToStart(linear.getBody());
    // Innermost split dimension fastest, as the loop nest ran.
    Value remaining = linear.getInductionVar();
    for (int64_t d = splitDims - 1; d >= 0; --d) {
      Value position =
          d == 0 ? remaining
                 : arith::RemUIOp::create(builder, loc, remaining, counts[d]);
      if (d != 0)
        remaining = arith::DivUIOp::create(builder, loc, remaining, counts[d]);
      Value scaled = arith::MulIOp::create(builder, loc, position,
                                           mapping.lookup(loop.getStep()[d]));
      mapping.map(
          loop.getInductionVars()[d],
          arith::AddIOp::create(builder, loc, scaled,
                                mapping.lookup(loop.getLowerBound()[d])));
    }
    // The other dimensions stay a loop nest inside each split iteration,
    // which LLVM vectorizes and strength-reduces as before.
    if (splitDims < loop.getNumLoops()) {
      auto mapRange = [&](OperandRange values) {
        return llvm::map_to_vector(values.drop_front(splitDims),
                                   [&](Value v) { return mapping.lookup(v); });
      };
      auto inner = scf::ParallelOp::create(
          builder, loc, mapRange(loop.getLowerBound()),
          mapRange(loop.getUpperBound()), mapRange(loop.getStep()));
      for (unsigned d = splitDims; d < loop.getNumLoops(); ++d)
        mapping.map(loop.getInductionVars()[d],
                    inner.getInductionVars()[d - splitDims]);
      builder.setInsertionPoint(inner.getBody()->getTerminator());
    }
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);

    // The call site: fill the struct, hand the body to the runtime.
    builder.setInsertionPointToStart(&parent.getBody().front());
    Value structCount = arith::ConstantIntOp::create(builder, loc, i64, 1);
    Value storage =
        LLVM::AllocaOp::create(builder, loc, ptrType, structType, structCount);
    builder.setInsertionPoint(loop);
    for (auto [index, value] : llvm::enumerate(captures)) {
      Value field = LLVM::GEPOp::create(
          builder, loc, ptrType, structType, storage,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
      LLVM::StoreOp::create(builder, loc,
                            castTo(builder, value, fieldTypes[index]), field);
    }
    IRMapping identity;
    SmallVector<Value> callerCounts =
        buildTripCounts(builder, loop, splitDims, identity);
    Value iterations = callerCounts.front();
    for (Value count : ArrayRef(callerCounts).drop_front())
      iterations = arith::MulIOp::create(builder, loc, iterations, count);
    iterations = arith::IndexCastOp::create(builder, loc, i64, iterations);
    Value perIteration = arith::ConstantIntOp::create(
        builder, loc, i64,
        std::min<int64_t>(
            estimateWorkPerIteration(loop) *
                multiplyCounts(ArrayRef(staticCounts).drop_front(splitDims)),
            std::numeric_limits<int32_t>::max()));
    Value work = arith::MulIOp::create(builder, loc, iterations, perIteration);
    Value function = func::ConstantOp::create(builder, loc, getBodyType(),
                                              body.getSymName());
    Value nodes = buildNodeNames(builder, loop, name);
    func::CallOp::create(
        builder, loc, runtimeDecl,
        ValueRange{function, storage, iterations, work, nodes});
    loop.erase();
    return success();
  }

  /// A pointer to the names of the ONNX nodes `loop` computes (its
  /// location's names, "A+B" for a fusion), a NUL-terminated global
  /// `<body>_nodes`; null when the location names none.
  static Value buildNodeNames(OpBuilder &builder, scf::ParallelOp loop,
                              StringRef body) {
    Location loc = loop.getLoc();
    std::string nodes = getNodeName(loc);
    if (nodes.empty())
      return LLVM::ZeroOp::create(
          builder, loc, LLVM::LLVMPointerType::get(loop.getContext()));
    // One line of the profile's text: no control characters.
    for (char &c : nodes)
      if (static_cast<unsigned char>(c) < 0x20)
        c = ' ';
    nodes.push_back('\0');
    return LLVM::createGlobalString(loc, builder, (body + "_nodes").str(),
                                    nodes, LLVM::Linkage::Internal);
  }

  /// `value` as `type`: the same value, or a cast that the conversion to
  /// the LLVM dialect folds away.
  static Value castTo(OpBuilder &builder, Value value, Type type) {
    if (value.getType() == type)
      return value;
    return UnrealizedConversionCastOp::create(builder, value.getLoc(), type,
                                              value)
        .getResult(0);
  }

  /// ceildiv(ub - lb, step) for the first `numDims` dimensions of `loop`,
  /// its operands mapped.
  static SmallVector<Value> buildTripCounts(OpBuilder &builder,
                                            scf::ParallelOp loop,
                                            unsigned numDims,
                                            IRMapping &mapping) {
    Location loc = loop.getLoc();
    SmallVector<Value> counts;
    for (unsigned d = 0; d < numDims; ++d) {
      Value lb = mapping.lookupOrDefault(loop.getLowerBound()[d]);
      Value ub = mapping.lookupOrDefault(loop.getUpperBound()[d]);
      Value step = mapping.lookupOrDefault(loop.getStep()[d]);
      // An empty dimension (ub <= lb) has no iterations.
      Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
      Value extent = arith::MaxSIOp::create(
          builder, loc, arith::SubIOp::create(builder, loc, ub, lb), zero);
      counts.push_back(arith::CeilDivUIOp::create(builder, loc, extent, step));
    }
    return counts;
  }
};
} // namespace
