//===- PartitionSizes.h - Dynamic sizes across partitions -------*- C++ -*-===//
//
// The partitions of a model with dynamic sizes share the run's sizes
// buffer (DynamicShapes.h): the symbols' values, then the graph outputs'
// sizes, then the sizes of the intermediate values that cross partitions.
// Each partition takes that buffer as its last argument; the partition that
// computes a crossing value writes its sizes there, and the partitions
// that read the value take them back. A size the value always shares with
// a graph input's symbol (traceSizeSource) is read as that symbol.
//
// A decoder's KV-cache (findCacheOutputs) keeps one buffer across devices:
// the past input and the present output are never transferred (every
// device's buffers are host memory the partitions stage themselves), and
// every partition that reads or writes them views them with the strides of
// the cache's capacity.
//
// edge-partition records this on the partitions as attributes, which
// edge-dynamic-shapes-abi and the schedule metadata read:
//
//   on the function   edge.dim_bounds        the model's symbols
//                     edge.shape_entries     entries of the sizes buffer
//                     edge.cache_outputs     appends of the partition
//   on an argument    edge.dim_symbols       sizes that are symbols
//                     edge.size_offset       where its other sizes are
//                     edge.bound_shape       its sizes at the bounds
//                     edge.cache_layout      [axis, capacity] of a cache
//   on a result       edge.size_offsets      where its sizes are written
//                     edge.bound_shape, edge.cache_layout
//
// and on the schedule: the caches, the entries, and on each result
// edge.dim_symbols and edge.bound_shape (its producer is now a call).
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_PARTITIONSIZES_H
#define EDGE_LIB_TRANSFORMS_PARTITIONSIZES_H

#include "DynamicShapes.h"

#include "llvm/ADT/MapVector.h"

namespace mlir::edge {

inline constexpr const char *kShapeEntriesAttrName = "edge.shape_entries";
inline constexpr const char *kSizeOffsetAttrName = "edge.size_offset";
inline constexpr const char *kSizeOffsetsAttrName = "edge.size_offsets";
inline constexpr const char *kBoundShapeAttrName = "edge.bound_shape";
inline constexpr const char *kCacheLayoutAttrName = "edge.cache_layout";

/// The layout of a cache buffer: room for `capacity` positions along `axis`.
struct CacheLayout {
  int64_t axis;
  int64_t capacity;
};

/// Reads an `edge.cache_layout` attribute.
std::optional<CacheLayout> getCacheLayout(DictionaryAttr attrs);

class PartitionSizes {
public:
  /// Analyzes `model`, whose ops are still in its body, before it is cut
  /// into partitions: its symbols, its values' bounds and its caches. Fails,
  /// with a diagnostic, where a size cannot be bounded or a case is not
  /// handled.
  static FailureOr<PartitionSizes> analyze(func::FuncOp model);

  bool isDynamic() const { return !symbols.empty(); }

  /// Whether `value` is a cache's past input or present output: it keeps
  /// its buffer on every device.
  bool isCacheValue(Value value) const { return cacheLayouts.count(value); }

  /// Records on partition `func`, which takes the model's values `inputs`
  /// and returns `outputs`, where its sizes come from and go.
  void annotate(func::FuncOp func, ArrayRef<Value> inputs,
                ArrayRef<Value> outputs);

  /// Records the model-level facts on the schedule function: its caches
  /// and the number of entries of the sizes buffer.
  void finish(func::FuncOp schedule);

private:
  /// The symbol of each size of `value` ("" where static or computed),
  /// and whether one is computed.
  std::pair<ArrayAttr, bool> getSymbolNames(Value value);
  /// The offsets where `value`'s sizes are written, allocated on first use.
  ArrayRef<int64_t> getSizeOffsets(Value value);
  DictionaryAttr withAttrs(DictionaryAttr attrs, ArrayRef<NamedAttribute> add);

  func::FuncOp model;
  DimSymbols symbols;
  DenseMap<Value, RankedTensorType> boundTypes;
  SmallVector<CacheOutput> caches;
  DenseMap<Value, CacheLayout> cacheLayouts;
  llvm::MapVector<Value, SmallVector<int64_t>> sizeOffsets;
  int64_t numEntries = 0;
  SmallVector<func::FuncOp> partitions;
  SmallVector<DictionaryAttr> outputAttrs;
};

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_PARTITIONSIZES_H
