//===- EmitABIEntry.cpp - Emit the runtime's entry point ------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::edge {
#define GEN_PASS_DEF_EMITABIENTRYPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

namespace {
struct EmitABIEntryPass final : edge::impl::EmitABIEntryPassBase<EmitABIEntryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVM::LLVMFuncOp model;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func->hasAttr(kEntryAttrName))
        model = func;
    if (!model) {
      module.emitError("no lowered function is tagged '")
          << kEntryAttrName << "' (run edge-emit-abi-metadata first)";
      return signalPassFailure();
    }
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    for (Type param : model.getFunctionType().getParams()) {
      if (param != ptrType) {
        model.emitError("model parameters must be bare pointers (lower with "
                        "use-bare-ptr-memref-call-conv), got ")
            << param;
        return signalPassFailure();
      }
    }

    // The names were for the metadata; LLVM IR has no use for them.
    model.removeArgAttrsAttr();
    model.removeResAttrsAttr();

    Location loc = model.getLoc();
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto entryType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(&getContext()), {ptrType});
    auto entry =
        LLVM::LLVMFuncOp::create(builder, loc, kEntrySymbol, entryType);
    Block *body = entry.addEntryBlock(builder);
    builder.setInsertionPointToStart(body);
    Value buffers = body->getArgument(0);
    SmallVector<Value> args;
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
      Value slot = LLVM::GEPOp::create(builder, loc, ptrType, ptrType, buffers,
                                       ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(i)});
      args.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
    }
    LLVM::CallOp::create(builder, loc, model, args);
    LLVM::ReturnOp::create(builder, loc, ValueRange{});
  }
};
} // namespace
