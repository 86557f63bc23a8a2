//===- EmptyArgumentBuffers.cpp - Pass zero-element buffers as 0xT --------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::edge {
#define GEN_PASS_DEF_EMPTYARGUMENTBUFFERSPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;

namespace {
struct EmptyArgumentBuffersPass final
    : edge::impl::EmptyArgumentBuffersPassBase<EmptyArgumentBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isDeclaration())
      return;
    Block &entry = func.getBody().front();
    OpBuilder builder = OpBuilder::atBlockBegin(&entry);
    SmallVector<Type> argumentTypes(func.getArgumentTypes());
    bool changed = false;
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || !type.hasStaticShape() || type.getNumElements() != 0 ||
          type.getRank() == 1)
        continue;
      Value local = memref::AllocaOp::create(builder, arg.getLoc(), type);
      arg.replaceAllUsesWith(local);
      auto flat = MemRefType::get({0}, type.getElementType(), AffineMap(),
                                  type.getMemorySpace());
      arg.setType(flat);
      argumentTypes[arg.getArgNumber()] = flat;
      changed = true;
    }
    if (changed)
      func.setFunctionType(
          builder.getFunctionType(argumentTypes, func.getResultTypes()));
  }
};
} // namespace
