//===- EdgeCost.cpp - FLOP and byte estimates of edge ops -----------------===//
//
// Static work estimates for the cost model (CostOpInterface). They count the
// arithmetic of the op's definition, not of any particular lowering.
//
//===----------------------------------------------------------------------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"
#include "edge/Dialect/Edge/IR/ShapeInference.h"

using namespace mlir;
using namespace mlir::edge;

#include "edge/Dialect/Edge/IR/EdgeInterfaces.cpp.inc"

/// A dynamic size counts as 1 in the estimates: the cost model compares
/// devices for the same op, and a model with dynamic sizes runs on one.
static int64_t nominal(int64_t size) {
  return ShapedType::isDynamic(size) ? 1 : size;
}

static int64_t nominalNumElements(ShapedType type) {
  int64_t count = 1;
  for (int64_t size : type.getShape())
    count *= nominal(size);
  return count;
}

int64_t mlir::edge::getTensorBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank() ||
      !shaped.getElementType().isIntOrIndexOrFloat())
    return 0;
  int64_t bits = shaped.getElementTypeBitWidth();
  // int4 weights are stored two per byte; booleans take a byte each.
  if (bits == 4)
    return (nominalNumElements(shaped) + 1) / 2;
  return nominalNumElements(shaped) * ((bits + 7) / 8);
}

int64_t mlir::edge::detail::sumOperandAndResultBytes(Operation *op) {
  int64_t bytes = 0;
  for (Type type : op->getOperandTypes())
    bytes += getTensorBytes(type);
  for (Type type : op->getResultTypes())
    bytes += getTensorBytes(type);
  return bytes;
}

static int64_t numElements(Value value) {
  return nominalNumElements(cast<ShapedType>(value.getType()));
}

int64_t MatMulOp::estimateFlops() {
  ArrayRef<int64_t> lhs = getLhs().getType().getShape();
  return 2 * numElements(getResult()) * nominal(lhs.back());
}

int64_t QuantizedMatMulOp::estimateFlops() {
  ArrayRef<int64_t> lhs = getLhs().getType().getShape();
  // The multiply-adds, then one scaling per result element, or per weight
  // when the scales change along a column.
  int64_t scalings =
      getScales().getType().getRank() == 1 ? 1 : nominal(lhs.back());
  return (2 * nominal(lhs.back()) + scalings) * numElements(getResult());
}

int64_t EinsumOp::estimateFlops() {
  // One multiply per extra operand and one add per point of the iteration
  // space (every distinct letter).
  int64_t points = 1;
  for (int64_t size : getLetterSizes())
    if (size > 0)
      points *= size;
  return points * static_cast<int64_t>(getInputs().size());
}

int64_t GemmOp::estimateFlops() {
  ArrayRef<int64_t> a = getA().getType().getShape();
  int64_t k = nominal(getTransA() ? a[0] : a[1]);
  int64_t epilogue = getC() ? 2 * numElements(getResult()) : 0;
  return 2 * numElements(getResult()) * k + epilogue;
}

int64_t ConvOp::estimateFlops() {
  ArrayRef<int64_t> weight = getWeight().getType().getShape();
  // Each output element reduces over C/group input channels and the kernel.
  int64_t reduction = getNumElements(weight.drop_front(1));
  int64_t bias = getBias() ? numElements(getResult()) : 0;
  return 2 * numElements(getResult()) * reduction + bias;
}

int64_t MaxPoolOp::estimateFlops() {
  return numElements(getResult()) * getNumElements(getKernelShape());
}

int64_t AveragePoolOp::estimateFlops() {
  return numElements(getResult()) * (getNumElements(getKernelShape()) + 1);
}

int64_t GlobalAveragePoolOp::estimateFlops() {
  return numElements(getInput()) + numElements(getResult());
}

int64_t GlobalMaxPoolOp::estimateFlops() { return numElements(getInput()); }

int64_t BatchNormOp::estimateFlops() {
  // Per element: subtract, scale, shift (the channel factor is precomputed).
  return 3 * numElements(getResult());
}

int64_t SoftmaxOp::estimateFlops() {
  // max, subtract, exp, sum, divide.
  return 5 * numElements(getResult());
}

int64_t ShapeOp::estimateFlops() { return 0; }
// The sizes come from the tensor's type or descriptor, not its data.
int64_t ShapeOp::estimateBytes() { return 0; }
int64_t IotaOp::estimateFlops() { return 0; }
int64_t ReshapeOp::estimateFlops() { return 0; }
// A reshape of a contiguous tensor is a view: it moves no data.
int64_t ReshapeOp::estimateBytes() { return 0; }
int64_t TransposeOp::estimateFlops() { return 0; }
int64_t ConcatOp::estimateFlops() { return 0; }
