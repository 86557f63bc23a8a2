//===- Placer.h - Choose a device for every node of a graph -----*- C++ -*-===//
//
// The placement problem: a DAG whose nodes run on one device each (at a
// per-device time, or not at all), whose edges carry bytes (a transfer
// whenever their ends are on different devices), and whose devices hold
// limited memory. The cost of a placement is, for the latency of one run,
// the sum of its node times and transfer times (the schedule's critical
// path when nothing overlaps), or, for the throughput of a stream of runs
// pipelined across the devices, the busiest device's node time or the
// busiest link's transfer time. The placer minimizes the chosen one under
// the memory capacities and the pins.
//
// Exactness: small problems (at most kExhaustiveLimit assignments) are
// solved by enumeration; two devices without a binding memory limit by a
// minimum s-t cut, which is exact. Otherwise the placer starts from the
// best single device and improves by alpha-beta swaps: for each pair of
// devices, the nodes on either are re-split by a minimum cut, kept when the
// total cost drops and memory still fits; then a greedy pass moves nodes off
// any device over capacity. For throughput, the better of that latency
// placement and a pipeline of contiguous stages (the nodes' order cut where
// it balances the devices and links best) is refined by moving single
// nodes while the busiest device or link gets less busy. See
// docs/placement.md.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PLACEMENT_PLACER_H
#define EDGE_PLACEMENT_PLACER_H

#include <cstdint>
#include <limits>
#include <vector>

namespace mlir::edge {

/// What a placement minimizes: the time of one run (`Latency`: every node
/// and transfer in sequence), or the interval between runs of a stream
/// pipelined across the devices (`Throughput`: the busiest device's node
/// time or the busiest link's transfer time bounds the rate).
enum class PlacementObjective { Latency, Throughput };

struct PlacementProblem {
  static constexpr double kUnsupported = std::numeric_limits<double>::infinity();

  PlacementObjective objective = PlacementObjective::Latency;
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
    /// An earlier edge that carries the same value (another reader of it),
    /// or -1: a value crosses to a device once, however many of its nodes
    /// read it.
    int sameValueAs = -1;
  };
  std::vector<Edge> edges;
  /// transferSeconds[a][b]: per-byte cost and latency of moving data from
  /// device a to device b (zero on the diagonal).
  std::vector<std::vector<double>> secondsPerByte, latencySeconds;
  /// channel[a][b]: the link a transfer between devices a and b occupies,
  /// in [0, 2 * numDevices^2); transfers on one channel take turns (the
  /// throughput objective). The device pairs of two machines share their
  /// network link's channel. Empty: a channel per pair of devices.
  std::vector<std::vector<int>> channel;
  /// messageSeconds[a][b]: the time a message between devices a and b
  /// keeps each end's device busy (the transport's work on the CPUs of a
  /// network link's two machines), beyond the link's own time: a stream's
  /// interval counts it on both devices. Empty: none.
  std::vector<std::vector<double>> messageSeconds;
  /// A device per node, or -1 where the placer chooses.
  std::vector<int> pins;

  int numNodes() const { return static_cast<int>(nodeSeconds.size()); }
};

struct Placement {
  std::vector<int> device;
  double seconds = PlacementProblem::kUnsupported;
  bool feasible() const { return seconds < PlacementProblem::kUnsupported; }
};

/// Whether edge `e` moves nothing under `device`: its ends share a device,
/// or an earlier reader of the same value on its destination's device
/// already brought the value there.
bool isFreeEdge(const PlacementProblem &problem, const std::vector<int> &device,
                int e);

/// Assignments up to which the placer enumerates (exact).
constexpr double kExhaustiveLimit = 1 << 20;

/// A placement's time per run and the interval between pipelined runs, in
/// seconds (kUnsupported when it breaks a pin, support or memory).
struct PlacementTimes {
  double latency = PlacementProblem::kUnsupported;
  double interval = PlacementProblem::kUnsupported;
};
PlacementTimes measurePlacement(const PlacementProblem &problem,
                                const std::vector<int> &device);

/// The cost of `device` (one entry per node) under the problem's objective,
/// or kUnsupported when a node cannot run where it is, a pin is broken or a
/// device's memory overflows.
double evaluatePlacement(const PlacementProblem &problem,
                         const std::vector<int> &device);

/// Every unpinned node on one device: the best such device under the
/// problem's objective, with its placement in `placement`; -1 (and an
/// infeasible placement) when no single device fits.
int placeOnBestSingleDevice(const PlacementProblem &problem,
                            Placement &placement);

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
