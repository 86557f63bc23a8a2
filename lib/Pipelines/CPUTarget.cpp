//===- CPUTarget.cpp - The CPUs edge-compile generates code for -----------===//

#include "edge/Pipelines/CPUTarget.h"

#include "edge/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Analysis/TargetTransformInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/AArch64TargetParser.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::edge;

static constexpr llvm::StringLiteral kX86Triple = "x86_64-unknown-linux-gnu";
static constexpr llvm::StringLiteral kAArch64Triple =
    "aarch64-unknown-linux-gnu";

/// Features the runtime can find on the running CPU (cpuid on x86-64,
/// the auxiliary vector on AArch64), by LLVM's names. Keep in step with
/// lib/Runtime/CPUFeatures.c. A feature LLVM may use for the target that
/// is missing here goes unchecked.
static constexpr llvm::StringLiteral kCheckedX86Features[] = {
    "sse3",        "ssse3",      "sse4.1",       "sse4.2",
    "popcnt",      "movbe",      "avx",          "fma",
    "f16c",        "avx2",       "bmi",          "bmi2",
    "lzcnt",       "avx512f",    "avx512dq",     "avx512ifma",
    "avx512cd",    "avx512bw",   "avx512vl",     "avx512vbmi",
    "avx512vbmi2", "avx512vnni", "avx512bitalg", "avx512vpopcntdq",
    "avx512fp16",  "avx512bf16", "avxvnni",      "gfni",
    "vaes",        "vpclmulqdq",
};
static constexpr llvm::StringLiteral kCheckedAArch64Features[] = {
    "fp-armv8", "neon", "fullfp16", "dotprod", "rdm",  "lse",     "crc",
    "rcpc",     "sve",  "sve2",     "bf16",    "i8mm", "fp16fml",
};

/// Examples for the message about an unknown CPU.
static constexpr llvm::StringLiteral kExampleCPUs =
    "native; x86-64: x86-64, x86-64-v2, x86-64-v3 (AVX2), x86-64-v4 "
    "(AVX-512), or a CPU such as skylake-avx512, znver4; AArch64: "
    "cortex-a76 (Raspberry Pi 5), cortex-a78ae (Jetson Orin), neoverse-n1, "
    "neoverse-v1, or an architecture such as armv8.2-a";

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

bool CPUTarget::isAArch64() const { return llvm::Triple(triple).isAArch64(); }

std::string CPUTarget::getRequirementRecord() const {
  std::string record = name;
  for (const std::string &feature : requiredFeatures)
    record += " " + feature;
  return record;
}

TileAndVectorizePassOptions CPUTarget::getKernelOptions() const {
  TileAndVectorizePassOptions options;
  options.vectorWidth = std::max(1u, vectorBits / 32);
  // Half the registers hold accumulators, the rest the operand vectors,
  // the broadcast scalars and the addresses' spills: 16 rows of one
  // register on AVX-512 and NEON (32 registers), 8 on AVX2 (16). Kernels
  // whose rows each read their own input vector (depthwise) need a
  // register for that input too.
  options.rows = std::max(1u, vectorRegisters / 2);
  options.slidingRows = std::max(1u, vectorRegisters / 4);
  if (l2CacheBytes)
    options.cacheBytes = *l2CacheBytes;
  options.fuseMultiplyAdd = hasFMA;
  return options;
}

std::string CPUTarget::describe() const {
  TileAndVectorizePassOptions kernel = getKernelOptions();
  std::string caches;
  if (l1CacheBytes)
    caches += llvm::formatv(", L1d {0} KiB", *l1CacheBytes / 1024).str();
  if (l2CacheBytes)
    caches += llvm::formatv(", L2 {0} KiB", *l2CacheBytes / 1024).str();
  return llvm::formatv("target {0} ({1}, cpu {2}): {3}-bit vectors, {4} "
                       "vector registers, {5}{6}; kernels: {7} f32 lanes, "
                       "{8} accumulator rows, {9} sliding rows",
                       name, llvm::Triple(triple).getArchName(), cpu,
                       vectorBits, vectorRegisters, hasFMA ? "FMA" : "no FMA",
                       caches, kernel.vectorWidth, kernel.rows,
                       kernel.slidingRows)
      .str();
}

std::optional<std::string>
mlir::edge::parseCPUTargetSpec(llvm::StringRef text) {
  if (text == "cpu")
    return std::string();
  if (text.consume_front("cpu:"))
    return text.str();
  return std::nullopt;
}

/// The triple, CPU and features `name` stands for, or an error.
static llvm::Error selectCPU(llvm::StringRef name, CPUTarget &target) {
  if (name.empty() || name == "native") {
    target.triple = llvm::sys::getProcessTriple();
    target.cpu = llvm::sys::getHostCPUName().str();
    target.name = target.cpu;
    llvm::SubtargetFeatures list;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      list.AddFeature(feature.first(), feature.second);
    target.features = list.getString();
    return llvm::Error::success();
  }
  target.name = name.str();
  if (name == "aarch64" || name == "arm64") {
    target.triple = kAArch64Triple.str();
    target.cpu = "generic";
    return llvm::Error::success();
  }
  // An AArch64 architecture version: LLVM's generic CPU with its features.
  if (name.starts_with("armv")) {
    if (const llvm::AArch64::ArchInfo *arch = llvm::AArch64::parseArch(name)) {
      target.triple = kAArch64Triple.str();
      target.cpu = "generic";
      target.features = arch->ArchFeature.str() + ",+neon";
      return llvm::Error::success();
    }
  }
  // A CPU name: the host's architecture first ("generic" exists on both).
  llvm::SmallVector<llvm::StringRef, 2> triples = {kX86Triple, kAArch64Triple};
  if (llvm::Triple(llvm::sys::getProcessTriple()).isAArch64())
    std::swap(triples[0], triples[1]);
  for (llvm::StringRef triple : triples) {
    std::string error;
    const llvm::Target *llvmTarget =
        llvm::TargetRegistry::lookupTarget(llvm::Triple(triple), error);
    if (!llvmTarget)
      continue;
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        llvmTarget->createMCSubtargetInfo(llvm::Triple(triple), "", ""));
    if (info && info->isCPUStringValid(name)) {
      target.triple = triple.str();
      target.cpu = name.str();
      return llvm::Error::success();
    }
  }
  return llvm::createStringError("unknown CPU '" + name.str() +
                                 "'; known CPUs include " + kExampleCPUs.str());
}

/// Reads what the kernels depend on from LLVM's cost model of the target
/// (TargetTransformInfo asks for a function: an empty one in an empty
/// module will do) and the features the runtime will check.
static void readSubtarget(llvm::TargetMachine &machine, CPUTarget &target) {
  llvm::LLVMContext context;
  llvm::Module module("edge-target-query", context);
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  auto *function = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), false),
      llvm::GlobalValue::ExternalLinkage, "query", module);
  llvm::TargetTransformInfo info = machine.getTargetTransformInfo(*function);
  target.vectorBits =
      info.getRegisterBitWidth(llvm::TargetTransformInfo::RGK_FixedWidthVector)
          .getFixedValue();
  target.vectorRegisters =
      info.getNumberOfRegisters(info.getRegisterClassForType(/*Vector=*/true));
  target.l1CacheBytes =
      info.getCacheSize(llvm::TargetTransformInfo::CacheLevel::L1D);
  target.l2CacheBytes =
      info.getCacheSize(llvm::TargetTransformInfo::CacheLevel::L2D);
  const llvm::MCSubtargetInfo *mc = machine.getMCSubtargetInfo();
  // A fused multiply-add instruction: x86-64 from FMA3 (AVX2-class CPUs)
  // on, AArch64's fmla in every SIMD unit. Without one, llvm.fma would be
  // a call to fmaf per lane.
  target.hasFMA = target.isAArch64() ? mc->checkFeatures("+neon")
                                     : mc->checkFeatures("+fma");

  llvm::ArrayRef<llvm::StringLiteral> checked =
      target.isAArch64() ? llvm::ArrayRef(kCheckedAArch64Features)
                         : llvm::ArrayRef(kCheckedX86Features);
  target.requiredFeatures.clear();
  for (llvm::StringRef feature : checked)
    if (mc->checkFeatures(("+" + feature).str()))
      target.requiredFeatures.push_back(feature.str());
}

llvm::Expected<CPUTarget>
mlir::edge::resolveCPUTarget(llvm::StringRef cpu, llvm::StringRef features) {
  initializeTargets();
  CPUTarget target;
  if (llvm::Error error = selectCPU(cpu, target))
    return std::move(error);
  if (!features.empty())
    target.features += (target.features.empty() ? "" : ",") + features.str();
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, /*optLevel=*/3, error);
  if (!machine)
    return llvm::createStringError(error);
  readSubtarget(*machine, target);
  return target;
}

std::unique_ptr<llvm::TargetMachine>
mlir::edge::createTargetMachine(const CPUTarget &target, unsigned optLevel,
                                std::string &error) {
  initializeTargets();
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  llvm::CodeGenOptLevel level =
      optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : optLevel == 0 ? llvm::CodeGenOptLevel::None
                      : llvm::CodeGenOptLevel::Default;
  // Constructors (a GPU model loads its kernels in one) go to .init_array:
  // the C runtime no longer runs the legacy .ctors section.
  llvm::TargetOptions options;
  options.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, options, llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for " + triple.str() + " (" +
            target.cpu + ")";
  return machine;
}
