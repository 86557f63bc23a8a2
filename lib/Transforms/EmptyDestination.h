//===- EmptyDestination.h - Producers computed into an empty tensor -*- C++
//-*-===//
//
// Shared by edge-pad-in-place and edge-concat-in-place. A value computed by
// destination-passing ops (a tiled kernel's scf.forall, linalg ops) from a
// tensor.empty, possibly reshaped, can be computed in any tensor of its
// type instead: the interior of a padded tensor, or its slice of a
// concatenation. Giving the producer that slice as its destination lets
// bufferization write the result where it belongs, without a copy.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_EMPTYDESTINATION_H
#define EDGE_LIB_TRANSFORMS_EMPTYDESTINATION_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::edge {

/// Where a value gets its storage: `use` (an operand of the producer) takes
/// `empty` through `reshapes` (innermost first) as its destination.
struct EmptyDestination {
  OpOperand *use = nullptr;
  tensor::EmptyOp empty;
  SmallVector<Operation *> reshapes;

  /// The op that first writes the value's storage.
  Operation *getProducer() const { return use->getOwner(); }
};

/// The empty destination, of `source`'s type, from which `source` is
/// computed in place: through the destinations of destination-passing ops
/// (linalg ops, scf.forall, tensor.insert_slice) and reshapes, each
/// intermediate value used only on that path, all in `block`. With
/// `sharedViews`, the values that hold the source's own data (the
/// producer's result and its reshapes up to the source) may have other
/// users: the caller then gives those users views of the new storage.
std::optional<EmptyDestination> findEmptyDestination(Value source, Block *block,
                                                     bool sharedViews = false);

/// Makes the producer of `destination` compute into `storage` (a tensor of
/// the source's type, defined before the producer) in place of the empty
/// tensor, reshaped as that was: fresh copies of the reshapes are built at
/// the rewriter's insertion point, since the originals may be shared with
/// other users of the empty tensor.
void redirectDestination(const EmptyDestination &destination, Value storage,
                         RewriterBase &rewriter);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_EMPTYDESTINATION_H
