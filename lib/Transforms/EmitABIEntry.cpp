//===- EmitABIEntry.cpp - Emit the runtime's entry point ------------------===//

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringMap.h"

#include <map>

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
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    std::map<int32_t, LLVM::LLVMFuncOp> entries;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      auto index = func->getAttrOfType<IntegerAttr>(kEntryAttrName);
      if (!index)
        continue;
      if (!entries.emplace(index.getInt(), func).second) {
        func.emitError("two functions are entry ") << index.getInt();
        return signalPassFailure();
      }
      for (Type param : func.getFunctionType().getParams()) {
        if (param != ptrType) {
          func.emitError("model parameters must be bare pointers (lower with "
                         "use-bare-ptr-memref-call-conv), got ")
              << param;
          return signalPassFailure();
        }
      }
      // The names were for the metadata; LLVM IR has no use for them.
      func.removeArgAttrsAttr();
      func.removeResAttrsAttr();
    }
    if (entries.empty()) {
      module.emitError("no lowered function is tagged '")
          << kEntryAttrName << "' (run edge-emit-abi-metadata first)";
      return signalPassFailure();
    }

    // void edge_generated_entry(int32_t partition, void **buffers): a
    // switch over the partitions, each loading its buffers and calling it.
    Location loc = module.getLoc();
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto i32Type = builder.getI32Type();
    auto entryType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(&getContext()), {i32Type, ptrType});
    auto entry =
        LLVM::LLVMFuncOp::create(builder, loc, kEntrySymbol, entryType);
    Block *dispatch = entry.addEntryBlock(builder);
    Value partition = dispatch->getArgument(0);
    Value buffers = dispatch->getArgument(1);
    Block *done = builder.createBlock(&entry.getBody());
    LLVM::ReturnOp::create(builder, loc, ValueRange{});
    SmallVector<int32_t> caseValues;
    SmallVector<Block *> caseBlocks;
    for (auto &[index, func] : entries) {
      Block *block = builder.createBlock(done);
      SmallVector<Value> args;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        Value slot =
            LLVM::GEPOp::create(builder, loc, ptrType, ptrType, buffers,
                                ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(i)});
        args.push_back(LLVM::LoadOp::create(builder, loc, ptrType, slot));
      }
      LLVM::CallOp::create(builder, loc, func, args);
      LLVM::BrOp::create(builder, loc, done);
      caseValues.push_back(index);
      caseBlocks.push_back(block);
    }
    builder.setInsertionPointToEnd(dispatch);
    SmallVector<ValueRange> caseOperands(caseBlocks.size(), ValueRange{});
    LLVM::SwitchOp::create(builder, loc, partition, done, ValueRange{},
                           caseValues, caseBlocks, caseOperands);

    // int64_t edge_generated_workspace_bytes: the arenas of planned
    // intermediate buffers that can be live at once. Each device runs one
    // partition at a time, devices run theirs concurrently: the sum over
    // the devices of their largest partition arena.
    llvm::StringMap<int64_t> largestPerDevice;
    for (auto &[index, func] : entries) {
      auto bytes = func->getAttrOfType<IntegerAttr>(kArenaBytesAttrName);
      if (!bytes)
        continue;
      auto device = func->getAttrOfType<StringAttr>(kDeviceAttrName);
      int64_t &largest = largestPerDevice[device ? device.getValue() : ""];
      largest = std::max(largest, bytes.getInt());
    }
    int64_t workspace = 0;
    for (const auto &entry : largestPerDevice)
      workspace += entry.second;
    builder.setInsertionPointToEnd(module.getBody());
    auto i64Type = builder.getI64Type();
    LLVM::GlobalOp::create(builder, loc, i64Type, /*isConstant=*/true,
                           LLVM::Linkage::External, kWorkspaceSymbol,
                           builder.getIntegerAttr(i64Type, workspace));
    if (!deviceTarget.empty())
      createStringGlobal(builder, loc, kDeviceTargetSymbol, deviceTarget);
    if (!cpuRequirement.empty())
      createStringGlobal(builder, loc, kCPURequirementSymbol, cpuRequirement);
  }

  /// A NUL-terminated constant string the runtime reads by its C name.
  static void createStringGlobal(OpBuilder &builder, Location loc,
                                 StringRef symbol, StringRef value) {
    std::string text = value.str() + '\0';
    auto arrayType = LLVM::LLVMArrayType::get(builder.getI8Type(), text.size());
    LLVM::GlobalOp::create(builder, loc, arrayType, /*isConstant=*/true,
                           LLVM::Linkage::External, symbol,
                           builder.getStringAttr(text));
  }
};
} // namespace
