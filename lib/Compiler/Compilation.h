//===- Compilation.h - The state of one compileModel call -------*- C++ -*-===//

#ifndef EDGE_LIB_COMPILER_COMPILATION_H
#define EDGE_LIB_COMPILER_COMPILATION_H

#include "Outputs.h"

#include "edge/Compiler/Compiler.h"
#include "edge/Pipelines/CPUTarget.h"
#include "edge/Pipelines/Pipelines.h"
#include "edge/Placement/DeviceModel.h"
#include "edge/Placement/ModelPlacement.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringMap.h"

#include <optional>

namespace mlir::edge {

/// Host code compiled apart and linked into the library: the declarations
/// it makes of the runtime's GPU functions (mgpu*, edge_rt_gpu_constant)
/// get `runtimePrefix`.
struct LinkedCode {
  ModuleOp module;
  std::string runtimePrefix;
};

/// One compilation: the options, the context, and where errors go.
class Compilation {
public:
  Compilation(MLIRContext &context, const CompileOptions &options,
              std::string &error)
      : context(context), options(options), error(error) {}

  LogicalResult run();

private:
  LogicalResult fail(const llvm::Twine &message) {
    error = message.str();
    return failure();
  }
  /// Reads the options that do not need the model.
  LogicalResult resolveTargets();
  /// The JSON placement and cost report of the graph, or none where the
  /// report cannot be made.
  std::optional<std::string> renderReport(ModuleOp module);
  /// Refuses dynamic sizes where only static ones are compiled.
  LogicalResult checkDynamicSizesSupported(ModuleOp module);
  OwningOpRef<ModuleOp> loadModel();
  LogicalResult writeModule(ModuleOp module) {
    return writeText(
        options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); },
        error);
  }
  /// Lowers the GPU kernels of `module` to `target`'s binaries, writing
  /// their PTX or code objects into --device-code-dir when it is given.
  LogicalResult buildDeviceCode(ModuleOp module, const GPUTarget &target);
  /// LLVM IR of `module` with `linked` (other backends' host code) linked
  /// in, then an object, then the library.
  LogicalResult generateCode(ModuleOp module,
                             ArrayRef<LinkedCode> linked = {});
  /// Picks the GPU devices whose partitions get GPU code: those with a
  /// target whose toolchain is here (a warning says why others do not).
  void selectDeviceTargets();
  /// The rest of the compilation of a model partitioned across devices
  /// some of which get GPU code (Backends.cpp).
  LogicalResult compilePartitions(ModuleOp module);
  std::string defaultLibraryPath() const;

  MLIRContext &context;
  const CompileOptions &options;
  std::string &error;

  std::optional<GPUTarget> gpu;
  std::optional<CPUTarget> cpu;
  DeviceSet devices;
  SmallVector<DevicePin> pins;
  PlacementObjective objective = PlacementObjective::Latency;
  std::vector<ProfileFeedback> feedback;
  /// The GPU each device with GPU code is compiled for, by device name.
  llvm::StringMap<GPUTarget> deviceTargets;
};

} // namespace mlir::edge

#endif // EDGE_LIB_COMPILER_COMPILATION_H
