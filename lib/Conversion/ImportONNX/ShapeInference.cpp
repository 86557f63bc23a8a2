//===- ShapeInference.cpp - ONNX shape inference, isolated ----------------===//
//
// The importer takes the types ONNX's shape inference gives values that the
// model does not declare (graph outputs without a shape, the element types
// of intermediate values). ONNX 1.12's inference functions trust the nodes
// they read: fuzzing found attributes that make them divide by zero or
// dereference null (Conv/Pool strides, Scan bodies). So inference runs in a
// child process that sends back only the types; when the child dies, the
// importer finds the first node whose inference crashes (a binary search
// over prefixes of the graph, each in its own child) and names it.
//
//===----------------------------------------------------------------------===//

#include "ModelChecks.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Regex.h"

#include <onnx/shape_inference/implementation.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::edge::onnx_import;

/// Inference of a real model takes seconds; a child still running after
/// this long is stuck in a loop.
static constexpr int kTimeoutMilliseconds = 600 * 1000;

/// ONNX reports a node's inference error as "[ShapeInferenceError]
/// (op_type:Relu, node name: Relu_0): [TypeInferenceError] message"; the
/// importer says it the way its own node errors are said.
static std::string describeInferenceError(StringRef message, int64_t opset) {
  static const llvm::Regex nodeError(
      "^\\[[A-Za-z]+\\] \\(op_type:([^,)]*), node name: ([^)]*)\\): "
      "(\\[[A-Za-z]+\\] )?(.*)$");
  SmallVector<StringRef> parts;
  if (!nodeError.match(message, &parts))
    return ("ONNX shape inference rejected the model: " + message).str();
  return ("node '" + parts[2] + "' (" + parts[1] + ", opset " +
          Twine(opset) + "): ONNX shape inference: " + parts[4])
      .str();
}

/// Visits `graph` and its subgraphs, in the same order in every process.
static void walkGraphs(onnx::GraphProto &graph,
                       llvm::function_ref<void(onnx::GraphProto &)> visit) {
  visit(graph);
  for (onnx::NodeProto &node : *graph.mutable_node())
    for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_g())
        walkGraphs(*attr.mutable_g(), visit);
      for (onnx::GraphProto &subgraph : *attr.mutable_graphs())
        walkGraphs(subgraph, visit);
    }
}

namespace {
/// What a child reports: 'T' then, per graph, a length-prefixed GraphProto
/// holding only its outputs and value_info; or 'E' then an error message.
enum : char { kTypes = 'T', kError = 'E' };

/// How a child ended.
struct ChildResult {
  bool completed = false; // it exited normally after a full report
  std::string report;
  std::string crash; // how it died otherwise
};
} // namespace

static void writeAll(int fd, const std::string &bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      _exit(3);
    done += static_cast<size_t>(n);
  }
}

/// The child: runs inference on its copy of the model (the first
/// `numNodes` top-level nodes when given) and writes its report to `fd`.
[[noreturn]] static void runChild(onnx::ModelProto &model,
                                  std::optional<int> numNodes, int fd) {
  // ONNX may print; the crash handlers of the tool would print a stack
  // dump. Neither belongs to the parent's output.
  int null = open("/dev/null", O_WRONLY);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  for (int sig : {SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGABRT})
    signal(sig, SIG_DFL);
  if (numNodes) {
    auto *nodes = model.mutable_graph()->mutable_node();
    nodes->DeleteSubrange(*numNodes, nodes->size() - *numNodes);
  }
  std::string report;
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*error_mode=*/0,
                                    /*data_prop=*/false));
    report.push_back(kTypes);
    walkGraphs(*model.mutable_graph(), [&](onnx::GraphProto &graph) {
      onnx::GraphProto types;
      *types.mutable_output() = graph.output();
      *types.mutable_value_info() = graph.value_info();
      std::string bytes = types.SerializeAsString();
      uint64_t size = bytes.size();
      report.append(reinterpret_cast<const char *>(&size), sizeof(size));
      report += bytes;
    });
  } catch (const std::exception &e) {
    report = std::string(1, kError) + e.what();
  }
  writeAll(fd, report);
  _exit(0);
}

static std::string describeStatus(int status) {
  if (WIFSIGNALED(status))
    return std::string("signal ") + strsignal(WTERMSIG(status));
  if (WIFEXITED(status))
    return "exit status " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

/// Forks a child that runs inference and collects what it reports.
static FailureOr<ChildResult> inferInChild(onnx::ModelProto &model,
                                           std::optional<int> numNodes,
                                           Location loc) {
  int fds[2];
  if (pipe(fds) != 0)
    return emitError(loc) << "cannot start ONNX shape inference: "
                          << strerror(errno);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return emitError(loc) << "cannot start ONNX shape inference: "
                          << strerror(errno);
  }
  if (pid == 0) {
    close(fds[0]);
    runChild(model, numNodes, fds[1]);
  }
  close(fds[1]);
  ChildResult result;
  bool timedOut = false;
  char buffer[65536];
  for (;;) {
    pollfd readable = {fds[0], POLLIN, 0};
    int ready = poll(&readable, 1, kTimeoutMilliseconds);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0) {
      timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    result.report.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.completed = !timedOut && WIFEXITED(status) &&
                     WEXITSTATUS(status) == 0 && !result.report.empty();
  if (!result.completed)
    result.crash = timedOut ? "no result after " +
                                  std::to_string(kTimeoutMilliseconds / 1000) +
                                  " s"
                            : describeStatus(status);
  return result;
}

/// Copies the types a child inferred into `model`'s graphs.
static LogicalResult mergeTypes(onnx::ModelProto &model, StringRef report,
                                Location loc) {
  bool malformed = false;
  size_t offset = 1;
  walkGraphs(*model.mutable_graph(), [&](onnx::GraphProto &graph) {
    uint64_t size;
    if (malformed || report.size() - offset < sizeof(size)) {
      malformed = true;
      return;
    }
    std::memcpy(&size, report.data() + offset, sizeof(size));
    offset += sizeof(size);
    onnx::GraphProto types;
    if (report.size() - offset < size ||
        !types.ParseFromArray(report.data() + offset, static_cast<int>(size)) ||
        types.output_size() != graph.output_size()) {
      malformed = true;
      return;
    }
    offset += size;
    for (int i = 0; i < graph.output_size(); ++i)
      *graph.mutable_output(i)->mutable_type() = types.output(i).type();
    *graph.mutable_value_info() = types.value_info();
  });
  if (malformed || offset != report.size())
    return emitError(loc) << "ONNX shape inference returned a malformed "
                             "result";
  return success();
}

LogicalResult mlir::edge::onnx_import::inferShapes(onnx::ModelProto &model,
                                                   int64_t opset,
                                                   Location loc) {
  FailureOr<ChildResult> result = inferInChild(model, std::nullopt, loc);
  if (failed(result))
    return failure();
  if (result->completed) {
    if (result->report[0] == kError)
      return emitError(loc) << describeInferenceError(
                 StringRef(result->report).drop_front(), opset);
    return mergeTypes(model, result->report, loc);
  }

  // The first node whose inference crashes: prefixes of the graph up to a
  // crashing node still infer.
  int low = 0, high = model.graph().node_size();
  while (high - low > 1) {
    int middle = low + (high - low) / 2;
    FailureOr<ChildResult> prefix = inferInChild(model, middle, loc);
    if (failed(prefix))
      return failure();
    (prefix->completed ? low : high) = middle;
  }
  if (high == 0 || high > model.graph().node_size())
    return emitError(loc) << "ONNX shape inference crashed on this model ("
                          << result->crash << ")";
  const onnx::NodeProto &node = model.graph().node(high - 1);
  return emitError(loc) << "node '" << node.name() << "' (" << node.op_type()
                        << ", opset " << opset
                        << "): ONNX shape inference crashes on this node ("
                        << result->crash
                        << "): its attributes or inputs are malformed";
}
