//===- EmitABIMetadata.cpp - Describe the model's tensors for the runtime -===//
//
// The runtime (lib/Runtime) parses `edge_generated_metadata` once per
// instance; its format is documented in docs/runtime.md:
//
//   edge-model 1
//   symbol <index> <escaped-name> <bound>
//   input <escaped-name> <onnx-dtype> <rank> <dims...>
//   output <escaped-name> <onnx-dtype> <rank> <dims...>
//   cache <input-index> <output-index> <axis> <capacity>
//   shapes <count>
//   bound <input-index> <hex bytes>
//
// A model with dynamic sizes (DynamicShapes.h) lists its symbols; a dim is
// a static size, `$K` (symbol K's value) or `?B` (computed by the run, at
// most B); `shapes` counts the int64 entries of the buffer the entry takes
// after its outputs (edge-dynamic-shapes-abi), and those of the values
// that cross a partitioned model's partitions (PartitionSizes.h). A `cache`
// line says that the output appends to the input along `axis` and shares its
// buffer, laid out for `capacity` positions (findCacheOutputs: a decoder's
// KV-cache). A `bound` line records a value an input may take: the one it was
// fixed to at compile time (its `edge.bound_value` argument attribute), or one
// of those that give the shapes the model declares (`edge.implied_values`, one
// line each); the runtime rejects others. A partitioned model (edge-partition)
// adds its devices, buffers and steps (ScheduleMetadata.cpp); its partitions
// become the entries and the schedule function goes away. Last, one `check
// <site> <description>` line per index check site (edge-check-indices).
//
//===----------------------------------------------------------------------===//

#include "DynamicShapes.h"
#include "PartitionSizes.h"
#include "ScheduleMetadata.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::edge {
#define GEN_PASS_DEF_EMITABIMETADATAPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// ONNX TensorProto.DataType code of an element type; 0 if it has none.
/// Integers are signless in MLIR: an `edge.onnx_dtype` attribute on the
/// argument or result (set by the importer for unsigned types) wins.
static int getOnnxDataType(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF16())
    return 10;
  if (type.isF64())
    return 11;
  if (type.isBF16())
    return 16;
  if (type.isInteger(1))
    return 9;
  if (type.isInteger(8))
    return 3;
  if (type.isInteger(16))
    return 5;
  if (type.isInteger(32))
    return 6;
  if (type.isInteger(64))
    return 7;
  return 0;
}

/// Escapes bytes that would break the space-separated line format.
static void writeEscaped(llvm::raw_ostream &os, StringRef name) {
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f || c == '%')
      os << '%' << llvm::format_hex_no_prefix(c, 2, /*Upper=*/true);
    else
      os << c;
  }
}

static LogicalResult writeTensorLine(llvm::raw_ostream &os, StringRef kind,
                                     Type type, DictionaryAttr attrs,
                                     unsigned index, Location loc,
                                     ArrayRef<std::string> dims) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return emitError(loc) << "model " << kind << " " << index
                          << " must be a ranked tensor, got " << type;
  int dtype = getOnnxDataType(tensor.getElementType());
  if (attrs)
    if (auto onnxType = attrs.getAs<IntegerAttr>("edge.onnx_dtype"))
      dtype = onnxType.getInt();
  if (dtype == 0)
    return emitError(loc) << "model " << kind << " " << index
                          << " has element type " << tensor.getElementType()
                          << ", which the runtime ABI cannot describe";
  std::string name = kind.str() + "_" + std::to_string(index);
  if (attrs)
    if (auto nameAttr = attrs.getAs<StringAttr>(kNameAttrName))
      name = nameAttr.str();
  os << kind << ' ';
  writeEscaped(os, name);
  os << ' ' << dtype << ' ' << tensor.getRank();
  for (const std::string &dim : dims)
    os << ' ' << dim;
  os << '\n';
  return success();
}

/// The dim tokens of input `arg`: static sizes and `$K` symbols.
static FailureOr<SmallVector<std::string>>
getInputDims(func::FuncOp model, unsigned arg, const DimSymbols &symbols) {
  SmallVector<std::string> dims;
  auto type = dyn_cast<RankedTensorType>(model.getArgument(arg).getType());
  if (!type)
    return SmallVector<std::string>();
  for (auto [dim, size] : llvm::enumerate(type.getShape())) {
    std::optional<unsigned> symbol = symbols.getArgumentSymbol(model, arg, dim);
    if (ShapedType::isDynamic(size) && !symbol)
      return model.emitError("model input ")
             << arg << " has a dynamic size at dimension " << dim
             << " without a symbol and bound (" << kDimSymbolsAttrName
             << ", " << kDimBoundsAttrName << ")";
    dims.push_back(symbol ? "$" + std::to_string(*symbol)
                          : std::to_string(size));
  }
  return dims;
}

/// The dim tokens of each output: static sizes, `$K` where the size is an
/// input's symbol, `?B` otherwise (B: its size with every symbol at its
/// bound, from `bounds`, inferred here when still unknown).
static FailureOr<SmallVector<SmallVector<std::string>>>
getOutputDims(func::FuncOp model, const DimSymbols &symbols,
              std::optional<SmallVector<SmallVector<int64_t>>> &bounds) {
  auto ret = cast<func::ReturnOp>(model.getBody().front().getTerminator());
  SmallVector<SmallVector<std::string>> outputs;
  for (Value value : ret.getOperands()) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<std::string> dims;
    for (auto [dim, size] : llvm::enumerate(type.getShape())) {
      if (!ShapedType::isDynamic(size)) {
        dims.push_back(std::to_string(size));
        continue;
      }
      // A partitioned model's outputs come from calls: edge-partition
      // recorded their symbols and bounds.
      unsigned output = outputs.size();
      if (auto bound = model.getResultAttrOfType<DenseI64ArrayAttr>(
              output, kBoundShapeAttrName)) {
        auto names =
            model.getResultAttrOfType<ArrayAttr>(output, kDimSymbolsAttrName);
        auto name = names && dim < names.size()
                        ? dyn_cast<StringAttr>(names[dim])
                        : StringAttr();
        std::optional<unsigned> symbol =
            name ? symbols.find(name.getValue()) : std::nullopt;
        dims.push_back(symbol ? "$" + std::to_string(*symbol)
                              : "?" + std::to_string(bound[dim]));
        continue;
      }
      if (std::optional<unsigned> symbol =
              symbols.getSizeSymbol(model, value, dim)) {
        dims.push_back("$" + std::to_string(*symbol));
        continue;
      }
      if (!bounds) {
        FailureOr<SmallVector<SmallVector<int64_t>>> inferred =
            inferResultBounds(model, symbols);
        if (failed(inferred))
          return failure();
        bounds = std::move(*inferred);
      }
      dims.push_back("?" + std::to_string(
                               (*bounds)[outputs.size()][dim]));
    }
    outputs.push_back(std::move(dims));
  }
  return outputs;
}

/// Writes the elements of `value` as the runtime lays them out (little
/// endian, one byte per bool), two hex digits per byte.
static void writeBoundBytes(llvm::raw_ostream &os, DenseElementsAttr value) {
  auto writeBits = [&](const APInt &bits) {
    unsigned numBytes = std::max(1u, bits.getBitWidth() / 8);
    for (unsigned i = 0; i < numBytes; ++i)
      os << llvm::format_hex_no_prefix(
          bits.extractBitsAsZExtValue(std::min(8u, bits.getBitWidth()), i * 8),
          2);
  };
  if (isa<FloatType>(value.getElementType())) {
    for (const APFloat &element : value.getValues<APFloat>())
      writeBits(element.bitcastToAPInt());
    return;
  }
  for (const APInt &element : value.getValues<APInt>())
    writeBits(element);
}

/// One `check <site> <description>` line per run-time check site
/// (edge-check-indices), in site order, for the runtime's error messages.
static LogicalResult writeCheckSites(ModuleOp module, llvm::raw_ostream &os) {
  SmallVector<std::pair<int32_t, StringRef>> sites;
  module.walk([&](Operation *op) {
    std::optional<RunTimeCheck> check = getRunTimeCheck(op);
    if (check && check->site)
      sites.emplace_back(*check->site, check->description);
  });
  llvm::sort(sites);
  for (auto [expected, site] : llvm::enumerate(sites)) {
    if (site.first != static_cast<int32_t>(expected))
      return module.emitError("run-time check sites must be numbered from 0 "
                              "without gaps; site ")
             << expected << " is missing";
    os << "check " << site.first << ' ';
    writeEscaped(os, site.second);
    os << '\n';
  }
  return success();
}

namespace {
struct EmitABIMetadataPass final
    : edge::impl::EmitABIMetadataPassBase<EmitABIMetadataPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model = findModelFunction(module);
    if (!model)
      return signalPassFailure();

    std::string text;
    llvm::raw_string_ostream os(text);
    os << "edge-model 1\n";
    DimSymbols symbols = getDimSymbols(model);
    bool partitioned = model->hasAttr(kScheduleAttrName);
    for (auto [index, name] : llvm::enumerate(symbols.names)) {
      os << "symbol " << index << ' ';
      writeEscaped(os, name);
      os << ' ' << symbols.bounds[index] << '\n';
    }
    FunctionType type = model.getFunctionType();
    for (auto [index, input] : llvm::enumerate(type.getInputs())) {
      FailureOr<SmallVector<std::string>> dims =
          getInputDims(model, index, symbols);
      if (failed(dims) ||
          failed(writeTensorLine(os, "input", input, model.getArgAttrDict(index),
                                 index, model.getLoc(), *dims)))
        return signalPassFailure();
    }
    // The outputs' bounds, inferred once for their `?B` sizes and the
    // caches' capacities.
    std::optional<SmallVector<SmallVector<int64_t>>> resultBounds;
    FailureOr<SmallVector<SmallVector<std::string>>> outputDims =
        getOutputDims(model, symbols, resultBounds);
    if (failed(outputDims))
      return signalPassFailure();
    for (auto [index, output] : llvm::enumerate(type.getResults()))
      if (failed(writeTensorLine(os, "output", output,
                                 model.getResultAttrDict(index), index,
                                 model.getLoc(), (*outputDims)[index])))
        return signalPassFailure();
    // A partitioned model's caches were found before its ops moved into
    // partitions (edge-partition).
    FailureOr<SmallVector<CacheOutput>> caches =
        partitioned ? getCacheOutputs(model)
                    : findCacheOutputs(model, symbols, resultBounds);
    if (failed(caches))
      return signalPassFailure();
    for (const CacheOutput &cache : *caches)
      os << "cache " << cache.input << ' ' << cache.output << ' ' << cache.axis
         << ' ' << cache.capacity << '\n';
    setCacheOutputs(model, *caches);
    if (!symbols.empty()) {
      // A partitioned model's buffer also holds the sizes of the values
      // that cross partitions (PartitionSizes.h).
      int64_t count = symbols.names.size();
      for (Type output : type.getResults())
        count += cast<RankedTensorType>(output).getRank();
      if (auto entries =
              model->getAttrOfType<IntegerAttr>(kShapeEntriesAttrName))
        count = entries.getInt();
      os << "shapes " << count << '\n';
    }
    for (unsigned index = 0, e = model.getNumArguments(); index < e; ++index) {
      SmallVector<DenseElementsAttr> allowed;
      if (auto bound = model.getArgAttrOfType<DenseElementsAttr>(
              index, "edge.bound_value"))
        allowed.push_back(bound);
      if (auto implied =
              model.getArgAttrOfType<ArrayAttr>(index, "edge.implied_values"))
        llvm::append_range(allowed,
                           implied.getAsRange<DenseElementsAttr>());
      for (DenseElementsAttr value : allowed) {
        os << "bound " << index << ' ';
        writeBoundBytes(os, value);
        os << '\n';
      }
    }
    if (!partitioned)
      os << formatEstimate(0, model);
    if ((partitioned && failed(writeSchedule(module, model, os))) ||
        failed(writeCheckSites(module, os)))
      return signalPassFailure();

    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto emitText = [&](StringRef symbol, std::string bytes) {
      bytes.push_back('\0');
      auto arrayType = LLVM::LLVMArrayType::get(
          IntegerType::get(&getContext(), 8), bytes.size());
      LLVM::GlobalOp::create(builder, model.getLoc(), arrayType,
                             /*isConstant=*/true, LLVM::Linkage::External,
                             symbol, builder.getStringAttr(bytes));
    };
    emitText(kMetadataSymbol, text);
    if (auto report = module->getAttrOfType<StringAttr>(kReportAttrName)) {
      emitText(kReportSymbol, report.str());
      module->removeAttr(kReportAttrName);
    }

    if (partitioned) {
      model.erase();
      return;
    }
    model->setAttr(kEntryAttrName, builder.getI32IntegerAttr(0));
    // Inputs belong to the caller: bufferization must not write into them.
    // edge.input survives bufferization (which drops the writable flag):
    // the GPU lowering copies inputs, not outputs, to the device.
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
      model.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                       builder.getBoolAttr(false));
      model.setArgAttr(i, kInputAttrName, builder.getUnitAttr());
    }
  }

  func::FuncOp findModelFunction(ModuleOp module) {
    func::FuncOp found;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isDeclaration())
        continue;
      if (!entry.empty() ? func.getName() == entry : func.isPublic()) {
        if (found) {
          module.emitError("several public functions: name the model "
                           "function with the `entry` option");
          return {};
        }
        found = func;
      }
    }
    if (!found)
      module.emitError("no model function found")
          << (entry.empty() ? "" : " named '" + entry + "'");
    return found;
  }
};
} // namespace
