//===- ShapeInference.h - ONNX shape rules for edge ops ---------*- C++ -*-===//
//
// The shape rules of the ONNX operators edge supports, shared by the op
// verifiers (through InferTypeOpInterface) and the importer. Each function
// returns the result shape, or failure after reporting why through `error`
// (which may be null when the caller only asks "is it valid").
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_DIALECT_EDGE_IR_SHAPEINFERENCE_H
#define EDGE_DIALECT_EDGE_IR_SHAPEINFERENCE_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

#include <functional>
#include <optional>

namespace mlir::edge {

using Shape = llvm::SmallVector<int64_t, 6>;
using ShapeErrorFn = llvm::function_ref<void(const llvm::Twine &)>;

/// numpy broadcasting of two shapes.
FailureOr<Shape> broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                 ShapeErrorFn error);

/// numpy.matmul (1-D promotion, batch broadcasting).
FailureOr<Shape> inferMatMulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                  ShapeErrorFn error);

/// ONNX Gemm: op(A) [M, K] x op(B) [K, N]; `c` (if any) broadcasts to [M, N].
FailureOr<Shape> inferGemmShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                std::optional<ArrayRef<int64_t>> c, bool transA,
                                bool transB, ShapeErrorFn error);

/// Sliding-window geometry shared by convolution and pooling.
struct WindowParams {
  ArrayRef<int64_t> kernel;    // one entry per spatial dimension
  ArrayRef<int64_t> strides;   // same
  ArrayRef<int64_t> pads;      // begins, then ends
  ArrayRef<int64_t> dilations; // same as kernel
  bool ceilMode = false;
};

/// Output spatial sizes of a window op over `spatial` input sizes.
FailureOr<Shape> inferWindowOutputSizes(ArrayRef<int64_t> spatial,
                                        const WindowParams &params,
                                        ShapeErrorFn error);

/// ONNX Conv on input [N, C, spatial...] and weight [M, C/group, kernel...].
FailureOr<Shape> inferConvShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> weight, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                                int64_t group, ShapeErrorFn error);

/// ONNX MaxPool/AveragePool on input [N, C, spatial...].
FailureOr<Shape> inferPoolShape(ArrayRef<int64_t> input,
                                const WindowParams &params, ShapeErrorFn error);

/// Checks that `perm` is a permutation of [0, rank) and applies it.
FailureOr<Shape> inferTransposeShape(ArrayRef<int64_t> input,
                                     ArrayRef<int64_t> perm, ShapeErrorFn error);

/// Number of elements of a static shape.
/// The product of the static sizes of `shape` (a dynamic size counts as 1).
int64_t getNumElements(ArrayRef<int64_t> shape);

/// How a reshape with several dynamic sizes maps them: for each dimension
/// of the lower-rank side, the group of the higher-rank side's dimensions
/// it collapses (an expansion is the inverse). `lengths` gives the groups'
/// lengths (edge.reshape's `groups`); without it, the grouping MLIR finds
/// for the shapes. Nullopt when there is none, a group's sizes do not make
/// its size, or a group expanded from one size holds several dynamic ones.
std::optional<SmallVector<SmallVector<int64_t, 2>>>
getReshapeGroups(ArrayRef<int64_t> input, ArrayRef<int64_t> result,
                 std::optional<ArrayRef<int64_t>> lengths = std::nullopt);

/// The sizes of a reshape's result of shape `result` (with dynamic sizes)
/// when its input of shape `inputShape` has the static sizes `inputSizes`,
/// by edge.reshape's rules.
SmallVector<int64_t>
inferReshapeSizes(ArrayRef<int64_t> inputSizes, ArrayRef<int64_t> inputShape,
                  ArrayRef<int64_t> result,
                  std::optional<ArrayRef<int64_t>> lengths = std::nullopt);

/// The size of `shape` flattened into one dimension: the product of its
/// sizes, dynamic when any of them is.
int64_t getFlatSize(ArrayRef<int64_t> shape);

/// Whether two sizes are known to differ: both static and unequal. A
/// dynamic size may be any, and two dynamic sizes that meet on one
/// dimension are taken to be the same run-time size.
bool sizesConflict(int64_t a, int64_t b);

} // namespace mlir::edge

#endif // EDGE_DIALECT_EDGE_IR_SHAPEINFERENCE_H
