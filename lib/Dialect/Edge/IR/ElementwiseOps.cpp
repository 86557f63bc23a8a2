//===- ElementwiseOps.cpp - Elementwise edge ops: types and folders -------===//
//
// Shape inference (numpy broadcasting) and constant folding of the binary,
// comparison, logical, select, cast and clip ops. Folding matters for the
// shape computations ONNX exporters emit (Shape -> Gather -> Mul -> Concat ->
// Reshape): with static inputs they must become constants at import.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "OpUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/APSInt.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;

/// Constant folds larger than this are left to run time: they would bloat
/// the IR and the library for no gain.
static constexpr int64_t kMaxFoldedElements = 1 << 16;

/// Folds an elementwise op over constant operands with numpy broadcasting.
/// `fn` maps the operands' elements at one position to the result element
/// (null: do not fold).
static Attribute
foldBroadcast(ArrayRef<Attribute> operands, ShapedType resultType,
              function_ref<Attribute(ArrayRef<Attribute>)> fn) {
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute operand : operands) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(operand);
    if (!dense)
      return {};
    inputs.push_back(dense);
  }
  if (!resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldedElements)
    return {};
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t rank = shape.size();
  SmallVector<SmallVector<Attribute>> values;
  for (DenseElementsAttr input : inputs)
    values.push_back(llvm::to_vector(input.getValues<Attribute>()));

  SmallVector<Attribute> results;
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> elements(inputs.size());
  for (int64_t flat = 0, e = resultType.getNumElements(); flat < e; ++flat) {
    for (auto [k, input] : llvm::enumerate(inputs)) {
      ArrayRef<int64_t> inShape = input.getType().getShape();
      int64_t offset = rank - inShape.size(), linear = 0;
      for (auto [d, size] : llvm::enumerate(inShape))
        linear = linear * size + (size == 1 ? 0 : index[offset + d]);
      elements[k] = values[k][input.isSplat() ? 0 : linear];
    }
    Attribute result = fn(elements);
    if (!result)
      return {};
    results.push_back(result);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(resultType, results);
}

/// Arithmetic on float or integer elements; a function returning nullopt
/// (e.g. integer division by zero) leaves the op to run time.
static Attribute foldArithmetic(
    ArrayRef<Attribute> operands, Type resultType,
    function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>
        floatFn,
    function_ref<std::optional<APInt>(const APInt &, const APInt &)> intFn) {
  auto shaped = cast<ShapedType>(resultType);
  Type element = shaped.getElementType();
  return foldBroadcast(operands, shaped, [&](ArrayRef<Attribute> e) {
    if (auto lhs = dyn_cast<FloatAttr>(e[0])) {
      std::optional<APFloat> value =
          floatFn(lhs.getValue(), cast<FloatAttr>(e[1]).getValue());
      return value ? Attribute(FloatAttr::get(element, *value)) : Attribute();
    }
    if (!intFn)
      return Attribute();
    std::optional<APInt> value = intFn(cast<IntegerAttr>(e[0]).getValue(),
                                       cast<IntegerAttr>(e[1]).getValue());
    return value ? Attribute(IntegerAttr::get(element, *value)) : Attribute();
  });
}

//===----------------------------------------------------------------------===//
// Binary arithmetic
//===----------------------------------------------------------------------===//

#define EDGE_BROADCAST_INFER(OpTy, ResultElement)                              \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *context, std::optional<Location> location,                  \
      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {                      \
    (void)context;                                                             \
    return inferTensor(location, ResultElement, inferred,                      \
                       [&](ShapeErrorFn error) {                               \
                         return broadcastShapes(shapeOf(adaptor.getLhs()),     \
                                                shapeOf(adaptor.getRhs()),     \
                                                error);                        \
                       });                                                     \
  }
#define EDGE_SAME_ELEMENT elementTypeOf(adaptor.getLhs())
#define EDGE_BOOL_ELEMENT IntegerType::get(context, 1)
EDGE_BROADCAST_INFER(AddOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(SubOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(MulOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(DivOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(DivUOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(PowOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(RemOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(ShiftLeftOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(ShiftRightUOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(ModOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(MaxOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(MinOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(PReluOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(EqualOp, EDGE_BOOL_ELEMENT)
EDGE_BROADCAST_INFER(LessOp, EDGE_BOOL_ELEMENT)
EDGE_BROADCAST_INFER(LessEqualOp, EDGE_BOOL_ELEMENT)
EDGE_BROADCAST_INFER(GreaterOp, EDGE_BOOL_ELEMENT)
EDGE_BROADCAST_INFER(GreaterEqualOp, EDGE_BOOL_ELEMENT)
EDGE_BROADCAST_INFER(AndOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(OrOp, EDGE_SAME_ELEMENT)
EDGE_BROADCAST_INFER(XorOp, EDGE_SAME_ELEMENT)
#undef EDGE_BOOL_ELEMENT
#undef EDGE_SAME_ELEMENT
#undef EDGE_BROADCAST_INFER

/// Folds a unary op elementwise on a constant operand.
static Attribute foldUnary(Attribute operand, Type resultType,
                           function_ref<APFloat(const APFloat &)> floatFn,
                           function_ref<APInt(const APInt &)> intFn) {
  auto shaped = cast<ShapedType>(resultType);
  Type element = shaped.getElementType();
  return foldBroadcast(operand, shaped, [&](ArrayRef<Attribute> e) {
    if (auto value = dyn_cast<FloatAttr>(e[0]))
      return Attribute(FloatAttr::get(element, floatFn(value.getValue())));
    return Attribute(
        IntegerAttr::get(element, intFn(cast<IntegerAttr>(e[0]).getValue())));
  });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(), [](const APFloat &x) { return -x; },
      [](const APInt &x) { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(), [](const APFloat &x) { return abs(x); },
      [](const APInt &x) { return x.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) {
        return x.isNegative() && !x.isNaN() ? APFloat::getZero(x.getSemantics())
                                            : x;
      },
      [](const APInt &x) {
        return x.isNegative() ? APInt(x.getBitWidth(), 0) : x;
      });
}

/// Rounds a float constant with `mode`.
static APFloat roundFloat(APFloat x, APFloat::roundingMode mode) {
  x.roundToIntegral(mode);
  return x;
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) { return roundFloat(x, APFloat::rmTowardNegative); },
      nullptr);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) { return roundFloat(x, APFloat::rmTowardPositive); },
      nullptr);
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &x) {
        return roundFloat(x, APFloat::rmNearestTiesToEven);
      },
      nullptr);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero is undefined in ONNX: leave it to run time.
        if (b.isZero())
          return std::nullopt;
        return a.sdiv(b);
      });
}

OpFoldResult DivUOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &, const APFloat &) -> std::optional<APFloat> {
        return std::nullopt;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        return a.udiv(b);
      });
}

/// Float elements through a double computation (f16/bf16/f32/f64 all fit).
static std::optional<APFloat>
applyInDouble(const APFloat &a, const APFloat &b,
              function_ref<double(double, double)> fn) {
  bool losesInfo;
  APFloat x = a, y = b;
  x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  y.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  APFloat result(fn(x.convertToDouble(), y.convertToDouble()));
  result.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) {
        return applyInDouble(a, b, [](double x, double y) {
          return std::pow(x, y);
        });
      },
      nullptr);
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sge(b) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sle(b) ? a : b;
      });
}

/// Shifts by the bit width or more give 0 (ONNX leaves them undefined;
/// this is what the hardware-independent lowering computes too).
static std::optional<APInt> shiftInts(const APInt &a, const APInt &b,
                                      bool left) {
  if (b.uge(a.getBitWidth()))
    return APInt::getZero(a.getBitWidth());
  unsigned amount = b.getZExtValue();
  return left ? a.shl(amount) : a.lshr(amount);
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &, const APFloat &) -> std::optional<APFloat> {
        return std::nullopt;
      },
      [](const APInt &a, const APInt &b) { return shiftInts(a, b, true); });
}

OpFoldResult ShiftRightUOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &, const APFloat &) -> std::optional<APFloat> {
        return std::nullopt;
      },
      [](const APInt &a, const APInt &b) { return shiftInts(a, b, false); });
}

OpFoldResult RemOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.mod(b);
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        return a.srem(b);
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.mod(b);
        if (!r.isZero() && r.isNegative() != b.isNegative())
          r = r + b;
        return r;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        APInt r = a.srem(b);
        if (!r.isZero() && r.isNegative() != b.isNegative())
          r += b;
        return r;
      });
}

OpFoldResult PReluOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a.isNegative() ? a * b : a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.isNegative() ? a * b : a;
      });
}

//===----------------------------------------------------------------------===//
// Comparisons, logical ops, select
//===----------------------------------------------------------------------===//

/// Folds a comparison: `predicate` receives the three-way result of
/// comparing the elements (-1, 0, 1), or nullopt for an unordered (NaN) pair.
static OpFoldResult
foldCompare(ArrayRef<Attribute> operands, Type resultType,
            function_ref<bool(std::optional<int>)> predicate) {
  auto shaped = cast<ShapedType>(resultType);
  Builder b(resultType.getContext());
  return foldBroadcast(operands, shaped, [&](ArrayRef<Attribute> e) {
    std::optional<int> order;
    if (auto lhs = dyn_cast<FloatAttr>(e[0])) {
      APFloat::cmpResult result =
          lhs.getValue().compare(cast<FloatAttr>(e[1]).getValue());
      if (result != APFloat::cmpUnordered)
        order = result == APFloat::cmpLessThan      ? -1
                : result == APFloat::cmpGreaterThan ? 1
                                                    : 0;
    } else {
      const APInt &l = cast<IntegerAttr>(e[0]).getValue();
      const APInt &r = cast<IntegerAttr>(e[1]).getValue();
      order = l.slt(r) ? -1 : l.sgt(r) ? 1 : 0;
    }
    return Attribute(b.getBoolAttr(predicate(order)));
  });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> order) { return order == 0; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> order) { return order == -1; });
}

OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> order) {
                       return order && *order <= 0;
                     });
}

OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> order) { return order == 1; });
}

OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getOperands(), getType(),
                     [](std::optional<int> order) {
                       return order && *order >= 0;
                     });
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (elementTypeOf(adaptor.getLhs()) != elementTypeOf(adaptor.getRhs()))
    return emitOptionalError(location,
                             "select branches must have one element type");
  return inferTensor(location, elementTypeOf(adaptor.getLhs()), inferred,
                     [&](ShapeErrorFn error) -> FailureOr<Shape> {
                       FailureOr<Shape> branches =
                           broadcastShapes(shapeOf(adaptor.getLhs()),
                                           shapeOf(adaptor.getRhs()), error);
                       if (failed(branches))
                         return failure();
                       return broadcastShapes(shapeOf(adaptor.getCondition()),
                                              *branches, error);
                     });
}

//===----------------------------------------------------------------------===//
// CastOp, ClipOp
//===----------------------------------------------------------------------===//

/// One element converted with ONNX Cast semantics; null if not foldable.
static Attribute castElement(Attribute element, Type to) {
  bool losesInfo;
  if (auto floatAttr = dyn_cast<FloatAttr>(element)) {
    APFloat value = floatAttr.getValue();
    if (auto floatType = dyn_cast<FloatType>(to)) {
      value.convert(floatType.getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
      return FloatAttr::get(to, value);
    }
    unsigned width = to.getIntOrFloatBitWidth();
    if (width == 1)
      return IntegerAttr::get(to, APInt(1, !value.isZero()));
    APSInt result(width, /*isUnsigned=*/false);
    bool isExact;
    if (value.isNaN() || value.convertToInteger(result, APFloat::rmTowardZero,
                                                &isExact) != APFloat::opOK)
      return {};
    return IntegerAttr::get(to, result);
  }
  APInt value = cast<IntegerAttr>(element).getValue();
  bool isBool = value.getBitWidth() == 1;
  if (auto floatType = dyn_cast<FloatType>(to)) {
    APFloat result(floatType.getFloatSemantics());
    result.convertFromAPInt(value, /*IsSigned=*/!isBool,
                            APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, result);
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (width == 1)
    return IntegerAttr::get(to, APInt(1, !value.isZero()));
  return IntegerAttr::get(to, isBool ? value.zext(width)
                                     : value.sextOrTrunc(width));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto resultType = cast<ShapedType>(getType());
  Type to = resultType.getElementType();
  return foldBroadcast(adaptor.getOperands(), resultType,
                       [&](ArrayRef<Attribute> e) {
                         return castElement(e[0], to);
                       });
}

LogicalResult ClipOp::verify() {
  Type element = getInput().getType().getElementType();
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    auto type = cast<RankedTensorType>(bound.getType());
    if (type.getRank() != 0 || type.getElementType() != element)
      return emitOpError("bounds must be scalars (rank 0) of type ") << element;
  }
  return success();
}
