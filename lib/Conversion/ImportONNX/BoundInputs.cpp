//===- BoundInputs.cpp - Graph inputs fixed at compile time ---------------===//
//
// `edge-compile --bind-input=NAME=VALUES` fixes a graph input to one value,
// so that the shapes, axes or scales it carries are static. The value comes
// as a serialized TensorProto or as literal numbers; both are checked against
// the input's declared type and shape, since a mismatch would otherwise
// surface as a confusing error far from its cause.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, dim] : llvm::enumerate(shape))
    text += (index ? "," : "") + std::to_string(dim);
  return text + "]";
}

static FailureOr<DenseElementsAttr>
convertSerializedTensor(const std::string &bytes, StringRef name,
                        RankedTensorType type, int32_t dataType,
                        Location loc) {
  onnx::TensorProto tensor;
  if (!tensor.ParseFromString(bytes))
    return emitError(loc) << "--bind-input " << name
                          << ": the file is not a serialized TensorProto";
  if (tensor.data_type() != dataType)
    return emitError(loc) << "--bind-input " << name << ": the value has type "
                          << getElementTypeName(tensor.data_type())
                          << ", the graph input is "
                          << getElementTypeName(dataType);
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  if (ArrayRef<int64_t>(dims) != type.getShape())
    return emitError(loc) << "--bind-input " << name << ": the value has shape "
                          << formatShape(dims) << ", the graph input is "
                          << formatShape(type.getShape());
  FailureOr<ElementsAttr> value =
      convertTensor(tensor, loc, /*resourceThreshold=*/SIZE_MAX);
  if (failed(value))
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(*value);
  if (!dense)
    return emitError(loc) << "--bind-input " << name
                          << ": the value cannot be read as a dense tensor";
  return dense;
}

/// Parses one literal as an element of `elementType`.
static FailureOr<Attribute> parseLiteral(StringRef literal, Type elementType,
                                         bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    APFloat value(floatType.getFloatSemantics());
    auto status =
        value.convertFromString(literal, APFloat::rmNearestTiesToEven);
    if (!status)
      return (llvm::consumeError(status.takeError()), failure());
    return Attribute(FloatAttr::get(floatType, value));
  }
  auto intType = cast<IntegerType>(elementType);
  if (intType.getWidth() == 1) {
    if (literal == "true" || literal == "1")
      return Attribute(IntegerAttr::get(intType, 1));
    if (literal == "false" || literal == "0")
      return Attribute(IntegerAttr::get(intType, 0));
    return failure();
  }
  APInt value;
  if (literal.getAsInteger(10, value))
    return failure();
  // getAsInteger gives the fewest bits that hold the number: widen it
  // without changing its value and reject what the type cannot hold.
  bool negative = literal.starts_with("-");
  if (negative && isUnsigned)
    return failure();
  unsigned needed = negative || !isUnsigned ? value.getSignificantBits()
                                            : value.getActiveBits();
  if (needed > intType.getWidth())
    return failure();
  value = negative || !isUnsigned ? value.sextOrTrunc(intType.getWidth())
                                  : value.zextOrTrunc(intType.getWidth());
  return Attribute(IntegerAttr::get(intType, value));
}

static FailureOr<DenseElementsAttr>
convertLiterals(ArrayRef<std::string> literals, StringRef name,
                RankedTensorType type, int32_t dataType, Location loc) {
  bool isUnsigned = dataType == onnx::TensorProto::UINT8 ||
                    dataType == onnx::TensorProto::UINT16 ||
                    dataType == onnx::TensorProto::UINT32 ||
                    dataType == onnx::TensorProto::UINT64;
  if (static_cast<int64_t>(literals.size()) != type.getNumElements())
    return emitError(loc) << "--bind-input " << name << " gives "
                          << literals.size() << " values; the graph input has "
                          << type.getNumElements() << " elements (shape "
                          << formatShape(type.getShape()) << ")";
  SmallVector<Attribute> elements;
  for (const std::string &literal : literals) {
    FailureOr<Attribute> element =
        parseLiteral(literal, type.getElementType(), isUnsigned);
    if (failed(element))
      return emitError(loc) << "--bind-input " << name << ": '" << literal
                            << "' is not a value of the input's element type "
                            << getElementTypeName(dataType);
    elements.push_back(*element);
  }
  return DenseElementsAttr::get(type, elements);
}

FailureOr<DenseElementsAttr> mlir::edge::onnx_import::convertBoundInput(
    const BoundInput &bound, StringRef name, RankedTensorType type,
    int32_t dataType, Location loc) {
  if (!bound.serializedTensor.empty())
    return convertSerializedTensor(bound.serializedTensor, name, type,
                                   dataType, loc);
  return convertLiterals(bound.literals, name, type, dataType, loc);
}
