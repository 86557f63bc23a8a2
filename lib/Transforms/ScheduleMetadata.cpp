//===- ScheduleMetadata.cpp - The host schedule as runtime metadata -------===//
//
// The runtime runs a partitioned model from these lines (docs/runtime.md):
//
//   device <name> <kind> [<target>]      one per device, in order; the
//                                        target of a GPU with GPU code
//   buffer <device> <num_bytes> [<element_bytes> <offset> <rank>]
//                                        intermediate buffer b<N>; with
//                                        dynamic sizes, its largest size
//                                        and where its run's sizes are
//   run <partition> <device> <num_in> <num_out> <ref>...
//   copy <source-ref> <target-ref>
//   estimate <partition> <nanoseconds>   the cost model's time
//   copy-estimate <step> <nanoseconds>   the placer's time of a copy step
//                                        (numbered from 0 among all steps)
//
// A ref is `i<N>` (graph input), `o<N>` (graph output) or `b<N>`. A value
// the graph returns is written straight into its output buffer; a value
// returned twice, or a returned input, is copied at the end. A copy moves
// the bytes its source holds in the run (PartitionSizes.h).
//
//===----------------------------------------------------------------------===//

#include "ScheduleMetadata.h"

#include "DeviceList.h"
#include "DynamicShapes.h"
#include "PartitionSizes.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;

namespace {
class ScheduleWriter {
public:
  ScheduleWriter(ModuleOp module, func::FuncOp schedule)
      : module(module), schedule(schedule), symbols(getDimSymbols(schedule)) {}

  LogicalResult write(llvm::raw_ostream &os);

private:
  /// The ref of a new buffer on `device` holding `value`, or the output
  /// buffer the graph returns it in.
  std::string define(Value value, int device);
  /// The shape of `value` with its dynamic sizes at their bounds, and where
  /// a partition writes its run's sizes (-1: nowhere).
  std::pair<SmallVector<int64_t>, int64_t> getExtent(Value value);

  ModuleOp module;
  func::FuncOp schedule;
  DimSymbols symbols;
  SmallVector<PlacedDevice> devices;
  llvm::DenseMap<Value, std::string> refs;
  /// Values written directly into an output buffer.
  llvm::DenseMap<Value, std::string> outputRefs;
  std::string buffers;
  unsigned numBuffers = 0;
};
} // namespace

/// The line `WORD INDEX NANOSECONDS`, or "" for a time that is negative,
/// not a number or beyond a billion seconds.
static std::string formatEstimateLine(StringRef word, unsigned index,
                                      double seconds) {
  if (!(seconds >= 0) || seconds > 1e9)
    return "";
  return word.str() + " " + std::to_string(index) + " " +
         std::to_string(static_cast<uint64_t>(std::llround(seconds * 1e9))) +
         "\n";
}

std::string mlir::edge::formatEstimate(unsigned partition, Operation *op) {
  auto seconds = op->getAttrOfType<FloatAttr>(kEstimatedSecondsAttrName);
  return seconds ? formatEstimateLine("estimate", partition,
                                      seconds.getValueAsDouble())
                 : "";
}

std::pair<SmallVector<int64_t>, int64_t>
ScheduleWriter::getExtent(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.hasStaticShape())
    return {llvm::to_vector(type.getShape()), -1};
  if (auto transfer = value.getDefiningOp<TransferOp>())
    return getExtent(transfer.getInput());
  if (auto arg = dyn_cast<BlockArgument>(value))
    return {llvm::to_vector(
                symbols.getBoundType(schedule, arg.getArgNumber()).getShape()),
            -1};
  auto call = value.getDefiningOp<func::CallOp>();
  auto callee =
      call ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
  unsigned index = cast<OpResult>(value).getResultNumber();
  auto bound = callee ? callee.getResultAttrOfType<DenseI64ArrayAttr>(
                            index, kBoundShapeAttrName)
                      : nullptr;
  auto offsets = callee ? callee.getResultAttrOfType<DenseI64ArrayAttr>(
                              index, kSizeOffsetsAttrName)
                        : nullptr;
  return {bound ? llvm::to_vector(bound.asArrayRef())
                : llvm::to_vector(type.getShape()),
          offsets && !offsets.empty() ? offsets[0] : -1};
}

std::string ScheduleWriter::define(Value value, int device) {
  auto it = outputRefs.find(value);
  std::string ref = it != outputRefs.end()
                        ? it->second
                        : "b" + std::to_string(numBuffers++);
  if (ref[0] == 'b') {
    auto type = cast<RankedTensorType>(value.getType());
    auto [shape, offset] = getExtent(value);
    buffers += "buffer " + std::to_string(device) + " " +
               std::to_string(getTensorBytes(type.clone(shape)));
    if (!type.hasStaticShape() && offset >= 0)
      buffers += " " + std::to_string((type.getElementTypeBitWidth() + 7) / 8) +
                 " " + std::to_string(offset) + " " +
                 std::to_string(type.getRank());
    buffers += "\n";
  }
  refs[value] = ref;
  return ref;
}

LogicalResult ScheduleWriter::write(llvm::raw_ostream &os) {
  FailureOr<SmallVector<PlacedDevice>> described = readDeviceList(module);
  if (failed(described))
    return failure();
  devices = std::move(*described);
  std::string deviceLines;
  for (const PlacedDevice &device : devices) {
    deviceLines += "device " + device.name.str() + " " + device.kind.str();
    if (!device.target.empty())
      deviceLines += " " + device.target.str();
    if (!device.node.empty())
      deviceLines += " @" + device.node.str();
    deviceLines += "\n";
  }

  Block &body = schedule.getBody().front();
  for (BlockArgument argument : body.getArguments())
    refs[argument] = "i" + std::to_string(argument.getArgNumber());
  // Outputs: the first return of a computed value is written in place, the
  // rest are copies after the last step.
  SmallVector<std::pair<Value, unsigned>> lateCopies;
  for (OpOperand &operand : body.getTerminator()->getOpOperands()) {
    Value value = operand.get();
    std::string ref = "o" + std::to_string(operand.getOperandNumber());
    if (isa<BlockArgument>(value) || outputRefs.count(value))
      lateCopies.push_back({value, operand.getOperandNumber()});
    else
      outputRefs[value] = ref;
  }

  std::string steps, estimates;
  unsigned numPartitions = 0, numSteps = 0;
  Builder builder(module.getContext());
  for (Operation &op : body.without_terminator()) {
    if (auto transfer = dyn_cast<TransferOp>(op)) {
      FailureOr<int> target =
          findDevice(devices, transfer.getTarget(), transfer);
      FailureOr<int> from = findDevice(devices, transfer.getSource(), transfer);
      if (failed(target) || failed(from))
        return failure();
      std::string source = refs.lookup(transfer.getInput());
      steps += "copy " + source + " " + define(transfer.getResult(), *target) +
               "\n";
      auto type = cast<RankedTensorType>(transfer.getType());
      double seconds = devices[*from].estimateTransferSeconds(
          *target,
          getTensorBytes(type.clone(getExtent(transfer.getResult()).first)));
      estimates += formatEstimateLine("copy-estimate", numSteps++, seconds);
      continue;
    }
    auto call = dyn_cast<func::CallOp>(op);
    auto callee = call ? module.lookupSymbol<func::FuncOp>(call.getCallee())
                       : func::FuncOp();
    auto deviceName =
        callee ? callee->getAttrOfType<StringAttr>(kDeviceAttrName) : nullptr;
    if (!deviceName)
      return op.emitOpError("cannot be scheduled: a partitioned model holds "
                            "only calls of partitions and edge.transfer");
    FailureOr<int> device = findDevice(devices, deviceName.getValue(), call);
    if (failed(device))
      return failure();
    unsigned index = numPartitions++;
    std::string line = "run " + std::to_string(index) + " " +
                       std::to_string(*device) + " " +
                       std::to_string(call.getNumOperands()) + " " +
                       std::to_string(call.getNumResults());
    for (Value operand : call.getOperands())
      line += " " + refs.lookup(operand);
    for (Value result : call.getResults())
      line += " " + define(result, *device);
    steps += line + "\n";
    ++numSteps;

    if (callee->hasAttr(kEntryAttrName))
      return call.emitOpError("calls partition @")
             << callee.getName() << " twice";
    callee->setAttr(kEntryAttrName, builder.getI32IntegerAttr(index));
    estimates += formatEstimate(index, callee);
    callee.setPublic();
    for (unsigned i = 0, e = callee.getNumArguments(); i < e; ++i) {
      callee.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                        builder.getBoolAttr(false));
      callee.setArgAttr(i, kInputAttrName, builder.getUnitAttr());
    }
  }
  for (auto [value, output] : lateCopies)
    steps += "copy " + refs.lookup(value) + " o" + std::to_string(output) + "\n";
  os << deviceLines << buffers << steps << estimates;
  return success();
}

LogicalResult mlir::edge::writeSchedule(ModuleOp module, func::FuncOp schedule,
                                        llvm::raw_ostream &os) {
  return ScheduleWriter(module, schedule).write(os);
}
