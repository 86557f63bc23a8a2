//===- ModelPlacement.cpp - Place a model's ops on devices ----------------===//

#include "edge/Placement/ModelPlacement.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/PartitionOrder.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

#define DEBUG_TYPE "edge-placement"

using namespace mlir;
using namespace mlir::edge;

LogicalResult mlir::edge::parseDevicePin(StringRef text, DevicePin &pin,
                                         std::string &error) {
  auto [node, device] = text.rsplit('=');
  if (node.empty() || device.empty() || !text.contains('=')) {
    error = "expected NODE=DEVICE in --pin, got '" + text.str() + "'";
    return failure();
  }
  pin = {node.str(), device.str()};
  return success();
}

LogicalResult mlir::edge::parsePlacementObjective(StringRef text,
                                                  PlacementObjective &objective,
                                                  std::string &error) {
  if (text == "latency")
    objective = PlacementObjective::Latency;
  else if (text == "throughput")
    objective = PlacementObjective::Throughput;
  else {
    error = "--objective: '" + text.str() +
            "' is not an objective; the objectives are latency (one run) and "
            "throughput (a stream of runs)";
    return failure();
  }
  return success();
}

std::string mlir::edge::getNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string joined;
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations()) {
      std::string name = getNodeName(part);
      if (!name.empty())
        joined += (joined.empty() ? "" : "+") + name;
    }
  return joined;
}

llvm::SetVector<Value> mlir::edge::getValuesReadBy(Operation *op) {
  llvm::SetVector<Value> used(op->operand_begin(), op->operand_end());
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, used);
  return used;
}

func::FuncOp mlir::edge::findModelFunction(ModuleOp module) {
  func::FuncOp model;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isDeclaration()) {
      if (model)
        return {};
      model = func;
    }
  return model;
}

/// The first op of `node` (itself or, for a fusion group, an op of its
/// body) that `device` cannot run.
static Operation *findUnsupportedOp(Operation *node, const Device &device) {
  if (device.unsupportedOps.empty() && device.kind == DeviceKind::CPU)
    return nullptr;
  Operation *found = nullptr;
  node->walk([&](Operation *op) {
    bool hostOnly = device.kind != DeviceKind::CPU &&
                    op->hasTrait<HostOnlyTrait>();
    if (!found && (hostOnly || !device.supports(op->getName().getStringRef())))
      found = op;
  });
  return found;
}

/// Fails, naming the node and op, when a node can run on no device or is
/// pinned to a device that cannot run it.
static LogicalResult checkSupport(const DeviceSet &devices,
                                  const ModelPlacement &m) {
  for (auto [node, op] : llvm::enumerate(m.ops)) {
    int pin = m.problem.pins[node];
    if (pin >= 0) {
      if (Operation *bad = findUnsupportedOp(op, devices.devices[pin]))
        return bad->emitOpError("is pinned to '")
               << devices.devices[pin].name
               << "', whose description lists it in unsupported_ops";
      continue;
    }
    if (llvm::all_of(m.problem.nodeSeconds[node], [](double seconds) {
          return seconds == PlacementProblem::kUnsupported;
        }))
      return findUnsupportedOp(op, devices.devices.front())
          ->emitOpError("can run on none of the described devices (each "
                        "lists it in unsupported_ops)");
  }
  return success();
}

/// Fills the problem's nodes, memory and edges from the model's ops.
static void addNodesAndEdges(func::FuncOp model, const DeviceSet &devices,
                             ModelPlacement &m) {
  PlacementProblem &p = m.problem;
  int numDevices = devices.devices.size();
  llvm::DenseMap<Operation *, int> nodeOf;
  for (Operation &op : model.getBody().front())
    if (isa<CostOpInterface>(op)) {
      nodeOf[&op] = m.ops.size();
      m.ops.push_back(&op);
    }
  m.inputNode = m.ops.size();
  m.outputNode = m.inputNode + 1;
  int numNodes = m.outputNode + 1;
  p.numDevices = numDevices;
  p.nodeSeconds.assign(numNodes, std::vector<double>(numDevices, 0));
  p.nodeBytes.assign(numNodes, 0);
  p.pins.assign(numNodes, -1);
  p.pins[m.inputNode] = p.pins[m.outputNode] = 0;
  // The last edge that carries each value, which the next reader's edge
  // points back to.
  llvm::DenseMap<Value, int> lastEdgeOf;
  auto addEdge = [&](int from, int to, Value value) {
    int previous = lastEdgeOf.lookup_or(value, -1);
    lastEdgeOf[value] = p.edges.size();
    p.edges.push_back({from, to, getTensorBytes(value.getType()), previous});
  };
  for (auto [node, op] : llvm::enumerate(m.ops)) {
    auto costed = cast<CostOpInterface>(op);
    m.flops.push_back(costed.estimateFlops());
    m.bytes.push_back(costed.estimateBytes());
    for (auto [d, device] : llvm::enumerate(devices.devices))
      p.nodeSeconds[node][d] =
          findUnsupportedOp(op, device)
              ? PlacementProblem::kUnsupported
              : estimateKernelSeconds(device, m.flops.back(), m.bytes.back());
    llvm::SetVector<Value> used = getValuesReadBy(op);
    // What the op keeps on its device: its results and constant operands.
    for (Type type : op->getResultTypes())
      p.nodeBytes[node] += getTensorBytes(type);
    for (Value value : used) {
      int64_t bytes = getTensorBytes(value.getType());
      if (matchPattern(value, m_Constant()))
        p.nodeBytes[node] += bytes;
      else if (isa<BlockArgument>(value))
        addEdge(m.inputNode, node, value);
      else if (Operation *def = value.getDefiningOp(); nodeOf.count(def))
        addEdge(nodeOf[def], node, value);
    }
  }
  for (Value result : model.getBody().front().getTerminator()->getOperands())
    if (Operation *def = result.getDefiningOp(); def && nodeOf.count(def))
      addEdge(nodeOf[def], m.outputNode, result);
}

/// Link costs between every pair of devices.
static LogicalResult addLinks(func::FuncOp model, const DeviceSet &devices,
                              PlacementProblem &p) {
  int numDevices = devices.devices.size();
  p.capacityBytes.clear();
  for (const Device &device : devices.devices)
    p.capacityBytes.push_back(device.memoryBytes);
  p.secondsPerByte.assign(numDevices, std::vector<double>(numDevices, 0));
  p.latencySeconds.assign(numDevices, std::vector<double>(numDevices, 0));
  p.channel.assign(numDevices, std::vector<int>(numDevices, 0));
  p.messageSeconds.assign(numDevices, std::vector<double>(numDevices, 0));
  for (int a = 0; a < numDevices; ++a)
    for (int b = 0; b < numDevices; ++b) {
      if (a == b)
        continue;
      const Device &from = devices.devices[a], &to = devices.devices[b];
      p.channel[a][b] = std::min(a, b) * numDevices + std::max(a, b);
      if (from.machine != to.machine) {
        // Between machines: the network link, whose one channel every
        // pair of devices of the two machines shares.
        const NetworkLink *link =
            devices.findNetworkLink(from.machine, to.machine);
        if (!link)
          return mlir::emitError(model.getLoc(), "no network link between "
                                                 "nodes '")
                 << from.machine << "' and '" << to.machine << "' (of devices '"
                 << from.name << "' and '" << to.name
                 << "'); add one to the description's \"network\" or a "
                    "network preset to --devices";
        p.latencySeconds[a][b] = link->getFixedSeconds();
        p.secondsPerByte[a][b] = link->getSecondsPerByte();
        p.messageSeconds[a][b] = link->messageOverheadUs * 1e-6;
        p.channel[a][b] =
            numDevices * numDevices + int(link - devices.network.begin());
        continue;
      }
      const Link *link = devices.findLink(from.name, to.name);
      if (!link)
        return mlir::emitError(model.getLoc(), "no link between devices '")
               << from.name << "' and '" << to.name << "'";
      p.secondsPerByte[a][b] = 1 / (link->bandwidthGBps * 1e9);
      p.latencySeconds[a][b] = link->latencyUs * 1e-6;
    }
  return success();
}

/// Pins from `edge.pin = "DEVICE"` attributes: on a node, or on any op of
/// a fusion group (which then runs there as a whole).
static LogicalResult addAttributePins(const DeviceSet &devices,
                                      ModelPlacement &m) {
  for (auto [index, op] : llvm::enumerate(m.ops)) {
    size_t node = index;
    WalkResult result = op->walk([&](Operation *inner) {
      auto pin = inner->getAttrOfType<StringAttr>(kPinAttrName);
      if (!pin)
        return WalkResult::advance();
      int device = -1;
      for (auto [d, candidate] : llvm::enumerate(devices.devices))
        if (candidate.name == pin.getValue())
          device = d;
      if (device < 0) {
        inner->emitOpError("is pinned to '")
            << pin.getValue() << "', which is not a described device";
        return WalkResult::interrupt();
      }
      int &current = m.problem.pins[node];
      if (current >= 0 && current != device) {
        inner->emitOpError("is pinned to '")
            << pin.getValue() << "' but its fusion group to '"
            << devices.devices[current].name << "'";
        return WalkResult::interrupt();
      }
      current = device;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
  }
  return success();
}

static LogicalResult addPins(func::FuncOp model, const DeviceSet &devices,
                             ArrayRef<DevicePin> pins, ModelPlacement &m) {
  for (const DevicePin &pin : pins) {
    int device = -1;
    for (auto [d, candidate] : llvm::enumerate(devices.devices))
      if (candidate.name == pin.device)
        device = d;
    if (device < 0)
      return mlir::emitError(model.getLoc(), "--pin ")
             << pin.node << "=" << pin.device << ": no device named '"
             << pin.device << "'";
    bool matched = false;
    for (auto [node, op] : llvm::enumerate(m.ops)) {
      std::string names = "+" + getNodeName(op->getLoc()) + "+";
      if (names.find("+" + pin.node + "+") != std::string::npos) {
        m.problem.pins[node] = device;
        matched = true;
      }
    }
    if (!matched)
      return mlir::emitError(model.getLoc(), "--pin ")
             << pin.node << "=" << pin.device << ": no node named '"
             << pin.node << "'";
  }
  return success();
}

/// Whether measured times of `a` hold for `b`: the same kind of chip with
/// the same figures.
static bool isAlike(const Device &a, const Device &b) {
  return a.kind == b.kind && a.chip == b.chip && a.peakGflops == b.peakGflops &&
         a.memoryBandwidthGBps == b.memoryBandwidthGBps;
}

/// Scales the times of each partition's nodes by its measured / estimated
/// time in `profile`, whose library was placed as `m.placement`.
static LogicalResult applyFeedback(func::FuncOp model, const DeviceSet &devices,
                                   const ProfileFeedback &profile,
                                   ModelPlacement &m) {
  PlacementProblem &p = m.problem;
  llvm::DenseMap<Operation *, int> nodeOf;
  for (auto [node, op] : llvm::enumerate(m.ops))
    nodeOf[op] = node;
  // The ops as edge-partition sees them: the placed ones, and constants
  // the graph returns, on the first device.
  llvm::MapVector<Operation *, int> placed;
  for (Operation &op : model.getBody().front().without_terminator()) {
    if (auto it = nodeOf.find(&op); it != nodeOf.end())
      placed[&op] = m.placement.device[it->second];
    else if (isReturnedConstant(op))
      placed[&op] = 0;
  }
  SmallVector<PartitionOps> partitions = formPartitions(placed);
  auto mismatch = [&](const llvm::Twine &why) {
    return mlir::emitError(model.getLoc())
           << "--profile-feedback " << profile.path << ": " << why
           << ": it profiles a library placed otherwise; profile the library "
              "compiled with the same --devices, --pin, --objective and the "
              "--profile-feedback files before this one";
  };
  if (partitions.size() != profile.partitions.size())
    return mismatch(llvm::Twine(profile.partitions.size()) +
                    " partitions there, " + llvm::Twine(partitions.size()) +
                    " here");
  std::vector<double> scale(partitions.size(), 1);
  for (auto [index, partition] : llvm::enumerate(partitions)) {
    const MeasuredPartition &measured = profile.partitions[index];
    const Device &device = devices.devices[partition.device];
    if (measured.device != device.name)
      return mismatch("partition " + llvm::Twine(index) + " ran on '" +
                      measured.device + "' there, '" + device.name + "' here");
    double estimate = 0;
    for (Operation *op : partition.ops)
      if (auto it = nodeOf.find(op); it != nodeOf.end())
        estimate += p.nodeSeconds[it->second][partition.device];
    if (std::abs(estimate - measured.estimatedSeconds) > 0.01 * estimate + 1e-8)
      return mismatch(llvm::formatv("partition {0} was estimated {1:F3} ms "
                                    "there, {2:F3} ms here",
                                    index, measured.estimatedSeconds * 1e3,
                                    estimate * 1e3)
                          .str());
    if (estimate > 0 && measured.measuredSeconds > 0)
      scale[index] = measured.measuredSeconds / estimate;
    LLVM_DEBUG(llvm::dbgs()
               << "profile " << profile.path << ": partition " << index
               << " on " << device.name << " measured "
               << measured.measuredSeconds * 1e3 << " ms, estimated "
               << estimate * 1e3 << " ms: its nodes' times x" << scale[index]
               << "\n");
  }
  for (auto [index, partition] : llvm::enumerate(partitions)) {
    const Device &measuredOn = devices.devices[partition.device];
    for (Operation *op : partition.ops) {
      auto it = nodeOf.find(op);
      if (it == nodeOf.end())
        continue;
      for (auto [d, device] : llvm::enumerate(devices.devices))
        if (isAlike(device, measuredOn) &&
            p.nodeSeconds[it->second][d] < PlacementProblem::kUnsupported)
          p.nodeSeconds[it->second][d] *= scale[index];
    }
  }
  return success();
}

FailureOr<ModelPlacement>
mlir::edge::placeModel(func::FuncOp model, const DeviceSet &devices,
                       ArrayRef<DevicePin> pins, PlacementObjective objective,
                       ArrayRef<ProfileFeedback> feedback) {
  ModelPlacement m;
  m.problem.objective = objective;
  addNodesAndEdges(model, devices, m);
  if (failed(addLinks(model, devices, m.problem)) ||
      failed(addAttributePins(devices, m)) ||
      failed(addPins(model, devices, pins, m)) ||
      failed(checkSupport(devices, m)))
    return failure();
  m.placement = place(m.problem);
  for (const ProfileFeedback &profile : feedback) {
    if (!m.placement.feasible())
      break;
    if (failed(applyFeedback(model, devices, profile, m)))
      return failure();
    m.placement = place(m.problem);
  }
  if (!m.placement.feasible())
    return mlir::emitError(model.getLoc(),
                           "no placement fits the devices' memory and pins");
  return m;
}
