//===- MapToGPU.cpp - A function's loops and memory accesses as kernels ---===//
//
// After linalg is lowered to loops, a GPU model function is host code that
// launches kernels: every memory access of the function must run on the
// device (its buffers live there), while allocations, views and launch
// bounds stay on the host. Each parallel loop becomes a launch over a
// one-dimensional grid with one iteration per thread; whatever else touches
// memory runs as a single-thread launch. Sequential host loops whose bodies
// hold parallel loops stay on the host and launch per iteration.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::edge {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

/// Ops the host runs: they manage buffers or compute values without
/// touching memory. Everything else that has a memory effect is a kernel.
static bool isHostOp(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, memref::DimOp,
          memref::ExtractAlignedPointerAsIndexOp,
          memref::ExtractStridedMetadataOp, memref::AssumeAlignmentOp,
          ViewLikeOpInterface, func::ReturnOp, func::CallOp>(op))
    return true;
  if (op->getNumRegions() && !isa<scf::ForOp, scf::ParallelOp>(op)) {
    // A host conditional (ownership-based deallocation) stays host code if
    // all it holds does.
    bool allHost = true;
    op->walk([&](Operation *nested) {
      if (nested != op && !isHostOp(nested) && !isMemoryEffectFree(nested))
        allHost = false;
    });
    if (allHost && !hasEffect<MemoryEffects::Read>(op) &&
        !hasEffect<MemoryEffects::Write>(op))
      return true;
  }
  return false;
}

/// A sequential loop the host keeps: it launches the parallel loops of its
/// body once per iteration instead of running them in one thread.
static bool isHostLoop(Operation *op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!loop || loop.getNumResults() != 0)
    return false;
  return loop.getBody()
      ->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Finds a load and a store of one element of one buffer, at indices fixed
/// across `loop`, directly in its body and the buffer's only uses there: a
/// reduction's accumulator, as linalg's loops read and write it.
static std::optional<std::pair<memref::LoadOp, memref::StoreOp>>
findAccumulator(scf::ForOp loop) {
  for (Operation &op : *loop.getBody()) {
    auto load = dyn_cast<memref::LoadOp>(op);
    if (!load || !loop.isDefinedOutsideOfLoop(load.getMemRef()) ||
        !llvm::all_of(load.getIndices(), [&](Value index) {
          return loop.isDefinedOutsideOfLoop(index);
        }))
      continue;
    memref::StoreOp store;
    bool onlyLoadAndStore = true;
    for (Operation *user : load.getMemRef().getUsers()) {
      if (user == load || !loop->isAncestor(user))
        continue;
      auto candidate = dyn_cast<memref::StoreOp>(user);
      if (!candidate || store || candidate->getBlock() != loop.getBody() ||
          candidate.getIndices() != load.getIndices())
        onlyLoadAndStore = false;
      store = candidate;
    }
    if (onlyLoadAndStore && store && load->isBeforeInBlock(store))
      return std::make_pair(load, store);
  }
  return std::nullopt;
}

/// Keeps reduction accumulators in registers: a loop that loads and stores
/// one element at fixed indices carries the value instead, loaded before
/// and stored after it. Inner loops go first, so a nest of reduction loops
/// (a convolution's channels and window) touches memory once.
static void promoteAccumulators(Operation *root) {
  SmallVector<scf::ForOp> loops;
  root->walk([&](scf::ForOp loop) { loops.push_back(loop); });
  IRRewriter rewriter(root->getContext());
  for (scf::ForOp loop : loops) {
    while (auto accumulator = findAccumulator(loop)) {
      // Named copies: the callback below cannot capture structured bindings
      // in C++17.
      memref::LoadOp load = accumulator->first;
      memref::StoreOp store = accumulator->second;
      rewriter.setInsertionPoint(loop);
      Operation *initial = rewriter.clone(*load);
      Value stored = store.getValueToStore();
      FailureOr<LoopLikeOpInterface> promoted =
          loop.replaceWithAdditionalYields(
              rewriter, initial->getResult(0),
              /*replaceInitOperandUsesInLoop=*/false,
              [&](OpBuilder &, Location, ArrayRef<BlockArgument> newArgs) {
                rewriter.replaceOp(load, newArgs.front());
                return SmallVector<Value>{stored};
              });
      if (failed(promoted))
        break;
      loop = cast<scf::ForOp>(promoted->getOperation());
      rewriter.setInsertionPointAfter(loop);
      memref::StoreOp::create(rewriter, store.getLoc(), loop.getResults().back(),
                              store.getMemRef(), store.getIndices());
      rewriter.eraseOp(store);
    }
  }
}

namespace {
struct MapToGPUPass final : edge::impl::MapToGPUPassBase<MapToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isDeclaration())
      return;
    if (blockSize == 0 || blockSize > 1024) {
      func.emitError("block-size must be between 1 and 1024, got ")
          << static_cast<unsigned>(blockSize);
      return signalPassFailure();
    }
    if (failed(mapBlock(func.getBody().front())))
      return signalPassFailure();
    func.walk([](gpu::LaunchOp launch) { promoteAccumulators(launch); });
  }

  /// Turns the memory accesses of `block` (host code) into launches.
  LogicalResult mapBlock(Block &block) {
    SmallVector<Operation *> run;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
        if (failed(launchRun(run)) || failed(launchParallel(parallel)))
          return failure();
        continue;
      }
      if (isHostLoop(&op)) {
        if (failed(launchRun(run)) ||
            failed(mapBlock(*cast<scf::ForOp>(op).getBody())))
          return failure();
        continue;
      }
      if (isa<gpu::LaunchOp>(op) || op.hasTrait<OpTrait::IsTerminator>()) {
        if (failed(launchRun(run)))
          return failure();
        continue;
      }
      // Pure ops join the run when they use its results, so a scalar that
      // a kernel loads is computed on the device too.
      bool usesRun = llvm::any_of(op.getOperands(), [&](Value operand) {
        Operation *def = operand.getDefiningOp();
        return def && llvm::is_contained(run, def);
      });
      if (isHostOp(&op) || (isMemoryEffectFree(&op) && !usesRun)) {
        if (!isMemoryEffectFree(&op) && failed(launchRun(run)))
          return failure();
        continue;
      }
      run.push_back(&op);
    }
    return launchRun(run);
  }

  /// Moves `run` into a launch of one thread placed at its last op.
  LogicalResult launchRun(SmallVector<Operation *> &run) {
    if (run.empty())
      return success();
    for (Operation *op : run)
      for (OpOperand &use : op->getUses())
        if (!llvm::is_contained(run, use.getOwner())) {
          InFlightDiagnostic diag =
              op->emitError("cannot run on the GPU: the host uses a value "
                            "that a kernel computes");
          diag.attachNote(use.getOwner()->getLoc()) << "used here";
          return failure();
        }
    OpBuilder builder(run.back());
    Location loc = run.front()->getLoc();
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto launch =
        gpu::LaunchOp::create(builder, loc, one, one, one, one, one, one);
    Block &body = launch.getBody().front();
    builder.setInsertionPointToEnd(&body);
    auto terminator = gpu::TerminatorOp::create(builder, loc);
    for (Operation *op : run)
      op->moveBefore(terminator);
    run.clear();
    return success();
  }

  /// Replaces `parallel` by a launch of one thread per iteration.
  LogicalResult launchParallel(scf::ParallelOp parallel) {
    if (parallel.getNumResults() != 0)
      return parallel.emitError(
          "cannot run a parallel loop with reductions on the GPU yet");
    OpBuilder builder(parallel);
    Location loc = parallel.getLoc();
    SmallVector<Value> counts;
    Value total = arith::ConstantIndexOp::create(builder, loc, 1);
    for (auto [lower, upper, step] :
         llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                   parallel.getStep())) {
      Value extent = builder.createOrFold<arith::SubIOp>(loc, upper, lower);
      Value count = builder.createOrFold<arith::CeilDivUIOp>(loc, extent, step);
      counts.push_back(count);
      total = builder.createOrFold<arith::MulIOp>(loc, total, count);
    }
    std::optional<int64_t> staticTotal = getConstantIntValue(total);
    if (staticTotal && *staticTotal == 0) {
      parallel.erase();
      return success();
    }
    // A loop smaller than a block gets just the threads it needs.
    int64_t threads = blockSize;
    if (staticTotal && *staticTotal < threads)
      threads = *staticTotal;
    Value blockThreads = arith::ConstantIndexOp::create(builder, loc, threads);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    Value blocks =
        builder.createOrFold<arith::CeilDivUIOp>(loc, total, blockThreads);
    // A dynamic loop may be empty; a launch needs one block.
    if (!staticTotal)
      blocks = arith::MaxUIOp::create(builder, loc, blocks, one);
    auto launch = gpu::LaunchOp::create(builder, loc, blocks, one, one,
                                        blockThreads, one, one);
    Block &body = launch.getBody().front();
    builder.setInsertionPointToEnd(&body);
    Value linear = arith::AddIOp::create(
        builder, loc,
        arith::MulIOp::create(builder, loc, launch.getBlockIds().x,
                              blockThreads),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(builder, loc, inRange,
                                   /*withElseRegion=*/false);
    gpu::TerminatorOp::create(builder, loc);

    // The innermost dimension varies fastest across neighbouring threads,
    // so their accesses coalesce.
    builder.setInsertionPoint(guard.thenBlock()->getTerminator());
    unsigned rank = counts.size();
    SmallVector<Value> ivs(rank);
    Value remaining = linear;
    for (unsigned d = rank; d-- > 0;) {
      Value index = remaining;
      if (d > 0) {
        index = arith::RemUIOp::create(builder, loc, remaining, counts[d]);
        remaining = arith::DivUIOp::create(builder, loc, remaining, counts[d]);
      }
      Value scaled = builder.createOrFold<arith::MulIOp>(loc, index,
                                                         parallel.getStep()[d]);
      ivs[d] = builder.createOrFold<arith::AddIOp>(
          loc, parallel.getLowerBound()[d], scaled);
    }
    Block *loopBody = parallel.getBody();
    loopBody->getTerminator()->erase();
    Operation *yield = guard.thenBlock()->getTerminator();
    yield->getBlock()->getOperations().splice(yield->getIterator(),
                                              loopBody->getOperations());
    for (auto [arg, iv] : llvm::zip(loopBody->getArguments(), ivs))
      arg.replaceAllUsesWith(iv);
    parallel.erase();
    return success();
  }
};
} // namespace
