//===- edge-run.cpp - Run a compiled edge model ---------------------------===//
//
// edge-run model.so|model.onnx [--input FILE | --input NAME=FILE]...
//          [--output-dir DIR] [--bench N [--in-flight K]] [--threads N]
//          [--profile FILE]
//
// Loads a model library (compiling a .onnx first), reads one tensor file per
// graph input (a model with dynamic sizes takes each file's shape), runs
// once, prints each output at the run's shape and optionally writes them
// as TensorProto files and benchmarks. Every user error ends with a one-line
// "edge-run: error: ..." and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "Compile.h"
#include "Tensor.h"

#include "edge/Runtime/ModelLoader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <new>
#include <string>
#include <vector>

using namespace edge;
using namespace edge::run;

namespace {
struct Options {
  std::string model;
  std::vector<std::string> inputs;
  std::string outputDir;
  long bench = 0;
  long inFlight = 0;
  long threads = 0;
  std::string profile;
};

/// A user error: reported as "edge-run: error: <message>", exit status 1.
struct UserError {
  std::string message;
};
} // namespace

static const char usage[] =
    R"(usage: edge-run MODEL [options]

Runs a model compiled by edge-compile. MODEL is a model library (.so) or an
ONNX model (.onnx, .onnxtxt), which is first compiled with edge-compile
(taken from $EDGE_COMPILE, the directory of edge-run, or PATH).

options:
  --input FILE        a tensor for the next graph input, in graph order: an
                      ONNX TensorProto (.pb) or a NumPy array (.npy)
  --input NAME=FILE   the tensor for the graph input NAME; where the model
                      has dynamic sizes (edge-compile --dim), each file's
                      shape is the input's in the run, and outputs are
                      printed and written at the run's shapes
  --output-dir DIR    write the outputs as DIR/output_0.pb, output_1.pb, ...
                      (ONNX TensorProto, in graph order)
  --bench N           after the first run, time N more runs and print
                      "bench: runs=N median_ms=X min_ms=Y"
  --in-flight K       with --bench: also run the N runs as a stream with K
                      runs in flight (edge_model_run_async; a model placed
                      on several devices pipelines them), check that every
                      run's outputs equal the first run's, and print
                      "stream: runs=N in_flight=K runs_per_second=R"
  --threads N         run the model's parallel loops on N threads, 1 to
                      256 (default: EDGE_NUM_THREADS, else 1)
  --profile FILE      record each step's time in every run and write them
                      to FILE as Chrome trace events, with each partition's
                      median beside the cost model's estimate (also printed;
                      sets EDGE_PROFILE=FILE for the runtime)
  -h, --help          print this help

Exit status: 0 on success, 1 on any error.
)";

/// Parses a positive decimal count.
static long parseCount(const std::string &option, const std::string &text) {
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 1 ||
      value > 1000000000)
    throw UserError{option + " expects a positive integer, got '" + text + "'"};
  return value;
}

/// Returns false when --help was asked for.
static bool parseOptions(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help")
      return false;
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg, value;
      size_t equals = arg.find('=');
      if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos) {
        name = arg.substr(0, equals);
        value = arg.substr(equals + 1);
      } else if (arg == "--input" || arg == "--output-dir" ||
                 arg == "--bench" || arg == "--in-flight" ||
                 arg == "--threads" ||
                 arg == "--profile") {
        if (i + 1 >= argc)
          throw UserError{arg + " expects a value"};
        value = argv[++i];
      } else {
        throw UserError{"unknown option '" + arg + "' (see --help)"};
      }
      if (name == "--input")
        options.inputs.push_back(value);
      else if (name == "--output-dir")
        options.outputDir = value;
      else if (name == "--bench")
        options.bench = parseCount(name, value);
      else if (name == "--in-flight")
        options.inFlight = parseCount(name, value);
      else if (name == "--threads")
        options.threads = parseCount(name, value);
      else if (name == "--profile")
        options.profile = value;
      else
        throw UserError{"unknown option '" + name + "' (see --help)"};
      if (value.empty())
        throw UserError{name + " expects a value"};
      continue;
    }
    if (!options.model.empty())
      throw UserError{"unexpected argument '" + arg +
                      "' (the model is already '" + options.model + "')"};
    options.model = arg;
  }
  if (options.model.empty())
    throw UserError{"no model given (see --help)"};
  if (options.inFlight && !options.bench)
    throw UserError{"--in-flight needs --bench N (the number of runs)"};
  if (options.inFlight > EDGE_MAX_RUNS_IN_FLIGHT)
    throw UserError{"--in-flight: at most " +
                    std::to_string(EDGE_MAX_RUNS_IN_FLIGHT) +
                    " runs can be in flight, got " +
                    std::to_string(options.inFlight)};
  return true;
}

/// "float32[?<=8,16]": a dynamic size with its bound.
static std::string describe(const edge_tensor_info &info) {
  std::string shape = "[";
  for (int32_t d = 0; d < info.rank; ++d) {
    shape += d ? "," : "";
    shape += info.shape[d] >= 0
                 ? std::to_string(info.shape[d])
                 : std::string(info.dim_names && info.dim_names[d]
                                   ? info.dim_names[d]
                                   : "?") +
                       "<=" + std::to_string(info.max_shape[d]);
  }
  return getDTypeName(info.dtype) + shape + "]";
}

static std::string describeInputs(const LoadedModel &model) {
  std::string text;
  for (size_t i = 0; i < model.getNumInputs(); ++i) {
    const edge_tensor_info &info = model.getInput(i);
    text +=
        std::string(i ? ", " : "") + "'" + info.name + "': " + describe(info);
  }
  return text;
}

/// Maps the --input arguments to one file per graph input, in graph order.
/// An argument is NAME=FILE when the text before its first '=' is the name
/// of a graph input; otherwise it is a file for the next input.
static std::vector<std::string>
assignInputs(const LoadedModel &model, const std::vector<std::string> &specs) {
  size_t count = model.getNumInputs();
  std::map<std::string, size_t> indexOf;
  for (size_t i = 0; i < count; ++i)
    indexOf[model.getInput(i).name] = i;

  std::vector<std::string> files(count);
  std::vector<std::string> positional;
  bool named = false;
  for (const std::string &spec : specs) {
    size_t equals = spec.find('=');
    auto it = equals == std::string::npos
                  ? indexOf.end()
                  : indexOf.find(spec.substr(0, equals));
    if (it == indexOf.end()) {
      positional.push_back(spec);
      continue;
    }
    named = true;
    if (!files[it->second].empty())
      throw UserError{"input '" + it->first + "' is given twice"};
    files[it->second] = spec.substr(equals + 1);
    if (files[it->second].empty())
      throw UserError{"--input " + spec + ": no file after '='"};
  }
  if (named && !positional.empty())
    throw UserError{"--input '" + positional.front() +
                    "' names no graph input; either name every input "
                    "(NAME=FILE) or give them all in graph order. Inputs: " +
                    describeInputs(model)};
  if (!named) {
    if (positional.size() != count)
      throw UserError{"the model has " + std::to_string(count) +
                      " input(s) but " + std::to_string(positional.size()) +
                      " --input given" +
                      (count ? ". Inputs: " + describeInputs(model) : "")};
    return positional;
  }
  for (size_t i = 0; i < count; ++i)
    if (files[i].empty())
      throw UserError{"no --input for graph input '" +
                      std::string(model.getInput(i).name) +
                      "'. Inputs: " + describeInputs(model)};
  return files;
}

/// Whether `tensor` fits input `info`: its dtype, its rank, and every
/// static size (a dynamic one may be any; the runtime checks its bound).
/// numpy has no bfloat16, so a bfloat16 input also takes uint16 data: the
/// raw bits (what ONNX's test data and numpy users store).
static bool fitsInput(const HostTensor &tensor, const edge_tensor_info &info) {
  bool bfloat16Bits = info.dtype == EDGE_DTYPE_BFLOAT16 &&
                      tensor.dtype == EDGE_DTYPE_UINT16;
  return (tensor.dtype == info.dtype || bfloat16Bits) &&
         tensor.shape.size() == static_cast<size_t>(info.rank) &&
         std::equal(tensor.shape.begin(), tensor.shape.end(), info.shape,
                    [](int64_t given, int64_t size) {
                      return size < 0 || given == size;
                    });
}

/// Reads the input files and checks them against the model's inputs; a
/// model with dynamic sizes takes each file's shape (the runtime checks
/// it against the bounds; the run, against the other inputs).
static std::vector<HostTensor>
readInputs(LoadedModel &model, const std::vector<std::string> &files) {
  std::vector<HostTensor> tensors(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    std::string error;
    if (!readTensorFile(files[i], tensors[i], error))
      throw UserError{error};
    const edge_tensor_info &info = model.getInput(i);
    HostTensor &tensor = tensors[i];
    if (!fitsInput(tensor, info))
      throw UserError{"input " + std::to_string(i) + " '" + info.name +
                      "' expects " + describe(info) + ", but '" + files[i] +
                      "' holds " + getDTypeName(tensor.dtype) +
                      formatShape(tensor.shape.data(), tensor.shape.size())};
    tensor.dtype = info.dtype;
    // The runtime's message names the input, dimension and symbol.
    if (model.hasDynamicShapes() &&
        !model.setInputShape(i, tensor.shape.data(), error))
      throw UserError{error};
  }
  return tensors;
}

/// Elements of a tensor of `shape`.
static size_t countElements(const std::vector<int64_t> &shape) {
  size_t count = 1;
  for (int64_t size : shape)
    count *= static_cast<size_t>(size);
  return count;
}

/// Bytes output `index` of the run waited for last holds: all of
/// num_bytes for a static output, its run's elements for a dynamic one.
static size_t outputBytes(const LoadedModel &model, size_t index) {
  const edge_tensor_info &info = model.getOutput(index);
  return countElements(model.getOutputShape(index)) *
         edge_dtype_size(info.dtype);
}

static double runTimed(LoadedModel &model, const std::vector<const void *> &in,
                       const std::vector<void *> &out) {
  auto start = std::chrono::steady_clock::now();
  std::string error;
  if (!model.run(in.data(), out.data(), error))
    throw UserError{"running the model failed: " + error};
  auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(end - start).count();
}

/// Runs the model `runs` times with `inFlight` runs in flight, each into
/// outputs of its own, checks every run's outputs against `expected` and
/// returns the runs per second.
static double runStream(LoadedModel &model, const std::vector<const void *> &in,
                        const std::vector<AlignedBuffer> &expected, long runs,
                        long inFlight) {
  std::vector<std::vector<AlignedBuffer>> outputs(inFlight);
  std::vector<std::vector<void *>> outputData(inFlight);
  for (long slot = 0; slot < inFlight; ++slot)
    for (size_t i = 0; i < model.getNumOutputs(); ++i) {
      outputs[slot].emplace_back(model.getOutput(i).num_bytes);
      outputData[slot].push_back(outputs[slot].back().data());
    }
  std::vector<uint64_t> tickets(inFlight, 0);
  std::string error;
  auto finish = [&](long run) {
    long slot = run % inFlight;
    if (!model.wait(tickets[slot], error))
      throw UserError{"run " + std::to_string(run + 1) +
                      " of the stream failed: " + error};
    // The stream's inputs are the first run's, so are the outputs' shapes.
    for (size_t i = 0; i < expected.size(); ++i)
      if (std::memcmp(outputs[slot][i].data(), expected[i].data(),
                      outputBytes(model, i)) != 0)
        throw UserError{"run " + std::to_string(run + 1) +
                        " of the stream gave other values for output '" +
                        model.getOutput(i).name + "' than the first run"};
  };
  auto start = std::chrono::steady_clock::now();
  for (long run = 0; run < runs; ++run) {
    if (run >= inFlight)
      finish(run - inFlight);
    long slot = run % inFlight;
    if (!model.runAsync(in.data(), outputData[slot].data(), tickets[slot],
                        error))
      throw UserError{"starting run " + std::to_string(run + 1) +
                      " of the stream failed: " + error};
  }
  for (long run = std::max(0L, runs - inFlight); run < runs; ++run)
    finish(run);
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return runs / seconds;
}

static void writeOutputs(const LoadedModel &model,
                         const std::vector<AlignedBuffer> &outputs,
                         const std::string &dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw UserError{"cannot create the output directory '" + dir +
                    "': " + ec.message()};
  for (size_t i = 0; i < outputs.size(); ++i) {
    const edge_tensor_info &info = model.getOutput(i);
    std::string path = dir + "/output_" + std::to_string(i) + ".pb";
    std::string error;
    // The run's shape: a dynamic output holds that many elements.
    std::vector<int64_t> shape = model.getOutputShape(i);
    if (!writeTensorProto(path, info.name, info.dtype, shape.data(),
                          shape.size(), outputs[i].data(),
                          outputBytes(model, i), error))
      throw UserError{error};
    std::printf("wrote %s\n", path.c_str());
  }
}

/// Under mpirun, a library placed on several nodes runs as one process per
/// node (docs/distributed.md): the graph's inputs and outputs are the first
/// node's (rank 0), and the other ranks run their partitions only.
static bool holdsOutputs() {
  const char *rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return !rank || std::string(rank) == "0";
}

static int runTool(int argc, char **argv) {
  Options options;
  if (!parseOptions(argc, argv, options)) {
    std::fputs(usage, stdout);
    return 0;
  }
  if (!options.profile.empty())
    setenv("EDGE_PROFILE", options.profile.c_str(), 1);

  // Declared before the model so that the library is closed first.
  TempDir tempDir;
  std::string libraryPath = options.model;
  std::string error;
  if (isOnnxModel(options.model)) {
    if (!std::filesystem::exists(options.model))
      throw UserError{"cannot open model '" + options.model +
                      "': No such file or directory"};
    if (!tempDir.create(error))
      throw UserError{error};
    libraryPath = tempDir.getPath() + "/model.so";
    if (!compileModel(options.model, libraryPath, error))
      throw UserError{error};
  }
  auto loadStart = std::chrono::steady_clock::now();
  std::unique_ptr<LoadedModel> model = LoadedModel::load(
      libraryPath, error, static_cast<uint32_t>(options.threads));
  if (!model)
    throw UserError{error};
  std::printf("load: load_ms=%.6f\n",
              std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - loadStart)
                  .count());
  std::printf("memory: workspace_bytes=%zu\n", model->getWorkspaceBytes());

  std::vector<HostTensor> inputs =
      readInputs(*model, assignInputs(*model, options.inputs));
  std::vector<const void *> inputData;
  for (HostTensor &tensor : inputs)
    inputData.push_back(tensor.data.data());
  std::vector<AlignedBuffer> outputs;
  std::vector<void *> outputData;
  for (size_t i = 0; i < model->getNumOutputs(); ++i) {
    outputs.emplace_back(model->getOutput(i).num_bytes);
    outputData.push_back(outputs.back().data());
  }

  double latency = runTimed(*model, inputData, outputData);
  std::printf("run: latency_ms=%.6f\n", latency);
  bool withOutputs = holdsOutputs();
  if (!withOutputs)
    std::printf("outputs: on rank 0 (this process is rank %s)\n",
                std::getenv("OMPI_COMM_WORLD_RANK"));
  for (size_t i = 0; withOutputs && i < outputs.size(); ++i) {
    // At the run's shape (a static output's is its own).
    const edge_tensor_info &info = model->getOutput(i);
    std::vector<int64_t> shape = model->getOutputShape(i);
    std::printf(
        "output %zu '%s': %s%s %s\n", i, info.name,
        getDTypeName(info.dtype).c_str(),
        formatShape(shape.data(), shape.size()).c_str(),
        formatValues(info.dtype, outputs[i].data(), countElements(shape), 8)
            .c_str());
  }
  if (withOutputs && !options.outputDir.empty())
    writeOutputs(*model, outputs, options.outputDir);

  // The run above is the warm-up.
  if (options.bench > 0) {
    std::vector<double> times;
    for (long i = 0; i < options.bench; ++i)
      times.push_back(runTimed(*model, inputData, outputData));
    std::sort(times.begin(), times.end());
    size_t middle = times.size() / 2;
    double median = times.size() % 2 ? times[middle]
                                     : (times[middle - 1] + times[middle]) / 2;
    std::printf("bench: runs=%ld median_ms=%.6f min_ms=%.6f\n", options.bench,
                median, times.front());
  }
  if (options.inFlight > 0)
    std::printf("stream: runs=%ld in_flight=%ld runs_per_second=%.3f\n",
                options.bench, options.inFlight,
                runStream(*model, inputData, outputs, options.bench,
                          options.inFlight));
  return 0;
}

int main(int argc, char **argv) {
  try {
    return runTool(argc, argv);
  } catch (const UserError &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "edge-run: error: %s\n", e.message.c_str());
  } catch (const std::bad_alloc &) {
    std::fflush(stdout);
    std::fprintf(stderr, "edge-run: error: out of memory\n");
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "edge-run: error: %s\n", e.what());
  }
  return 1;
}
