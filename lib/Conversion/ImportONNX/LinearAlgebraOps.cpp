//===- LinearAlgebraOps.cpp - Import ONNX Det -----------------------------===//
//
// Det of small matrices by the Leibniz formula: a signed sum over the n!
// permutations of products of one element per row. Exact in the sense of
// needing no pivoting (no division), and cheap for the n <= 4 supported.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Largest matrix order expanded (4! = 24 products of 4 factors).
constexpr int64_t kMaxDetOrder = 4;

/// The sign of a permutation: (-1)^inversions.
int permutationSign(ArrayRef<int64_t> permutation) {
  int sign = 1;
  for (size_t i = 0; i < permutation.size(); ++i)
    for (size_t j = i + 1; j < permutation.size(); ++j)
      if (permutation[i] > permutation[j])
        sign = -sign;
  return sign;
}

LogicalResult convertDet(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  if (!isa<FloatType>(type->getElementType()) || rank < 2 ||
      type->getDimSize(rank - 1) != type->getDimSize(rank - 2))
    return ctx.emitError("needs float square matrices [..., n, n]");
  int64_t n = type->getDimSize(rank - 1);
  if (n < 1 || n > kMaxDetOrder)
    return ctx.emitError("matrices of order " + Twine(n) +
                         " are not supported (at most " +
                         Twine(kMaxDetOrder) + ")");
  Composer c(ctx);
  SmallVector<int64_t> batch(type->getShape().drop_back(2));
  // element(i, j): x[..., i, j] as a tensor of the batch shape.
  auto element = [&](int64_t i, int64_t j) {
    Value row = c.sliceAxis(ctx.getInput(0), rank - 2, i, 1);
    return c.reshape(c.sliceAxis(row, rank - 1, j, 1), batch);
  };
  SmallVector<int64_t> permutation(n);
  std::iota(permutation.begin(), permutation.end(), 0);
  Value sum;
  do {
    Value product = element(0, permutation[0]);
    for (int64_t i = 1; i < n; ++i)
      product = c.binary<MulOp>(product, element(i, permutation[i]));
    if (!sum)
      sum = product;
    else if (permutationSign(permutation) > 0)
      sum = c.binary<AddOp>(sum, product);
    else
      sum = c.binary<SubOp>(sum, product);
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  ctx.setOutput(0, sum);
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerLinearAlgebraOps(OpRegistry &registry) {
  registry.add("Det", convertDet);
}
