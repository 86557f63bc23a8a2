//===- NetworkCalibration.h - Links between nodes, measured over MPI -*- C++
//-*-===//
//
// `mpirun -np N edge-calibrate --network --nodes=a,b,...` runs one rank per
// node. Every pair of ranks measures its link over Open MPI (the runtime's
// transport, lib/Runtime/Network.c), and rank 0 gathers every node's
// device and links into one description:
//
//   latency_ms           half the median round trip of an 8-byte message
//   bandwidth_mbps       a message of about 50 ms on the link (64 KiB to
//                        16 MiB), less the round trip
//   message_overhead_us  the time each message of a burst of 200 small
//                        ones adds: the transport's work per message
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_TOOLS_EDGE_CALIBRATE_NETWORKCALIBRATION_H
#define EDGE_TOOLS_EDGE_CALIBRATE_NETWORKCALIBRATION_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace edge::calibrate {

/// Prints `line` and a newline on stderr in one write, so that the lines of
/// ranks whose output mpirun forwards to one stream do not mix.
void printLine(const llvm::Twine &line);

/// This process's place in the MPI job.
struct NetworkJob {
  int rank = 0;
  std::vector<std::string> nodes;
};

/// Joins the job mpirun started, whose ranks are the nodes `names` (empty:
/// n0, n1, ...), one rank each.
llvm::Expected<NetworkJob> joinNetworkJob(llvm::ArrayRef<std::string> names);

/// The ranks measure their CPUs one after the other, so that nodes sharing
/// a machine (an emulated cluster) do not slow each other: waitForTurn
/// waits for the previous rank's turn to end; passTurn passes it on and
/// returns once every rank has measured.
llvm::Error waitForTurn(const NetworkJob &job);
llvm::Error passTurn(const NetworkJob &job);

/// Measures this rank's links with every other rank (all ranks take part,
/// pair by pair). Returns the network entries of the pairs this rank led.
llvm::Expected<llvm::json::Array> measureLinks(const NetworkJob &job);

/// Gathers every rank's device and links on rank 0 and returns the whole
/// description there ({"devices": [...], "network": [...]}); returns
/// std::nullopt on the other ranks.
llvm::Expected<std::optional<llvm::json::Object>>
gatherDescription(const NetworkJob &job, llvm::json::Object device,
                  llvm::json::Array links);

} // namespace edge::calibrate

#endif // EDGE_TOOLS_EDGE_CALIBRATE_NETWORKCALIBRATION_H
