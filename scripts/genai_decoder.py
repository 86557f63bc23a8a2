#!/usr/bin/python3
"""Writes a Llama-style decoder of scripts/export_decoders.py in the form
ONNX Runtime GenAI's model builder gives decoders (docs/llm.md, "ONNX
Runtime GenAI models"), or in opset 23's standard ops:

    genai_decoder.py STATE.pt OUT.onnx [--model llama] [--separate-qkv]
                     [--opset 21] [--standard-ops]

- inputs `input_ids`, `attention_mask` and `past_key_values.N.key|value`,
  no `position_ids`; outputs `logits` and `present.N.key|value`;
- SimplifiedLayerNormalization first, then SkipSimplifiedLayerNormalization
  (its fourth output carries the residual stream), all with the model's
  epsilon;
- one packed query/key/value MatMul per layer (or three with
  --separate-qkv) into com.microsoft GroupQueryAttention with do_rotary=1,
  the cos/sin caches as initializers and seqlens_k / total_sequence_length
  computed from the attention mask as the builder computes them.

With --standard-ops, the same inputs and outputs in opset 23's own ops, as
an exporter targeting that opset writes them: RMSNormalization and Add
for the residual stream, three projections, RotaryEmbedding (3-D, with
position_ids from the attention mask) and Attention (3-D, grouped
query heads, the past and present, the attention mask as a boolean mask
beside is_causal).

The weights are STATE.pt's (export_decoders.py writes it next to the
model), so the greedy continuations of NAME.reference.json hold for this
graph too. scripts/matmul_nbits.py turns its MatMuls into 4-bit
MatMulNBits, the builder's int4 form. Run with Debian's /usr/bin/python3.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_decoders import CONFIGS  # noqa: E402

EPSILON = 1e-6  # export_decoders.RMSNorm's


def build(state, config, separate_qkv, opset, standard=False):
    c = config
    head_dim = c.hidden // c.heads
    nodes, inits = [], []

    def weight(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name))
        return name

    def node(op, inputs, outputs, domain="", **attrs):
        nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0] + "/" + op,
                                      domain=domain, **attrs))
        return outputs[0]

    def linear(x, key, out):
        # torch's Linear weight is [out, in]: MatMul takes it transposed.
        return node("MatMul", [x, weight(key, state[key].numpy().T)], [out])

    if not standard:
        # seqlens_k and total_sequence_length, as the builder derives them.
        inits.append(numpy_helper.from_array(np.array([1], np.int64), "axes_1"))
        inits.append(numpy_helper.from_array(np.array(1, np.int64), "one"))
        sums = node("ReduceSum", ["attention_mask", "axes_1"], ["mask_sums"], keepdims=0)
        node("Sub", [sums, "one"], ["seqlens_minus_one"])
        node("Cast", ["seqlens_minus_one"], ["seqlens_k"], to=TensorProto.INT32)
        node("Shape", ["attention_mask"], ["mask_shape"])
        node("Gather", ["mask_shape", "one"], ["total_length"], axis=0)
        node("Cast", ["total_length"], ["total_sequence_length"], to=TensorProto.INT32)

    # Rotary caches: [max positions, head_dim / 2], the angles of
    # export_decoders.Decoder (inv_freq over every second feature).
    positions = torch.arange(c.max_positions, dtype=torch.float32)
    angles = positions[:, None] * state["inv_freq"][None, :]
    weight("cos_cache", angles.cos().numpy())
    weight("sin_cache", angles.sin().numpy())

    x = node("Gather", [weight("embed.weight", state["embed.weight"].numpy()),
                        "input_ids"], ["embedded"])
    if standard:
        standard_layers(state, config, x, node, weight, linear)
        return finish(config, nodes, inits, 23)
    normed = node("SimplifiedLayerNormalization",
                  [x, weight("blocks.0.norm1.weight",
                             state["blocks.0.norm1.weight"].numpy())],
                  ["layer0_norm1"], axis=-1, epsilon=EPSILON, stash_type=1)
    residual = x
    for i in range(c.layers):
        p = f"blocks.{i}."
        if separate_qkv:
            q = linear(normed, p + "attention.q.weight", f"layer{i}_q")
            k = linear(normed, p + "attention.k.weight", f"layer{i}_k")
            v = linear(normed, p + "attention.v.weight", f"layer{i}_v")
        else:
            packed = np.concatenate([state[p + f"attention.{n}.weight"].numpy()
                                     for n in "qkv"]).T
            q = node("MatMul", [normed, weight(p + "attention.qkv.weight", packed)],
                     [f"layer{i}_qkv"])
            k = v = ""
        attended = node(
            "GroupQueryAttention",
            [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value",
             "seqlens_k", "total_sequence_length", "cos_cache", "sin_cache"],
            [f"layer{i}_attention", f"present.{i}.key", f"present.{i}.value"],
            domain="com.microsoft", num_heads=c.heads, kv_num_heads=c.kv_heads,
            scale=1.0 / float(np.sqrt(head_dim)), do_rotary=1, rotary_interleaved=0,
            local_window_size=-1)
        projected = linear(attended, p + "attention.out.weight", f"layer{i}_out")
        normed = node("SkipSimplifiedLayerNormalization",
                      [projected, residual,
                       weight(p + "norm2.weight", state[p + "norm2.weight"].numpy())],
                      [f"layer{i}_norm2", "", "", f"layer{i}_residual1"],
                      domain="com.microsoft", epsilon=EPSILON)
        residual = f"layer{i}_residual1"
        down = feed_forward(normed, p, i, node, linear)
        last = i + 1 == c.layers
        norm = "final_norm.weight" if last else f"blocks.{i + 1}.norm1.weight"
        outputs = [f"layer{i}_final"] if last else \
            [f"layer{i + 1}_norm1", "", "", f"layer{i}_residual2"]
        normed = node("SkipSimplifiedLayerNormalization",
                      [down, residual, weight(norm, state[norm].numpy())], outputs,
                      domain="com.microsoft", epsilon=EPSILON)
        residual = f"layer{i}_residual2"
    linear(normed, "head.weight", "logits")
    return finish(config, nodes, inits, opset)


def feed_forward(normed, p, i, node, linear):
    """Layer i's gated SiLU feed-forward (weights `p`gate/up/down) of
    `normed`."""
    gate = linear(normed, p + "gate.weight", f"layer{i}_gate")
    up = linear(normed, p + "up.weight", f"layer{i}_up")
    silu = node("Mul", [gate, node("Sigmoid", [gate], [f"layer{i}_sigmoid"])],
                [f"layer{i}_silu"])
    return linear(node("Mul", [silu, up], [f"layer{i}_gated"]), p + "down.weight",
                  f"layer{i}_down")


def standard_layers(state, config, x, node, weight, linear):
    """The layers and head of `config` in opset 23's standard ops, from the
    embedded tokens `x`."""
    c = config
    # Each token's position: the tokens before it in its row (a left-padded
    # row's ones come last: the row's count of ones, less the new tokens,
    # plus the token's index among them); the mask as booleans over the
    # keys, [batch, 1, 1, total], which Attention combines with is_causal.
    for name, value in (("axes_1", np.array([1], np.int64)), ("zero", np.array(0, np.int64)),
                        ("one_i", np.array(1, np.int64)),
                        ("mask_axes", np.array([1, 2], np.int64))):
        constant(name, value, node)
    counts = node("ReduceSum", ["attention_mask", "axes_1"], ["mask_counts"], keepdims=1)
    seq = node("Gather", [node("Shape", ["input_ids"], ["ids_shape"]), "one_i"],
               ["seq_length"], axis=0)
    steps = node("Range", ["zero", seq, "one_i"], ["token_steps"])
    positions = node("Max", [node("Add", [node("Sub", [counts, seq], ["first_position"]),
                                          steps], ["positions_raw"]), "zero"],
                     ["position_ids"])
    seen = node("Unsqueeze", [node("Cast", ["attention_mask"], ["mask_bool"],
                                   to=TensorProto.BOOL), "mask_axes"], ["keys_seen"])
    head_dim = c.hidden // c.heads

    def rms_norm(y, key, out):
        return node("RMSNormalization", [y, weight(key, state[key].numpy())], [out],
                    axis=-1, epsilon=EPSILON)

    residual = x
    normed = rms_norm(x, "blocks.0.norm1.weight", "layer0_norm1")
    for i in range(c.layers):
        p = f"blocks.{i}."
        q, k, v = (linear(normed, p + f"attention.{n}.weight", f"layer{i}_{n}") for n in "qkv")
        q = node("RotaryEmbedding", [q, "cos_cache", "sin_cache", positions],
                 [f"layer{i}_q_rotated"], num_heads=c.heads)
        k = node("RotaryEmbedding", [k, "cos_cache", "sin_cache", positions],
                 [f"layer{i}_k_rotated"], num_heads=c.kv_heads)
        attended = node(
            "Attention", [q, k, v, seen, f"past_key_values.{i}.key",
                          f"past_key_values.{i}.value"],
            [f"layer{i}_attention", f"present.{i}.key", f"present.{i}.value"],
            q_num_heads=c.heads, kv_num_heads=c.kv_heads, is_causal=1,
            scale=1.0 / float(np.sqrt(head_dim)))
        residual = node("Add", [linear(attended, p + "attention.out.weight",
                                       f"layer{i}_out"), residual], [f"layer{i}_residual1"])
        normed = rms_norm(residual, p + "norm2.weight", f"layer{i}_norm2")
        down = feed_forward(normed, p, i, node, linear)
        residual = node("Add", [down, residual], [f"layer{i}_residual2"])
        last = i + 1 == c.layers
        normed = rms_norm(residual, "final_norm.weight" if last else
                          f"blocks.{i + 1}.norm1.weight",
                          f"layer{i}_final" if last else f"layer{i + 1}_norm1")
    linear(normed, "head.weight", "logits")


def constant(name, value, node):
    node("Constant", [], [name], value=numpy_helper.from_array(value, name))


def finish(config, nodes, inits, opset):
    """The model of `nodes` and `inits` with the decoder's inputs and
    outputs."""
    c = config
    head_dim = c.hidden // c.heads

    def tensor(name, dims, elem=TensorProto.FLOAT):
        return helper.make_tensor_value_info(name, elem, dims)

    inputs = [tensor("input_ids", ["batch_size", "sequence_length"], TensorProto.INT64),
              tensor("attention_mask", ["batch_size", "total_sequence_length"],
                     TensorProto.INT64)]
    outputs = [tensor("logits", ["batch_size", "sequence_length", c.vocab])]
    for i in range(c.layers):
        for part in ("key", "value"):
            inputs.append(tensor(f"past_key_values.{i}.{part}",
                                 ["batch_size", c.kv_heads, "past_sequence_length",
                                  head_dim]))
            outputs.append(tensor(f"present.{i}.{part}",
                                  ["batch_size", c.kv_heads, "total_sequence_length",
                                   head_dim]))
    graph = helper.make_graph(nodes, "genai_decoder", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 11 if opset >= 23 else 8
    return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state", type=Path, help="export_decoders.py's NAME.pt")
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="llama",
                        choices=[k for k, c in CONFIGS.items() if c.kind == "llama"])
    parser.add_argument("--separate-qkv", action="store_true",
                        help="three projections into GroupQueryAttention's query, "
                        "key and value (default: one packed)")
    parser.add_argument("--opset", type=int, default=21,
                        help="default-domain opset (the builder's: 21)")
    parser.add_argument("--standard-ops", action="store_true",
                        help="opset 23's RMSNormalization, RotaryEmbedding and Attention "
                        "instead of ONNX Runtime's ops (the model's opset is then 23)")
    args = parser.parse_args(argv)
    state = torch.load(args.state)
    model = build(state, CONFIGS[args.model], args.separate_qkv, args.opset,
                  args.standard_ops)
    onnx.save(model, str(args.out))
    print(f"{args.out}: {len(model.graph.node)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
