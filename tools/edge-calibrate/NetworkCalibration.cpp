//===- NetworkCalibration.cpp - Links between nodes, measured over MPI ----===//

#include "NetworkCalibration.h"

#include "../../lib/Runtime/Network.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

using namespace edge::calibrate;

namespace {

/// Tags of the calibration's messages (the job runs no model meanwhile).
enum Tag { kCommand = 100, kData, kAck, kTurn };

/// What the leader of a pair asks its peer to do: receive `count` messages
/// of `bytes` bytes and answer each batch with an 8-byte ack, `rounds`
/// times; rounds == 0 ends the pair.
struct Command {
  uint64_t rounds, count, bytes;
};

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

class Pair {
public:
  Pair(const NetworkJob &job, int peer) : peer(peer), node(job.nodes[peer]) {}

  llvm::Error send(void *data, size_t bytes, int tag) {
    return exchange(data, bytes, true, tag);
  }
  llvm::Error receive(void *data, size_t bytes, int tag) {
    return exchange(data, bytes, false, tag);
  }

  /// `count` messages of `bytes` in flight at once, sent or received.
  llvm::Error burst(std::vector<char> &buffer, uint64_t count, size_t bytes,
                    bool sending) {
    std::vector<edge_rt_message> messages(count);
    char error[256];
    for (uint64_t i = 0; i < count; ++i)
      if (edge_rt_network_start(&messages[i], buffer.data() + i * bytes, bytes,
                                sending, peer, node.c_str(), kData, error,
                                sizeof(error)))
        return llvm::createStringError(error);
    for (edge_rt_message &message : messages) {
      int done;
      while (!(done = edge_rt_network_poll(&message, error, sizeof(error))))
        ;
      if (done < 0)
        return llvm::createStringError(error);
    }
    return llvm::Error::success();
  }

  /// The leader's side: `rounds` batches of `count` messages of `bytes`
  /// each followed by the peer's ack; the seconds of each batch.
  llvm::Expected<std::vector<double>> lead(uint64_t rounds, uint64_t count,
                                           size_t bytes) {
    Command command{rounds, count, bytes};
    if (llvm::Error error = send(&command, sizeof(command), kCommand))
      return std::move(error);
    std::vector<char> buffer(count * bytes);
    std::vector<double> seconds;
    for (uint64_t round = 0; round < rounds; ++round) {
      uint64_t ack = 0;
      double start = now();
      if (llvm::Error error = burst(buffer, count, bytes, true))
        return std::move(error);
      if (llvm::Error error = receive(&ack, sizeof(ack), kAck))
        return std::move(error);
      seconds.push_back(now() - start);
    }
    return seconds;
  }

  /// The peer's side: follows the leader's commands until it ends.
  llvm::Error follow() {
    for (;;) {
      Command command{};
      if (llvm::Error error = receive(&command, sizeof(command), kCommand))
        return error;
      if (!command.rounds)
        return llvm::Error::success();
      if (command.count * command.bytes > (1u << 26))
        return llvm::createStringError("the leader asked for too much");
      std::vector<char> buffer(command.count * command.bytes);
      for (uint64_t round = 0; round < command.rounds; ++round) {
        uint64_t ack = 1;
        if (llvm::Error error =
                burst(buffer, command.count, command.bytes, false))
          return error;
        if (llvm::Error error = send(&ack, sizeof(ack), kAck))
          return error;
      }
    }
  }

  llvm::Error finish() {
    Command end{0, 0, 0};
    return send(&end, sizeof(end), kCommand);
  }

private:
  llvm::Error exchange(void *data, size_t bytes, bool sending, int tag) {
    char error[256];
    if (edge_rt_network_exchange(data, bytes, sending, peer, node.c_str(), tag,
                                 error, sizeof(error)))
      return llvm::createStringError(error);
    return llvm::Error::success();
  }

  int peer;
  std::string node;
};

/// The leader's measurements of its link to `peer`.
llvm::Expected<llvm::json::Object> measureLink(const NetworkJob &job,
                                               int peer) {
  Pair pair(job, peer);
  // Round trips of 8 bytes, after a warm-up (connections, buffers).
  if (llvm::Error error = pair.lead(20, 1, 8).takeError())
    return std::move(error);
  llvm::Expected<std::vector<double>> trips = pair.lead(200, 1, 8);
  if (!trips)
    return trips.takeError();
  double roundTrip = median(*trips);
  // A probe of 64 KiB sizes a message of about 50 ms on the link.
  llvm::Expected<std::vector<double>> probe = pair.lead(3, 1, 64 << 10);
  if (!probe)
    return probe.takeError();
  double probeRate = (64 << 10) / std::max(median(*probe) - roundTrip, 1e-6);
  size_t bytes = std::clamp<double>(probeRate * 0.05, 64 << 10, 16 << 20);
  llvm::Expected<std::vector<double>> large = pair.lead(5, 1, bytes);
  if (!large)
    return large.takeError();
  double transfer = std::max(median(*large) - roundTrip, 1e-7);
  // A burst of small messages: what each adds beyond the round trip.
  llvm::Expected<std::vector<double>> bursts = pair.lead(5, 200, 8);
  if (!bursts)
    return bursts.takeError();
  double perMessage = std::max(median(*bursts) - roundTrip, 0.0) / 200;
  if (llvm::Error error = pair.finish())
    return std::move(error);

  double latencyMs = roundTrip / 2 * 1e3;
  double mbps = bytes * 8 / transfer / 1e6;
  printLine(
      llvm::formatv("edge-calibrate: link {0} - {1}: round trip {2:F1} us, {3} "
                    "bytes in {4:F3} ms = {5:F1} Mbit/s, {6:F1} us per message "
                    "of a burst",
                    job.nodes[job.rank], job.nodes[peer], roundTrip * 1e6,
                    bytes, transfer * 1e3, mbps, perMessage * 1e6)
          .str());
  return llvm::json::Object{
      {"between", llvm::json::Array{job.nodes[job.rank], job.nodes[peer]}},
      {"bandwidth_mbps", mbps},
      {"latency_ms", latencyMs},
      {"message_overhead_us", perMessage * 1e6}};
}

} // namespace

void edge::calibrate::printLine(const llvm::Twine &line) {
  llvm::errs() << (line + "\n").str();
}

llvm::Expected<NetworkJob>
edge::calibrate::joinNetworkJob(llvm::ArrayRef<std::string> names) {
  const char *sizeText = std::getenv("OMPI_COMM_WORLD_SIZE");
  int size = sizeText ? std::atoi(sizeText) : 0;
  if (size < 2)
    return llvm::createStringError(
        "--network measures the links between nodes: run it under mpirun "
        "with one rank per node (mpirun -np 2 --host a,b edge-calibrate "
        "--network --nodes=a,b)");
  NetworkJob job;
  if (names.empty())
    for (int rank = 0; rank < size; ++rank)
      job.nodes.push_back("n" + std::to_string(rank));
  else
    job.nodes.assign(names.begin(), names.end());
  if (job.nodes.size() != static_cast<size_t>(size))
    return llvm::createStringError(
        llvm::formatv("--nodes names {0} nodes, but mpirun started {1} ranks",
                      job.nodes.size(), size));
  char error[320];
  job.rank = edge_rt_network_join(job.nodes.size(), job.nodes[0].c_str(), error,
                                  sizeof(error));
  if (job.rank < 0)
    return llvm::createStringError(job.rank == -2 ? error
                                                  : "not started by mpirun");
  return job;
}

/// Waits for `peer`'s token, polling with pauses (a spinning wait would
/// slow the measuring rank of a machine the nodes share) for as long as
/// the ranks before take: mpirun ends the job if one dies.
static llvm::Error waitForToken(const NetworkJob &job, int peer) {
  uint64_t token = 0;
  edge_rt_message message;
  char error[256];
  if (edge_rt_network_start(&message, &token, sizeof(token), false, peer,
                            job.nodes[peer].c_str(), kTurn, error,
                            sizeof(error)))
    return llvm::createStringError(error);
  message.deadline = message.started + 3600;
  int done;
  while (!(done = edge_rt_network_poll(&message, error, sizeof(error))))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (done < 0)
    return llvm::createStringError(error);
  return llvm::Error::success();
}

static llvm::Error sendToken(const NetworkJob &job, int peer) {
  uint64_t token = 1;
  return Pair(job, peer).send(&token, sizeof(token), kTurn);
}

llvm::Error edge::calibrate::waitForTurn(const NetworkJob &job) {
  return job.rank == 0 ? llvm::Error::success()
                       : waitForToken(job, job.rank - 1);
}

llvm::Error edge::calibrate::passTurn(const NetworkJob &job) {
  int size = job.nodes.size();
  // The last rank hands the turn back to rank 0, which then lets every
  // rank on to the links: no link is measured while a CPU is.
  if (llvm::Error error = sendToken(job, (job.rank + 1) % size))
    return error;
  if (job.rank != 0)
    return waitForToken(job, 0);
  if (llvm::Error error = waitForToken(job, size - 1))
    return error;
  for (int rank = 1; rank < size; ++rank)
    if (llvm::Error error = sendToken(job, rank))
      return error;
  return llvm::Error::success();
}

llvm::Expected<llvm::json::Array>
edge::calibrate::measureLinks(const NetworkJob &job) {
  llvm::json::Array links;
  int size = job.nodes.size();
  // Every rank walks the pairs in one order: the lower rank leads.
  for (int a = 0; a < size; ++a)
    for (int b = a + 1; b < size; ++b) {
      if (job.rank == a) {
        llvm::Expected<llvm::json::Object> link = measureLink(job, b);
        if (!link)
          return link.takeError();
        links.push_back(std::move(*link));
      } else if (job.rank == b) {
        if (llvm::Error error = Pair(job, a).follow())
          return std::move(error);
      }
    }
  return links;
}

llvm::Expected<std::optional<llvm::json::Object>>
edge::calibrate::gatherDescription(const NetworkJob &job,
                                   llvm::json::Object device,
                                   llvm::json::Array links) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(llvm::json::Object{{"device", std::move(device)},
                                             {"links", std::move(links)}});
  std::vector<const char *> names;
  for (const std::string &node : job.nodes)
    names.push_back(node.c_str());
  edge_rt_gathered *gathered = nullptr;
  char error[320];
  int size = edge_rt_network_gather(text.c_str(), text.size(), names.data(),
                                    &gathered, error, sizeof(error));
  if (size < 0)
    return llvm::createStringError(error);
  if (job.rank != 0)
    return std::nullopt;
  llvm::json::Array devices, network;
  llvm::Error failure = llvm::Error::success();
  for (int rank = 0; rank < size; ++rank) {
    llvm::StringRef part =
        rank ? llvm::StringRef(gathered[rank].data, gathered[rank].bytes)
             : llvm::StringRef(text);
    llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(part);
    llvm::json::Object *entry = parsed ? parsed->getAsObject() : nullptr;
    if (!parsed || !entry || !entry->getObject("device") ||
        !entry->getArray("links")) {
      if (!parsed)
        llvm::consumeError(parsed.takeError());
      failure = llvm::createStringError("node '" + job.nodes[rank] +
                                        "' sent no description");
      break;
    }
    devices.push_back(std::move(*entry->getObject("device")));
    for (llvm::json::Value &link : *entry->getArray("links"))
      network.push_back(std::move(link));
  }
  for (int rank = 0; rank < size; ++rank)
    std::free(gathered[rank].data);
  std::free(gathered);
  if (failure)
    return std::move(failure);
  return llvm::json::Object{{"devices", std::move(devices)},
                            {"network", std::move(network)}};
}
