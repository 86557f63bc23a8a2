//===- PlanMemory.cpp - One arena for a function's intermediate buffers ---===//
//
// After bufferization every intermediate tensor is a memref.alloc freed by
// a memref.dealloc after its last use. Placed at compile time in one arena,
// buffers whose lifetimes do not overlap share memory: a run allocates once
// (a block the runtime's allocator hands back every run), needs the peak
// of its live buffers rather than their sum, and each kernel writes memory
// that an earlier one left in cache.
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

/// Every buffer starts at a multiple of this: the vector width the kernels
/// load and a cache line.
static constexpr int64_t kBufferAlignment = 64;

namespace {
/// A buffer of the plan: its allocation, its deallocation, its lifetime
/// (the positions in the function's block of its allocation and of its
/// last use) and its size.
struct PlannedBuffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start, end;
  int64_t bytes;
  int64_t offset = 0;

  bool overlapsInTime(const PlannedBuffer &other) const {
    return start <= other.end && other.start <= end;
  }
};
} // namespace

/// The bytes an identity-layout buffer of whole-byte (or i1, stored as
/// bytes) integer or float elements takes at most: its size, or for
/// dynamic sizes the largest their computation allows (the sizes of a
/// model with dynamic shapes derive from its symbols, clamped to their
/// bounds); nullopt when unbounded or otherwise not plannable.
static std::optional<int64_t> getPlannableBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.getLayout().isIdentity() || type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits != 1 && bits % 8 != 0)
    return std::nullopt;
  int64_t elements = 1;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    int64_t size = type.getDimSize(dim);
    if (ShapedType::isDynamic(size)) {
      FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
          presburger::BoundType::UB,
          ValueBoundsConstraintSet::Variable(alloc.getResult(), dim),
          /*stopCondition=*/nullptr, /*closedUB=*/true);
      if (failed(bound) || *bound < 0)
        return std::nullopt;
      size = *bound;
    }
    if (size != 0 && elements > (int64_t(1) << 40) / size)
      return std::nullopt;
    elements *= size;
  }
  int64_t bytes = elements * std::max(1u, bits / 8);
  return bytes > 0 ? std::optional<int64_t>(bytes) : std::nullopt;
}

/// The position in `block` (`positions`) of the last op that uses `alloc`
/// or a view of it, other than `dealloc`. The deallocation pass frees
/// buffers at the end of the block, not after their last use. Nullopt
/// when a view leaves the analysis: returned, yielded from a region,
/// passed through an op that is not a view, or freed elsewhere.
static std::optional<int64_t>
findLastUse(memref::AllocOp alloc, memref::DeallocOp dealloc, Block &block,
            const DenseMap<Operation *, int64_t> &positions) {
  int64_t last = positions.lookup(alloc);
  SmallVector<Value> views{alloc.getResult()};
  while (!views.empty()) {
    Value view = views.pop_back_val();
    for (Operation *user : view.getUsers()) {
      if (user == dealloc)
        continue;
      if (isa<memref::DeallocOp>(user) ||
          user->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      auto viewLike = dyn_cast<ViewLikeOpInterface>(user);
      if (viewLike && viewLike.getViewSource() == view) {
        views.append(user->result_begin(), user->result_end());
      } else if (llvm::any_of(user->getResultTypes(),
                              llvm::IsaPred<BaseMemRefType>)) {
        return std::nullopt;
      }
      Operation *ancestor = block.findAncestorOpInBlock(*user);
      if (!ancestor)
        return std::nullopt;
      last = std::max(last, positions.lookup(ancestor));
    }
  }
  return last;
}

/// The buffers of `block` that the plan can place: allocated and freed
/// (once) directly in it, every view of them used in it.
static SmallVector<PlannedBuffer> collectBuffers(Block &block) {
  DenseMap<Operation *, int64_t> positions;
  int64_t position = 0;
  for (Operation &op : block)
    positions[&op] = position++;
  SmallVector<PlannedBuffer> buffers;
  for (Operation &op : block) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    std::optional<int64_t> bytes = getPlannableBytes(alloc);
    if (!bytes)
      continue;
    memref::DeallocOp dealloc;
    unsigned deallocs = 0;
    for (Operation *user : alloc->getUsers())
      if (auto candidate = dyn_cast<memref::DeallocOp>(user)) {
        dealloc = candidate;
        ++deallocs;
      }
    if (deallocs != 1 || dealloc->getBlock() != &block)
      continue;
    std::optional<int64_t> lastUse =
        findLastUse(alloc, dealloc, block, positions);
    if (!lastUse)
      continue;
    buffers.push_back({alloc, dealloc, positions[alloc], *lastUse, *bytes});
  }
  return buffers;
}

/// Assigns each buffer the lowest aligned offset at which it overlaps no
/// buffer placed before it that is live at the same time, largest buffers
/// first. Returns the arena's size.
static int64_t assignOffsets(SmallVector<PlannedBuffer> &buffers) {
  SmallVector<PlannedBuffer *> order;
  for (PlannedBuffer &buffer : buffers)
    order.push_back(&buffer);
  // Largest first; equal sizes in program order, so the plan is
  // deterministic.
  llvm::sort(order, [](PlannedBuffer *a, PlannedBuffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
  });
  SmallVector<PlannedBuffer *> placed;
  int64_t arenaBytes = 0;
  for (PlannedBuffer *buffer : order) {
    SmallVector<PlannedBuffer *> live;
    for (PlannedBuffer *other : placed)
      if (other->overlapsInTime(*buffer))
        live.push_back(other);
    llvm::sort(live, [](PlannedBuffer *a, PlannedBuffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (PlannedBuffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset =
          std::max<int64_t>(offset, llvm::alignTo(other->offset + other->bytes,
                                                  kBufferAlignment));
    }
    buffer->offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return static_cast<int64_t>(llvm::alignTo(arenaBytes, kBufferAlignment));
}

namespace {
struct PlanMemoryPass final : edge::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal() || !function.getBody().hasOneBlock())
      return;
    Block &block = function.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
    SmallVector<PlannedBuffer> buffers = collectBuffers(block);
    if (!ret || buffers.size() < 2)
      return;
    int64_t arenaBytes = assignOffsets(buffers);

    OpBuilder builder(&block, block.begin());
    Location loc = function.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type());
    Value arena = memref::AllocOp::create(
        builder, loc, arenaType, builder.getI64IntegerAttr(kBufferAlignment));
    int64_t plannedBytes = 0;
    for (PlannedBuffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), arena, offset,
                                          buffer.alloc.getDynamicSizes());
      buffer.alloc.getResult().replaceAllUsesExcept(view, buffer.dealloc);
      buffer.dealloc.erase();
      buffer.alloc.erase();
      plannedBytes += buffer.bytes;
    }
    builder.setInsertionPoint(ret);
    memref::DeallocOp::create(builder, loc, arena);
    function->setAttr(edge::kArenaBytesAttrName,
                      builder.getI64IntegerAttr(arenaBytes));
    function->setAttr("edge.planned_bytes",
                      builder.getI64IntegerAttr(plannedBytes));
  }
};
} // namespace
