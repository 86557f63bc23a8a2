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

#include "edge/Conversion/ImportONNX/ImportONNX.h"
#include "edge/Pipelines/CPUTarget.h"
#include "edge/Pipelines/CodeGen.h"
#include "edge/Pipelines/Pipelines.h"
#include "edge/Placement/CostReport.h"
#include "edge/Registration.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Remarks.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::edge;

namespace {

enum class EmitKind { Edge, Linalg, Device, LLVM, Asm, Obj, SharedLib };

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
        "edge-tile-and-vectorize (each kernel's register tile)"),
    llvm::cl::value_desc("REGEX"), llvm::cl::cat(edgeCategory));
llvm::cl::opt<unsigned> optLevel("O", llvm::cl::desc("LLVM optimization level"),
                                 llvm::cl::init(3), llvm::cl::Prefix,
                                 llvm::cl::cat(edgeCategory));

/// Prints diagnostics as `file: error: message`, plus the node a located
/// diagnostic points at when the message does not name it already.
void printDiagnostic(Diagnostic &diag) {
  std::string message = diag.str();
  llvm::StringRef severity = "error";
  if (diag.getSeverity() == DiagnosticSeverity::Warning)
    severity = "warning";
  else if (diag.getSeverity() == DiagnosticSeverity::Note)
    severity = "note";
  else if (diag.getSeverity() == DiagnosticSeverity::Remark)
    severity = "remark";
  llvm::errs() << inputPath << ": " << severity << ": " << message;
  if (auto name = dyn_cast<NameLoc>(diag.getLocation())) {
    std::string nodeName = name.getName().str();
    if (message.find("'" + nodeName + "'") == std::string::npos)
      llvm::errs() << " (at node '" << nodeName << "')";
  }
  llvm::errs() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "edge-compile: error: " << message << "\n";
  return 1;
}

OwningOpRef<ModuleOp> loadModel(MLIRContext &context) {
  StringRef extension = llvm::sys::path::extension(inputPath);
  if (extension == ".mlir") {
    // Already-imported edge IR (as written by --emit=edge).
    return parseSourceFile<ModuleOp>(inputPath, &context);
  }
  ImportOptions options;
  for (const std::string &shape : inputShapes) {
    std::string error;
    if (failed(parseInputShapeOption(shape, options, error))) {
      fail(error);
      return nullptr;
    }
  }
  for (const std::string &binding : boundInputs) {
    std::string error;
    if (failed(parseBindInputOption(binding, options, error))) {
      fail(error);
      return nullptr;
    }
  }
  return importONNXFile(inputPath, &context, options);
}

LogicalResult writeText(llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string path = outputPath.empty() ? "-" : outputPath.getValue();
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot open " + path + ": " + ec.message()), failure();
  print(file.os());
  file.keep();
  return success();
}

/// The cost report of the graph as placement sees it (after the graph
/// pipeline: canonicalized, batch norms folded, fusion groups formed).
LogicalResult writeReport(ModuleOp module, const DeviceSet &devices,
                          ArrayRef<DevicePin> pins) {
  std::error_code ec;
  llvm::ToolOutputFile file(reportPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot open " + reportPath + ": " + ec.message()), failure();
  std::unique_ptr<llvm::ToolOutputFile> dotFile;
  if (!reportDotPath.empty()) {
    dotFile = std::make_unique<llvm::ToolOutputFile>(reportDotPath, ec,
                                                     llvm::sys::fs::OF_Text);
    if (ec)
      return fail("cannot open " + reportDotPath + ": " + ec.message()),
             failure();
  }
  if (failed(writeCostReport(module, devices, pins, file.os(),
                             dotFile ? &dotFile->os() : nullptr)))
    return failure();
  file.keep();
  if (dotFile)
    dotFile->keep();
  return success();
}

/// Writes the objects of the module's gpu.binary ops: all to `os` when it
/// is given, else one file per binary into `dir`, named after it.
LogicalResult writeDeviceCode(ModuleOp module, llvm::raw_ostream *os,
                              StringRef dir, StringRef extension) {
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjects()) {
      StringRef code = cast<gpu::ObjectAttr>(attr).getObject().getValue();
      if (os) {
        *os << "// kernel module " << binary.getName() << "\n" << code << "\n";
        continue;
      }
      SmallString<256> path(dir);
      llvm::sys::path::append(path, binary.getName() + "." + extension);
      std::error_code ec;
      llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
      if (ec)
        return fail("cannot open " + path + ": " + ec.message()), failure();
      file.os() << code;
      file.keep();
    }
  }
  return success();
}

/// Serializes a copy of the module's kernels as PTX or AMDGPU assembly and
/// writes them (see writeDeviceCode).
LogicalResult emitAssembly(ModuleOp module, const GPUTarget &gpu,
                           llvm::raw_ostream *os) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(module.getContext());
  buildGPUBinaryPipeline(pm, gpu, GPUBinaryFormat::Assembly);
  if (failed(pm.run(*copy)))
    return failure();
  bool nvidia = gpu.vendor == GPUTarget::Vendor::NVIDIA;
  return writeDeviceCode(*copy, os, deviceCodeDir, nvidia ? "ptx" : "s");
}

std::string defaultLibraryPath() {
  SmallString<256> path(inputPath);
  llvm::sys::path::replace_extension(path, ".so");
  return path.str().str();
}

/// The CPU to generate code for: --mcpu, the CPU of --target=cpu:CPU, or
/// the target of the CPU devices in --devices (a preset carries its own:
/// rpi5 is a cortex-a76); empty for this machine. One library holds code
/// for one CPU.
llvm::Expected<std::string> selectCPU(std::optional<std::string> fromTarget,
                                      const DeviceSet &devices) {
  std::string chosen = cpuOption, origin = "--mcpu";
  if (fromTarget && !fromTarget->empty()) {
    if (!chosen.empty() && chosen != *fromTarget)
      return llvm::createStringError("--target=" + target + " and --mcpu=" +
                                     chosen + " name different CPUs");
    chosen = *fromTarget;
    origin = "--target";
  }
  for (const Device &device : devices.devices) {
    if (device.kind != DeviceKind::CPU || device.target.empty())
      continue;
    std::optional<std::string> cpu = parseCPUTargetSpec(device.target);
    if (!cpu || cpu->empty())
      continue;
    if (!chosen.empty() && chosen != *cpu)
      return llvm::createStringError(
          "device '" + device.name + "' is a " + *cpu + " but " + origin +
          " asks for " + chosen +
          "; a library holds code for one CPU (docs/targets.md)");
    chosen = *cpu;
    origin = "device '" + device.name + "'";
  }
  return chosen;
}

int compile(MLIRContext &context) {
  std::optional<GPUTarget> gpu;
  std::optional<std::string> cpuFromTarget = parseCPUTargetSpec(target);
  if (!cpuFromTarget) {
    std::string error;
    gpu.emplace();
    if (failed(parseGPUTarget(target, *gpu, error)))
      return fail(error);
  }
  if (!reportDotPath.empty() && reportPath.empty())
    return fail("--report-dot needs --report");
  llvm::Expected<DeviceSet> devices = loadDevices(devicesSpec);
  if (!devices)
    return fail(llvm::toString(devices.takeError()));
  llvm::Expected<std::string> cpuName = selectCPU(cpuFromTarget, *devices);
  if (!cpuName)
    return fail(llvm::toString(cpuName.takeError()));
  llvm::Expected<CPUTarget> cpu = resolveCPUTarget(*cpuName);
  if (!cpu)
    return fail("--mcpu: " + llvm::toString(cpu.takeError()));
  remark::analysis(
      UnknownLoc::get(&context),
      remark::RemarkOpts::name("Target").category("edge-cpu-target"))
      << StringRef(cpu->describe());
  SmallVector<DevicePin> pins;
  for (StringRef text : pinOptions) {
    std::string error;
    DevicePin pin;
    if (failed(parseDevicePin(text, pin, error)))
      return fail(error);
    if (!devices->find(pin.device))
      return fail("--pin " + text + ": no device named '" + pin.device +
                  "' in --devices=" + devicesSpec);
    pins.push_back(pin);
  }
  OwningOpRef<ModuleOp> module = loadModel(context);
  if (!module)
    return 1;
  PassManager graph(&context);
  buildEdgeGraphPipeline(graph);
  if (failed(graph.run(*module)))
    return 1;
  if (!reportPath.empty() && failed(writeReport(*module, *devices, pins)))
    return 1;
  if (devices->devices.size() > 1) {
    if (gpu)
      return fail("--target=" + target +
                  " compiles the whole model for one GPU; it cannot be "
                  "combined with several --devices yet");
    PassManager partition(&context);
    buildPartitionPipeline(partition, devicesSpec, pinOptions);
    if (failed(partition.run(*module)))
      return 1;
  }
  if (emit == EmitKind::Edge)
    return failed(writeText([&](llvm::raw_ostream &os) { module->print(os); }));

  PassManager pm(&context);
  std::optional<TileAndVectorizePassOptions> cpuKernels;
  if (!gpu)
    cpuKernels = cpu->getKernelOptions();
  buildEdgeToLinalgPipeline(pm, cpuKernels);
  if (failed(pm.run(*module)))
    return 1;
  if (emit == EmitKind::Linalg)
    return failed(writeText([&](llvm::raw_ostream &os) { module->print(os); }));

  PassManager lowering(&context);
  if (gpu)
    buildLinalgToGPUPipeline(lowering, *gpu, cpu->getRequirementRecord());
  else
    buildLinalgToLLVMPipeline(lowering, cpu->getRequirementRecord());
  if (failed(lowering.run(*module)))
    return 1;
  if (gpu) {
    bool nvidia = gpu->vendor == GPUTarget::Vendor::NVIDIA;
    if (emit == EmitKind::Device) {
      LogicalResult written = failure();
      if (failed(writeText([&](llvm::raw_ostream &os) {
            written = emitAssembly(*module, *gpu, &os);
          })))
        return 1;
      return failed(written);
    }
    if (!deviceCodeDir.empty()) {
      if (std::error_code ec =
              llvm::sys::fs::create_directories(deviceCodeDir))
        return fail("cannot create " + deviceCodeDir + ": " + ec.message());
      // NVIDIA embeds a fatbin: the PTX is serialized on its own.
      if (nvidia && failed(emitAssembly(*module, *gpu, nullptr)))
        return 1;
    }
    PassManager binary(&context);
    buildGPUBinaryPipeline(binary, *gpu, GPUBinaryFormat::Embedded);
    if (failed(binary.run(*module)))
      return 1;
    // AMD embeds the code objects themselves.
    if (!deviceCodeDir.empty() && !nvidia &&
        failed(writeDeviceCode(*module, nullptr, deviceCodeDir, "hsaco")))
      return 1;
  } else if (emit == EmitKind::Device) {
    return fail("--emit=device needs a GPU --target");
  } else if (!deviceCodeDir.empty()) {
    return fail("--device-code-dir needs a GPU --target");
  }

  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(*cpu, optLevel, error);
  if (!machine)
    return fail(error);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(*module, llvmContext, *machine, optLevel);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  if (emit == EmitKind::LLVM)
    return failed(writeText(
        [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }));

  bool assembly = emit == EmitKind::Asm;
  std::string objectPath = outputPath;
  SmallString<128> tempObject;
  if (emit == EmitKind::SharedLib) {
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("edge-model", "o", tempObject))
      return fail("cannot create a temporary file: " + ec.message());
    objectPath = tempObject.str().str();
  } else if (objectPath.empty()) {
    objectPath = "-";
  }
  {
    std::error_code ec;
    llvm::ToolOutputFile file(objectPath, ec,
                              assembly ? llvm::sys::fs::OF_Text
                                       : llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot open " + objectPath + ": " + ec.message());
    if (failed(
            emitNativeCode(*llvmModule, *machine, assembly, file.os(), error)))
      return fail(error);
    file.keep();
  }
  if (emit != EmitKind::SharedLib)
    return 0;

  std::string library =
      outputPath.empty() ? defaultLibraryPath() : outputPath.getValue();
  LogicalResult linked =
      linkSharedLibrary(objectPath, library, cpu->triple, error);
  llvm::sys::fs::remove(tempObject);
  if (failed(linked) || failed(writeModelHeader(library, error)))
    return fail(error);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(edgeCategory);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "edge-compile: ONNX model to a native shared library\n");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to NVVM/ROCDL LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  registerAllEdgeDialects(registry);
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
  return compile(context);
}
