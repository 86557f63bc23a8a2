//===- GPUDeviceBuffers.cpp - A GPU model function's data on the device ---===//
//
// Once edge-map-to-gpu left every memory access to kernels, the host only
// manages buffers. This pass moves each of them to device memory: the
// intermediates are device allocations, the caller's inputs and outputs are
// staged through device copies, and each weight is replaced by the device
// copy the runtime keeps per model instance (uploaded by the first run).
//
//===----------------------------------------------------------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_GPUDEVICEBUFFERSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

/// void *edge_rt_gpu_constant(const void *host, int64_t bytes): the device
/// copy of a weight for the running model instance.
static constexpr const char *kConstantFunction = "edge_rt_gpu_constant";

/// The dynamic sizes of a device buffer shaped like `value`.
static SmallVector<Value> dynamicSizes(OpBuilder &builder, Location loc,
                                       Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(builder, loc, value, d));
  return sizes;
}

static Value createDeviceAlloc(OpBuilder &builder, Location loc,
                               MemRefType type, ValueRange sizes) {
  return gpu::AllocOp::create(builder, loc, type, /*asyncToken=*/Type(),
                              /*asyncDependencies=*/ValueRange{}, sizes,
                              /*symbolOperands=*/ValueRange{})
      .getMemref();
}

/// The LLVM descriptor of a memref of `type`, as finalize-memref-to-llvm
/// lays it out: allocated and aligned pointers, offset, sizes, strides.
static Type descriptorType(MemRefType type) {
  MLIRContext *context = type.getContext();
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (type.getRank() > 0) {
    auto array = LLVM::LLVMArrayType::get(i64, type.getRank());
    fields.push_back(array);
    fields.push_back(array);
  }
  return LLVM::LLVMStructType::getLiteral(context, fields);
}

namespace {
struct GPUDeviceBuffersPass final
    : edge::impl::GPUDeviceBuffersPassBase<GPUDeviceBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isDeclaration() && func->hasAttr(edge::kEntryAttrName) &&
          failed(moveFunctionToDevice(func)))
        return signalPassFailure();
  }

  LogicalResult moveFunctionToDevice(func::FuncOp func) {
    if (!func.getBody().hasOneBlock())
      return func.emitError("a GPU model function must be one block");
    SmallVector<func::ReturnOp> returns(func.getOps<func::ReturnOp>());
    stageArguments(func, returns);
    SmallVector<Operation *> hostOps;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
              memref::GetGlobalOp>(op))
        hostOps.push_back(op);
      return WalkResult::advance();
    });
    for (Operation *op : hostOps)
      if (failed(moveToDevice(op, returns)))
        return failure();
    return success();
  }

  /// Inputs are copied to the device at entry; outputs get device buffers
  /// copied back to the caller's before each return.
  void stageArguments(func::FuncOp func, ArrayRef<func::ReturnOp> returns) {
    Block &entry = func.getBody().front();
    OpBuilder builder = OpBuilder::atBlockBegin(&entry);
    Location loc = func.getLoc();
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || arg.use_empty())
        continue;
      bool isInput =
          func.getArgAttr(arg.getArgNumber(), edge::kInputAttrName) != nullptr;
      SmallVector<Value> sizes = dynamicSizes(builder, loc, arg);
      Value device = createDeviceAlloc(builder, loc, type, sizes);
      // Everything but the staging itself (the allocation and the sizes it
      // reads from the argument) uses the device buffer.
      SmallPtrSet<Operation *, 4> staging = {device.getDefiningOp()};
      for (Value size : sizes)
        staging.insert(size.getDefiningOp());
      arg.replaceAllUsesExcept(device, staging);
      if (isInput)
        gpu::MemcpyOp::create(builder, loc, /*asyncToken=*/Type(), ValueRange{},
                              device, arg);
      for (func::ReturnOp ret : returns) {
        OpBuilder atReturn(ret);
        if (!isInput)
          gpu::MemcpyOp::create(atReturn, loc, Type(), ValueRange{}, arg,
                                device);
        gpu::DeallocOp::create(atReturn, loc, Type(), ValueRange{}, device);
      }
    }
  }

  LogicalResult moveToDevice(Operation *op, ArrayRef<func::ReturnOp> returns) {
    OpBuilder builder(op);
    Location loc = op->getLoc();
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      Value device = createDeviceAlloc(builder, loc, alloc.getType(),
                                       alloc.getDynamicSizes());
      alloc.replaceAllUsesWith(device);
      alloc.erase();
      return success();
    }
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      Value device = createDeviceAlloc(builder, loc, alloca.getType(),
                                       alloca.getDynamicSizes());
      alloca.replaceAllUsesWith(device);
      alloca.erase();
      for (func::ReturnOp ret : returns) {
        OpBuilder atReturn(ret);
        gpu::DeallocOp::create(atReturn, loc, Type(), ValueRange{}, device);
      }
      return success();
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(builder, loc, Type(), ValueRange{},
                             dealloc.getMemref());
      dealloc.erase();
      return success();
    }
    return replaceWeight(cast<memref::GetGlobalOp>(op));
  }

  /// Replaces a weight by its device copy: the runtime's pointer put into
  /// a descriptor of the same type, which the LLVM lowering of the memref
  /// then reads as it would the global's.
  LogicalResult replaceWeight(memref::GetGlobalOp global) {
    MemRefType type = global.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return global.emitError("a weight on the GPU needs a static shape and "
                              "the identity layout, got ")
             << type;
    unsigned bits = type.getElementTypeBitWidth();
    // Sub-byte elements (i1) take a byte each in memory.
    int64_t bytes = type.getNumElements() * std::max<int64_t>(bits / 8, 1);
    if (bits % 8 != 0 && bits != 1)
      return global.emitError("a weight of ")
             << type.getElementType() << " cannot go to the GPU";

    OpBuilder builder(global->getNextNode());
    Location loc = global.getLoc();
    auto i64 = builder.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(builder.getContext());
    LLVM::LLVMFuncOp callee = getOrDeclareConstantFunction();
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(
        builder, loc, global.getResult());
    Value addressI64 = arith::IndexCastOp::create(builder, loc, i64, address);
    Value hostPtr = LLVM::IntToPtrOp::create(builder, loc, ptr, addressI64);
    Value size = LLVM::ConstantOp::create(builder, loc, i64,
                                          builder.getI64IntegerAttr(bytes));
    Value devicePtr =
        LLVM::CallOp::create(builder, loc, callee, ValueRange{hostPtr, size})
            .getResult();

    Type descType = descriptorType(type);
    Value desc = LLVM::PoisonOp::create(builder, loc, descType).getResult();
    desc = LLVM::InsertValueOp::create(builder, loc, desc, devicePtr,
                                       ArrayRef<int64_t>{0});
    desc = LLVM::InsertValueOp::create(builder, loc, desc, devicePtr,
                                       ArrayRef<int64_t>{1});
    auto i64Constant = [&](int64_t value) -> Value {
      return LLVM::ConstantOp::create(builder, loc, i64,
                                      builder.getI64IntegerAttr(value));
    };
    desc = LLVM::InsertValueOp::create(builder, loc, desc, i64Constant(0),
                                       ArrayRef<int64_t>{2});
    SmallVector<int64_t> strides = type.getStridesAndOffset().first;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      Value dim = i64Constant(type.getDimSize(d));
      Value stride = i64Constant(strides[d]);
      desc = LLVM::InsertValueOp::create(builder, loc, desc, dim,
                                         ArrayRef<int64_t>{3, d});
      desc = LLVM::InsertValueOp::create(builder, loc, desc, stride,
                                         ArrayRef<int64_t>{4, d});
    }
    Value device = UnrealizedConversionCastOp::create(builder, loc, type, desc)
                       .getResult(0);
    global.getResult().replaceAllUsesExcept(device, address.getDefiningOp());
    return success();
  }

  LLVM::LLVMFuncOp getOrDeclareConstantFunction() {
    ModuleOp module = getOperation();
    if (auto existing =
            module.lookupSymbol<LLVM::LLVMFuncOp>(kConstantFunction))
      return existing;
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    MLIRContext *context = builder.getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto type =
        LLVM::LLVMFunctionType::get(ptr, {ptr, IntegerType::get(context, 64)});
    return LLVM::LLVMFuncOp::create(builder, module.getLoc(), kConstantFunction,
                                    type);
  }
};
} // namespace
