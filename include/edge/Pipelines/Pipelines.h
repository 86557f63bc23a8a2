//===- Pipelines.h - edge compilation pipelines -----------------*- C++ -*-===//

#ifndef EDGE_PIPELINES_PIPELINES_H
#define EDGE_PIPELINES_PIPELINES_H

#include "edge/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"

#include <optional>
#include <string>

namespace mlir {
class OpPassManager;
namespace edge {

/// Graph-level rewrites on the edge dialect (canonicalization, batch norms
/// folded into convolutions, matrix products over quantized weights, with
/// f32 weights quantized as `weights` says) and fusion groups: the graph
/// the cost report and the placement start from.
void buildEdgeGraphPipeline(
    OpPassManager &pm, WeightQuantization weights = WeightQuantization::none);

/// Places the model's fusion groups and ops on `devices` (a description
/// file or presets, as `edge-compile --devices`) with `pins` (NODE=DEVICE)
/// and partitions it into per-device functions and a host schedule.
void buildPartitionPipeline(OpPassManager &pm, llvm::StringRef devices,
                            llvm::ArrayRef<std::string> pins,
                            llvm::StringRef objective = "latency",
                            llvm::ArrayRef<std::string> profileFeedback = {});

/// The first half of buildEdgeToLinalgPipeline, on the whole model (or all
/// its partitions): fusion groups inlined, the graph rewrites repeated,
/// index checks inserted (reporting to the runtime, or only clamping for
/// code that cannot call it) and the ABI metadata emitted.
void buildEdgeABIPipeline(OpPassManager &pm, bool reportIndexErrors);

/// The second half: edge -> linalg on tensors, with the multiply-accumulate
/// kernels tiled and vectorized by `cpuKernels` (CPU code only).
void buildEdgeLoweringPipeline(
    OpPassManager &pm,
    const std::optional<TileAndVectorizePassOptions> &cpuKernels);

/// edge dialect -> linalg/tensor/arith/math on tensors, with the ABI
/// metadata emitted and the model function (or the partitions) tagged.
/// Starts by inlining fusion groups and repeating the graph rewrites, so
/// it accepts imported, grouped or partitioned IR. With `cpuKernels`, the
/// multiply-accumulate kernels are tiled and vectorized with those register
/// tiles (CPUTarget::getKernelOptions gives a target's).
void buildEdgeToLinalgPipeline(
    OpPassManager &pm,
    const std::optional<TileAndVectorizePassOptions> &cpuKernels);

/// linalg on tensors -> LLVM dialect with the runtime entry point:
/// bufferization (weights stay read-only globals, results become
/// out-parameters), loops, then LLVM. `cpuRequirement` (CPUTarget::
/// getRequirementRecord) is recorded in the library for the runtime to
/// check the running CPU against; empty records nothing.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               llvm::StringRef cpuRequirement = "");

/// buildLinalgToLLVMPipeline without the runtime entry (edge-emit-abi-entry),
/// for code linked with other partitions' into one library.
void buildLinalgToLLVMLoweringPipeline(OpPassManager &pm);

/// A GPU to compile for: `--target=nvidia:sm_90`, `--target=amd:gfx942`.
struct GPUTarget {
  enum class Vendor { NVIDIA, AMD };
  Vendor vendor = Vendor::NVIDIA;
  /// The chip (sm_90, gfx942) and the LLVM target features it needs.
  std::string chip;
  std::string features;
  /// The CUDA toolkit or the ROCm root the device code is built with.
  std::string toolkitPath;

  /// The target as written on the command line.
  std::string str() const;
};

/// Parses a GPU `--target` value (`nvidia:CHIP` or `amd:CHIP`) and finds its
/// toolchain. Returns failure with a message naming the supported chips.
llvm::LogicalResult parseGPUTarget(llvm::StringRef text, GPUTarget &target,
                                   std::string &error);

/// linalg on tensors -> LLVM dialect host code that runs every loop as a
/// kernel on `target`, with the runtime entry (recording `cpuRequirement`
/// for the host code, as buildLinalgToLLVMPipeline); the kernels stay in
/// gpu.module ops (NVVM or ROCDL) for buildGPUBinaryPipeline.
void buildLinalgToGPUPipeline(OpPassManager &pm, const GPUTarget &target,
                              llvm::StringRef cpuRequirement = "");

/// buildLinalgToGPUPipeline without the runtime entry.
void buildLinalgToGPULoweringPipeline(OpPassManager &pm,
                                      const GPUTarget &target);

/// What the gpu.module ops become.
enum class GPUBinaryFormat {
  /// What the library embeds: a fatbin (NVIDIA: cubin + PTX) or an HSA
  /// code object (AMD).
  Embedded,
  /// PTX or AMDGPU assembly.
  Assembly,
};

/// Serializes every gpu.module into a gpu.binary of `format`.
void buildGPUBinaryPipeline(OpPassManager &pm, const GPUTarget &target,
                            GPUBinaryFormat format);

/// The options of the CPU pipelines registered for edge-opt: the CPU that
/// the kernels are shaped for and that the library records.
struct EdgeCPUPipelineOptions
    : public PassPipelineOptions<EdgeCPUPipelineOptions> {
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("CPU to compile for, as edge-compile --mcpu: native, "
                     "an x86-64 level or CPU, an AArch64 CPU or "
                     "architecture"),
      llvm::cl::init("native")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("Extra LLVM target features (+avx2,-avx512f)"),
      llvm::cl::init("")};
};

/// The options of the GPU pipeline registered for edge-opt.
struct EdgeGPUPipelineOptions
    : public PassPipelineOptions<EdgeGPUPipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target",
      llvm::cl::desc("GPU to compile for, as edge-compile --target: "
                     "nvidia:CHIP or amd:CHIP")};
  PassOptions::Option<std::string> binary{
      *this, "binary",
      llvm::cl::desc("What the gpu.module ops become: none (NVVM or ROCDL "
                     "IR), embedded (fatbin or code object) or assembly"),
      llvm::cl::init("none")};
};

/// Registers the pipelines as edge-opt options, with typed options:
/// `edge-to-linalg`, `edge-linalg-to-llvm`, `edge-cpu` (both in sequence)
/// with EdgeCPUPipelineOptions, and `edge-gpu` with EdgeGPUPipelineOptions.
void registerEdgePipelines();

} // namespace edge
} // namespace mlir

#endif // EDGE_PIPELINES_PIPELINES_H
