//===- DynamicShapes.h - A model's dynamic sizes in the ABI -----*- C++ -*-===//
//
// A model function with dynamic sizes names each one by a symbol (an ONNX
// dim_param) with a bound: `edge.dim_symbols` on its arguments,
// `edge.dim_bounds` on the function (the importer sets both). The ABI
// numbers the symbols in the order of that dictionary (sorted by name); the
// runtime passes their values, and the code reports the outputs' sizes, in
// one int64 buffer (docs/runtime.md, "Dynamic shapes").
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_DYNAMICSHAPES_H
#define EDGE_LIB_TRANSFORMS_DYNAMICSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace mlir::edge {

/// The symbols of a model function, in ABI order.
struct DimSymbols {
  SmallVector<StringRef> names;
  SmallVector<int64_t> bounds;

  bool empty() const { return names.empty(); }
  /// The ABI index of `name`.
  std::optional<unsigned> find(StringRef name) const;
  /// The ABI index of the symbol of dimension `dim` of argument `arg`
  /// (nullopt where that size is static).
  std::optional<unsigned> getArgumentSymbol(func::FuncOp func, unsigned arg,
                                            int64_t dim) const;
  /// The ABI index of the symbol that dimension `dim` of `value`, computed
  /// in `func`, always equals (its size traced to an argument's,
  /// traceSizeSource); nullopt where none does.
  std::optional<unsigned> getSizeSymbol(func::FuncOp func, Value value,
                                        int64_t dim) const;
  /// The argument's type with each dynamic size at its bound.
  RankedTensorType getBoundType(func::FuncOp func, unsigned arg) const;
};

/// The symbols of `func` (none for a static model).
DimSymbols getDimSymbols(func::FuncOp func);

/// The type of every value of `func` with dynamic sizes (arguments and op
/// results, nested ones included) when every symbol is at its bound.
/// Fails, with a diagnostic, on an op whose sizes it cannot infer.
FailureOr<DenseMap<Value, RankedTensorType>>
inferBoundTypes(func::FuncOp func, const DimSymbols &symbols);

/// Upper bounds of the shapes of `func`'s results when every symbol is at
/// its bound: shapes are inferred again with the bound types of the
/// arguments. Every op that takes dynamic sizes computes sizes that grow
/// with its operands' (windows, broadcasts, reshapes), so these bound
/// every run's sizes. Fails, with a diagnostic, on an op whose sizes it
/// cannot infer.
FailureOr<SmallVector<SmallVector<int64_t>>>
inferResultBounds(func::FuncOp func, const DimSymbols &symbols);

/// An output that appends to an input along a dynamic axis: a decoder's
/// KV-cache, `present = Concat(past, new)`. The ABI gives the pair one
/// buffer, a cache with room for `capacity` positions along `axis` (the
/// output's bound there): both are views of it with the strides of that
/// capacity, and the run writes only the new positions, after the input's.
struct CacheOutput {
  unsigned input;
  unsigned output;
  int64_t axis;
  int64_t capacity;
};

/// The function attribute that records the cache outputs (edge-emit-abi-
/// metadata finds them on edge ops, edge-dynamic-shapes-abi lays them out).
inline constexpr const char *kCacheOutputsAttrName = "edge.cache_outputs";

/// The cache outputs of a model function of edge ops with dynamic sizes:
/// each output that is `edge.concat(input, x)` of an argument along a
/// dimension the argument's symbol sizes, each argument in one pair at most.
/// Their capacities come from `resultBounds` (inferResultBounds), inferred
/// here when the caller has not yet.
FailureOr<SmallVector<CacheOutput>> findCacheOutputs(
    func::FuncOp func, const DimSymbols &symbols,
    std::optional<SmallVector<SmallVector<int64_t>>> &resultBounds);

/// Records `caches` on `func` (as [input, output, axis, capacity] arrays),
/// or reads them back.
void setCacheOutputs(func::FuncOp func, ArrayRef<CacheOutput> caches);
SmallVector<CacheOutput> getCacheOutputs(func::FuncOp func);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_DYNAMICSHAPES_H
