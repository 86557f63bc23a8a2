//===- ShapeInference.cpp - ONNX shape rules for edge ops -----------------===//

#include "edge/Dialect/Edge/IR/ShapeInference.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::edge;

static std::string formatShape(ArrayRef<int64_t> shape) {
  return "[" + llvm::join(llvm::map_range(shape, [](int64_t d) {
                            return ShapedType::isDynamic(d)
                                       ? std::string("?")
                                       : std::to_string(d);
                          }),
                          ", ") +
         "]";
}

static LogicalResult fail(ShapeErrorFn error, const Twine &message) {
  if (error)
    error(message);
  return failure();
}

int64_t mlir::edge::getNumElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d))
      count *= d;
  return count;
}

int64_t mlir::edge::getFlatSize(ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return ShapedType::kDynamic;
  return getNumElements(shape);
}

std::optional<SmallVector<SmallVector<int64_t, 2>>>
mlir::edge::getReshapeGroups(ArrayRef<int64_t> input, ArrayRef<int64_t> result,
                             std::optional<ArrayRef<int64_t>> lengths) {
  bool collapse = result.size() <= input.size();
  ArrayRef<int64_t> large = collapse ? input : result;
  ArrayRef<int64_t> small = collapse ? result : input;
  std::optional<SmallVector<ReassociationIndices>> groups;
  if (lengths) {
    if (lengths->size() != small.size())
      return std::nullopt;
    groups.emplace();
    int64_t next = 0;
    for (int64_t length : *lengths) {
      if (length < 1 || next + length > static_cast<int64_t>(large.size()))
        return std::nullopt;
      groups->emplace_back(llvm::to_vector(llvm::seq(next, next + length)));
      next += length;
    }
    if (next != static_cast<int64_t>(large.size()))
      return std::nullopt;
  } else if (large.size() == small.size()) {
    // Same rank: each dimension is its own group.
    groups.emplace();
    for (int64_t d = 0, e = large.size(); d < e; ++d)
      groups->push_back({d});
  } else {
    groups = getReassociationIndicesForCollapse(large, small);
  }
  if (!groups)
    return std::nullopt;
  for (auto [index, group] : llvm::enumerate(*groups)) {
    int64_t dynamic = llvm::count_if(group, [&](int64_t d) {
      return ShapedType::isDynamic(large[d]);
    });
    // The size is the product of its group's: dynamic iff one of them is,
    // else equal; and an expansion splits one dynamic size into one.
    int64_t product = 1;
    for (int64_t d : group)
      if (!ShapedType::isDynamic(large[d]))
        product *= large[d];
    if ((dynamic > 0) != ShapedType::isDynamic(small[index]) ||
        (dynamic == 0 && product != small[index]) ||
        (!collapse && dynamic > 1))
      return std::nullopt;
  }
  SmallVector<SmallVector<int64_t, 2>> result64;
  for (const ReassociationIndices &group : *groups)
    result64.emplace_back(group.begin(), group.end());
  return result64;
}

SmallVector<int64_t> mlir::edge::inferReshapeSizes(
    ArrayRef<int64_t> inputSizes, ArrayRef<int64_t> inputShape,
    ArrayRef<int64_t> result, std::optional<ArrayRef<int64_t>> lengths) {
  SmallVector<int64_t> sizes(result);
  int64_t dynamicCount = llvm::count_if(result, ShapedType::isDynamic);
  if (dynamicCount == 0)
    return sizes;
  if (dynamicCount == 1) {
    int64_t total = 1;
    for (int64_t size : inputSizes)
      total *= size;
    int64_t rest = std::max<int64_t>(1, getNumElements(result));
    for (int64_t &size : sizes)
      if (ShapedType::isDynamic(size))
        size = total / rest;
    return sizes;
  }
  auto groups = getReshapeGroups(inputShape, result, lengths);
  assert(groups && "the verifier checks the groups");
  bool collapse = result.size() <= inputShape.size();
  for (auto [index, group] : llvm::enumerate(*groups)) {
    if (collapse) {
      int64_t product = 1;
      for (int64_t d : group)
        product *= inputSizes[d];
      sizes[index] = product;
      continue;
    }
    int64_t known = 1;
    for (int64_t d : group)
      if (!ShapedType::isDynamic(result[d]))
        known *= result[d];
    for (int64_t d : group)
      if (ShapedType::isDynamic(result[d]))
        sizes[d] = inputSizes[index] / std::max<int64_t>(1, known);
  }
  return sizes;
}

bool mlir::edge::sizesConflict(int64_t a, int64_t b) {
  return a != b && !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b);
}

FailureOr<Shape> mlir::edge::broadcastShapes(ArrayRef<int64_t> lhs,
                                             ArrayRef<int64_t> rhs,
                                             ShapeErrorFn error) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (sizesConflict(l, r) && l != 1 && r != 1)
      return fail(error, "shapes " + formatShape(lhs) + " and " +
                             formatShape(rhs) + " do not broadcast");
    // A size 1 stretches; a dynamic size meeting a static one other than 1
    // must be that size (or 1) at run time; two dynamic sizes are one.
    if (l == 1)
      result[rank - 1 - i] = r;
    else if (r == 1 || ShapedType::isDynamic(r))
      result[rank - 1 - i] = l;
    else
      result[rank - 1 - i] = r;
  }
  return result;
}

FailureOr<Shape> mlir::edge::inferMatMulShape(ArrayRef<int64_t> lhs,
                                              ArrayRef<int64_t> rhs,
                                              ShapeErrorFn error) {
  if (lhs.empty() || rhs.empty())
    return fail(error, "matmul operands must have rank >= 1");
  Shape a(lhs), b(rhs);
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  if (sizesConflict(a.back(), b[b.size() - 2]))
    return fail(error, "matmul contraction sizes differ: " + formatShape(lhs) +
                           " x " + formatShape(rhs));
  FailureOr<Shape> batch =
      broadcastShapes(ArrayRef(a).drop_back(2), ArrayRef(b).drop_back(2), error);
  if (failed(batch))
    return failure();
  Shape result = *batch;
  if (lhs.size() > 1)
    result.push_back(a[a.size() - 2]);
  if (rhs.size() > 1)
    result.push_back(b.back());
  return result;
}

FailureOr<Shape> mlir::edge::inferGemmShape(ArrayRef<int64_t> a,
                                            ArrayRef<int64_t> b,
                                            std::optional<ArrayRef<int64_t>> c,
                                            bool transA, bool transB,
                                            ShapeErrorFn error) {
  if (a.size() != 2 || b.size() != 2)
    return fail(error, "gemm operands A and B must be matrices");
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
  if (sizesConflict(ka, kb))
    return fail(error, "gemm contraction sizes differ: " + Twine(ka) +
                           " vs " + Twine(kb));
  Shape result{m, n};
  if (c) {
    FailureOr<Shape> withC = broadcastShapes(result, *c, error);
    if (failed(withC))
      return failure();
    if (llvm::any_of(llvm::zip(*withC, result), [](auto sizes) {
          return sizesConflict(std::get<0>(sizes), std::get<1>(sizes));
        }))
      return fail(error, "gemm C " + formatShape(*c) +
                             " does not broadcast to " + formatShape(result));
  }
  return result;
}

FailureOr<Shape> mlir::edge::inferWindowOutputSizes(ArrayRef<int64_t> spatial,
                                                    const WindowParams &params,
                                                    ShapeErrorFn error) {
  size_t k = spatial.size();
  if (params.kernel.size() != k || params.strides.size() != k ||
      params.dilations.size() != k || params.pads.size() != 2 * k)
    return fail(error, "expected " + Twine(k) +
                           " kernel sizes, strides and dilations and " +
                           Twine(2 * k) + " pads");
  Shape result;
  for (size_t i = 0; i < k; ++i) {
    if (params.kernel[i] < 1 || params.strides[i] < 1 ||
        params.dilations[i] < 1)
      return fail(error, "kernel sizes, strides and dilations must be positive");
    if (params.pads[i] < 0 || params.pads[i + k] < 0)
      return fail(error, "pads must be non-negative");
    if (ShapedType::isDynamic(spatial[i])) {
      result.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t padded = spatial[i] + params.pads[i] + params.pads[i + k];
    int64_t window = (params.kernel[i] - 1) * params.dilations[i] + 1;
    if (padded < window)
      return fail(error, "window of extent " + Twine(window) +
                             " does not fit padded size " + Twine(padded));
    int64_t span = padded - window;
    int64_t out = params.ceilMode
                      ? (span + params.strides[i] - 1) / params.strides[i] + 1
                      : span / params.strides[i] + 1;
    // With ceil_mode, a last window that starts inside the end padding is
    // dropped (ONNX and PyTorch agree on this).
    if (params.ceilMode && (out - 1) * params.strides[i] >=
                               spatial[i] + params.pads[i])
      --out;
    result.push_back(out);
  }
  return result;
}

FailureOr<Shape> mlir::edge::inferConvShape(
    ArrayRef<int64_t> input, ArrayRef<int64_t> weight, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations, int64_t group,
    ShapeErrorFn error) {
  if (input.size() < 3)
    return fail(error, "conv input must be [N, C, D1, ...]");
  if (weight.size() != input.size())
    return fail(error, "conv weight rank " + Twine(weight.size()) +
                           " differs from input rank " + Twine(input.size()));
  if (ShapedType::isDynamic(input[1]) || ShapedType::isDynamic(weight[0]))
    return fail(error, "conv channels must be static");
  if (group < 1 || input[1] % group != 0 || weight[0] % group != 0)
    return fail(error, "group " + Twine(group) +
                           " must divide input and output channels");
  if (input[1] / group != weight[1])
    return fail(error, "conv weight expects " + Twine(weight[1] * group) +
                           " input channels, input has " + Twine(input[1]));
  WindowParams params{weight.drop_front(2), strides, pads, dilations};
  FailureOr<Shape> spatial =
      inferWindowOutputSizes(input.drop_front(2), params, error);
  if (failed(spatial))
    return failure();
  Shape result{input[0], weight[0]};
  result.append(spatial->begin(), spatial->end());
  return result;
}

FailureOr<Shape> mlir::edge::inferPoolShape(ArrayRef<int64_t> input,
                                            const WindowParams &params,
                                            ShapeErrorFn error) {
  if (input.size() < 3)
    return fail(error, "pooling input must be [N, C, D1, ...]");
  FailureOr<Shape> spatial =
      inferWindowOutputSizes(input.drop_front(2), params, error);
  if (failed(spatial))
    return failure();
  Shape result{input[0], input[1]};
  result.append(spatial->begin(), spatial->end());
  return result;
}

FailureOr<Shape> mlir::edge::inferTransposeShape(ArrayRef<int64_t> input,
                                                 ArrayRef<int64_t> perm,
                                                 ShapeErrorFn error) {
  if (perm.size() != input.size())
    return fail(error, "permutation has " + Twine(perm.size()) +
                           " entries for rank " + Twine(input.size()));
  llvm::SmallVector<bool> seen(input.size(), false);
  Shape result;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(input.size()) || seen[p])
      return fail(error, "invalid permutation " + formatShape(perm));
    seen[p] = true;
    result.push_back(input[p]);
  }
  return result;
}
