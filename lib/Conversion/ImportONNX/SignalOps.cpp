//===- SignalOps.cpp - Import ONNX DFT and STFT ---------------------------===//
//
// Discrete Fourier transforms as matrix products with constant cosine and
// sine tables: for X_k = sum_n x_n e^(-+2 pi i k n / N),
//   Re X = xr C + s xi S,  Im X = xi C - s xr S  (s = 1 forward, -1 inverse)
// with C[n][k] = cos(2 pi k n / N) and S[n][k] = sin(2 pi k n / N). STFT
// gathers the frames (constant indices, or computed by the run from a
// frame_step it reads when the model declares the result), applies the
// window and transforms each frame the same way.
//
//===----------------------------------------------------------------------===//

#include "Composer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;

namespace {

/// Largest transform length whose tables are built (N * bins elements each).
constexpr int64_t kMaxTransformLength = 4096;

/// The [N, bins] cosine or sine table of a length-N transform.
Value buildTable(Composer &c, Type element, int64_t n, int64_t bins,
                 bool sine) {
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < bins; ++k) {
      // Reduce k * i modulo N first: exact arguments keep zeros exact.
      double angle = 2 * M_PI * double((k * i) % n) / double(n);
      values.push_back(
          c.b.getFloatAttr(element, sine ? std::sin(angle) : std::cos(angle)));
    }
  return ConstantOp::create(
      c.b, c.loc,
      DenseElementsAttr::get(RankedTensorType::get({n, bins}, element), values));
}

Value matmulLast(Composer &c, Value x, Value table) {
  RankedTensorType type = c.typeOf(x);
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = c.typeOf(table).getDimSize(1);
  return MatMulOp::create(c.b, c.loc, type.clone(shape), x, table);
}

/// Transforms the last axis of `real` (and `imag`, null for real signals),
/// of length N; returns [..., bins, 2].
Value transformLastAxis(Composer &c, Value real, Value imag, int64_t bins,
                        bool inverse) {
  RankedTensorType type = c.typeOf(real);
  Type element = type.getElementType();
  int64_t n = type.getShape().back();
  Value cosine = buildTable(c, element, n, bins, false);
  Value sine = buildTable(c, element, n, bins, true);
  // Forward: re = xr C + xi S, im = xi C - xr S; inverse (e^(+i theta)):
  // the sine terms change sign and the result scales by 1/N.
  Value re = matmulLast(c, real, cosine);
  Value im = matmulLast(c, real, sine);
  if (!inverse)
    im = c.unary<NegOp>(im);
  if (imag) {
    Value imagSine = matmulLast(c, imag, sine);
    re = inverse ? c.binary<SubOp>(re, imagSine) : c.binary<AddOp>(re, imagSine);
    im = c.binary<AddOp>(im, matmulLast(c, imag, cosine));
  }
  if (inverse) {
    Value scale = c.scalar(element, 1.0 / double(n));
    re = c.binary<MulOp>(re, scale);
    im = c.binary<MulOp>(im, scale);
  }
  SmallVector<int64_t> shape(c.typeOf(re).getShape());
  shape.push_back(1);
  return c.concat({c.reshape(re, shape), c.reshape(im, shape)},
                  shape.size() - 1);
}

/// The real and imaginary parts of a [..., 1 or 2] signal.
std::pair<Value, Value> splitComplex(Composer &c, Value x) {
  RankedTensorType type = c.typeOf(x);
  SmallVector<int64_t> shape(type.getShape().drop_back());
  Value real = c.reshape(c.sliceAxis(x, type.getRank() - 1, 0, 1), shape);
  Value imag;
  if (type.getShape().back() == 2)
    imag = c.reshape(c.sliceAxis(x, type.getRank() - 1, 1, 1), shape);
  return {real, imag};
}

/// A constant integer scalar input, or `fallback` when absent.
FailureOr<int64_t> getConstantLength(NodeContext &ctx, unsigned index,
                                     StringRef what, int64_t fallback) {
  if (!ctx.hasInput(index))
    return fallback;
  return ctx.getConstantScalarInt(index, what + " must be a constant integer "
                                                "(it decides the result's "
                                                "shape)");
}

/// The [frames, frameLength] signal positions of STFT frames whose step the
/// run reads: f * step + i, once the run has checked that its step gives
/// `frames` frames of a `length` signal (a step below 1 gives none).
FailureOr<Value> getRunTimeFramePositions(NodeContext &ctx, Composer &c,
                                          int64_t batch, int64_t length,
                                          int64_t frameLength,
                                          int64_t frames) {
  FailureOr<Value> given =
      c.scalarInput(1, [](Type t) { return t.isSignlessInteger(); },
                    "frame_step must be one integer");
  if (failed(given))
    return failure();
  Type i64 = c.b.getI64Type();
  auto scalar = RankedTensorType::get({}, i64);
  auto constant = [&](int64_t value) {
    return c.splat(scalar, c.b.getI64IntegerAttr(value));
  };
  Value step = *given;
  if (step.getType() != scalar)
    step = CastOp::create(c.b, c.loc, scalar, step);
  Value one = constant(1);
  Value framesFromStep = c.binary<AddOp>(
      c.binary<DivOp>(constant(length - frameLength),
                      c.binary<MaxOp>(step, one)),
      one);
  framesFromStep = c.select(c.compare<GreaterEqualOp>(step, one),
                            framesFromStep, constant(0));
  Value starts = c.binary<MulOp>(c.iota(i64, frames, {frames, 1}), step);
  // Clamped: a step that passes the check never reaches past the end, and
  // one that fails it (in a variant the run does not choose) reads nothing
  // out of bounds.
  Value positions = c.binary<MinOp>(
      c.binary<AddOp>(starts, c.iota(i64, frameLength, {1, frameLength})),
      constant(length - 1));
  // Checked as the result's [batch, frames], to name its dimension.
  Value sizes = c.concat({c.reshape(constant(batch), {1}),
                          c.reshape(framesFromStep, {1})},
                         0);
  return c.checkSizes(positions, sizes, {batch, frames},
                      "frames from its frame_step");
}

LogicalResult convertDFT(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  if (!isa<FloatType>(type->getElementType()) || rank < 2 ||
      (type->getShape().back() != 1 && type->getShape().back() != 2))
    return ctx.emitError("needs a float signal [..., 1 or 2]");
  int64_t axis = ctx.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return ctx.emitError("axis must name a signal dimension, not the last");
  int64_t signal = type->getDimSize(axis);
  FailureOr<int64_t> n = getConstantLength(ctx, 1, "dft_length", signal);
  if (failed(n))
    return failure();
  if (*n < 1 || *n > kMaxTransformLength)
    return ctx.emitError("dft_length must be in [1, " +
                         Twine(kMaxTransformLength) + "]");
  bool inverse = ctx.getInt("inverse", 0) != 0;
  bool onesided = ctx.getInt("onesided", 0) != 0;
  if (onesided && (inverse || type->getShape().back() == 2))
    return ctx.emitError("onesided needs a real signal and a forward "
                         "transform");
  Composer c(ctx);
  // Move the transformed axis last (the complex axis goes away meanwhile).
  auto [real, imag] = splitComplex(c, ctx.getInput(0));
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  auto fit = [&](Value part) -> Value {
    if (!part)
      return part;
    part = c.transpose(part, perm);
    RankedTensorType t = c.typeOf(part);
    int64_t last = t.getRank() - 1;
    if (*n < signal)
      return c.sliceAxis(part, last, 0, *n);
    if (*n > signal) {
      SmallVector<int64_t> padShape(t.getShape());
      padShape.back() = *n - signal;
      Value zeros = c.splat(t.clone(padShape),
                            c.b.getFloatAttr(t.getElementType(), 0));
      return c.concat({part, zeros}, last);
    }
    return part;
  };
  real = fit(real);
  imag = fit(imag);
  int64_t bins = onesided ? *n / 2 + 1 : *n;
  Value result = transformLastAxis(c, real, imag, bins, inverse);
  // [..., bins, 2] back to the input's order.
  SmallVector<int64_t> back(rank);
  for (int64_t d = 0; d < rank - 1; ++d)
    back[perm[d]] = d;
  back[rank - 1] = rank - 1;
  ctx.setOutput(0, c.transpose(result, back));
  return success();
}

LogicalResult convertSTFT(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.getInputType(0);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()) || type->getRank() != 3 ||
      (type->getDimSize(2) != 1 && type->getDimSize(2) != 2))
    return ctx.emitError("needs a float signal [batch, length, 1 or 2]");
  int64_t length = type->getDimSize(1);
  // A frame_step read at run time: the declared number of frames is
  // gathered from positions the run computes (and checks).
  RankedTensorType declared = ctx.getDeclaredOutputType(0);
  bool stepAtRunTime = !ctx.getConstantInput(1) && declared &&
                       declared.getRank() == 4;
  FailureOr<int64_t> step =
      stepAtRunTime ? FailureOr<int64_t>(1)
                    : getConstantLength(ctx, 1, "frame_step", -1);
  if (failed(step))
    return failure();
  int64_t windowLength = -1;
  if (ctx.hasInput(2)) {
    FailureOr<RankedTensorType> window = ctx.getInputType(2);
    if (failed(window))
      return failure();
    if (window->getRank() != 1 ||
        window->getElementType() != type->getElementType())
      return ctx.emitError("window must be a 1-D tensor of the signal's type");
    windowLength = window->getDimSize(0);
  }
  FailureOr<int64_t> frameLength =
      getConstantLength(ctx, 3, "frame_length", windowLength);
  if (failed(frameLength))
    return failure();
  if (*frameLength < 1 || *frameLength > std::min(length, kMaxTransformLength))
    return ctx.emitError("frame_length (or the window's) must be in [1, " +
                         Twine(std::min(length, kMaxTransformLength)) + "]");
  if (windowLength >= 0 && windowLength != *frameLength)
    return ctx.emitError("the window must have frame_length elements");
  if (*step < 1)
    return ctx.emitError("frame_step must be positive");
  int64_t frames = stepAtRunTime ? declared.getDimSize(1)
                                 : (length - *frameLength) / *step + 1;
  bool onesided = ctx.getInt("onesided", 1) != 0;
  if (onesided && type->getDimSize(2) == 2)
    return ctx.emitError("onesided needs a real signal");
  Composer c(ctx);
  auto [real, imag] = splitComplex(c, ctx.getInput(0));
  Value indices;
  if (stepAtRunTime) {
    FailureOr<Value> positions =
        getRunTimeFramePositions(ctx, c, type->getDimSize(0), length,
                                 *frameLength, frames);
    if (failed(positions))
      return failure();
    indices = *positions;
  } else {
    SmallVector<int64_t> positions;
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t i = 0; i < *frameLength; ++i)
        positions.push_back(f * *step + i);
    auto indexType = RankedTensorType::get({frames, *frameLength},
                                           c.b.getI64Type());
    indices = ConstantOp::create(
        c.b, c.loc, DenseElementsAttr::get(indexType, ArrayRef(positions)));
  }
  int64_t batch = type->getDimSize(0);
  auto frame = [&](Value part) -> Value {
    if (!part)
      return part;
    Value framed = GatherOp::create(
        c.b, c.loc,
        c.typeOf(part).clone({batch, frames, *frameLength}), part, indices,
        c.b.getI64IntegerAttr(1));
    if (ctx.hasInput(2))
      framed = c.binary<MulOp>(framed, ctx.getInput(2));
    return framed;
  };
  int64_t bins = onesided ? *frameLength / 2 + 1 : *frameLength;
  ctx.setOutput(0, transformLastAxis(c, frame(real), frame(imag), bins,
                                     /*inverse=*/false));
  return success();
}

} // namespace

void mlir::edge::onnx_import::registerSignalOps(OpRegistry &registry) {
  registry.add("DFT", convertDFT);
  registry.add("STFT", convertSTFT);
}
