//===- ExternalData.cpp - Read tensors kept in files beside the model -----===//
//
// A model over 2 GB keeps its weights outside the protobuf: the tensor names
// a file relative to the model's folder and a byte range in it. The file
// name comes from the model, which may come from anyone, so it is confined:
// it must resolve (symlinks followed) to a regular file inside the model's
// folder, and the range must lie inside the file and match the tensor's size.
//
//===----------------------------------------------------------------------===//

#include "ModelChecks.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::edge::onnx_import;

namespace {
/// The external_data entries of one tensor.
struct ExternalReference {
  std::string location;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> length;
};
} // namespace

static FailureOr<ExternalReference>
parseReference(const onnx::TensorProto &tensor, Location loc) {
  ExternalReference reference;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    auto parseNumber = [&](std::optional<uint64_t> &into) -> LogicalResult {
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value))
        return emitError(loc) << "tensor '" << tensor.name() << "': external "
                              << "data " << entry.key() << " '"
                              << entry.value() << "' is not a number";
      into = value;
      return success();
    };
    if (entry.key() == "location")
      reference.location = entry.value();
    else if (entry.key() == "offset") {
      if (failed(parseNumber(reference.offset)))
        return failure();
    } else if (entry.key() == "length") {
      if (failed(parseNumber(reference.length)))
        return failure();
    } else if (entry.key() != "checksum") {
      return emitError(loc) << "tensor '" << tensor.name()
                            << "': unknown external data key '" << entry.key()
                            << "' (known: location, offset, length, checksum)";
    }
  }
  if (reference.location.empty())
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' keeps its data in an external file but names "
                             "no location";
  return reference;
}

/// The real path of `location` inside `directory`, refused when it leaves it.
static FailureOr<std::string> confine(StringRef location, StringRef directory,
                                      StringRef tensorName, Location loc) {
  auto refuse = [&](StringRef why) {
    return emitError(loc) << "tensor '" << tensorName << "': external data "
                          << "location '" << location << "' " << why
                          << "; it must name a file inside the model's "
                             "folder";
  };
  if (location.contains('\0'))
    return refuse("contains a NUL byte");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return refuse("is an absolute path");
  for (StringRef component : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (component == "..")
      return refuse("goes up with '..'");

  SmallString<256> realDirectory, joined(directory), realFile;
  llvm::sys::path::append(joined, location);
  if (std::error_code ec =
          llvm::sys::fs::real_path(directory, realDirectory))
    return emitError(loc) << "cannot resolve the model's folder '" << directory
                          << "': " << ec.message();
  if (std::error_code ec = llvm::sys::fs::real_path(joined, realFile))
    return emitError(loc) << "tensor '" << tensorName << "': cannot open "
                          << "external data file '" << joined
                          << "': " << ec.message();
  StringRef prefix = realDirectory;
  if (!StringRef(realFile).starts_with(prefix) ||
      realFile.size() <= prefix.size() ||
      !llvm::sys::path::is_separator(realFile[prefix.size()]))
    return refuse("resolves to '" + realFile.str().str() +
                  "', outside the folder");
  return realFile.str().str();
}

LogicalResult mlir::edge::onnx_import::loadExternalData(
    onnx::TensorProto &tensor, const std::optional<std::string> &directory,
    int64_t expectedBytes, Location loc) {
  if (!directory)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' keeps its data in an external file; read the "
                             "model from its file, not from standard input";
  FailureOr<ExternalReference> reference = parseReference(tensor, loc);
  if (failed(reference))
    return failure();
  FailureOr<std::string> path =
      confine(reference->location, *directory, tensor.name(), loc);
  if (failed(path))
    return failure();

  // Opening a FIFO would block, so the kind of file is checked before it is
  // opened, and again on the descriptor the data is read from.
  auto notRegular = [&]() {
    return emitError(loc) << "tensor '" << tensor.name() << "': external data "
                          << "'" << reference->location
                          << "' is not a regular file";
  };
  if (!llvm::sys::fs::is_regular_file(*path))
    return notRegular();
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(*path);
  if (!file)
    return emitError(loc) << "tensor '" << tensor.name() << "': cannot open '"
                          << *path
                          << "': " << llvm::toString(file.takeError());
  llvm::scope_exit closeFile([&] { llvm::sys::fs::closeFile(*file); });
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(*file, status))
    return emitError(loc) << "tensor '" << tensor.name() << "': cannot stat '"
                          << *path << "': " << ec.message();
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return notRegular();
  uint64_t fileSize = status.getSize();
  uint64_t offset = reference->offset.value_or(0);
  if (offset > fileSize)
    return emitError(loc) << "tensor '" << tensor.name() << "': external data "
                          << "offset " << offset << " is past the end of '"
                          << reference->location << "' (" << fileSize
                          << " bytes)";
  uint64_t length = reference->length.value_or(fileSize - offset);
  if (length != static_cast<uint64_t>(expectedBytes))
    return emitError(loc) << "tensor '" << tensor.name() << "': external data "
                          << "holds " << length
                          << " bytes, its dimensions and type say "
                          << expectedBytes;
  if (length > fileSize - offset)
    return emitError(loc) << "tensor '" << tensor.name() << "': external data "
                          << "range " << offset << " + " << length
                          << " is past the end of '" << reference->location
                          << "' (" << fileSize << " bytes)";

  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> slice =
      llvm::MemoryBuffer::getOpenFileSlice(*file, *path, length, offset);
  if (!slice)
    return emitError(loc) << "tensor '" << tensor.name() << "': cannot read '"
                          << *path << "': " << slice.getError().message();
  tensor.set_raw_data((*slice)->getBufferStart(), (*slice)->getBufferSize());
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}
