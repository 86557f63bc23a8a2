//===- edge-calibrate.cpp - Measure this machine for the placer -----------===//
//
//   edge-calibrate [-o FILE.json] [--name NAME] [--run-threads N]
//   mpirun -np N edge-calibrate --network [--nodes=A,B,...] [-o FILE.json]
//
// Measures the host CPU as edge's own code uses it, and writes a device
// description (docs/placement.md) that `edge-compile --devices=FILE.json`
// reads instead of a preset's data-sheet figures:
//
//   peak_gflops            a 512x512x512 matrix product compiled by edge
//   memory_bandwidth_gbps  an elementwise add over 3 x 32 MiB
//   launch_overhead_us     a one-element model: a run's fixed cost
//   memory_gb              the machine's physical memory
//
// Each figure is the median of timed runs after a warm-up. The models are
// compiled in-process with the compiler library and run through the same
// loader as edge-run, with EDGE_NUM_THREADS=--run-threads (default 1, as the
// runtime's default). GPUs are not measured yet: the description lists the
// CPU only, and the report says which GPUs the drivers show.
//
// With --network, under mpirun with one rank per node, every rank measures
// its CPU and every pair of ranks its link (NetworkCalibration.h); rank 0
// writes one description of every node's CPU (`<node>-cpu`) and link.
//
//===----------------------------------------------------------------------===//

#include "NetworkCalibration.h"

#include "edge/Compiler/CompileAndLoad.h"
#include "edge/Runtime/ModelLoader.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <unistd.h>
#include <vector>

using namespace mlir;
using namespace mlir::edge;

namespace {

llvm::cl::OptionCategory category("edge-calibrate options");
llvm::cl::opt<std::string>
    outputPath("o", llvm::cl::desc("Where the description goes (default: "
                                   "standard output)"),
               llvm::cl::value_desc("FILE.json"), llvm::cl::init("-"),
               llvm::cl::cat(category));
llvm::cl::opt<std::string>
    deviceName("name", llvm::cl::desc("The CPU device's name (default: host)"),
               llvm::cl::init("host"), llvm::cl::cat(category));
llvm::cl::opt<bool> network(
    "network",
    llvm::cl::desc("Under mpirun, one rank per node: also measure the links "
                   "between the nodes; rank 0 writes the whole description"),
    llvm::cl::cat(category));
llvm::cl::list<std::string>
    nodeNames("nodes",
              llvm::cl::desc("With --network, the nodes' names in rank order "
                             "(default: n0, n1, ...)"),
              llvm::cl::CommaSeparated, llvm::cl::cat(category));
llvm::cl::opt<unsigned>
    threads("run-threads",
            llvm::cl::desc("Threads the models run on, as EDGE_NUM_THREADS "
                           "(default 1, the runtime's default)"),
            llvm::cl::init(1), llvm::cl::cat(category));

/// A model to time: ONNX text, its FLOPs and the bytes it moves.
struct Probe {
  const char *name;
  const char *onnxText;
  double flops, bytes;
};

constexpr int64_t kAddElements = 8 * 1024 * 1024;

const Probe kMatMul = {
    "matmul",
    R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[512, 512] a, float[512, 512] b) => (float[512, 512] c) {
  c = MatMul (a, b)
})",
    2.0 * 512 * 512 * 512, 3.0 * 512 * 512 * 4};
const Probe kAdd = {
    "add",
    R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[8388608] a, float[8388608] b) => (float[8388608] c) {
  c = Add (a, b)
})",
    static_cast<double>(kAddElements), 3.0 * kAddElements * 4};
const Probe kTiny = {
    "tiny",
    R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1] a) => (float[1] c) {
  c = Relu (a)
})",
    1, 8};

int fail(const llvm::Twine &message) {
  ::edge::calibrate::printLine("edge-calibrate: error: " + message);
  return 1;
}

/// Compiles `probe` in `dir` and returns the median seconds of its runs.
llvm::Expected<double> measure(const Probe &probe,
                               llvm::StringRef dir) {
  llvm::Expected<std::unique_ptr<::edge::LoadedModel>> loaded =
      compileAndLoad(probe.onnxText, ".onnxtxt", dir, probe.name);
  if (!loaded)
    return loaded.takeError();
  std::unique_ptr<::edge::LoadedModel> model = std::move(*loaded);
  std::string error;

  std::vector<std::vector<char>> buffers;
  std::vector<const void *> inputs;
  std::vector<void *> outputs;
  for (size_t i = 0; i < model->getNumInputs(); ++i) {
    buffers.emplace_back(model->getInput(i).num_bytes, 0);
    inputs.push_back(buffers.back().data());
  }
  for (size_t i = 0; i < model->getNumOutputs(); ++i) {
    buffers.emplace_back(model->getOutput(i).num_bytes, 0);
    outputs.push_back(buffers.back().data());
  }
  // A warm-up (the arena and the caches), then runs for at least 0.3 s.
  std::vector<double> times;
  double total = 0;
  for (int run = 0; run < 2000 && (run < 12 || total < 0.3); ++run) {
    auto start = std::chrono::steady_clock::now();
    if (!model->run(inputs.data(), outputs.data(), error))
      return llvm::createStringError(error);
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (run < 2)
      continue;
    times.push_back(seconds);
    total += seconds;
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// GPUs the drivers show, for the report (they are not measured yet).
std::string describeGPUs() {
  std::string found;
  for (auto [name, library] : {std::pair{"NVIDIA", "libcuda.so.1"},
                               std::pair{"AMD", "libamdhip64.so"}}) {
    std::string error;
    if (!llvm::sys::DynamicLibrary::getLibrary(library, &error).isValid())
      continue;
    found += std::string(found.empty() ? "" : ", ") + name + " (" + library +
             ")";
  }
  return found;
}

double physicalMemoryGB() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * size / 1e9 : 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "edge-calibrate: measure this machine and write a device description\n");
  if (threads < 1 || threads > 1024)
    return fail("--run-threads must be from 1 to 1024");
  setenv("EDGE_NUM_THREADS", std::to_string(threads).c_str(), 1);
  if (!network && !nodeNames.empty())
    return fail("--nodes needs --network");
  std::optional<::edge::calibrate::NetworkJob> job;
  if (network) {
    llvm::Expected<::edge::calibrate::NetworkJob> joined =
        ::edge::calibrate::joinNetworkJob(
            std::vector<std::string>(nodeNames.begin(), nodeNames.end()));
    if (!joined)
      return fail(llvm::toString(joined.takeError()));
    job = std::move(*joined);
  }

  SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("edge-calibrate", dir))
    return fail("cannot create a temporary folder: " + ec.message());
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove_directories(dir);
  });

  if (job)
    if (llvm::Error error = ::edge::calibrate::waitForTurn(*job))
      return fail(llvm::toString(std::move(error)));
  llvm::Expected<double> matmul = measure(kMatMul, dir);
  if (!matmul)
    return fail(llvm::toString(matmul.takeError()));
  llvm::Expected<double> add = measure(kAdd, dir);
  if (!add)
    return fail(llvm::toString(add.takeError()));
  llvm::Expected<double> tiny = measure(kTiny, dir);
  if (!tiny)
    return fail(llvm::toString(tiny.takeError()));

  if (job)
    if (llvm::Error error = ::edge::calibrate::passTurn(*job))
      return fail(llvm::toString(std::move(error)));
  double gflops = kMatMul.flops / *matmul / 1e9;
  double bandwidth = kAdd.bytes / *add / 1e9;
  double launchUs = *tiny * 1e6;
  std::string cpu = llvm::sys::getHostCPUName().str();
  ::edge::calibrate::printLine(
      llvm::formatv("edge-calibrate: {0} on {1} thread(s): matmul 512^3 "
                    "{2:F3} ms = {3:F1} GFLOP/s; add 3 x 32 MiB {4:F3} ms = "
                    "{5:F1} GB/s; one-element model {6:F1} us",
                    cpu, threads.getValue(), *matmul * 1e3, gflops, *add * 1e3,
                    bandwidth, launchUs)
          .str());
  std::string gpus = describeGPUs();
  ::edge::calibrate::printLine(
      "edge-calibrate: " +
      (gpus.empty() ? std::string("no GPU driver found")
                    : "GPU drivers found (" + gpus +
                          "), not measured yet: add the GPUs from presets"));

  std::string name = deviceName;
  if (job && deviceName.getNumOccurrences() == 0)
    name = job->nodes[job->rank] + "-cpu";
  llvm::json::Object device{
      {"name", name},
      {"kind", "cpu"},
      {"chip", cpu + ", " + std::to_string(threads) +
                   " thread(s), measured by edge-calibrate"},
      {"peak_gflops", gflops},
      {"memory_bandwidth_gbps", bandwidth},
      {"memory_gb", physicalMemoryGB()},
      {"launch_overhead_us", launchUs},
  };
  llvm::json::Value description = nullptr;
  if (job) {
    device["node"] = job->nodes[job->rank];
    llvm::Expected<llvm::json::Array> links =
        ::edge::calibrate::measureLinks(*job);
    if (!links)
      return fail(llvm::toString(links.takeError()));
    llvm::Expected<std::optional<llvm::json::Object>> whole =
        ::edge::calibrate::gatherDescription(*job, std::move(device),
                                             std::move(*links));
    if (!whole)
      return fail(llvm::toString(whole.takeError()));
    if (!*whole) {
      ::edge::calibrate::printLine("edge-calibrate: node " +
                                   job->nodes[job->rank] +
                                   " measured; rank 0 (node " + job->nodes[0] +
                                   ") writes the description");
      return 0;
    }
    description = std::move(**whole);
  } else {
    description =
        llvm::json::Object{{"devices", llvm::json::Array{std::move(device)}}};
  }
  std::error_code ec;
  llvm::ToolOutputFile file(outputPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot open " + outputPath + ": " + ec.message());
  file.os() << llvm::formatv("{0:2}", description) << "\n";
  file.keep();
  return 0;
}
