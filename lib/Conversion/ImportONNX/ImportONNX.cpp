//===- ImportONNX.cpp - Entry points of the ONNX importer -----------------===//

#include "edge/Conversion/ImportONNX/ImportONNX.h"

#include "ContribOps.h"
#include "GraphImporter.h"
#include "ModelChecks.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/defs/parser.h>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

void mlir::edge::registerImportONNXDialects(DialectRegistry &registry) {
  registry.insert<EdgeDialect, func::FuncDialect>();
}

static bool isTextSyntax(StringRef contents, StringRef bufferName) {
  return bufferName.ends_with(".onnxtxt") ||
         contents.ltrim().starts_with("<");
}

static LogicalResult parseModel(StringRef contents, StringRef bufferName,
                                onnx::ModelProto &model, Location loc) {
  if (contents.empty())
    return emitError(loc) << "not an ONNX model: the file is empty";
  if (isTextSyntax(contents, bufferName)) {
    std::string text = contents.str();
    // The parser reports most errors as a status but throws on numbers
    // out of range (std::stoll, std::stof).
    try {
      onnx::Common::Status status =
          onnx::OnnxParser::Parse(model, text.c_str());
      if (!status.IsOK())
        return emitError(loc) << "cannot parse the ONNX text syntax: "
                              << status.ErrorMessage();
    } catch (const std::exception &e) {
      return emitError(loc) << "cannot parse the ONNX text syntax: "
                            << e.what();
    }
    return success();
  }
  if (contents.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(contents.data(), static_cast<int>(contents.size())))
    return emitError(loc) << "not an ONNX model: the file is not a valid "
                             "ModelProto protobuf";
  return success();
}

/// Version of the default ONNX domain the model imports. A model made only
/// of other domains' ops (e.g. training) needs none: 0 stands for "absent"
/// and the importer reports those ops as unsupported.
static FailureOr<int64_t> getDefaultOpset(const onnx::ModelProto &model,
                                          Location loc) {
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      return import.version();
  for (const onnx::NodeProto &node : model.graph().node())
    if (node.domain().empty() || node.domain() == "ai.onnx")
      return emitError(loc) << "the model uses default-domain ops but imports "
                               "no opset of the default ONNX domain";
  return 0;
}

/// Writes the sizes --dim fixes into the graph inputs' dimensions, before
/// ONNX shape inference, so that the model is imported as if exported with
/// those sizes. Every symbol --dim names must be a dimension of an input.
static LogicalResult specializeDims(onnx::ModelProto &model,
                                    const ImportOptions &options,
                                    Location loc) {
  llvm::StringSet<> used;
  for (onnx::ValueInfoProto &input : *model.mutable_graph()->mutable_input()) {
    if (!input.type().has_tensor_type() ||
        !input.type().tensor_type().has_shape())
      continue;
    for (onnx::TensorShapeProto::Dimension &dim :
         *input.mutable_type()->mutable_tensor_type()->mutable_shape()
              ->mutable_dim()) {
      if (!dim.has_dim_param())
        continue;
      used.insert(dim.dim_param());
      auto fixed = options.dimSizes.find(dim.dim_param());
      if (fixed != options.dimSizes.end())
        dim.set_dim_value(fixed->second);
    }
  }
  bool failedAny = false;
  auto checkUsed = [&](StringRef symbol) {
    if (used.contains(symbol))
      return;
    std::string known;
    for (const auto &entry : used)
      known += (known.empty() ? "'" : ", '") + entry.getKey().str() + "'";
    emitError(loc) << "--dim names '" << symbol
                   << "', which is not a dimension of any graph input "
                      "(named dimensions: "
                   << (known.empty() ? "none" : known) << ")";
    failedAny = true;
  };
  for (const auto &entry : options.dimSizes)
    checkUsed(entry.getKey());
  for (const auto &entry : options.dimBounds)
    checkUsed(entry.getKey());
  return failure(failedAny);
}

OwningOpRef<ModuleOp> mlir::edge::importONNXModel(StringRef contents,
                                                  StringRef bufferName,
                                                  MLIRContext *context,
                                                  const ImportOptions &options) {
  context->loadDialect<EdgeDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(context, bufferName, 0, 0);
  onnx::ModelProto model;
  if (failed(parseModel(contents, bufferName, model, fileLoc)))
    return nullptr;
  FailureOr<int64_t> opset = getDefaultOpset(model, fileLoc);
  if (failed(opset))
    return nullptr;
  if (!model.has_graph() || model.graph().output_size() == 0) {
    emitError(fileLoc) << "the model has no graph outputs";
    return nullptr;
  }
  if (failed(specializeDims(model, options, fileLoc)) ||
      failed(checkModel(model, *opset, options, fileLoc)) ||
      failed(expandContribOps(model, *opset, fileLoc)) ||
      failed(inferShapes(model, *opset, fileLoc)))
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  GraphImporter importer(context, bufferName, options);
  if (failed(importer.importGraph(model.graph(), *opset, *module)))
    return nullptr;
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> mlir::edge::importONNXFile(StringRef path,
                                                 MLIRContext *context,
                                                 const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  ImportOptions fileOptions = options;
  if (path != "-") {
    SmallString<256> directory(path);
    llvm::sys::path::remove_filename(directory);
    fileOptions.modelDirectory = directory.empty() ? "." : directory.str().str();
  }
  return importONNXModel((*buffer)->getBuffer(), path, context, fileOptions);
}

LogicalResult mlir::edge::parseInputShapeOption(StringRef text,
                                                ImportOptions &options,
                                                std::string &error) {
  auto [name, dims] = text.rsplit(':');
  if (name.empty() || dims.empty()) {
    error = "expected NAME:D0xD1x... in --input-shape, got '" + text.str() + "'";
    return failure();
  }
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  // A scalar input is written NAME:scalar.
  if (dims != "scalar")
    dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0) {
      error = "invalid dimension '" + part.str() + "' in --input-shape '" +
              text.str() + "'";
      return failure();
    }
    shape.push_back(dim);
  }
  options.inputShapes[name] = shape;
  return success();
}

LogicalResult mlir::edge::parseDimOption(StringRef text,
                                         ImportOptions &options,
                                         std::string &error) {
  bool bounded = text.contains("<=");
  auto [symbol, value] = bounded ? text.split("<=") : text.split('=');
  int64_t size;
  if (symbol.empty() || value.empty() || (!bounded && !text.contains('=')) ||
      value.getAsInteger(10, size) || size < (bounded ? 1 : 0)) {
    error = "expected SYMBOL<=BOUND (BOUND >= 1) or SYMBOL=SIZE in --dim, got "
            "'" +
            text.str() + "'";
    return failure();
  }
  if (options.dimBounds.count(symbol) || options.dimSizes.count(symbol)) {
    error = "--dim gives '" + symbol.str() + "' twice";
    return failure();
  }
  (bounded ? options.dimBounds : options.dimSizes)[symbol] = size;
  return success();
}

/// Whether `text` is a comma-separated list of numbers (or booleans) rather
/// than a file path.
static bool isLiteralList(StringRef text) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  return llvm::all_of(parts, [](StringRef part) {
    part = part.trim();
    if (part.empty())
      return false;
    if (part == "true" || part == "false")
      return true;
    double number;
    return !part.getAsDouble(number, /*AllowInexact=*/true) ||
           part.lower() == "nan" || part.lower() == "inf" ||
           part.lower() == "-inf";
  });
}

LogicalResult mlir::edge::parseBindInputOption(StringRef text,
                                               ImportOptions &options,
                                               std::string &error) {
  auto [name, value] = text.split('=');
  if (name.empty() || value.empty() || !text.contains('=')) {
    error = "expected NAME=FILE.pb or NAME=V0,V1,... in --bind-input, got '" +
            text.str() + "'";
    return failure();
  }
  BoundInput bound;
  if (isLiteralList(value)) {
    SmallVector<StringRef> parts;
    value.split(parts, ',');
    for (StringRef part : parts)
      bound.literals.push_back(part.trim().str());
  } else {
    auto buffer = llvm::MemoryBuffer::getFile(value, /*IsText=*/false);
    if (!buffer) {
      error = "--bind-input " + name.str() + ": cannot read '" + value.str() +
              "': " + buffer.getError().message();
      return failure();
    }
    bound.serializedTensor = (*buffer)->getBuffer().str();
  }
  if (!options.boundInputs.try_emplace(name, std::move(bound)).second) {
    error = "--bind-input gives input '" + name.str() + "' twice";
    return failure();
  }
  return success();
}

void mlir::edge::registerImportONNXTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (binary or text syntax) into edge",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return importONNXModel(buffer->getBuffer(),
                               buffer->getBufferIdentifier(), context);
      },
      registerImportONNXDialects);
}
