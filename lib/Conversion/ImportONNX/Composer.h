//===- Composer.h - Build edge ops for composed ONNX operators --*- C++ -*-===//
//
// Internal to the importer: operators without an edge op of their own
// (LogSoftmax, LayerNormalization, the losses, Pad, Tile, ...) are composed
// from edge ops; Composer builds them at the node's location and computes
// their result types (the operands are known to be valid).
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_CONVERSION_IMPORTONNX_COMPOSER_H
#define EDGE_LIB_CONVERSION_IMPORTONNX_COMPOSER_H

#include "GraphImporter.h"

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include <cmath>

namespace mlir::edge::onnx_import {

/// Builds edge ops at the node's location with the types they need.
struct Composer {
  NodeContext &ctx;
  OpBuilder &b;
  Location loc;

  explicit Composer(NodeContext &ctx)
      : ctx(ctx), b(ctx.getBuilder()), loc(ctx.getLoc()) {}

  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }

  template <typename OpTy> Value reduce(Value x, ArrayRef<int64_t> axes,
                                        bool keepDims) {
    RankedTensorType type = typeOf(x);
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      bool reduced = axes.empty() || llvm::is_contained(axes, d);
      if (!reduced)
        shape.push_back(type.getDimSize(d));
      else if (keepDims)
        shape.push_back(1);
    }
    return OpTy::create(b, loc, type.clone(shape), x,
                        b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepDims));
  }

  /// How many elements of the i1 `mask` are true along `axes` (removed),
  /// as f32 sums: exact for counts below 2^24.
  Value countTrue(Value mask, ArrayRef<int64_t> axes) {
    Type f32 = b.getF32Type();
    return reduce<ReduceSumOp>(select(mask, scalar(f32, 1), scalar(f32, 0)),
                               axes, /*keepDims=*/false);
  }

  template <typename OpTy> Value binary(Value x, Value y) {
    auto shape = broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape(),
                                 nullptr);
    assert(succeeded(shape) && "composed operands must broadcast");
    return OpTy::create(b, loc, typeOf(x).clone(*shape), x, y);
  }

  template <typename OpTy> Value compare(Value x, Value y) {
    auto shape = broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape(),
                                 nullptr);
    assert(succeeded(shape) && "composed operands must broadcast");
    return OpTy::create(b, loc, RankedTensorType::get(*shape, b.getI1Type()),
                        x, y);
  }

  Value select(Value condition, Value x, Value y) {
    auto branches =
        broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape(), nullptr);
    assert(succeeded(branches) && "composed operands must broadcast");
    auto shape =
        broadcastShapes(typeOf(condition).getShape(), *branches, nullptr);
    assert(succeeded(shape) && "composed operands must broadcast");
    return SelectOp::create(b, loc, typeOf(x).clone(*shape), condition, x, y);
  }

  template <typename OpTy> Value unary(Value x) {
    return OpTy::create(b, loc, x);
  }

  Value scalar(Type element, double value) {
    auto type = RankedTensorType::get({}, element);
    return ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
  }

  /// `values` as a constant of `shape` whose elements are `element`, a
  /// float or an integer type.
  template <typename T>
  Value constant(ArrayRef<T> values, ArrayRef<int64_t> shape, Type element) {
    SmallVector<Attribute> attrs;
    for (T v : values)
      attrs.push_back(
          isa<FloatType>(element)
              ? Attribute(b.getFloatAttr(element, static_cast<double>(v)))
              : Attribute(b.getIntegerAttr(element, static_cast<int64_t>(v))));
    return ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, element), attrs));
  }

  Value splat(RankedTensorType type, Attribute value) {
    return ConstantOp::create(b, loc, DenseElementsAttr::get(type, value));
  }

  /// Integers `x` converted to `element` (a float or a wider integer type).
  /// edge integers are signless and the cast reads them as signed: for
  /// unsigned values, those that come out negative get 2^width back.
  Value convertInteger(Value x, Type element, bool isUnsigned) {
    RankedTensorType type = typeOf(x);
    Value converted = CastOp::create(b, loc, type.clone(element), x);
    if (!isUnsigned)
      return converted;
    auto constant = [&](double value) {
      Attribute attr = isa<FloatType>(element)
                           ? Attribute(b.getFloatAttr(element, value))
                           : Attribute(b.getIntegerAttr(
                                 element, static_cast<int64_t>(value)));
      return splat(RankedTensorType::get({}, element), attr);
    };
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    Value wrapped = binary<AddOp>(converted, constant(std::ldexp(1.0, width)));
    return select(compare<LessOp>(converted, constant(0)), wrapped, converted);
  }

  Value slice(Value x, ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> steps) {
    return SliceOp::create(b, loc, typeOf(x).clone(sizes), x,
                           b.getDenseI64ArrayAttr(starts),
                           b.getDenseI64ArrayAttr(sizes),
                           b.getDenseI64ArrayAttr(steps));
  }

  /// `count` elements of `x` along `axis` from `start` by `step`.
  Value sliceAxis(Value x, int64_t axis, int64_t start, int64_t count,
                  int64_t step = 1) {
    RankedTensorType type = typeOf(x);
    SmallVector<int64_t> starts(type.getRank(), 0),
        sizes(type.getShape()), steps(type.getRank(), 1);
    starts[axis] = count > 0 ? start : 0;
    sizes[axis] = count;
    steps[axis] = step;
    return slice(x, starts, sizes, steps);
  }

  Value concat(ValueRange values, int64_t axis) {
    if (values.size() == 1)
      return values.front();
    // edge.concat infers its type (sizes along the axis add up, a dynamic
    // one makes the sum dynamic).
    return ConcatOp::create(b, loc, values, b.getI64IntegerAttr(axis));
  }

  Value transpose(Value x, ArrayRef<int64_t> perm) {
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(typeOf(x).getDimSize(p));
    return TransposeOp::create(b, loc, typeOf(x).clone(shape), x,
                               b.getDenseI64ArrayAttr(perm));
  }

  /// 0, 1, ..., count - 1 as `element`s (float or integer), in `shape`.
  Value iota(Type element, int64_t count, ArrayRef<int64_t> shape) {
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(isa<FloatType>(element)
                           ? Attribute(b.getFloatAttr(element, i))
                           : Attribute(b.getIntegerAttr(element, i)));
    return ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, element), values));
  }

  /// `data`, once the run has checked that `sizes` (1-D int64, computed
  /// from run-time values) are `expected`, the sizes the model declares; a
  /// failure names the node and `what` gave the sizes (edge.check_sizes).
  Value checkSizes(Value data, Value sizes, ArrayRef<int64_t> expected,
                   StringRef what) {
    return CheckSizesOp::create(b, loc, data, sizes, /*against=*/Value(),
                                b.getDenseI64ArrayAttr(expected),
                                /*site=*/IntegerAttr(),
                                b.getStringAttr(describeNode(what)));
  }

  /// `data`, once the run has checked that `sizes` equal `against`, sizes
  /// of another tensor (both 1-D int64 computed by the run).
  Value checkSizesAgainst(Value data, Value sizes, Value against,
                          StringRef what) {
    SmallVector<int64_t> unknown(typeOf(sizes).getDimSize(0), -1);
    return CheckSizesOp::create(b, loc, data, sizes, against,
                                b.getDenseI64ArrayAttr(unknown),
                                /*site=*/IntegerAttr(),
                                b.getStringAttr(describeNode(what)));
  }

  /// "node 'NAME' (OpType, opset N[, detail])": how a run-time check names
  /// the node it fails in.
  std::string describeNode(StringRef detail = "") {
    std::string description;
    llvm::raw_string_ostream os(description);
    if (auto name = dyn_cast<NameLoc>(loc))
      os << "node '" << name.getName().getValue() << "' ";
    os << "(" << ctx.getNode().op_type() << ", opset " << ctx.getOpset();
    if (!detail.empty())
      os << ", " << detail;
    os << ")";
    return description;
  }

  /// Input `index`, a single element of a type `accepts`, as a 0-d tensor
  /// (an operand read at run time: a trip count, a threshold); the node's
  /// error `message` otherwise.
  FailureOr<Value> scalarInput(unsigned index,
                               llvm::function_ref<bool(Type)> accepts,
                               const Twine &message) {
    auto type = dyn_cast<RankedTensorType>(ctx.getInput(index).getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
        !accepts(type.getElementType()))
      return ctx.emitError(message);
    return reshape(ctx.getInput(index), {});
  }

  Value reshape(Value x, ArrayRef<int64_t> shape) {
    if (typeOf(x).getShape() == shape)
      return x;
    return ReshapeOp::create(b, loc, typeOf(x).clone(shape), x);
  }
};


/// A Conv of `x` and `w` (float tensors) with the node's Conv attributes
/// (strides, pads, auto_pad, dilations, group); NeuralNetworkOps.cpp.
FailureOr<Value> buildConv(NodeContext &ctx, Value x, Value w, Value bias);

} // namespace mlir::edge::onnx_import

#endif // EDGE_LIB_CONVERSION_IMPORTONNX_COMPOSER_H
