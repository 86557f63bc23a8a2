//===- CPUTarget.h - The CPUs edge-compile generates code for ---*- C++ -*-===//
//
// A CPU target names an architecture and a CPU (`x86-64-v3`, `znver4`,
// `cortex-a76`, `armv8.2-a`, or `native`: the compiling machine). What the
// kernels look like follows from it: the vector width and the number of
// vector registers come from LLVM's description of the CPU (its
// TargetTransformInfo), never from the machine that compiles.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_PIPELINES_CPUTARGET_H
#define EDGE_PIPELINES_CPUTARGET_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir::edge {

struct TileAndVectorizePassOptions;

struct CPUTarget {
  /// The CPU as the user named it (`native` resolved to the host's CPU).
  std::string name;
  /// What LLVM generates code for.
  std::string triple;
  std::string cpu;
  std::string features;

  /// Read from LLVM's subtarget: the widest vector register the target
  /// prefers for its code, the vector registers it has, whether a fused
  /// multiply-add is one instruction, and its data caches (when known).
  unsigned vectorBits = 0;
  unsigned vectorRegisters = 0;
  bool hasFMA = false;
  std::optional<unsigned> l1CacheBytes, l2CacheBytes;

  /// The target's features that the runtime checks on the running CPU
  /// before it runs the code (lib/Runtime/CPUFeatures.c knows each).
  std::vector<std::string> requiredFeatures;

  bool isAArch64() const;
  /// `NAME FEATURE...`: what a library records of its CPU target.
  std::string getRequirementRecord() const;
  /// One line naming the target and the kernel shape chosen for it.
  std::string describe() const;
  /// The register tiles of the multiply-accumulate kernels: f32 lanes per
  /// vector, accumulator rows that leave registers for the operands, and
  /// whether multiply-adds fuse.
  TileAndVectorizePassOptions getKernelOptions() const;
};

/// Resolves `cpu` (empty or `native`: the compiling machine; an x86-64
/// level or CPU; an AArch64 CPU or architecture such as `armv8.2-a`) plus
/// extra LLVM `features` (`+avx2,-avx512f`) into a target, reading its
/// vector registers from LLVM. Errors name the CPU and list known ones.
llvm::Expected<CPUTarget> resolveCPUTarget(llvm::StringRef cpu,
                                           llvm::StringRef features = "");

/// The CPU of a `--target` value: `cpu` alone (native) or `cpu:CPU`.
/// Returns std::nullopt when `text` is not a CPU target.
std::optional<std::string> parseCPUTargetSpec(llvm::StringRef text);

/// Creates the target machine for `target` (position-independent code, for
/// shared libraries). Returns null and sets `error` on failure.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CPUTarget &target, unsigned optLevel,
                    std::string &error);

} // namespace mlir::edge

#endif // EDGE_PIPELINES_CPUTARGET_H
