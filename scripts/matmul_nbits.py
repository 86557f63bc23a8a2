#!/usr/bin/python3
"""ONNX Runtime's 4-bit weight format (com.microsoft MatMulNBits) in numpy,
for the checks and benchmarks that compare edge with ONNX Runtime on the
same quantized weights (docs/llm.md, "Quantized weights"):

    matmul_nbits.py MODEL.onnx OUT.onnx [--block-size 32] [--asymmetric] [--qdq]

rewrites every MatMul whose weights are a constant [K, N] matrix (K a
multiple of the block size) into MatMulNBits with 4-bit weights, rounding
to nearest as ONNX Runtime's quantizer does; with --qdq (models of opset
21), into opset 21's blocked DequantizeLinear of INT4 weights and the
MatMul (QDQ models' form), the same weights.
"""

import argparse
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def pack_nbits(weights, bits, block, symmetric):
    """MatMulNBits' B, scales and zero points for f32 `weights` [K, N], and
    the weights they dequantize to: each column in blocks of `block` rows
    (the last padded with zeros), B [N, blocks, block * bits / 8] with two
    4-bit values per byte (low four bits first), zero points packed alike
    (the midpoint when `symmetric`)."""
    k, n = weights.shape
    blocks = -(-k // block)
    padded = np.zeros((blocks * block, n), np.float32)
    padded[:k] = weights
    w = padded.T.reshape(n, blocks, block)
    levels = (1 << bits) - 1
    if symmetric:
        scales = np.abs(w).max(2) / ((levels + 1) // 2 - 1)
        zeros = np.full((n, blocks), (levels + 1) // 2, np.int64)
    else:
        low, high = np.minimum(w.min(2), 0), np.maximum(w.max(2), 0)
        scales = (high - low) / levels
        zeros = np.clip(np.round(-low / np.where(scales == 0, 1, scales)), 0, levels)
        zeros = zeros.astype(np.int64)
    scales = np.where(scales == 0, 1, scales).astype(np.float32)
    q = np.clip(np.round(w / scales[:, :, None]) + zeros[:, :, None], 0, levels)
    q = q.astype(np.uint8)
    dequantized = (q.astype(np.float32) - zeros[:, :, None]) * scales[:, :, None]
    dequantized = dequantized.reshape(n, blocks * block)[:, :k].T
    if bits == 4:
        packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
        zero_bytes = np.zeros((n, -(-blocks // 2)), np.uint8)
        for b in range(blocks):
            zero_bytes[:, b // 2] |= (zeros[:, b] << (4 * (b % 2))).astype(np.uint8)
    else:
        packed, zero_bytes = q, zeros.astype(np.uint8)
    return (packed, scales.reshape(-1), zero_bytes.reshape(-1),
            np.ascontiguousarray(dequantized, np.float32))


def rewrite_matmuls(model, block, rewrite):
    """Replaces each MatMul of `model` whose weights are a constant [K, N]
    matrix, K a multiple of `block`, by the nodes `rewrite(node, weights)`
    returns (adding the initializers it appends to the graph), and drops
    the initializers no node reads any more. Returns how many it
    rewrote."""
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    nodes, rewritten = [], 0
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2 or weight.dims[0] % block:
            nodes.append(node)
            continue
        nodes.extend(rewrite(node, numpy_helper.to_array(weight)))
        rewritten += 1
    used = {name for node in nodes for name in node.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten


def to_matmul_nbits(model, block=32, symmetric=True):
    """`model` with its MatMuls over constant [K, N] weights as 4-bit
    MatMulNBits; returns how many it rewrote."""
    graph = model.graph

    def rewrite(node, weights):
        k, n = weights.shape
        packed, scales, zeros, _ = pack_nbits(weights, 4, block, symmetric)
        base = node.input[1]
        inputs = [node.input[0], base + "_q4", base + "_scales"]
        graph.initializer.extend([numpy_helper.from_array(packed, inputs[1]),
                                  numpy_helper.from_array(scales, inputs[2])])
        if not symmetric:
            inputs.append(base + "_zero_points")
            graph.initializer.append(numpy_helper.from_array(zeros, inputs[3]))
        return [helper.make_node("MatMulNBits", inputs, list(node.output),
                                 name=node.name, domain="com.microsoft",
                                 K=k, N=n, bits=4, block_size=block)]

    rewritten = rewrite_matmuls(model, block, rewrite)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return rewritten


def int4_initializer(name, values):
    """An INT4 TensorProto of the integers `values` in [-8, 7], two per
    byte, the first in the low half (Debian's ONNX predates the type)."""
    nibbles = (np.asarray(values).astype(np.int64).ravel() & 0xF).astype(np.uint8)
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))
    tensor = onnx.TensorProto()
    tensor.name = name
    tensor.data_type = 22  # INT4
    tensor.dims.extend(np.shape(values))
    tensor.raw_data = (nibbles[0::2] | (nibbles[1::2] << 4)).tobytes()
    return tensor


def to_qdq_int4(model, block=32):
    """`model` (opset 21 or later) with its MatMuls over constant [K, N]
    weights as opset 21's blocked DequantizeLinear of INT4 weights, then
    the MatMul: the same symmetric quantization as to_matmul_nbits, the
    form of 4-bit QDQ models. Returns how many it rewrote."""
    graph = model.graph

    def rewrite(node, weights):
        k, n = weights.shape
        packed, scales, _, _ = pack_nbits(weights, 4, block, True)
        # Back from MatMulNBits' [N, blocks, block / 2] bytes to [K, N] values.
        low, high = packed & 0xF, packed >> 4
        q = np.stack([low, high], axis=-1).reshape(n, k).T.astype(np.int64) - 8
        base = node.input[1]
        graph.initializer.extend([
            int4_initializer(base + "_int4", q),
            numpy_helper.from_array(scales.reshape(n, k // block).T.copy(),
                                    base + "_block_scales")])
        return [helper.make_node("DequantizeLinear",
                                 [base + "_int4", base + "_block_scales"],
                                 [base + "_dequantized"], name=node.name + "_dequantize",
                                 axis=0, block_size=block),
                helper.make_node("MatMul", [node.input[0], base + "_dequantized"],
                                 list(node.output), name=node.name)]

    return rewrite_matmuls(model, block, rewrite)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--block-size", type=int, default=32)
    parser.add_argument("--asymmetric", action="store_true")
    parser.add_argument("--qdq", action="store_true",
                        help="write blocked DequantizeLinear of INT4 weights "
                             "(opset 21) before each MatMul instead")
    args = parser.parse_args(argv)
    model = onnx.load(args.model)
    if args.qdq:
        count = to_qdq_int4(model, args.block_size)
        form = "blocked INT4 DequantizeLinear and MatMul"
    else:
        count = to_matmul_nbits(model, args.block_size, not args.asymmetric)
        form = "4-bit MatMulNBits"
    onnx.save(model, args.output)
    print(f"{count} MatMul nodes as {form}: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
