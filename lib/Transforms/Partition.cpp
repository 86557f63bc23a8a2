//===- Partition.cpp - Outline each device's work into functions ----------===//
//
// The model function's ops carry `edge.device` (edge-place). Partitions are
// maximal runs of ops on one device (PartitionOrder.h). The model function
// keeps only the host schedule: one call per partition in order, with a
// transfer wherever a value is used on another device than the one holding it.
// With dynamic sizes, the partitions share the run's sizes (PartitionSizes.h).
//
//===----------------------------------------------------------------------===//

#include "DeviceList.h"
#include "PartitionSizes.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/ModelPlacement.h"
#include "edge/Placement/PartitionOrder.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::edge {
#define GEN_PASS_DEF_PARTITIONPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

static bool isConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>();
}

namespace {
struct PartitionPass final : edge::impl::PartitionPassBase<PartitionPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Device index of every placed op (constants excepted).
  FailureOr<llvm::MapVector<Operation *, int>>
  readPlacement(func::FuncOp model, ArrayRef<PlacedDevice> devices);
  func::FuncOp outline(func::FuncOp model, const PartitionOps &partition,
                       unsigned index, StringRef deviceName,
                       llvm::SetVector<Value> &inputs,
                       llvm::SetVector<Value> &outputs);
};
} // namespace

FailureOr<llvm::MapVector<Operation *, int>>
PartitionPass::readPlacement(func::FuncOp model,
                             ArrayRef<PlacedDevice> devices) {
  llvm::MapVector<Operation *, int> placed;
  for (Operation &op : model.getBody().front().without_terminator()) {
    auto device = op.getAttrOfType<StringAttr>(kDeviceAttrName);
    if (!device) {
      if (op.hasTrait<OpTrait::ConstantLike>()) {
        if (isReturnedConstant(op))
          placed[&op] = 0;
        continue;
      }
      return op.emitOpError("has no '")
             << kDeviceAttrName << "' attribute (run edge-place first)";
    }
    FailureOr<int> index = findDevice(devices, device.getValue(), &op);
    if (failed(index))
      return failure();
    placed[&op] = *index;
  }
  return placed;
}

func::FuncOp PartitionPass::outline(func::FuncOp model,
                                    const PartitionOps &partition,
                                    unsigned index, StringRef deviceName,
                                    llvm::SetVector<Value> &inputs,
                                    llvm::SetVector<Value> &outputs) {
  llvm::SmallPtrSet<Operation *, 16> members(partition.ops.begin(),
                                             partition.ops.end());
  llvm::SetVector<Operation *> constants;
  for (Operation *op : partition.ops) {
    for (Value value : getValuesReadBy(op)) {
      Operation *def = value.getDefiningOp();
      if (def && members.contains(def))
        continue;
      if (isConstant(value))
        constants.insert(def);
      else
        inputs.insert(value);
    }
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !members.contains(model.getBody().front().findAncestorOpInBlock(*user));
          }))
        outputs.insert(result);
  }

  OpBuilder builder(model);
  auto type = builder.getFunctionType(
      llvm::to_vector(llvm::map_range(inputs, [](Value v) { return v.getType(); })),
      llvm::to_vector(llvm::map_range(outputs, [](Value v) { return v.getType(); })));
  auto func = func::FuncOp::create(
      builder, model.getLoc(),
      (model.getName() + "_p" + Twine(index)).str(), type);
  func.setPrivate();
  func->setAttr(kDeviceAttrName, builder.getStringAttr(deviceName));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  for (auto [value, argument] : llvm::zip(inputs, body->getArguments()))
    mapping.map(value, argument);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  double estimatedSeconds = 0;
  for (Operation *op : partition.ops) {
    Operation *copy = builder.clone(*op, mapping);
    copy->removeAttr(kDeviceAttrName);
    if (auto seconds = copy->getAttrOfType<FloatAttr>(kEstimatedSecondsAttrName))
      estimatedSeconds += seconds.getValueAsDouble();
    copy->removeAttr(kEstimatedSecondsAttrName);
  }
  func->setAttr(kEstimatedSecondsAttrName,
                builder.getF64FloatAttr(estimatedSeconds));
  func::ReturnOp::create(
      builder, model.getLoc(),
      llvm::to_vector(llvm::map_range(
          outputs, [&](Value v) { return mapping.lookup(v); })));
  return func;
}

void PartitionPass::runOnOperation() {
  ModuleOp module = getOperation();
  func::FuncOp model = findModelFunction(module);
  if (!model) {
    module.emitError("expected one public model function to partition");
    return signalPassFailure();
  }
  FailureOr<SmallVector<PlacedDevice>> devices = readDeviceList(module);
  if (failed(devices))
    return signalPassFailure();
  FailureOr<llvm::MapVector<Operation *, int>> placed =
      readPlacement(model, *devices);
  if (failed(placed))
    return signalPassFailure();
  SmallVector<PartitionOps> partitions = formPartitions(*placed);
  // A graph that only forwards its inputs computes nothing to place.
  if (partitions.empty())
    return;
  FailureOr<PartitionSizes> sizes = PartitionSizes::analyze(model);
  if (failed(sizes))
    return signalPassFailure();

  // Where each value lives, and its copies on other devices.
  Block &block = model.getBody().front();
  Operation *terminator = block.getTerminator();
  llvm::DenseMap<Value, std::pair<Value, int>> home;
  for (BlockArgument argument : block.getArguments())
    home[argument] = {argument, 0};
  llvm::DenseMap<std::pair<Value, int>, Value> copies;
  OpBuilder builder(terminator);
  auto onDevice = [&](Value original, int device) -> Value {
    auto [current, holder] = home.lookup(original);
    // A cache keeps its one buffer on every device.
    if (holder == device || sizes->isCacheValue(original))
      return current;
    Value &copy = copies[{original, device}];
    if (!copy)
      copy = TransferOp::create(builder, original.getLoc(), current,
                                (*devices)[holder].name,
                                (*devices)[device].name);
    return copy;
  };

  SymbolTable symbols(module);
  for (auto [index, partition] : llvm::enumerate(partitions)) {
    llvm::SetVector<Value> inputs, outputs;
    func::FuncOp func = outline(model, partition, index,
                                (*devices)[partition.device].name, inputs,
                                outputs);
    symbols.insert(func);
    sizes->annotate(func, inputs.getArrayRef(), outputs.getArrayRef());
    SmallVector<Value> arguments;
    for (Value input : inputs)
      arguments.push_back(onDevice(input, partition.device));
    auto call = func::CallOp::create(builder, model.getLoc(), func, arguments);
    for (auto [original, result] : llvm::zip(outputs, call.getResults()))
      home[original] = {result, partition.device};
  }
  for (OpOperand &operand : terminator->getOpOperands())
    operand.set(onDevice(operand.get(), 0));

  // The original ops are now dead; constants no partition kept die too.
  SmallVector<Operation *> dead;
  for (Operation &op : block.without_terminator())
    if (!isa<func::CallOp, TransferOp>(op))
      dead.push_back(&op);
  for (Operation *op : llvm::reverse(dead)) {
    op->dropAllUses();
    op->erase();
  }
  model->setAttr(kScheduleAttrName, builder.getUnitAttr());
  sizes->finish(model);
}
