//===- Outputs.cpp - What compileModel writes besides the library ---------===//

#include "Outputs.h"

#include "edge/Placement/CostReport.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::edge;

/// Opens `path` for writing, or says why it cannot.
static std::unique_ptr<llvm::ToolOutputFile>
openOutput(StringRef path, llvm::sys::fs::OpenFlags flags,
           std::string &error) {
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(path, ec, flags);
  if (ec) {
    error = ("cannot open " + path + ": " + ec.message()).str();
    return nullptr;
  }
  return file;
}

LogicalResult
mlir::edge::writeText(StringRef path,
                      llvm::function_ref<void(llvm::raw_ostream &)> print,
                      std::string &error) {
  auto file =
      openOutput(path.empty() ? "-" : path, llvm::sys::fs::OF_Text, error);
  if (!file)
    return failure();
  print(file->os());
  file->keep();
  return success();
}

LogicalResult mlir::edge::writeReport(ModuleOp module, const DeviceSet &devices,
                                      ArrayRef<DevicePin> pins,
                                      PlacementObjective objective,
                                      ArrayRef<ProfileFeedback> feedback,
                                      StringRef jsonPath, StringRef dotPath,
                                      std::string &json, std::string &error) {
  auto file = openOutput(jsonPath, llvm::sys::fs::OF_Text, error);
  if (!file)
    return failure();
  std::unique_ptr<llvm::ToolOutputFile> dotFile;
  if (!dotPath.empty() &&
      !(dotFile = openOutput(dotPath, llvm::sys::fs::OF_Text, error)))
    return failure();
  llvm::raw_string_ostream jsonStream(json);
  if (failed(writeCostReport(module, devices, pins, jsonStream,
                             dotFile ? &dotFile->os() : nullptr, objective,
                             feedback)))
    return failure();
  file->os() << json;
  file->keep();
  if (dotFile)
    dotFile->keep();
  return success();
}

/// Writes each gpu.binary's objects to `os`, or one file each into `dir`.
static LogicalResult writeObjects(ModuleOp module, llvm::raw_ostream *os,
                                  StringRef dir, StringRef extension,
                                  std::string &error) {
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjects()) {
      StringRef code = cast<gpu::ObjectAttr>(attr).getObject().getValue();
      if (os) {
        *os << "// kernel module " << binary.getName() << "\n" << code << "\n";
        continue;
      }
      SmallString<256> path(dir);
      llvm::sys::path::append(path, binary.getName() + "." + extension);
      auto file = openOutput(path, llvm::sys::fs::OF_None, error);
      if (!file)
        return failure();
      file->os() << code;
      file->keep();
    }
  }
  return success();
}

LogicalResult mlir::edge::writeDeviceObjects(ModuleOp module, StringRef dir,
                                             StringRef extension,
                                             std::string &error) {
  return writeObjects(module, nullptr, dir, extension, error);
}

LogicalResult mlir::edge::emitDeviceAssembly(ModuleOp module,
                                             const GPUTarget &gpu,
                                             llvm::raw_ostream *os,
                                             StringRef dir,
                                             std::string &error) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(module.getContext());
  buildGPUBinaryPipeline(pm, gpu, GPUBinaryFormat::Assembly);
  if (failed(pm.run(*copy)))
    return failure();
  bool nvidia = gpu.vendor == GPUTarget::Vendor::NVIDIA;
  return writeObjects(*copy, os, dir, nvidia ? "ptx" : "s", error);
}
