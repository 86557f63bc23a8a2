//===- KernelMatchers.h - Kernels edge-tile-and-vectorize takes -*- C++ -*-===//
//
// Part of edge-tile-and-vectorize: which linalg.generic ops it tiles as
// kernels (multiply-accumulates, pooling windows, contiguous reductions),
// recognized by their bodies and indexing maps.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_TRANSFORMS_KERNELMATCHERS_H
#define EDGE_LIB_TRANSFORMS_KERNELMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

/// Whether the body of `op` is `yield out + a * b` (either operand order)
/// over its two inputs and its output, where an input may be an integer
/// converted to float; or, over three inputs or more, `yield out + p` where
/// `p` multiplies and adds the inputs (a block-scaled product over int8 or
/// int4 weights: `x * (float(q) * scale)`, or for a byte `v` holding two
/// int4 weights `x0 * fma(float(v), scale, -8 * scale) + x1' *
/// (floor(float(v) / 16) * scale)`, see edge.quantized_matmul's lowering).
/// Either way the output only accumulates: the tiles keep it in registers.
bool isMultiplyAccumulate(linalg::GenericOp op);

/// The op whose result the body of `op` yields.
Operation *getYieldedOp(linalg::GenericOp op);

/// Whether `op` is a pooling window's reduction: a convolution in shape
/// (linalg's matcher: image read at `o + k`, the window's loops reduced)
/// whose window input only sizes those loops, and whose body is
/// `yield combine(out, in)` with `combine` a max, min or add (either
/// operand order). It tiles like a depthwise convolution: each output row
/// reads its own input vectors.
bool isWindowReduction(linalg::GenericOp op);

/// Whether `op` is a kernel this pass tiles: a multiply-accumulate or a
/// window reduction.
bool isAccumulation(linalg::GenericOp op);

/// Whether `op` reduces along its innermost loops, f32, each input reading
/// the reduced loops as its innermost dimensions in order or not at all (a
/// global pool over an image, a row's sum, max or variance): each output
/// element then reduces one contiguous run, which vectors read. The run is
/// static, at least `minLength` elements, and at most `maxLength` (one
/// vector) or a whole number of `chunk`s (vectors reduced one after
/// another); the other loops may be dynamic (rows of a sequence). Left to
/// the loop lowering, the running value would be a store and a load per
/// element (LLVM cannot tell the output from the input), one dependent add
/// after another.
bool isContiguousReduction(linalg::GenericOp op, int64_t minLength,
                           int64_t maxLength, int64_t chunk);

/// Replaces the reduction `op` (isContiguousReduction) by its copy with
/// the reduced loops collapsed into one; `op` itself when there is one.
linalg::GenericOp collapseReducedLoops(linalg::GenericOp op,
                                       RewriterBase &rewriter);

/// Whether `op` can run as the epilogue of the op producing `operand` (one
/// of its inputs): an all-parallel op over the output's shape that reads
/// that input element for element; its other inputs may be broadcast
/// (a bias, the bounds of a Clip).
bool isEpilogueOf(linalg::GenericOp op, OpOperand &operand);

/// The elementwise ops that follow the kernel `op` as its epilogue, in
/// order: each the only user of the previous result (isEpilogueOf), of its
/// type.
SmallVector<linalg::GenericOp> getEpilogue(linalg::GenericOp op);

/// The coefficient of loop `dim` in the linear access `expr` (2 in
/// `ow * 2 + kw`), 0 when `expr` does not use it.
int64_t getCoefficient(AffineExpr expr, unsigned dim);

/// The largest stride at which an input of `op` reads loop `dim` in its
/// contiguous dimension (2 for `ow * 2 + kw`: a stride-2 convolution's or
/// pooling's columns); 0 when none reads it there.
int64_t getContiguousReadStride(linalg::GenericOp op, unsigned dim);

} // namespace mlir::edge

#endif // EDGE_LIB_TRANSFORMS_KERNELMATCHERS_H
