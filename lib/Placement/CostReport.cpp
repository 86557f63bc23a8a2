//===- CostReport.cpp - Per-op cost estimates on each device --------------===//

#include "edge/Placement/CostReport.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Placement/ModelPlacement.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;

/// The op's name, with the rule that formed it for a fusion group
/// (`edge.fusion_group:contraction`).
static std::string getOpLabel(Operation *op) {
  std::string label = op->getName().getStringRef().str();
  if (auto group = dyn_cast<FusionGroupOp>(op))
    label += ":" + group.getKind().str();
  return label;
}

/// A time for the report: null where the device cannot run the node.
static llvm::json::Value secondsOrNull(double seconds) {
  if (seconds == PlacementProblem::kUnsupported)
    return nullptr;
  return seconds;
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
static void writeDot(const ModelPlacement &m, const Placement &placement,
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
       << "\\n" << escapeDot(getOpLabel(op)) << "\\n"
       << llvm::format("%.3g", p.nodeSeconds[node][device] * 1e6) << " us on "
       << escapeDot(devices.devices[device].name) << "\", fillcolor=\""
       << kDeviceColors[device % std::size(kDeviceColors)] << "\"];\n";
  }
  os << "  n" << m.inputNode << " [label=\"inputs\", shape=ellipse];\n"
     << "  n" << m.outputNode << " [label=\"outputs\", shape=ellipse];\n";
  // Several machines: each is a cluster of the nodes its devices run.
  for (auto [index, machine] : llvm::enumerate(devices.getMachines())) {
    os << "  subgraph cluster_node" << index << " {\n    label=\"node "
       << escapeDot(machine) << "\";\n    style=dashed;\n";
    for (int node = 0; node < p.numNodes(); ++node)
      if (devices.devices[placement.device[node]].machine == machine)
        os << "    n" << node << ";\n";
    os << "  }\n";
  }
  for (const PlacementProblem::Edge &edge : p.edges) {
    os << "  n" << edge.from << " -> n" << edge.to;
    const Device &from = devices.devices[placement.device[edge.from]];
    const Device &to = devices.devices[placement.device[edge.to]];
    if (from.machine != to.machine) {
      const NetworkLink *link =
          devices.findNetworkLink(from.machine, to.machine);
      os << " [color=blue, penwidth=3, label=\"" << edge.bytes << " B over "
         << escapeDot(link && !link->preset.empty() ? link->preset
                                                    : "the network")
         << ", "
         << llvm::format("%.3g",
                         link ? estimateTransferSeconds(*link, edge.bytes) * 1e3
                              : 0.0)
         << " ms\", fontcolor=blue, fontsize=9]";
    } else if (&from != &to) {
      os << " [color=red, penwidth=2, label=\"" << edge.bytes
         << " B\", fontcolor=red, fontsize=9]";
    }
    os << ";\n";
  }
  os << "}\n";
}

/// Runs per second for a pipelined interval, null when there is none.
static llvm::json::Value getRate(double interval) {
  if (!(interval > 0) || std::isinf(interval))
    return nullptr;
  return 1 / interval;
}

/// The best plan that keeps every free node on one machine's devices (the
/// graph's inputs and outputs stay where they are pinned), under the
/// problem's objective: {node, latency_seconds, runs_per_second}, or null
/// with fewer than two machines.
static llvm::json::Value getBestSingleMachine(const PlacementProblem &p,
                                              const DeviceSet &devices) {
  llvm::SmallVector<StringRef> machines = devices.getMachines();
  if (machines.size() < 2)
    return nullptr;
  StringRef best;
  PlacementTimes bestTimes;
  double bestCost = PlacementProblem::kUnsupported;
  for (StringRef machine : machines) {
    PlacementProblem restricted = p;
    for (int node = 0; node < p.numNodes(); ++node)
      if (p.pins[node] < 0)
        for (int d = 0; d < p.numDevices; ++d)
          if (devices.devices[d].machine != machine)
            restricted.nodeSeconds[node][d] = PlacementProblem::kUnsupported;
    Placement placement = place(restricted);
    if (!placement.feasible())
      continue;
    PlacementTimes times = measurePlacement(p, placement.device);
    double cost = p.objective == PlacementObjective::Latency ? times.latency
                                                             : times.interval;
    if (cost < bestCost) {
      best = machine;
      bestTimes = times;
      bestCost = cost;
    }
  }
  if (best.empty())
    return nullptr;
  return llvm::json::Object{{"node", best},
                            {"latency_seconds", bestTimes.latency},
                            {"runs_per_second", getRate(bestTimes.interval)}};
}

/// Each network link's figures and the bytes and seconds the placement
/// sends over it per run.
static llvm::json::Array getNetworkTraffic(const PlacementProblem &p,
                                           const Placement &placement,
                                           const DeviceSet &devices) {
  llvm::json::Array network;
  for (const NetworkLink &link : devices.network) {
    int64_t bytes = 0, messages = 0;
    double seconds = 0;
    for (auto [index, edge] : llvm::enumerate(p.edges)) {
      const Device &from = devices.devices[placement.device[edge.from]];
      const Device &to = devices.devices[placement.device[edge.to]];
      if (isFreeEdge(p, placement.device, index) ||
          devices.findNetworkLink(from.machine, to.machine) != &link)
        continue;
      bytes += edge.bytes;
      ++messages;
      seconds += estimateTransferSeconds(link, edge.bytes);
    }
    network.push_back(llvm::json::Object{
        {"between", llvm::json::Array{link.from, link.to}},
        {"preset", link.preset.empty() ? llvm::json::Value(nullptr)
                                       : llvm::json::Value(link.preset)},
        {"bandwidth_mbps", link.bandwidthMbps},
        {"latency_ms", link.latencyUs / 1e3},
        {"loss", link.lossRate},
        {"message_overhead_us", link.messageOverheadUs},
        {"bytes_per_run", bytes},
        {"messages_per_run", messages},
        {"seconds_per_run", seconds}});
  }
  return network;
}

LogicalResult mlir::edge::writeCostReport(
    ModuleOp module, const DeviceSet &devices, ArrayRef<DevicePin> pins,
    llvm::raw_ostream &os, llvm::raw_ostream *dot, PlacementObjective objective,
    ArrayRef<ProfileFeedback> feedback) {
  func::FuncOp model = findModelFunction(module);
  if (!model)
    return module.emitError("no model function to report on");

  llvm::json::Array deviceList;
  for (const Device &device : devices.devices)
    deviceList.push_back(llvm::json::Object{
        {"name", device.name},
        {"node", device.machine.empty() ? llvm::json::Value(nullptr)
                                        : llvm::json::Value(device.machine)},
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

  FailureOr<ModelPlacement> problem =
      placeModel(model, devices, pins, objective, feedback);
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
      seconds[device.name] = secondsOrNull(time);
    }
    ops.push_back(llvm::json::Object{{"node", getNodeName(op->getLoc())},
                                     {"op", getOpLabel(op)},
                                     {"flops", problem->flops[node]},
                                     {"bytes", problem->bytes[node]},
                                     {"seconds", std::move(seconds)}});
  }
  llvm::json::Object totalSeconds;
  for (auto [index, device] : llvm::enumerate(devices.devices))
    totalSeconds[device.name] = secondsOrNull(totals[index]);

  const Placement &placement = problem->placement;
  llvm::json::Array placedNodes;
  std::vector<double> memory(devices.devices.size(), 0);
  for (auto [node, op] : llvm::enumerate(problem->ops)) {
    int device = placement.device[node];
    memory[device] += double(problem->problem.nodeBytes[node]);
    placedNodes.push_back(llvm::json::Object{
        {"node", getNodeName(op->getLoc())},
        {"op", getOpLabel(op)},
        {"device", devices.devices[device].name}});
  }
  llvm::json::Object memoryPerDevice;
  for (auto [index, device] : llvm::enumerate(devices.devices))
    memoryPerDevice[device.name] = memory[index];
  int transfers = 0;
  for (int e = 0, end = problem->problem.edges.size(); e < end; ++e)
    transfers += !isFreeEdge(problem->problem, placement.device, e);
  if (dot)
    writeDot(*problem, placement, devices, *dot);
  // The chosen plan's time per run and rate, beside the best single
  // device's (the same problem with every free node on one device).
  PlacementTimes chosen = measurePlacement(problem->problem, placement.device);
  Placement onOne;
  int singleIndex = placeOnBestSingleDevice(problem->problem, onOne);
  PlacementTimes single =
      singleIndex < 0 ? PlacementTimes()
                      : measurePlacement(problem->problem, onOne.device);
  std::string singleDevice =
      singleIndex < 0 ? "" : devices.devices[singleIndex].name;
  llvm::json::Value singleNode =
      getBestSingleMachine(problem->problem, devices);
  llvm::json::Array network =
      getNetworkTraffic(problem->problem, placement, devices);

  llvm::json::Object report{
      {"devices", std::move(deviceList)},
      {"links", std::move(links)},
      {"network", std::move(network)},
      {"ops", std::move(ops)},
      {"totals",
       llvm::json::Object{{"flops", totalFlops},
                          {"bytes", totalBytes},
                          {"seconds_if_all_on", std::move(totalSeconds)}}},
      {"placement", llvm::json::Object{
                        {"objective", objective == PlacementObjective::Latency
                                          ? "latency"
                                          : "throughput"},
                        {"seconds", placement.seconds},
                        {"latency_seconds", secondsOrNull(chosen.latency)},
                        {"runs_per_second", getRate(chosen.interval)},
                        {"best_single_device",
                         llvm::json::Object{
                             {"device", singleDevice},
                             {"latency_seconds", secondsOrNull(single.latency)},
                             {"runs_per_second", getRate(single.interval)}}},
                        {"best_single_node", std::move(singleNode)},
                        {"transfers", transfers},
                        {"memory_bytes", std::move(memoryPerDevice)},
                        {"nodes", std::move(placedNodes)}}}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  return success();
}
