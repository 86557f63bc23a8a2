//===- Placer.h - Choose a device for every node of a graph -----*- C++ -*-===//
//
// The placement problem: a DAG whose nodes run on one device each (at a
// per-device time, or not at all), whose edges carry bytes (a transfer
// whenever their ends are on different devices), and whose devices hold
// limited memory. Execution is sequential, so the cost of a placement is
// the sum of its node times and transfer times. The placer minimizes it
// under the memory capacities and the pins.
//
// Exactness: small problems (at most kExhaustiveLimit assignments) are
// solved by enumeration; two devices without a binding memory limit by a
// minimum s-t cut, which is exact. Otherwise the placer starts from the
// best single device and improves by alpha-beta swaps: for each pair of
// devices, the nodes on either are re-split by a minimum cut, kept when the
// total cost drops and memory still fits; then a greedy pass moves nodes off
// any device over capacity. See docs/placement.md.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_PLACER_H
#define EDGE_PLACEMENT_PLACER_H

#include <cstdint>
#include <limits>
#include <vector>

namespace mlir::edge {

struct PlacementProblem {
  static constexpr double kUnsupported = std::numeric_limits<double>::infinity();

  int numDevices = 0;
  /// nodeSeconds[node][device]; kUnsupported where the device cannot run it.
  std::vector<std::vector<double>> nodeSeconds;
  /// Bytes a node keeps on its device (weights and its output).
  std::vector<int64_t> nodeBytes;
  /// Device memory capacities, in bytes.
  std::vector<double> capacityBytes;
  struct Edge {
    int from, to;
    int64_t bytes;
  };
  std::vector<Edge> edges;
  /// transferSeconds[a][b]: per-byte cost and latency of moving data from
  /// device a to device b (zero on the diagonal).
  std::vector<std::vector<double>> secondsPerByte, latencySeconds;
  /// A device per node, or -1 where the placer chooses.
  std::vector<int> pins;

  int numNodes() const { return static_cast<int>(nodeSeconds.size()); }
};

struct Placement {
  std::vector<int> device;
  double seconds = PlacementProblem::kUnsupported;
  bool feasible() const { return seconds < PlacementProblem::kUnsupported; }
};

/// Assignments up to which the placer enumerates (exact).
constexpr double kExhaustiveLimit = 1 << 20;

/// The cost of `device` (one entry per node), or kUnsupported when a node
/// cannot run where it is, a pin is broken or a device's memory overflows.
double evaluatePlacement(const PlacementProblem &problem,
                         const std::vector<int> &device);

/// The optimum by enumeration (for small problems and tests).
Placement placeExhaustively(const PlacementProblem &problem);

/// The optimum of a two-device problem ignoring memory capacities, by a
/// minimum s-t cut (pins and unsupported devices are respected).
Placement placeByMinCut(const PlacementProblem &problem);

/// The placement edge uses: exact where the problem allows it, else the
/// heuristic described above.
Placement place(const PlacementProblem &problem);

} // namespace mlir::edge

#endif // EDGE_PLACEMENT_PLACER_H
