//===- GPUTarget.cpp - The GPUs edge-compile builds device code for -------===//

#include "edge/Pipelines/Pipelines.h"
#include "edge/Pipelines/ToolchainPaths.h"

#include "mlir/Support/LLVM.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"


using namespace mlir;
using namespace mlir::edge;

namespace {
/// A chip and the LLVM features its code needs.
struct ChipInfo {
  llvm::StringLiteral chip;
  llvm::StringLiteral features;
};
} // namespace

/// NVIDIA chips the CUDA 13 toolkit assembles for, with the oldest PTX
/// version that knows each (older versions reject the chip).
static constexpr ChipInfo kNVIDIAChips[] = {
    {"sm_75", "+ptx80"},  {"sm_80", "+ptx80"},  {"sm_86", "+ptx80"},
    {"sm_87", "+ptx80"},  {"sm_89", "+ptx80"},  {"sm_90", "+ptx80"},
    {"sm_90a", "+ptx80"}, {"sm_100", "+ptx86"}, {"sm_120", "+ptx87"},
};

/// AMD chips of the data-centre (CDNA) and desktop (RDNA) families.
static constexpr ChipInfo kAMDChips[] = {
    {"gfx908", ""},  {"gfx90a", ""},  {"gfx942", ""},
    {"gfx1030", ""}, {"gfx1100", ""},
};

/// Sets the chip of `target` from `chips`, or says which chips there are.
template <size_t N>
static LogicalResult selectChip(const ChipInfo (&chips)[N],
                                llvm::StringRef vendorName,
                                llvm::StringRef text, llvm::StringRef chip,
                                GPUTarget &target, std::string &error) {
  for (const ChipInfo &info : chips) {
    if (info.chip == chip) {
      target.chip = info.chip.str();
      target.features = info.features.str();
      return success();
    }
  }
  SmallVector<llvm::StringRef> names;
  for (const ChipInfo &info : chips)
    names.push_back(info.chip);
  error = "--target=" + text.str() + ": unknown " + vendorName.str() +
          " chip '" + chip.str() + "'; supported: " + llvm::join(names, ", ");
  return failure();
}

std::string GPUTarget::str() const {
  return (vendor == Vendor::NVIDIA ? "nvidia:" : "amd:") + chip;
}

LogicalResult mlir::edge::parseGPUTarget(llvm::StringRef text,
                                         GPUTarget &target,
                                         std::string &error) {
  auto [vendor, chip] = text.split(':');
  if (vendor == "nvidia") {
    target.vendor = GPUTarget::Vendor::NVIDIA;
    if (failed(selectChip(kNVIDIAChips, "NVIDIA", text, chip, target, error)))
      return failure();
    target.toolkitPath = locateToolchainPath("CUDA_HOME", EDGE_CUDA_PATH);
    SmallString<128> ptxas(target.toolkitPath);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    if (!llvm::sys::fs::can_execute(ptxas)) {
      error = "--target=" + text.str() + " needs the CUDA toolkit: '" +
              ptxas.str().str() +
              "' is missing (set CUDA_HOME to the toolkit's folder)";
      return failure();
    }
    return success();
  }
  if (vendor == "amd") {
    target.vendor = GPUTarget::Vendor::AMD;
    if (failed(selectChip(kAMDChips, "AMD", text, chip, target, error)))
      return failure();
    target.toolkitPath = locateToolchainPath("EDGE_ROCM_PATH", EDGE_ROCM_PATH);
    SmallString<128> ocml(target.toolkitPath);
    llvm::sys::path::append(ocml, "amdgcn", "bitcode", "ocml.bc");
    SmallString<128> lld(target.toolkitPath);
    llvm::sys::path::append(lld, "llvm", "bin", "ld.lld");
    if (!llvm::sys::fs::exists(ocml) || !llvm::sys::fs::can_execute(lld)) {
      error = "--target=" + text.str() +
              " needs the AMD device libraries and ld.lld under '" +
              target.toolkitPath +
              "' (install rocm-device-libs and lld-22, or set "
              "EDGE_ROCM_PATH)";
      return failure();
    }
    return success();
  }
  error = "unknown target '" + text.str() +
          "'; the targets are cpu, nvidia:CHIP and amd:CHIP";
  return failure();
}
