//===- Placer.cpp - Exact and heuristic device placement ------------------===//

#include "edge/Placement/Placer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <queue>

using namespace mlir::edge;

namespace {

constexpr double kInf = PlacementProblem::kUnsupported;
/// Finite stand-in for an infinite capacity in the flow network.
constexpr double kHuge = 1e30;

double transferSeconds(const PlacementProblem &p, int64_t bytes, int from,
                       int to) {
  if (from == to)
    return 0;
  return p.latencySeconds[from][to] + double(bytes) * p.secondsPerByte[from][to];
}

/// Dinic's maximum flow; after run(), reachable() gives the source side of
/// a minimum cut.
class FlowNetwork {
public:
  explicit FlowNetwork(int n) : adjacency(n), level(n), next(n) {}

  void addEdge(int from, int to, double capacity) {
    adjacency[from].push_back(static_cast<int>(arcs.size()));
    arcs.push_back({to, capacity});
    adjacency[to].push_back(static_cast<int>(arcs.size()));
    arcs.push_back({from, 0});
  }

  void run(int source, int sink) {
    while (buildLevels(source, sink)) {
      std::fill(next.begin(), next.end(), 0);
      while (push(source, sink, kHuge) > 0) {
      }
    }
  }

  /// Nodes reachable from the source in the residual network.
  std::vector<bool> reachable(int source) const {
    std::vector<bool> seen(adjacency.size(), false);
    std::vector<int> stack = {source};
    seen[source] = true;
    while (!stack.empty()) {
      int v = stack.back();
      stack.pop_back();
      for (int a : adjacency[v])
        if (arcs[a].capacity > 1e-12 && !seen[arcs[a].to]) {
          seen[arcs[a].to] = true;
          stack.push_back(arcs[a].to);
        }
    }
    return seen;
  }

private:
  struct Arc {
    int to;
    double capacity;
  };

  bool buildLevels(int source, int sink) {
    std::fill(level.begin(), level.end(), -1);
    std::queue<int> queue;
    level[source] = 0;
    queue.push(source);
    while (!queue.empty()) {
      int v = queue.front();
      queue.pop();
      for (int a : adjacency[v])
        if (arcs[a].capacity > 1e-12 && level[arcs[a].to] < 0) {
          level[arcs[a].to] = level[v] + 1;
          queue.push(arcs[a].to);
        }
    }
    return level[sink] >= 0;
  }

  double push(int v, int sink, double limit) {
    if (v == sink)
      return limit;
    for (int &i = next[v]; i < static_cast<int>(adjacency[v].size()); ++i) {
      Arc &arc = arcs[adjacency[v][i]];
      if (arc.capacity <= 1e-12 || level[arc.to] != level[v] + 1)
        continue;
      double pushed = push(arc.to, sink, std::min(limit, arc.capacity));
      if (pushed > 0) {
        arc.capacity -= pushed;
        arcs[adjacency[v][i] ^ 1].capacity += pushed;
        return pushed;
      }
    }
    return 0;
  }

  std::vector<std::vector<int>> adjacency;
  std::vector<Arc> arcs;
  std::vector<int> level, next;
};

/// Re-splits the nodes in `movable` between devices a and b by a minimum
/// cut, the other nodes staying where `device` has them. Memory is ignored.
std::vector<int> splitByMinCut(const PlacementProblem &p,
                               std::vector<int> device,
                               const std::vector<int> &movable, int a, int b) {
  int n = p.numNodes();
  std::vector<int> index(n, -1);
  for (size_t i = 0; i < movable.size(); ++i)
    index[movable[i]] = static_cast<int>(i);
  int source = static_cast<int>(movable.size()), sink = source + 1;
  FlowNetwork network(sink + 1);
  // costOn[i][0]: node i on a; costOn[i][1]: on b (edges to fixed nodes
  // folded in).
  std::vector<std::array<double, 2>> costOn(movable.size());
  for (size_t i = 0; i < movable.size(); ++i)
    for (int side = 0; side < 2; ++side) {
      double t = p.nodeSeconds[movable[i]][side ? b : a];
      costOn[i][side] = std::isinf(t) ? kHuge : t;
    }
  for (const PlacementProblem::Edge &e : p.edges) {
    int u = index[e.from], v = index[e.to];
    if (u >= 0 && v >= 0) {
      network.addEdge(u, v, transferSeconds(p, e.bytes, a, b));
      network.addEdge(v, u, transferSeconds(p, e.bytes, b, a));
    } else if (u >= 0) {
      for (int side = 0; side < 2; ++side)
        costOn[u][side] +=
            transferSeconds(p, e.bytes, side ? b : a, device[e.to]);
    } else if (v >= 0) {
      for (int side = 0; side < 2; ++side)
        costOn[v][side] +=
            transferSeconds(p, e.bytes, device[e.from], side ? b : a);
    }
  }
  // The source side is device a: cutting source->i puts i on b.
  for (size_t i = 0; i < movable.size(); ++i) {
    network.addEdge(source, static_cast<int>(i), costOn[i][1]);
    network.addEdge(static_cast<int>(i), sink, costOn[i][0]);
  }
  network.run(source, sink);
  std::vector<bool> onSourceSide = network.reachable(source);
  for (size_t i = 0; i < movable.size(); ++i)
    device[movable[i]] = onSourceSide[i] ? a : b;
  return device;
}

/// Moves nodes off devices over capacity, cheapest cost increase per byte
/// first, to a device with room that can run them. Returns whether the
/// result fits.
bool repairMemory(const PlacementProblem &p, std::vector<int> &device) {
  int n = p.numNodes();
  std::vector<double> used(p.numDevices, 0);
  for (int v = 0; v < n; ++v)
    used[device[v]] += double(p.nodeBytes[v]);
  for (int d = 0; d < p.numDevices; ++d) {
    while (used[d] > p.capacityBytes[d]) {
      double bestScore = kInf;
      int bestNode = -1, bestDevice = -1;
      for (int v = 0; v < n; ++v) {
        if (device[v] != d || p.pins[v] >= 0)
          continue;
        for (int other = 0; other < p.numDevices; ++other) {
          if (other == d || std::isinf(p.nodeSeconds[v][other]) ||
              used[other] + double(p.nodeBytes[v]) > p.capacityBytes[other])
            continue;
          double delta = p.nodeSeconds[v][other] - p.nodeSeconds[v][d];
          double score = delta / std::max<double>(1, double(p.nodeBytes[v]));
          if (score < bestScore) {
            bestScore = score;
            bestNode = v;
            bestDevice = other;
          }
        }
      }
      if (bestNode < 0)
        return false;
      device[bestNode] = bestDevice;
      used[d] -= double(p.nodeBytes[bestNode]);
      used[bestDevice] += double(p.nodeBytes[bestNode]);
    }
  }
  return true;
}

} // namespace

bool mlir::edge::isFreeEdge(const PlacementProblem &p,
                            const std::vector<int> &device, int e) {
  const PlacementProblem::Edge &edge = p.edges[e];
  int to = device[edge.to];
  if (device[edge.from] == to)
    return true;
  for (int k = edge.sameValueAs; k >= 0; k = p.edges[k].sameValueAs)
    if (device[p.edges[k].to] == to)
      return true;
  return false;
}

PlacementTimes mlir::edge::measurePlacement(const PlacementProblem &p,
                                            const std::vector<int> &device) {
  std::vector<double> used(p.numDevices, 0), busy(p.numDevices, 0);
  double latency = 0;
  for (int v = 0; v < p.numNodes(); ++v) {
    int d = device[v];
    if (d < 0 || d >= p.numDevices || (p.pins[v] >= 0 && p.pins[v] != d))
      return {};
    latency += p.nodeSeconds[v][d];
    busy[d] += p.nodeSeconds[v][d];
    used[d] += double(p.nodeBytes[v]);
  }
  for (int d = 0; d < p.numDevices; ++d)
    if (used[d] > p.capacityBytes[d])
      return {};
  // A link carries its transfers one after another, in either direction;
  // a network link carries those of every pair of devices it joins.
  std::vector<double> channelBusy(2 * p.numDevices * p.numDevices, 0);
  for (int index = 0, end = p.edges.size(); index < end; ++index) {
    if (isFreeEdge(p, device, index))
      continue;
    const PlacementProblem::Edge &e = p.edges[index];
    int from = device[e.from], to = device[e.to];
    double seconds = transferSeconds(p, e.bytes, from, to);
    latency += seconds;
    if (!p.messageSeconds.empty()) {
      busy[from] += p.messageSeconds[from][to];
      busy[to] += p.messageSeconds[from][to];
    }
    int channel = p.channel.empty()
                      ? std::min(from, to) * p.numDevices + std::max(from, to)
                      : p.channel[from][to];
    channelBusy[channel] += seconds;
  }
  double interval = *std::max_element(busy.begin(), busy.end());
  interval = std::max(
      interval, *std::max_element(channelBusy.begin(), channelBusy.end()));
  return {latency, interval};
}

double mlir::edge::evaluatePlacement(const PlacementProblem &p,
                                     const std::vector<int> &device) {
  PlacementTimes times = measurePlacement(p, device);
  return p.objective == PlacementObjective::Latency ? times.latency
                                                    : times.interval;
}

namespace {
/// Moves single nodes to other devices while that lowers the objective:
/// the throughput objective's refinement of a placement (the cuts above
/// minimize sums, not the busiest device). A move that leaves the interval
/// as it is but shortens a run is taken too: a node of no cost between two
/// stages of another device would otherwise stay where it sends a value
/// back and forth, and a longer run needs more runs in flight to fill the
/// pipeline.
void improveByMoves(const PlacementProblem &p, Placement &best) {
  int n = p.numNodes();
  PlacementTimes bestTimes = measurePlacement(p, best.device);
  auto isBetter = [](const PlacementTimes &a, const PlacementTimes &b) {
    constexpr double kRelative = 1e-12;
    if (a.interval < b.interval * (1 - kRelative))
      return true;
    return a.interval <= b.interval * (1 + kRelative) &&
           a.latency < b.latency * (1 - kRelative);
  };
  // Each round tries every move; a few rounds settle any model's groups.
  for (int round = 0; round < 64; ++round) {
    bool improved = false;
    for (int v = 0; v < n; ++v) {
      if (p.pins[v] >= 0)
        continue;
      int current = best.device[v];
      for (int d = 0; d < p.numDevices; ++d) {
        if (d == current || std::isinf(p.nodeSeconds[v][d]))
          continue;
        best.device[v] = d;
        PlacementTimes times = measurePlacement(p, best.device);
        if (isBetter(times, bestTimes)) {
          bestTimes = times;
          best.seconds = times.interval;
          current = d;
          improved = true;
        } else {
          best.device[v] = current;
        }
      }
    }
    if (!improved)
      return;
  }
}

/// A pipeline of stages for the throughput objective: the nodes, in their
/// (topological) order, cut into contiguous runs of one device each. From
/// the best single device, each round splits one stage in two, at the cut
/// and onto the unused device that give the least busy pipeline, until no
/// device is left; the best pipeline of any round wins (a round may not
/// help by itself: of two equal stages, splitting one leaves the other as
/// busy). A pipeline crosses each cut once per run, where single moves from
/// the latency placement would pass through placements that send values
/// back and forth.
Placement placeInStages(const PlacementProblem &p) {
  int n = p.numNodes();
  struct Stage {
    int begin, end, device;
  };
  auto assign = [&](const std::vector<Stage> &stages) {
    std::vector<int> device(n);
    for (const Stage &stage : stages)
      for (int v = stage.begin; v < stage.end; ++v)
        device[v] = p.pins[v] >= 0 ? p.pins[v] : stage.device;
    return device;
  };
  Placement single;
  int first = placeOnBestSingleDevice(p, single);
  if (first < 0)
    return single;
  std::vector<Stage> stages{{0, n, first}};
  Placement best = single;
  while (static_cast<int>(stages.size()) < p.numDevices) {
    std::vector<bool> used(p.numDevices, false);
    for (const Stage &stage : stages)
      used[stage.device] = true;
    std::vector<Stage> roundStages;
    double roundSeconds = kInf;
    for (size_t s = 0; s < stages.size(); ++s)
      for (int d = 0; d < p.numDevices; ++d) {
        if (used[d])
          continue;
        for (int cut = stages[s].begin + 1; cut < stages[s].end; ++cut)
          for (bool newFirst : {false, true}) {
            std::vector<Stage> candidate = stages;
            Stage head{stages[s].begin, cut, newFirst ? d : stages[s].device};
            Stage tail{cut, stages[s].end, newFirst ? stages[s].device : d};
            candidate[s] = head;
            candidate.insert(candidate.begin() + s + 1, tail);
            std::vector<int> device = assign(candidate);
            double seconds = evaluatePlacement(p, device);
            if (seconds < roundSeconds) {
              roundSeconds = seconds;
              roundStages = candidate;
            }
            if (seconds < best.seconds * (1 - 1e-12))
              best = {device, seconds};
          }
      }
    if (roundStages.empty())
      break;
    stages = roundStages;
  }
  return best;
}
} // namespace

int mlir::edge::placeOnBestSingleDevice(const PlacementProblem &p,
                                        Placement &placement) {
  int best = -1;
  placement = Placement();
  for (int d = 0; d < p.numDevices; ++d) {
    std::vector<int> device(p.numNodes(), d);
    for (int v = 0; v < p.numNodes(); ++v)
      if (p.pins[v] >= 0)
        device[v] = p.pins[v];
    double seconds = evaluatePlacement(p, device);
    if (seconds < placement.seconds) {
      placement = {device, seconds};
      best = d;
    }
  }
  return best;
}

Placement mlir::edge::placeExhaustively(const PlacementProblem &p) {
  int n = p.numNodes();
  std::vector<int> free, device(n, 0);
  for (int v = 0; v < n; ++v) {
    if (p.pins[v] >= 0)
      device[v] = p.pins[v];
    else
      free.push_back(v);
  }
  Placement best{device, evaluatePlacement(p, device)};
  // Odometer over the free nodes' devices.
  while (true) {
    size_t i = 0;
    while (i < free.size() && ++device[free[i]] == p.numDevices)
      device[free[i++]] = 0;
    if (i == free.size())
      break;
    double seconds = evaluatePlacement(p, device);
    if (seconds < best.seconds)
      best = {device, seconds};
  }
  return best;
}

Placement mlir::edge::placeByMinCut(const PlacementProblem &p) {
  std::vector<int> device(p.numNodes(), 0), movable;
  for (int v = 0; v < p.numNodes(); ++v) {
    if (p.pins[v] >= 0)
      device[v] = p.pins[v];
    else
      movable.push_back(v);
  }
  device = splitByMinCut(p, device, movable, 0, 1);
  // The cut ignores memory: report what it costs as placed.
  PlacementProblem unlimited = p;
  unlimited.capacityBytes.assign(p.numDevices, kInf);
  return {device, evaluatePlacement(unlimited, device)};
}

Placement mlir::edge::place(const PlacementProblem &p) {
  int n = p.numNodes();
  int freeNodes = 0;
  for (int v = 0; v < n; ++v)
    freeNodes += p.pins[v] < 0;
  if (std::pow(double(p.numDevices), freeNodes) <= kExhaustiveLimit)
    return placeExhaustively(p);
  if (p.objective == PlacementObjective::Throughput) {
    // From the placement of least latency or the best pipeline of
    // stages, move nodes while the busiest device or link gets less busy.
    PlacementProblem latency = p;
    latency.objective = PlacementObjective::Latency;
    Placement best = place(latency);
    if (!best.feasible())
      return best;
    best.seconds = evaluatePlacement(p, best.device);
    Placement staged = placeInStages(p);
    if (staged.seconds < best.seconds)
      best = staged;
    improveByMoves(p, best);
    return best;
  }
  if (p.numDevices == 2) {
    Placement cut = placeByMinCut(p);
    double seconds = evaluatePlacement(p, cut.device);
    if (seconds < kInf)
      return {cut.device, seconds};
  }

  // Start: the best single device for the unpinned nodes, else each node on
  // its fastest device; then fit memory.
  Placement best;
  placeOnBestSingleDevice(p, best);
  if (!best.feasible()) {
    std::vector<int> device(n);
    for (int v = 0; v < n; ++v)
      device[v] = p.pins[v] >= 0
                      ? p.pins[v]
                      : static_cast<int>(
                            std::min_element(p.nodeSeconds[v].begin(),
                                             p.nodeSeconds[v].end()) -
                            p.nodeSeconds[v].begin());
    if (!repairMemory(p, device))
      return {device, kInf};
    best = {device, evaluatePlacement(p, device)};
  }

  // Alpha-beta swaps until no pair of devices improves.
  for (bool improved = true; improved;) {
    improved = false;
    for (int a = 0; a < p.numDevices; ++a)
      for (int b = a + 1; b < p.numDevices; ++b) {
        std::vector<int> movable;
        for (int v = 0; v < n; ++v)
          if (p.pins[v] < 0 && (best.device[v] == a || best.device[v] == b))
            movable.push_back(v);
        if (movable.empty())
          continue;
        std::vector<int> candidate =
            splitByMinCut(p, best.device, movable, a, b);
        if (!repairMemory(p, candidate))
          continue;
        double seconds = evaluatePlacement(p, candidate);
        if (seconds < best.seconds * (1 - 1e-12)) {
          best = {candidate, seconds};
          improved = true;
        }
      }
  }
  return best;
}
