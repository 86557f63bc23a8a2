//===- Backends.cpp - Each partition through its own device's backend -----===//
//
// A model partitioned across CPUs and GPUs becomes one library in which
// every partition has the code of its device:
//
//   1. On the whole module: the index checks and the ABI metadata (whose
//      device lines carry the target of each GPU device with GPU code).
//   2. The module is split by backend: one module per GPU target holding
//      that target's partitions, and the host module holding the CPU
//      partitions plus a CPU version of every GPU partition, for when the
//      GPU is absent at run time (entry -1-P for partition P).
//   3. Each module goes through its backend's pipeline: the CPU pipeline
//      with the host CPU's kernel shapes, or the GPU pipeline (kernels in
//      NVVM or ROCDL, serialized into fatbins or code objects).
//   4. The host module gets declarations of the GPU partitions and the
//      runtime entry that dispatches to all of them; the modules are
//      translated to LLVM IR, each GPU target's calls of the runtime's GPU
//      functions are bound to its vendor's, and all are linked into one.
//
//===----------------------------------------------------------------------===//

#include "Compilation.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"

#include <map>

using namespace mlir;
using namespace mlir::edge;

namespace {
/// The partitions of one GPU target, in a module of their own.
struct GPUPart {
  GPUTarget target;
  OwningOpRef<ModuleOp> module;
};
} // namespace

/// Records in the module's device list which GPUs get GPU code.
static void recordDeviceTargets(ModuleOp module,
                                const llvm::StringMap<GPUTarget> &targets) {
  auto described = module->getAttrOfType<ArrayAttr>(kDevicesAttrName);
  if (!described)
    return;
  Builder builder(module.getContext());
  SmallVector<Attribute> devices;
  for (Attribute attr : described) {
    auto dict = cast<DictionaryAttr>(attr);
    auto name = dict.getAs<StringAttr>("name");
    auto it = name ? targets.find(name.getValue()) : targets.end();
    if (it == targets.end()) {
      devices.push_back(dict);
      continue;
    }
    NamedAttrList entries(dict);
    entries.set("target", builder.getStringAttr(it->second.str()));
    devices.push_back(entries.getDictionary(module.getContext()));
  }
  module->setAttr(kDevicesAttrName, builder.getArrayAttr(devices));
}

/// The GPU target of a partition function, if its device gets GPU code.
static const GPUTarget *
partitionTarget(func::FuncOp func, const llvm::StringMap<GPUTarget> &targets) {
  auto device = func->getAttrOfType<StringAttr>(kDeviceAttrName);
  if (!device || !func->hasAttr(kEntryAttrName))
    return nullptr;
  auto it = targets.find(device.getValue());
  return it == targets.end() ? nullptr : &it->second;
}

/// Keeps in `module` only the partitions of `target`. Their index checks
/// clamp without reporting: kernels cannot call the runtime.
static void keepPartitionsOf(ModuleOp module, const GPUTarget &target,
                             const llvm::StringMap<GPUTarget> &targets) {
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
    if (func.isDeclaration())
      continue;
    const GPUTarget *own = partitionTarget(func, targets);
    if (!own || own->str() != target.str())
      func.erase();
  }
  module.walk([](Operation *op) {
    if (getRunTimeCheck(op))
      setRunTimeCheckSite(op, std::nullopt);
  });
  // The host module keeps the library's texts.
  for (const char *symbol : {kMetadataSymbol, kReportSymbol})
    if (Operation *text = module.lookupSymbol(symbol))
      text->erase();
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (func.isDeclaration() && SymbolTable::symbolKnownUseEmpty(func, module))
      func.erase();
}

/// Turns the GPU partitions of the host module into their CPU versions:
/// entry -1-P, named after the partition with `_cpu`.
static void makeCPUVersions(ModuleOp module,
                            const llvm::StringMap<GPUTarget> &targets) {
  Builder builder(module.getContext());
  SymbolTable symbols(module);
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
    if (!partitionTarget(func, targets))
      continue;
    int32_t index = func->getAttrOfType<IntegerAttr>(kEntryAttrName).getInt();
    func->setAttr(kEntryAttrName, builder.getI32IntegerAttr(-1 - index));
    (void)symbols.rename(func, (func.getName() + "_cpu").str());
  }
}

/// Declares in `host` the lowered entry functions of `part`, with the
/// attributes the runtime entry reads (entry index, arena size, device),
/// and drops
/// their argument attributes, which were only for the metadata.
static void declareEntries(ModuleOp host, ModuleOp part) {
  OpBuilder builder = OpBuilder::atBlockEnd(host.getBody());
  for (auto func : part.getOps<LLVM::LLVMFuncOp>()) {
    if (!func->hasAttr(kEntryAttrName))
      continue;
    func.removeArgAttrsAttr();
    func.removeResAttrsAttr();
    auto declaration = LLVM::LLVMFuncOp::create(
        builder, func.getLoc(), func.getName(), func.getFunctionType());
    declaration->setAttr(kEntryAttrName, func->getAttr(kEntryAttrName));
    for (StringRef name : {kArenaBytesAttrName, kDeviceAttrName})
      if (Attribute attr = func->getAttr(name))
        declaration->setAttr(name, attr);
  }
}

LogicalResult Compilation::compilePartitions(ModuleOp module) {
  recordDeviceTargets(module, deviceTargets);
  PassManager abi(&context);
  buildEdgeABIPipeline(abi, /*reportIndexErrors=*/true);
  if (failed(abi.run(module)))
    return failure();

  // One module per GPU target, in a stable order.
  std::map<std::string, GPUPart> parts;
  for (auto func : module.getOps<func::FuncOp>())
    if (const GPUTarget *target = partitionTarget(func, deviceTargets))
      parts.try_emplace(target->str(), GPUPart{*target, nullptr});
  // The runtime keeps one driver state per vendor: two targets of one
  // vendor would share it.
  for (auto it = parts.begin(); it != parts.end(); ++it)
    for (auto other = std::next(it); other != parts.end(); ++other)
      if (it->second.target.vendor == other->second.target.vendor)
        return fail("the devices need code for two " +
                    llvm::Twine(it->first.substr(0, it->first.find(':'))) +
                    " targets (" + it->first + ", " + other->first +
                    "); one library holds code for one chip per vendor");
  for (auto &[key, part] : parts) {
    part.module = cast<ModuleOp>(module->clone());
    keepPartitionsOf(*part.module, part.target, deviceTargets);
  }
  makeCPUVersions(module, deviceTargets);

  // edge -> linalg: the host with its CPU's kernel shapes.
  PassManager hostLinalg(&context);
  buildEdgeLoweringPipeline(hostLinalg, cpu->getKernelOptions());
  if (failed(hostLinalg.run(module)))
    return failure();
  for (auto &[key, part] : parts) {
    PassManager pm(&context);
    buildEdgeLoweringPipeline(pm, std::nullopt);
    if (failed(pm.run(*part.module)))
      return failure();
  }
  if (options.emit == EmitKind::Linalg)
    return writeText(
        options.outputPath,
        [&](llvm::raw_ostream &os) {
          module->print(os);
          for (auto &[key, part] : parts) {
            os << "\n// partitions compiled for " << key << "\n";
            part.module->print(os);
          }
        },
        error);

  PassManager hostLowering(&context);
  buildLinalgToLLVMLoweringPipeline(hostLowering);
  if (failed(hostLowering.run(module)))
    return failure();
  for (auto &[key, part] : parts) {
    PassManager pm(&context);
    buildLinalgToGPULoweringPipeline(pm, part.target);
    if (failed(pm.run(*part.module)))
      return failure();
  }
  if (options.emit == EmitKind::Device) {
    LogicalResult written = success();
    if (failed(writeText(
            options.outputPath,
            [&](llvm::raw_ostream &os) {
              for (auto &[key, part] : parts)
                if (failed(emitDeviceAssembly(*part.module, part.target, &os,
                                              "", error)))
                  written = failure();
            },
            error)))
      return failure();
    return written;
  }
  for (auto &[key, part] : parts)
    if (failed(buildDeviceCode(*part.module, part.target)))
      return failure();

  // The runtime entry dispatches to every partition, whichever module
  // holds its code.
  for (auto &[key, part] : parts)
    declareEntries(module, *part.module);
  EmitABIEntryPassOptions entry;
  entry.cpuRequirement = cpu->getRequirementRecord();
  PassManager entryPass(&context);
  entryPass.addPass(createEmitABIEntryPass(entry));
  if (failed(entryPass.run(module)))
    return failure();
  // Each target's host code calls the runtime's GPU functions of its
  // vendor (GPU.c): edge_rt_nvidia_mgpuLaunchKernel, ...
  SmallVector<LinkedCode> linked;
  for (auto &[key, part] : parts)
    linked.push_back(
        {*part.module,
         part.target.vendor == GPUTarget::Vendor::NVIDIA ? "edge_rt_nvidia_"
                                                          : "edge_rt_amd_"});
  return generateCode(module, linked);
}
