//===- Compiler.cpp - compileModel: a model in, a library out -------------===//

#include "edge/Compiler/Compiler.h"

#include "Compilation.h"
#include "ConstantEvaluation.h"
#include "Outputs.h"

#include "edge/Conversion/ImportONNX/ImportONNX.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Pipelines/CPUTarget.h"
#include "edge/Pipelines/CodeGen.h"
#include "edge/Pipelines/Pipelines.h"
#include "edge/Placement/CostReport.h"
#include "edge/Placement/DeviceModel.h"
#include "edge/Placement/ModelPlacement.h"
#include "edge/Registration.h"
#include "edge/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Remarks.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::edge;

/// Records the cost model's time for a model on its one device, which
/// profiles put beside the measured time (placement does it per partition
/// on several devices).
/// The `--quantize` value `text` names, if any.
static std::optional<WeightQuantization>
parseWeightQuantization(StringRef text) {
  return llvm::StringSwitch<std::optional<WeightQuantization>>(text)
      .Case("none", WeightQuantization::none)
      .Case("int8-weights", WeightQuantization::int8)
      .Case("int4-weights", WeightQuantization::int4)
      .Default(std::nullopt);
}

static void recordEstimate(ModuleOp module, const Device &device) {
  func::FuncOp model = findModelFunction(module);
  if (!model)
    return;
  double seconds = 0;
  for (Operation &op : model.getBody().front())
    if (auto costed = dyn_cast<CostOpInterface>(op))
      seconds += estimateKernelSeconds(device, costed.estimateFlops(),
                                       costed.estimateBytes());
  model->setAttr(kEstimatedSecondsAttrName,
                 Builder(module.getContext()).getF64FloatAttr(seconds));
}

void mlir::edge::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to NVVM/ROCDL LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  registerAllEdgeDialects(registry);
}


/// The CPU to generate code for: the CPU option, the CPU of a `cpu:CPU`
/// target, or the target of the CPU devices (a preset carries its own:
/// rpi5 is a cortex-a76); empty for this machine. One library holds code
/// for one CPU.
static llvm::Expected<std::string>
selectCPU(const CompileOptions &options, std::optional<std::string> fromTarget,
          const DeviceSet &devices) {
  std::string chosen = options.cpu, origin = "--mcpu";
  if (fromTarget && !fromTarget->empty()) {
    if (!chosen.empty() && chosen != *fromTarget)
      return llvm::createStringError("--target=" + options.target +
                                     " and --mcpu=" + chosen +
                                     " name different CPUs");
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

LogicalResult Compilation::resolveTargets() {
  std::optional<std::string> cpuFromTarget =
      parseCPUTargetSpec(options.target);
  if (!cpuFromTarget) {
    gpu.emplace();
    if (failed(parseGPUTarget(options.target, *gpu, error)))
      return failure();
  }
  if (!options.reportDotPath.empty() && options.reportPath.empty())
    return fail("--report-dot needs --report");
  llvm::Expected<DeviceSet> loaded = loadDevices(options.devices);
  if (!loaded)
    return fail(llvm::toString(loaded.takeError()));
  devices = std::move(*loaded);
  llvm::Expected<std::string> cpuName =
      selectCPU(options, cpuFromTarget, devices);
  if (!cpuName)
    return fail(llvm::toString(cpuName.takeError()));
  llvm::Expected<CPUTarget> resolved = resolveCPUTarget(*cpuName);
  if (!resolved)
    return fail("--mcpu: " + llvm::toString(resolved.takeError()));
  cpu = std::move(*resolved);
  remark::analysis(
      UnknownLoc::get(&context),
      remark::RemarkOpts::name("Target").category("edge-cpu-target"))
      << StringRef(cpu->describe());
  if (failed(parsePlacementObjective(options.objective, objective, error)))
    return failure();
  llvm::Expected<std::vector<ProfileFeedback>> profiles =
      loadProfileFeedback(options.profileFeedback);
  if (!profiles)
    return fail(llvm::toString(profiles.takeError()));
  feedback = std::move(*profiles);
  if (!parseWeightQuantization(options.quantize))
    return fail("--quantize=" + options.quantize +
                ": expected none, int8-weights or int4-weights");
  for (StringRef text : options.pins) {
    DevicePin pin;
    if (failed(parseDevicePin(text, pin, error)))
      return failure();
    if (!devices.find(pin.device))
      return fail("--pin " + text + ": no device named '" + pin.device +
                  "' in --devices=" + options.devices);
    pins.push_back(pin);
  }
  if (gpu && devices.devices.size() > 1)
    return fail("--target=" + options.target +
                " compiles the whole model for one GPU; with several "
                "--devices, each GPU's code follows its device's target "
                "(the description's \"target\", or its preset's)");
  if (devices.devices.size() > 1)
    selectDeviceTargets();
  // GPU code comes from a GPU --target or the GPU devices of --devices.
  bool gpuCode = gpu || !deviceTargets.empty();
  if (!gpuCode && options.emit == EmitKind::Device)
    return fail("--emit=device needs GPU code: a GPU --target, or a GPU "
                "device with a target among several --devices");
  if (!gpuCode && !options.deviceCodeDir.empty())
    return fail("--device-code-dir needs GPU code: a GPU --target, or a GPU "
                "device with a target among several --devices");
  return success();
}

OwningOpRef<ModuleOp> Compilation::loadModel() {
  if (llvm::sys::path::extension(options.inputPath) == ".mlir") {
    // Already-imported edge IR (as written by --emit=edge).
    return parseSourceFile<ModuleOp>(options.inputPath, &context);
  }
  ImportOptions importOptions;
  for (const std::string &shape : options.inputShapes)
    if (failed(parseInputShapeOption(shape, importOptions, error)))
      return nullptr;
  for (const std::string &dim : options.dims)
    if (failed(parseDimOption(dim, importOptions, error)))
      return nullptr;
  for (const std::string &binding : options.boundInputs)
    if (failed(parseBindInputOption(binding, importOptions, error)))
      return nullptr;
  importOptions.constantEvaluator = evaluateByCompiling;
  return importONNXFile(options.inputPath, &context, importOptions);
}

LogicalResult Compilation::buildDeviceCode(ModuleOp module,
                                           const GPUTarget &target) {
  bool nvidia = target.vendor == GPUTarget::Vendor::NVIDIA;
  StringRef dir = options.deviceCodeDir;
  if (!dir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return fail("cannot create " + dir + ": " + ec.message());
    // NVIDIA embeds a fatbin: the PTX is serialized on its own.
    if (nvidia &&
        failed(emitDeviceAssembly(module, target, nullptr, dir, error)))
      return failure();
  }
  PassManager binary(&context);
  buildGPUBinaryPipeline(binary, target, GPUBinaryFormat::Embedded);
  if (failed(binary.run(module)))
    return failure();
  // AMD embeds the code objects themselves.
  if (!dir.empty() && !nvidia &&
      failed(writeDeviceObjects(module, dir, "hsaco", error)))
    return failure();
  return success();
}

void Compilation::selectDeviceTargets() {
  for (const Device &device : devices.devices) {
    if (device.kind == DeviceKind::CPU)
      continue;
    StringRef kind = getDeviceKindName(device.kind);
    auto cpuOnly = [&](const llvm::Twine &why) {
      emitWarning(UnknownLoc::get(&context))
          << "device '" << device.name << "' (" << kind << "): " << why
          << "; its partitions get CPU code only";
    };
    if (device.target.empty()) {
      cpuOnly("the description names no target (\"target\": \"" + kind +
              ":CHIP\")");
      continue;
    }
    GPUTarget target;
    std::string why;
    if (failed(parseGPUTarget(device.target, target, why))) {
      cpuOnly(why);
      continue;
    }
    deviceTargets[device.name] = target;
  }
}

std::string Compilation::defaultLibraryPath() const {
  SmallString<256> path(options.inputPath);
  llvm::sys::path::replace_extension(path, ".so");
  return path.str().str();
}

/// Renames the declarations of the runtime's GPU functions in `code`.
static void prefixGPURuntimeCalls(llvm::Module &code, StringRef prefix) {
  for (llvm::Function &function : code)
    if (function.isDeclaration() &&
        (function.getName().starts_with("mgpu") ||
         function.getName() == "edge_rt_gpu_constant"))
      function.setName(prefix + function.getName());
}

LogicalResult Compilation::generateCode(ModuleOp module,
                                        ArrayRef<LinkedCode> linked) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(*cpu, options.optLevel, error);
  if (!machine)
    return failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, llvmContext, *machine, options.optLevel);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  for (const LinkedCode &other : linked) {
    std::unique_ptr<llvm::Module> code = translateAndOptimize(
        other.module, llvmContext, *machine, options.optLevel);
    if (!code)
      return fail("translation to LLVM IR failed");
    prefixGPURuntimeCalls(*code, other.runtimePrefix);
    // Only internal symbols (device binaries, helpers) can clash; the
    // linker renames those.
    if (llvm::Linker::linkModules(*llvmModule, std::move(code)))
      return fail("linking the partitions' code failed");
  }
  if (options.emit == EmitKind::LLVM)
    return writeText(
        options.outputPath,
        [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }, error);

  bool assembly = options.emit == EmitKind::Asm;
  std::string objectPath = options.outputPath;
  SmallString<128> tempObject;
  if (options.emit == EmitKind::SharedLib) {
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
      return failure();
    file.keep();
  }
  if (options.emit != EmitKind::SharedLib)
    return success();

  std::string library = options.outputPath.empty() ? defaultLibraryPath()
                                                   : options.outputPath;
  LogicalResult built =
      linkSharedLibrary(objectPath, library, cpu->triple, error);
  llvm::sys::fs::remove(tempObject);
  if (failed(built))
    return failure();
  return writeModelHeader(library, error);
}

/// A model with dynamic sizes runs on CPUs for now: the GPU pipeline needs
/// static sizes, so with several devices the GPUs' partitions get CPU code
/// only. Host-only ops (a Slice with run-time starts) need a CPU; placement
/// keeps them on one.
LogicalResult Compilation::checkDynamicSizesSupported(ModuleOp module) {
  if (gpu) {
    WalkResult found = module.walk([](Operation *op) {
      auto slice = dyn_cast<DynamicSliceOp>(op);
      if (!op->hasTrait<HostOnlyTrait>())
        return WalkResult::advance();
      InFlightDiagnostic diag = op->emitError(
          slice ? "a Slice whose starts, ends, axes or steps are read at run "
                  "time runs on the CPU: compile for the CPU, place the model "
                  "with --devices=host,... (the slice then runs on the host), "
                  "or fix them at compile time"
                : "this op reads run-time data in host code and runs on the "
                  "CPU: compile for the CPU, or place the model with "
                  "--devices=host,...");
      // The graph inputs that give them, as the importer names them.
      auto func = op->getParentOfType<func::FuncOp>();
      for (Value operand : op->getOperands().drop_front()) {
        auto arg = dyn_cast<BlockArgument>(operand);
        auto name = arg ? func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                           "edge.name")
                        : StringAttr();
        if (name)
          diag << "; to compile for fixed values of graph input '"
               << name.getValue() << "', bind it with --bind-input="
               << name.getValue() << "=VALUES";
      }
      return WalkResult::interrupt();
    });
    if (found.wasInterrupted())
      return failure();
  }
  func::FuncOp model = findModelFunction(module);
  auto bounds =
      model ? model->getAttrOfType<DictionaryAttr>(kDimBoundsAttrName) : nullptr;
  if (!bounds || bounds.empty())
    return success();
  std::string symbols;
  for (NamedAttribute symbol : bounds)
    symbols += (symbols.empty() ? "'" : ", '") + symbol.getName().str() + "'";
  if (gpu)
    return fail("dynamic sizes (" + symbols + ") run on the CPU only; fix "
                "them with --dim=SYMBOL=SIZE for --target=" + options.target);
  for (const auto &entry : deviceTargets)
    emitWarning(model.getLoc())
        << "device '" << entry.getKey()
        << "': GPU code needs static sizes, and this "
        << "model has dynamic ones (" << symbols << "); its partitions get "
        << "CPU code only (fix them with --dim=SYMBOL=SIZE for GPU code)";
  deviceTargets.clear();
  return success();
}

/// The placement and cost report that the library keeps (edge_model_report)
/// when --report is not given. Its diagnostics, which --report shows, do not
/// stop such a compile: the library then has none.
std::optional<std::string> Compilation::renderReport(ModuleOp module) {
  std::string report;
  llvm::raw_string_ostream os(report);
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) {});
  if (failed(writeCostReport(module, devices, pins, os, nullptr, objective,
                             feedback)))
    return std::nullopt;
  return report;
}

LogicalResult Compilation::run() {
  if (failed(resolveTargets()))
    return failure();
  OwningOpRef<ModuleOp> module = loadModel();
  if (!module)
    return failure();
  if (failed(checkDynamicSizesSupported(*module)))
    return failure();
  PassManager graph(&context);
  buildEdgeGraphPipeline(graph, *parseWeightQuantization(options.quantize));
  if (failed(graph.run(*module)))
    return failure();
  // The report goes into the library too, and to --report's file.
  std::optional<std::string> report;
  if (options.reportPath.empty())
    report = renderReport(*module);
  else if (failed(writeReport(*module, devices, pins, objective, feedback,
                              options.reportPath, options.reportDotPath,
                              report.emplace(), error)))
    return failure();
  if (devices.devices.size() == 1)
    recordEstimate(*module, devices.devices.front());
  if (devices.devices.size() > 1) {
    PassManager partition(&context);
    buildPartitionPipeline(partition, options.devices, options.pins,
                           options.objective, options.profileFeedback);
    if (failed(partition.run(*module)))
      return failure();
  }
  if (options.emit == EmitKind::Edge)
    return writeModule(*module);
  // From here on the module goes to code (edge-emit-abi-metadata).
  if (report)
    (*module)->setAttr(kReportAttrName, StringAttr::get(&context, *report));
  if (!deviceTargets.empty())
    return compilePartitions(*module);

  PassManager pm(&context);
  std::optional<TileAndVectorizePassOptions> cpuKernels;
  if (!gpu)
    cpuKernels = cpu->getKernelOptions();
  buildEdgeToLinalgPipeline(pm, cpuKernels);
  if (failed(pm.run(*module)))
    return failure();
  if (options.emit == EmitKind::Linalg)
    return writeModule(*module);

  PassManager lowering(&context);
  if (gpu)
    buildLinalgToGPUPipeline(lowering, *gpu, cpu->getRequirementRecord());
  else
    buildLinalgToLLVMPipeline(lowering, cpu->getRequirementRecord());
  if (failed(lowering.run(*module)))
    return failure();
  if (gpu && options.emit == EmitKind::Device) {
    LogicalResult written = failure();
    if (failed(writeText(
            options.outputPath,
            [&](llvm::raw_ostream &os) {
              written = emitDeviceAssembly(*module, *gpu, &os, "", error);
            },
            error)))
      return failure();
    return written;
  }
  if (gpu && failed(buildDeviceCode(*module, *gpu)))
    return failure();
  return generateCode(*module);
}

LogicalResult mlir::edge::compileModel(MLIRContext &context,
                                       const CompileOptions &options,
                                       std::string &error) {
  error.clear();
  return Compilation(context, options, error).run();
}
