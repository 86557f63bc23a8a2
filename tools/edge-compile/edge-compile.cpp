//===- edge-compile.cpp - Compile an ONNX model into a native library -----===//
//
//   edge-compile model.onnx -o model.so
//       [--target=cpu[:CPU]|nvidia:CHIP|amd:CHIP] [--mcpu=CPU]
//       [--emit=edge|linalg|device|llvm|asm|obj|so] [--device-code-dir=DIR]
//       [--input-shape=NAME:1x3x224x224]
//       [--bind-input=NAME=FILE.pb|V0,V1,...]
//       [--devices=FILE.json|PRESET,...] [--pin=NODE=DEVICE]
//       [--report=FILE.json [--report-dot=FILE.dot]] [--remarks-filter=RE]
//
// With several devices, the model is placed by the cost model and split into
// per-device partitions run by a host schedule (docs/placement.md).
//
// Exit status 0 on success, 1 on any error in the model or the options (with
// a diagnostic naming the ONNX node, op type and opset where one applies).
//
//===----------------------------------------------------------------------===//

#include "edge/Compiler/Compiler.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Remarks.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

/// edge-compile's own options: --help lists these only, not the hundreds
/// that the linked LLVM and MLIR libraries register (still accepted, and
/// listed by --help-hidden).
llvm::cl::OptionCategory edgeCategory("edge-compile options");

llvm::cl::opt<std::string> inputPath(llvm::cl::Positional,
                                     llvm::cl::desc("<model.onnx>"),
                                     llvm::cl::Required,
                                     llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string>
    outputPath("o",
               llvm::cl::desc("Output file (default: model.so beside the input "
                              "for --emit=so, standard output otherwise)"),
               llvm::cl::value_desc("file"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string>
    target("target",
           llvm::cl::desc("Device to compile for: cpu (default; cpu:CPU "
                          "names the CPU as --mcpu does), nvidia:CHIP "
                          "(sm_80, sm_90, ...) or amd:CHIP (gfx90a, gfx942, "
                          "gfx1100, ...)"),
           llvm::cl::init("cpu"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<EmitKind>
    emit("emit", llvm::cl::desc("Stop at a stage and write it"),
         llvm::cl::values(
             clEnumValN(EmitKind::Edge, "edge",
                        "the edge dialect (partitioned with several devices)"),
             clEnumValN(EmitKind::Linalg, "linalg", "linalg on tensors"),
             clEnumValN(EmitKind::Device, "device",
                        "the kernels' PTX or AMDGPU assembly (GPU targets)"),
             clEnumValN(EmitKind::LLVM, "llvm", "optimized LLVM IR"),
             clEnumValN(EmitKind::Asm, "asm", "host assembly"),
             clEnumValN(EmitKind::Obj, "obj", "host object file"),
             clEnumValN(EmitKind::SharedLib, "so",
                        "shared library + header (default)")),
         llvm::cl::init(EmitKind::SharedLib), llvm::cl::cat(edgeCategory));
llvm::cl::list<std::string> inputShapes(
    "input-shape",
    llvm::cl::desc("Static shape of a graph input, e.g. x:1x3x224x224 "
                   "(repeatable; for inputs with dynamic dimensions)"),
    llvm::cl::value_desc("NAME:DIMS"), llvm::cl::cat(edgeCategory));
llvm::cl::list<std::string> dimOptions(
    "dim",
    llvm::cl::desc("A named dynamic dimension of the graph inputs (an ONNX "
                   "dim_param): SYMBOL<=BOUND keeps it dynamic, the library "
                   "then runs every size up to BOUND; SYMBOL=SIZE fixes it "
                   "(repeatable)"),
    llvm::cl::value_desc("SYMBOL<=BOUND|SYMBOL=SIZE"),
    llvm::cl::cat(edgeCategory));
llvm::cl::list<std::string> boundInputs(
    "bind-input",
    llvm::cl::desc("Fix a graph input to a value at compile time, as a "
                   "serialized TensorProto file or comma-separated numbers "
                   "(repeatable; for inputs that give shapes, axes or "
                   "scales). The library rejects other values at run time"),
    llvm::cl::value_desc("NAME=FILE.pb|V0,V1,..."),
    llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> devicesSpec(
    "devices",
    llvm::cl::desc("Devices to place the model on: a JSON description or "
                   "comma-separated presets (host, rpi5, jetson-orin, a100, "
                   "h100, mi300x); default: host. With several, the model "
                   "is partitioned across them"),
    llvm::cl::value_desc("FILE.json|PRESET,..."), llvm::cl::init("host"),
    llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> objectiveOption(
    "objective",
    llvm::cl::desc("With several --devices, what the placement minimizes: "
                   "latency (one run, the default) or throughput (a stream "
                   "of runs: the busiest device or link bounds the rate)"),
    llvm::cl::value_desc("latency|throughput"), llvm::cl::init("latency"),
    llvm::cl::cat(edgeCategory));
llvm::cl::list<std::string> profileFeedbackOptions(
    "profile-feedback",
    llvm::cl::desc("With several --devices, a profile (edge-run --profile) "
                   "of the library compiled with the same options: its "
                   "measured partition times correct the placer's estimates "
                   "before it places again (repeatable, or comma-separated: "
                   "each profile of the library compiled with the ones "
                   "before)"),
    llvm::cl::value_desc("PROFILE.json"), llvm::cl::CommaSeparated,
    llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> quantizeOption(
    "quantize",
    llvm::cl::desc("Weight quantization: none (the default), int8-weights "
                   "(the f32 constant weights of matrix products become int8 "
                   "with one scale per output column) or int4-weights (int4 "
                   "with one scale per block of 32 rows of a column); "
                   "activations stay float. Weights the model already "
                   "quantizes (DequantizeLinear, MatMulNBits) stay quantized "
                   "either way"),
    llvm::cl::value_desc("none|int8-weights|int4-weights"),
    llvm::cl::init("none"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> reportPath(
    "report",
    llvm::cl::desc("Write each op's FLOPs, bytes and estimated time on every "
                   "device as JSON"),
    llvm::cl::value_desc("FILE.json"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> reportDotPath(
    "report-dot",
    llvm::cl::desc("With --report, also write the placed graph as Graphviz "
                   "DOT, coloured by device"),
    llvm::cl::value_desc("FILE.dot"), llvm::cl::cat(edgeCategory));
llvm::cl::list<std::string> pinOptions(
    "pin",
    llvm::cl::desc("Run the ops of ONNX node NODE on DEVICE (repeatable)"),
    llvm::cl::value_desc("NODE=DEVICE"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> deviceCodeDir(
    "device-code-dir",
    llvm::cl::desc("GPU targets: also write each kernel module's device "
                   "code into DIR: its PTX (NAME.ptx, NVIDIA) or the code "
                   "object the library embeds (NAME.hsaco, AMD)"),
    llvm::cl::value_desc("DIR"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> cpuOption(
    "mcpu",
    llvm::cl::desc("CPU to generate code for: native (this machine, the "
                   "default), an x86-64 level (x86-64-v2, x86-64-v3 = AVX2, "
                   "x86-64-v4 = AVX-512) or CPU (znver4, skylake-avx512), an "
                   "AArch64 CPU (cortex-a76, cortex-a78ae, neoverse-n1) or "
                   "architecture (armv8.2-a); docs/targets.md"),
    llvm::cl::value_desc("CPU"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<std::string> remarksFilter(
    "remarks-filter",
    llvm::cl::desc(
        "Print the remarks of the categories this regex matches (whole "
        "names, e.g. edge-.*): "
        "edge-cpu-target (the target and its kernel shape), "
        "edge-tile-and-vectorize (each kernel's register tile), "
        "edge-constant-evaluation (constant subgraphs computed by compiling "
        "them)"),
    llvm::cl::value_desc("REGEX"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<unsigned> optLevel("O", llvm::cl::desc("LLVM optimization level"),
                                 llvm::cl::init(3), llvm::cl::Prefix,
                                 llvm::cl::cat(edgeCategory));

/// Prints diagnostics as `file: error: message`, plus the node a located
/// diagnostic points at when the message does not name it already.
void printDiagnostic(Diagnostic &diag) {
  std::string message = diag.str();
  llvm::errs() << inputPath << ": " << getSeverityName(diag) << ": "
               << message;
  if (auto name = dyn_cast<NameLoc>(diag.getLocation())) {
    std::string nodeName = name.getName().str();
    if (message.find("'" + nodeName + "'") == std::string::npos)
      llvm::errs() << " (at node '" << nodeName << "')";
  }
  llvm::errs() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

/// The command line as the compiler library's options.
CompileOptions getCompileOptions() {
  CompileOptions options;
  options.inputPath = inputPath;
  options.outputPath = outputPath;
  options.target = target;
  options.cpu = cpuOption;
  options.emit = emit;
  options.inputShapes = {inputShapes.begin(), inputShapes.end()};
  options.dims = {dimOptions.begin(), dimOptions.end()};
  options.boundInputs = {boundInputs.begin(), boundInputs.end()};
  options.devices = devicesSpec;
  options.pins = {pinOptions.begin(), pinOptions.end()};
  options.objective = objectiveOption;
  options.profileFeedback = {profileFeedbackOptions.begin(),
                             profileFeedbackOptions.end()};
  options.quantize = quantizeOption;
  options.reportPath = reportPath;
  options.reportDotPath = reportDotPath;
  options.deviceCodeDir = deviceCodeDir;
  options.optLevel = optLevel;
  return options;
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "edge-compile: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(edgeCategory);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "edge-compile: ONNX model to a native shared library\n");

  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  // Diagnostics name the ONNX node; a dump of the failing op's IR would
  // only bury that for a user.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  if (!remarksFilter.empty()) {
    remark::RemarkCategories categories;
    categories.all = categories.passed = categories.missed =
        categories.analysis = categories.failed = remarksFilter.getValue();
    if (failed(remark::enableOptimizationRemarks(
            context, /*streamer=*/nullptr,
            std::make_unique<remark::RemarkEmittingPolicyAll>(), categories,
            /*printAsEmitRemarks=*/true)))
      return fail("--remarks-filter: cannot enable remarks");
  }
  std::string error;
  if (failed(compileModel(context, getCompileOptions(), error)))
    return error.empty() ? 1 : fail(error);
  return 0;
}
