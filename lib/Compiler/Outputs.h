//===- Outputs.h - What compileModel writes besides the library -*- C++ -*-===//

#ifndef EDGE_LIB_COMPILER_OUTPUTS_H
#define EDGE_LIB_COMPILER_OUTPUTS_H

#include "edge/Pipelines/Pipelines.h"
#include "edge/Placement/ProfileFeedback.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::edge {

struct DeviceSet;
struct DevicePin;
enum class PlacementObjective;

/// Writes text to `path` ("" or "-": standard output).
LogicalResult writeText(StringRef path,
                        llvm::function_ref<void(llvm::raw_ostream &)> print,
                        std::string &error);

/// The cost report of the graph as placement sees it (JSON, also returned
/// in `json`) and, when `dotPath` is given, the placed graph as Graphviz
/// DOT.
LogicalResult writeReport(ModuleOp module, const DeviceSet &devices,
                          ArrayRef<DevicePin> pins,
                          PlacementObjective objective,
                          ArrayRef<ProfileFeedback> feedback,
                          StringRef jsonPath, StringRef dotPath,
                          std::string &json, std::string &error);

/// Serializes a copy of the module's kernels as PTX or AMDGPU assembly and
/// writes them all to `os` when it is given, else one file per kernel
/// module into `dir`.
LogicalResult emitDeviceAssembly(ModuleOp module, const GPUTarget &gpu,
                                 llvm::raw_ostream *os, StringRef dir,
                                 std::string &error);

/// Writes the objects of the module's gpu.binary ops into `dir`, one file
/// per kernel module named after it with `extension`.
LogicalResult writeDeviceObjects(ModuleOp module, StringRef dir,
                                 StringRef extension, std::string &error);

} // namespace mlir::edge

#endif // EDGE_LIB_COMPILER_OUTPUTS_H
