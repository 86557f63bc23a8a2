//===- UniqueOps.cpp - Import ONNX Unique ---------------------------------===//
//
// Unique(X) finds the distinct slices of X along `axis` (elements without
// one): how many there are depends on the data, so the model declares it
// and the run checks it. Everything is computed over pairs of slices, as
// masks and sums (the input is limited so that the pairs stay small):
//
//   same[i, j]    slices i and j are equal
//   first[i]      no earlier slice equals slice i
//   from[i]       the position of slice i's first occurrence
//   rank[i]       the position of slice i's value in the output: the first
//                 occurrences whose value sorts before it (sorted), or
//                 that occur before its own (not sorted)
//   pick[k, i]    slice i is the first occurrence of output entry k
//
// Y gathers the picked slices; indices, inverse_indices and counts are sums
// over the same masks. Sorting is lexicographic over each slice's elements
// in row-major order, as ONNX does.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Pairs of slices times slice elements a run may compare.
constexpr int64_t kMaxComparedElements = 1 << 24;

/// Float sums of masks, exact for the counts involved.
struct Masks {
  Composer &c;

  Value count(Value mask, ArrayRef<int64_t> axes) {
    return c.countTrue(mask, axes);
  }
  Value none(Value mask, ArrayRef<int64_t> axes) {
    return c.compare<EqualOp>(count(mask, axes),
                              c.scalar(c.b.getF32Type(), 0));
  }
  Value iota(int64_t count, ArrayRef<int64_t> shape) {
    return c.iota(c.b.getF32Type(), count, shape);
  }
  Value toI64(Value floats) {
    return CastOp::create(c.b, c.loc,
                          c.typeOf(floats).clone(c.b.getI64Type()), floats);
  }
};

LogicalResult convertUnique(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = ctx.getInputType(0);
  if (failed(input))
    return failure();
  Composer c(ctx);
  Masks m{c};
  Type f32 = c.b.getF32Type();
  int64_t rank = input->getRank();
  bool sorted = ctx.getInt("sorted", 1) != 0;

  // X as [n, elements]: the slices along the axis, or every element.
  Value x = ctx.getInput(0);
  std::optional<int64_t> axis;
  SmallVector<int64_t> perm;
  if (ctx.getAttr("axis")) {
    FailureOr<int64_t> normalized =
        ctx.normalizeAxis(ctx.getInt("axis", 0), rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
    perm.push_back(*axis);
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis)
        perm.push_back(d);
    x = c.transpose(x, perm);
  }
  int64_t n = axis ? input->getDimSize(*axis) : input->getNumElements();
  int64_t elements = n == 0 ? 0 : input->getNumElements() / n;
  if (n == 0 || n * n * elements > kMaxComparedElements)
    return ctx.emitError("compares " + Twine(n) + " slices of " +
                         Twine(elements) +
                         " elements in pairs; at most " +
                         Twine(kMaxComparedElements) +
                         " compared elements are supported");
  x = c.reshape(x, {n, elements});

  // The declared number of distinct slices.
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  int64_t outAxis = axis ? *axis : 0;
  if (!declared || declared.getRank() != (axis ? rank : 1) ||
      declared.getElementType() != input->getElementType())
    return ctx.emitError(
        "the number of distinct entries depends on the data: the model must "
        "declare output Y's shape, which each run checks");
  int64_t distinct = declared.getDimSize(outAxis);

  Value lhs = c.reshape(x, {n, 1, elements}), rhs = c.reshape(x, {1, n, elements});
  Value differ = c.unary<NotOp>(c.compare<EqualOp>(lhs, rhs));
  Value same = m.none(differ, {2});                          // [n, n]
  Value rows = m.iota(n, {n, 1}), columns = m.iota(n, {1, n});
  Value earlier = c.compare<LessOp>(columns, rows);          // j < i
  Value first =
      m.none(c.binary<AndOp>(same, earlier), {1});           // [n]
  // before[j, i]: entry j's value goes before entry i's in the output.
  Value before;
  if (sorted) {
    // Lexicographic: at the first element where they differ, j's is the
    // smaller one.
    Value differT = c.transpose(differ, {1, 0, 2});          // [j, i, t]
    Value t = m.iota(elements, {1, 1, elements});
    Value firstDiffer = c.reduce<ReduceMinOp>(
        c.select(differT, t, c.scalar(f32, elements)), {2},
        /*keepDims=*/true);                                  // [j, i, 1]
    Value less = c.transpose(c.compare<LessOp>(rhs, lhs), {1, 0, 2});
    Value decides =
        c.binary<AndOp>(less, c.compare<EqualOp>(t, firstDiffer));
    before = c.unary<NotOp>(m.none(decides, {2}));           // [j, i]
  } else {
    // The first occurrence of j's value comes before i's, which is at
    // from[i], the least j with same[i, j].
    Value from = c.reduce<ReduceMinOp>(
        c.select(same, columns, c.scalar(f32, n)), {1}, /*keepDims=*/false);
    before = c.compare<LessOp>(rows, c.reshape(from, {1, n}));
  }
  Value rankOf = m.count(c.binary<AndOp>(c.reshape(first, {n, 1}), before),
                         {0});                               // [n]
  Value total = m.toI64(c.reshape(m.count(first, {0}), {1}));

  // pick[k, i] and the outputs.
  Value entry = m.iota(distinct, {distinct, 1});
  Value isEntry = c.compare<EqualOp>(c.reshape(rankOf, {1, n}), entry);
  Value pick = c.binary<AndOp>(isEntry, c.reshape(first, {1, n}));
  Value zeros = c.splat(RankedTensorType::get({}, input->getElementType()),
                        c.b.getZeroAttr(input->getElementType()));
  Value y = c.reduce<ReduceSumOp>(
      c.select(c.reshape(pick, {distinct, n, 1}),
               c.reshape(x, {1, n, elements}), zeros),
      {1}, /*keepDims=*/false);                              // [k, elements]
  SmallVector<int64_t> transposedShape = {distinct};
  if (axis) {
    for (int64_t d : ArrayRef(perm).drop_front())
      transposedShape.push_back(input->getDimSize(d));
    y = c.reshape(y, transposedShape);
    SmallVector<int64_t> back(rank);
    for (int64_t d = 0; d < rank; ++d)
      back[perm[d]] = d;
    y = c.transpose(y, back);
  } else {
    y = c.reshape(y, {distinct});
  }
  Value zero = c.scalar(f32, 0);
  Value indices = m.toI64(c.reduce<ReduceSumOp>(
      c.select(pick, columns, zero), {1}, /*keepDims=*/false));
  Value inverse = m.toI64(rankOf);
  Value counts = m.toI64(m.count(isEntry, {1}));

  SmallVector<int64_t> sizes(c.typeOf(y).getShape());
  SmallVector<Value> sizeValues;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d)
    sizeValues.push_back(
        d == outAxis ? total
                     : c.splat(RankedTensorType::get({1}, c.b.getI64Type()),
                               c.b.getI64IntegerAttr(sizes[d])));
  ctx.setOutput(0, c.checkSizes(y, c.concat(sizeValues, 0), sizes,
                                "distinct entries"));
  auto checkedCount = [&](Value value) {
    return c.checkSizes(value, total, {distinct}, "distinct entries");
  };
  if (ctx.hasOutput(1))
    ctx.setOutput(1, checkedCount(indices));
  if (ctx.hasOutput(2))
    ctx.setOutput(2, inverse);
  if (ctx.hasOutput(3))
    ctx.setOutput(3, checkedCount(counts));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerUniqueOps(OpRegistry &registry) {
  registry.add("Unique", convertUnique);
}
