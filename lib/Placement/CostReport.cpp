//===- CostReport.cpp - Per-op cost estimates on each device --------------===//

#include "edge/Placement/CostReport.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/Placer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::edge;

/// The ONNX nodes an op came from: the names in its location, joined by
/// '+' when rewrites merged nodes (a convolution with its batch norm).
static std::string getNodeName(Location loc) {
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

namespace {
/// The placement problem of a model: one node per costed op, plus two
/// pinned pseudo-nodes on the first device for the graph's inputs and
/// outputs, which live in the caller's (host) memory.
struct ModelProblem {
  PlacementProblem problem;
  SmallVector<Operation *> ops;
  /// Each op's estimates (CostOpInterface), read once.
  SmallVector<int64_t> flops, bytes;
  int inputNode = 0, outputNode = 0;
};
} // namespace

static FailureOr<ModelProblem> buildProblem(func::FuncOp model,
                                            const DeviceSet &devices,
                                            ArrayRef<DevicePin> pins) {
  ModelProblem m;
  PlacementProblem &p = m.problem;
  int numDevices = devices.devices.size();
  p.numDevices = numDevices;
  llvm::DenseMap<Operation *, int> nodeOf;
  model.walk([&](CostOpInterface op) {
    nodeOf[op] = m.ops.size();
    m.ops.push_back(op);
  });
  m.inputNode = m.ops.size();
  m.outputNode = m.inputNode + 1;
  int numNodes = m.outputNode + 1;
  p.nodeSeconds.assign(numNodes, std::vector<double>(numDevices, 0));
  p.nodeBytes.assign(numNodes, 0);
  p.pins.assign(numNodes, -1);
  p.pins[m.inputNode] = p.pins[m.outputNode] = 0;
  for (auto [node, op] : llvm::enumerate(m.ops)) {
    auto costed = cast<CostOpInterface>(op);
    m.flops.push_back(costed.estimateFlops());
    m.bytes.push_back(costed.estimateBytes());
    for (auto [d, device] : llvm::enumerate(devices.devices))
      p.nodeSeconds[node][d] =
          estimateKernelSeconds(device, m.flops.back(), m.bytes.back());
    // What the op keeps on its device: its results and constant operands.
    for (Type type : op->getResultTypes())
      p.nodeBytes[node] += getTensorBytes(type);
    for (Value operand : op->getOperands())
      if (matchPattern(operand, m_Constant()))
        p.nodeBytes[node] += getTensorBytes(operand.getType());
    for (Value operand : op->getOperands()) {
      int64_t bytes = getTensorBytes(operand.getType());
      if (isa<BlockArgument>(operand))
        p.edges.push_back({m.inputNode, static_cast<int>(node), bytes});
      else if (Operation *def = operand.getDefiningOp(); nodeOf.count(def))
        p.edges.push_back({nodeOf[def], static_cast<int>(node), bytes});
    }
  }
  for (Value result : model.front().getTerminator()->getOperands())
    if (Operation *def = result.getDefiningOp(); def && nodeOf.count(def))
      p.edges.push_back({nodeOf[def], m.outputNode, getTensorBytes(result.getType())});
  p.capacityBytes.clear();
  for (const Device &device : devices.devices)
    p.capacityBytes.push_back(device.memoryBytes);
  // Devices without a described link exchange data through the first one.
  p.secondsPerByte.assign(numDevices, std::vector<double>(numDevices, 0));
  p.latencySeconds.assign(numDevices, std::vector<double>(numDevices, 0));
  for (int a = 0; a < numDevices; ++a)
    for (int b = 0; b < numDevices; ++b) {
      if (a == b)
        continue;
      const Link *link = devices.findLink(devices.devices[a].name,
                                          devices.devices[b].name);
      if (!link)
        return mlir::emitError(model.getLoc(), "no link between devices '")
               << devices.devices[a].name << "' and '"
               << devices.devices[b].name << "'";
      p.secondsPerByte[a][b] = 1 / (link->bandwidthGBps * 1e9);
      p.latencySeconds[a][b] = link->latencyUs * 1e-6;
    }
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
        p.pins[node] = device;
        matched = true;
      }
    }
    if (!matched)
      return mlir::emitError(model.getLoc(), "--pin ")
             << pin.node << "=" << pin.device << ": no node named '"
             << pin.node << "'";
  }
  return m;
}

/// Colors of the devices in the picture, in device order.
static const char *const kDeviceColors[] = {"#8ecae6", "#ffb703", "#90be6d",
                                            "#f28482", "#cdb4db", "#bde0fe"};

/// Escapes a string for a double-quoted DOT label.
static std::string escapeDot(StringRef text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

/// The graph coloured by device; edges crossing devices are red and carry
/// their size.
static void writeDot(const ModelProblem &m, const Placement &placement,
                     const DeviceSet &devices, llvm::raw_ostream &os) {
  const PlacementProblem &p = m.problem;
  os << "digraph placement {\n  rankdir=TB;\n"
     << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
        "fontsize=10];\n";
  os << "  subgraph cluster_legend {\n    label=\"devices\";\n";
  for (auto [index, device] : llvm::enumerate(devices.devices))
    os << "    legend" << index << " [label=\"" << escapeDot(device.name)
       << " (" << getDeviceKindName(device.kind) << ")\", fillcolor=\""
       << kDeviceColors[index % std::size(kDeviceColors)] << "\"];\n";
  os << "  }\n";
  for (auto [node, op] : llvm::enumerate(m.ops)) {
    int device = placement.device[node];
    os << "  n" << node << " [label=\"" << escapeDot(getNodeName(op->getLoc()))
       << "\\n" << escapeDot(op->getName().getStringRef()) << "\\n"
       << llvm::format("%.3g", p.nodeSeconds[node][device] * 1e6) << " us on "
       << escapeDot(devices.devices[device].name) << "\", fillcolor=\""
       << kDeviceColors[device % std::size(kDeviceColors)] << "\"];\n";
  }
  os << "  n" << m.inputNode << " [label=\"inputs\", shape=ellipse];\n"
     << "  n" << m.outputNode << " [label=\"outputs\", shape=ellipse];\n";
  for (const PlacementProblem::Edge &edge : p.edges) {
    os << "  n" << edge.from << " -> n" << edge.to;
    if (placement.device[edge.from] != placement.device[edge.to])
      os << " [color=red, penwidth=2, label=\"" << edge.bytes
         << " B\", fontcolor=red, fontsize=9]";
    os << ";\n";
  }
  os << "}\n";
}

LogicalResult mlir::edge::writeCostReport(ModuleOp module,
                                          const DeviceSet &devices,
                                          ArrayRef<DevicePin> pins,
                                          llvm::raw_ostream &os,
                                          llvm::raw_ostream *dot) {
  func::FuncOp model;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isDeclaration())
      model = func;
  if (!model)
    return module.emitError("no model function to report on");

  llvm::json::Array deviceList;
  for (const Device &device : devices.devices)
    deviceList.push_back(llvm::json::Object{
        {"name", device.name},
        {"kind", getDeviceKindName(device.kind)},
        {"chip", device.chip},
        {"peak_gflops", device.peakGflops},
        {"memory_bandwidth_gbps", device.memoryBandwidthGBps},
        {"memory_gb", device.memoryBytes / 1e9},
        {"launch_overhead_us", device.launchOverheadUs}});
  llvm::json::Array links;
  for (const Link &link : devices.links)
    links.push_back(llvm::json::Object{{"from", link.from},
                                       {"to", link.to},
                                       {"bandwidth_gbps", link.bandwidthGBps},
                                       {"latency_us", link.latencyUs}});

  FailureOr<ModelProblem> problem = buildProblem(model, devices, pins);
  if (failed(problem))
    return failure();
  llvm::json::Array ops;
  std::vector<double> totals(devices.devices.size(), 0);
  int64_t totalFlops = 0, totalBytes = 0;
  for (auto [node, op] : llvm::enumerate(problem->ops)) {
    totalFlops += problem->flops[node];
    totalBytes += problem->bytes[node];
    llvm::json::Object seconds;
    for (auto [index, device] : llvm::enumerate(devices.devices)) {
      double time = problem->problem.nodeSeconds[node][index];
      totals[index] += time;
      seconds[device.name] = time;
    }
    ops.push_back(llvm::json::Object{{"node", getNodeName(op->getLoc())},
                                     {"op", op->getName().getStringRef()},
                                     {"flops", problem->flops[node]},
                                     {"bytes", problem->bytes[node]},
                                     {"seconds", std::move(seconds)}});
  }
  llvm::json::Object totalSeconds;
  for (auto [index, device] : llvm::enumerate(devices.devices))
    totalSeconds[device.name] = totals[index];

  Placement placement = place(problem->problem);
  if (!placement.feasible())
    return mlir::emitError(model.getLoc(),
                           "no placement fits the devices' memory");
  llvm::json::Array placedNodes;
  std::vector<double> memory(devices.devices.size(), 0);
  for (auto [node, op] : llvm::enumerate(problem->ops)) {
    int device = placement.device[node];
    memory[device] += double(problem->problem.nodeBytes[node]);
    placedNodes.push_back(llvm::json::Object{
        {"node", getNodeName(op->getLoc())},
        {"op", op->getName().getStringRef()},
        {"device", devices.devices[device].name}});
  }
  llvm::json::Object memoryPerDevice;
  for (auto [index, device] : llvm::enumerate(devices.devices))
    memoryPerDevice[device.name] = memory[index];
  int transfers = 0;
  for (const PlacementProblem::Edge &edge : problem->problem.edges)
    transfers += placement.device[edge.from] != placement.device[edge.to];
  if (dot)
    writeDot(*problem, placement, devices, *dot);

  llvm::json::Object report{
      {"devices", std::move(deviceList)},
      {"links", std::move(links)},
      {"ops", std::move(ops)},
      {"totals",
       llvm::json::Object{{"flops", totalFlops},
                          {"bytes", totalBytes},
                          {"seconds_if_all_on", std::move(totalSeconds)}}},
      {"placement",
       llvm::json::Object{{"seconds", placement.seconds},
                          {"transfers", transfers},
                          {"memory_bytes", std::move(memoryPerDevice)},
                          {"nodes", std::move(placedNodes)}}}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  return success();
}
