#!/usr/bin/python3
"""Checks the ONNX Runtime (com.microsoft) decoder ops edge imports
(docs/llm.md, "ONNX Runtime GenAI models") end to end:

- GroupQueryAttention: packed and separate query/key/value, a past and
  none, grouped and plain heads, rotary embeddings (halves, interleaved,
  partial), a local window, a softcap, prompts right-padded as ONNX Runtime
  GenAI pads them and left-padded as edge's generator pads them;
- RotaryEmbedding on [batch, seq, hidden] and [batch, heads, seq, head]
  inputs, with positions per token or one start position;
- SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization and
  SkipLayerNormalization with their optional inputs and outputs;
- Gelu, BiasGelu, FastGelu and QuickGelu, and ONNX's Gelu of opset 20;
- Attention (raw and end-position masks, causal, an attention bias, a
  value size of its own) and EmbedLayerNormalization, as ONNX Runtime's
  BERT optimizer writes them, and MultiHeadAttention (a bias and a mask,
  a causal step after a past, cross-attention over 4-D keys and values);

each compiled by edge and compared with a numpy implementation of the op's
definition (rows of padding, whose outputs no definition fixes, excepted).
Then the Llama-style decoder of export_decoders.py, written in the GenAI
model builder's form by genai_decoder.py (packed, and separate, query/key/
value) and in opset 23's standard ops (RMSNormalization, RotaryEmbedding,
Attention), compiled with dynamic sizes: edge-generate must reproduce PyTorch's
greedy continuations token by token, alone and as a left-padded batch; and
the same decoder as a 4-bit QDQ model (opset 21's blocked INT4
DequantizeLinear before each MatMul) those of PyTorch with the same
quantization.

With --ort, ONNX Runtime (benchmarks/node_modules, `npm install` there) runs
every op model too, and its outputs must match the numpy ones: the check of
the numpy definitions themselves.

    check_contrib_ops.py BUILD_DIR [WORK_DIR] [--ort]
"""

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ort_reference import TYPES, ort_outputs  # noqa: E402

SOURCE_DIR = Path(__file__).resolve().parent.parent
MS = "com.microsoft"
TOLERANCE = 2e-5


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **kwargs)


class Case:
    """One model: nodes over named inputs (numpy arrays), the outputs to
    compare (name -> numpy expectation, with a row mask where padding rows
    are undefined)."""

    def __init__(self, name, nodes, inputs, expected, initializers=(), valid=None,
                 ort=True):
        self.name, self.nodes, self.inputs = name, nodes, inputs
        self.expected, self.initializers, self.valid = expected, list(initializers), valid or {}
        # Whether ONNX Runtime's kernel defines these outputs (it locates
        # tokens by seqlens_k alone: left padding is edge's generator's).
        self.ort = ort

    def save(self, path):
        def info(name, array):
            return helper.make_tensor_value_info(name, TYPES[array.dtype][0], array.shape)
        graph = helper.make_graph(
            self.nodes, self.name, [info(n, a) for n, a in self.inputs.items()],
            [info(n, a) for n, a in self.expected.items()],
            [numpy_helper.from_array(a, n) for n, a in self.initializers])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21),
                                                        helper.make_opsetid(MS, 1)])
        model.ir_version = 8
        onnx.save(model, str(path))


#===------------------------------------------------------------------------===#
# numpy definitions
#===------------------------------------------------------------------------===#

def rotate(x, cos, sin, interleaved):
    """x [..., head] with cos/sin [..., rotary / 2] broadcast over it: the
    first `rotary` features rotate, in halves or in neighbouring pairs."""
    half = cos.shape[-1]
    part, rest = x[..., :2 * half], x[..., 2 * half:]
    if interleaved:
        even, odd = part[..., 0::2], part[..., 1::2]
        out = np.empty_like(part)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = odd * cos + even * sin
    else:
        a, b = part[..., :half], part[..., half:]
        out = np.concatenate([a * cos - b * sin, b * cos + a * sin], -1)
    return np.concatenate([out, rest], -1)


def attention_reference(q, k, v, past_k, past_v, mask, heads, kv_heads, head,
                        rotary=None, window=-1, softcap=0.0, scale=None):
    """GroupQueryAttention over [batch, seq, heads * head] inputs: query i of
    a run after `past` positions sees key j <= past + i where the mask is 1
    (and past + i - j < window); its rotary position is the number of keys
    it sees, minus one."""
    b, s, _ = q.shape
    past = 0 if past_k is None else past_k.shape[2]
    q = q.reshape(b, s, heads, head)
    k = k.reshape(b, s, kv_heads, head)
    v = v.reshape(b, s, kv_heads, head)
    query_pos = past + np.arange(s)[:, None]
    key_pos = np.arange(past + s)[None, :]
    seen = (key_pos <= query_pos) & (mask[:, None, :] != 0)
    if window > 0:
        seen &= (query_pos - key_pos) < window
    positions = np.maximum(seen.sum(-1) - 1, 0)  # [b, s]
    if rotary is not None:
        cos, sin, interleaved = rotary
        c, sn = cos[positions][:, :, None, :], sin[positions][:, :, None, :]
        q, k = rotate(q, c, sn, interleaved), rotate(k, c, sn, interleaved)
    keys, values = k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3)
    if past_k is not None:
        keys = np.concatenate([past_k, keys], 2)
        values = np.concatenate([past_v, values], 2)
    group = heads // kv_heads
    scores = q.transpose(0, 2, 1, 3) @ np.repeat(keys, group, 1).transpose(0, 1, 3, 2)
    scores = scores * (scale or 1 / np.sqrt(head))
    if softcap > 0:
        scores = softcap * np.tanh(scores / softcap)
    scores = np.where(seen[:, None], scores, -np.inf)
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    probs = scores / scores.sum(-1, keepdims=True)
    out = (probs @ np.repeat(values, group, 1)).transpose(0, 2, 1, 3).reshape(b, s, -1)
    return out.astype(np.float32), keys, values


def rms(y, gamma, eps):
    inv = 1 / np.sqrt((y * y).mean(-1, keepdims=True) + eps)
    return (y * inv * gamma).astype(np.float32), inv.astype(np.float32)


#===------------------------------------------------------------------------===#
# The cases
#===------------------------------------------------------------------------===#

def mask_chain():
    """seqlens_k and total_sequence_length from the attention mask, as ONNX
    Runtime GenAI's model builder computes them."""
    return [helper.make_node("ReduceSum", ["attention_mask", "axis1"], ["sums"], keepdims=0),
            helper.make_node("Sub", ["sums", "one"], ["sums_minus_one"]),
            helper.make_node("Cast", ["sums_minus_one"], ["seqlens_k"], to=TensorProto.INT32),
            helper.make_node("Shape", ["attention_mask"], ["mask_shape"]),
            helper.make_node("Gather", ["mask_shape", "one"], ["total"], axis=0),
            helper.make_node("Cast", ["total"], ["total_sequence_length"],
                             to=TensorProto.INT32)]


def gqa_case(rng, name, batch, seq, past, heads=4, kv_heads=2, head=16, packed=False,
             rotary=None, window=-1, softcap=0.0, lengths=None, left=False):
    """A GroupQueryAttention case. `lengths` gives each row's tokens (of
    past + seq): right-padded as ONNX Runtime GenAI pads prompts, or left
    padded when `left`."""
    total = past + seq
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    q, k, v = f(batch, seq, heads * head), f(batch, seq, kv_heads * head), \
        f(batch, seq, kv_heads * head)
    mask = np.ones((batch, total), np.int64)
    for row, length in enumerate(lengths or []):
        if left:
            mask[row, :total - length] = 0
        else:
            mask[row, length:] = 0
    inputs = {"attention_mask": mask}
    if packed:
        inputs["qkv"] = np.concatenate([q, k, v], -1)
        operands = ["qkv", "", ""]
    else:
        inputs.update(query=q, key=k, value=v)
        operands = ["query", "key", "value"]
    past_k = past_v = None
    if past:
        past_k, past_v = f(batch, kv_heads, past, head), f(batch, kv_heads, past, head)
        inputs.update(past_key=past_k, past_value=past_v)
        operands += ["past_key", "past_value"]
    else:
        operands += ["", ""]
    operands += ["seqlens_k", "total_sequence_length"]
    initializers = [("axis1", np.array([1], np.int64)), ("one", np.array(1, np.int64))]
    attrs = dict(num_heads=heads, kv_num_heads=kv_heads, local_window_size=window)
    reference_rotary = None
    if rotary:
        kind, rotary_dim = rotary
        angles = np.arange(64)[:, None] / 10000 ** (np.arange(0, rotary_dim, 2) / rotary_dim)
        cos, sin = np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)
        initializers += [("cos_cache", cos), ("sin_cache", sin)]
        operands += ["cos_cache", "sin_cache"]
        attrs.update(do_rotary=1, rotary_interleaved=int(kind == "interleaved"))
        reference_rotary = (cos, sin, kind == "interleaved")
    if softcap:
        attrs["softcap"] = softcap
    out, keys, values = attention_reference(q, k, v, past_k, past_v, mask, heads, kv_heads,
                                            head, reference_rotary, window, softcap)
    nodes = mask_chain() + [helper.make_node(
        "GroupQueryAttention", operands, ["output", "present_key", "present_value"],
        domain=MS, **attrs)]
    expected = {"output": out, "present_key": keys.astype(np.float32),
                "present_value": values.astype(np.float32)}
    # Rows of padding: no definition fixes their outputs, nor (right-padded)
    # their keys and values.
    valid = {}
    if lengths:
        rows = np.ones((batch, seq), bool)
        for row, length in enumerate(lengths):
            rows[row] = mask[row, past:] != 0
        valid["output"] = rows[:, :, None]
        if not left:
            valid["present_key"] = valid["present_value"] = mask[:, None, :, None] != 0
    return Case(name, nodes, inputs, expected, initializers, valid, ort=not left)


def rotary_case(rng, name, layout, interleaved=False, partial=False, scalar=False):
    batch, seq, heads, head = 2, 5, 3, 16
    rotary_dim = 8 if partial else head
    angles = np.arange(32)[:, None] / 10000 ** (np.arange(0, rotary_dim, 2) / rotary_dim)
    cos, sin = np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)
    x4 = rng.standard_normal((batch, seq, heads, head)).astype(np.float32)
    if scalar:
        positions = np.array([3], np.int64)
        table = np.broadcast_to(3 + np.arange(seq), (batch, seq))
    else:
        positions = rng.integers(0, 32, (batch, seq)).astype(np.int64)
        table = positions
    c, s = cos[table][:, :, None, :], sin[table][:, :, None, :]
    y4 = rotate(x4, c, s, interleaved)
    if layout == "bsh":
        x, y = x4.reshape(batch, seq, -1), y4.reshape(batch, seq, -1)
    else:
        x, y = x4.transpose(0, 2, 1, 3).copy(), y4.transpose(0, 2, 1, 3).copy()
    attrs = dict(interleaved=int(interleaved))
    if partial:
        attrs.update(rotary_embedding_dim=rotary_dim, num_heads=heads)
    node = helper.make_node("RotaryEmbedding", ["x", "position_ids", "cos_cache", "sin_cache"],
                            ["y"], domain=MS, **attrs)
    return Case(name, [node], {"x": x, "position_ids": positions}, {"y": y},
                [("cos_cache", cos), ("sin_cache", sin)])


def norm_cases(rng):
    x = rng.standard_normal((2, 3, 32)).astype(np.float32)
    skip = rng.standard_normal((2, 3, 32)).astype(np.float32)
    gamma = rng.standard_normal(32).astype(np.float32)
    beta = rng.standard_normal(32).astype(np.float32)
    bias = rng.standard_normal(32).astype(np.float32)
    weights = [("gamma", gamma), ("beta", beta), ("bias", bias)]
    cases = []
    y, inv = rms(x, gamma, 1e-5)
    cases.append(Case("simplified_norm", [helper.make_node(
        "SimplifiedLayerNormalization", ["x", "gamma"], ["y", "inv_std"], axis=-1,
        epsilon=1e-5, stash_type=1)], {"x": x}, {"y": y, "inv_std": inv}, weights[:1]))
    total = x + skip + bias
    y, _ = rms(total, gamma, 1e-6)
    cases.append(Case("skip_simplified_norm", [helper.make_node(
        "SkipSimplifiedLayerNormalization", ["x", "skip", "gamma", "bias"],
        ["y", "", "", "sum"], domain=MS, epsilon=1e-6)], {"x": x, "skip": skip},
        {"y": y, "sum": total}, [weights[0], weights[2]]))
    mean = total.mean(-1, keepdims=True)
    inv = 1 / np.sqrt(((total - mean) ** 2).mean(-1, keepdims=True) + 1e-12)
    y = ((total - mean) * inv * gamma + beta).astype(np.float32)
    cases.append(Case("skip_layer_norm", [helper.make_node(
        "SkipLayerNormalization", ["x", "skip", "gamma", "beta", "bias"],
        ["y", "", "", "sum"], domain=MS)], {"x": x, "skip": skip},
        {"y": y, "sum": total}, weights))
    return cases


def gelu_cases(rng):
    x = rng.standard_normal((2, 3, 16)).astype(np.float32) * 3
    bias = rng.standard_normal(16).astype(np.float32)
    erf = np.vectorize(math.erf)
    exact = lambda v: (0.5 * v * (1 + erf(v / math.sqrt(2)))).astype(np.float32)  # noqa: E731
    tanh = lambda v: (0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) *  # noqa: E731
                                             (v + 0.044715 * v ** 3)))).astype(np.float32)
    quick = (x / (1 + np.exp(-1.5 * x))).astype(np.float32)

    def case(name, op, inputs, want, domain=MS, weights=(), **attrs):
        node = helper.make_node(op, inputs, ["y"], domain=domain, **attrs)
        return Case(name, [node], {"x": x}, {"y": want}, weights)
    return [case("gelu", "Gelu", ["x"], exact(x)),
            case("bias_gelu", "BiasGelu", ["x", "bias"], exact(x + bias),
                 weights=[("bias", bias)]),
            case("fast_gelu", "FastGelu", ["x", "bias"], tanh(x + bias),
                 weights=[("bias", bias)]),
            case("quick_gelu", "QuickGelu", ["x"], quick, alpha=1.5),
            case("onnx_gelu", "Gelu", ["x"], exact(x), domain=""),
            case("onnx_gelu_tanh", "Gelu", ["x"], tanh(x), domain="", approximate="tanh")]


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def bert_cases(rng):
    """Attention and EmbedLayerNormalization as ONNX Runtime's BERT optimizer
    writes them."""
    batch, seq, hidden, heads = 2, 5, 32, 4
    x = rng.standard_normal((batch, seq, hidden)).astype(np.float32)

    def attention(name, mask=None, sizes=(32, 32, 32), unidirectional=0, bias_input=False):
        weights = (rng.standard_normal((hidden, sum(sizes))) * 0.2).astype(np.float32)
        bias = rng.standard_normal(sum(sizes)).astype(np.float32)
        projected = x @ weights + bias
        d, dv = sizes[0], sizes[2]

        def split(part, start, size):
            return part[..., start:start + size].reshape(batch, seq, heads, -1).transpose(0, 2, 1, 3)
        q, k, v = split(projected, 0, d), split(projected, d, d), split(projected, 2 * d, dv)
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
        inputs = {"x": x}
        operands = ["x", "weights", "bias", "", "", ""]
        if bias_input:
            extra = rng.standard_normal((1, heads, seq, seq)).astype(np.float32)
            scores = scores + extra
            inputs["extra"] = extra
            operands[5] = "extra"
        seen = np.ones((batch, 1, seq, seq), bool)
        if mask is not None:
            inputs["mask"] = mask
            operands[3] = "mask"
            if mask.ndim == 1:
                seen &= (np.arange(seq)[None, :] < mask[:, None])[:, None, None, :]
            else:
                seen &= (mask > 0)[:, None, None, :]
        scores = np.where(seen, scores, -10000.0)
        if unidirectional:
            causal = np.arange(seq)[None, :] <= np.arange(seq)[:, None]
            scores = np.where(causal, scores, np.finfo(np.float32).min)
        out = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(batch, seq, dv)
        attrs = dict(num_heads=heads, unidirectional=unidirectional)
        if sizes[2] != sizes[0]:
            attrs["qkv_hidden_sizes"] = list(sizes)
        node = helper.make_node("Attention", operands, ["y"], domain=MS, **attrs)
        return Case(name, [node], inputs, {"y": out.astype(np.float32)},
                    [("weights", weights), ("bias", bias)])

    raw = np.ones((batch, seq), np.int32)
    raw[1, 3:] = 0
    cases = [attention("attention_raw_mask", raw),
             attention("attention_end_positions", np.array([5, 2], np.int32)),
             attention("attention_causal_bias", None, unidirectional=1, bias_input=True),
             attention("attention_value_size", raw, sizes=(32, 32, 16))]

    vocab, types, positions = 50, 2, 16
    word = rng.standard_normal((vocab, hidden)).astype(np.float32)
    position = rng.standard_normal((positions, hidden)).astype(np.float32)
    segment = rng.standard_normal((types, hidden)).astype(np.float32)
    gamma = rng.standard_normal(hidden).astype(np.float32)
    beta = rng.standard_normal(hidden).astype(np.float32)
    ids = rng.integers(0, vocab, (batch, seq)).astype(np.int32)
    segments = rng.integers(0, types, (batch, seq)).astype(np.int32)
    total = word[ids] + position[np.arange(seq)][None] + segment[segments]
    mean = total.mean(-1, keepdims=True)
    normed = (total - mean) / np.sqrt(((total - mean) ** 2).mean(-1, keepdims=True) + 1e-12)
    node = helper.make_node(
        "EmbedLayerNormalization",
        ["ids", "segments", "word", "position", "segment", "gamma", "beta", "mask"],
        ["y", "mask_index", "sum"], domain=MS)
    cases.append(Case("embed_layer_norm", [node],
                      {"ids": ids, "segments": segments, "mask": raw},
                      {"y": (normed * gamma + beta).astype(np.float32),
                       "mask_index": raw.sum(1).astype(np.int32),
                       "sum": total.astype(np.float32)},
                      [("word", word), ("position", position), ("segment", segment),
                       ("gamma", gamma), ("beta", beta)]))
    return cases


def mha_cases(rng):
    """MultiHeadAttention: self-attention with a bias and a raw mask, a
    causal step after a past, cross-attention over 4-D keys and values."""
    heads, head = 4, 8
    hidden = heads * head
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731

    def split(x):  # [b, s, hidden] -> [b, heads, s, head]
        return x.reshape(x.shape[0], x.shape[1], heads, -1).transpose(0, 2, 1, 3)

    def attend(q, k, v, seen):
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head)
        scores = np.where(seen, scores, -10000.0)
        out = softmax(scores) @ v
        return out.transpose(0, 2, 1, 3).reshape(q.shape[0], q.shape[2], -1).astype(np.float32)

    cases = []
    q, k, v, bias = f(2, 5, hidden), f(2, 5, hidden), f(2, 5, hidden), f(3 * hidden)
    mask = np.ones((2, 5), np.int32)
    mask[0, 4:] = 0
    seen = (mask > 0)[:, None, None, :]
    out = attend(split(q + bias[:hidden]), split(k + bias[hidden:2 * hidden]),
                 split(v + bias[2 * hidden:]), seen)
    node = helper.make_node("MultiHeadAttention", ["q", "k", "v", "bias", "mask"], ["y"],
                            domain=MS, num_heads=heads)
    cases.append(Case("mha_self_mask", [node], {"q": q, "k": k, "v": v, "mask": mask},
                      {"y": out}, [("bias", bias)]))

    q, k, v = f(1, 3, hidden), f(1, 3, hidden), f(1, 3, hidden)
    past_k, past_v = f(1, heads, 2, head), f(1, heads, 2, head)
    keys = np.concatenate([past_k, split(k)], 2)
    values = np.concatenate([past_v, split(v)], 2)
    causal = (np.arange(5)[None, :] <= 2 + np.arange(3)[:, None])[None, None]
    out = attend(split(q), keys, values, causal)
    node = helper.make_node(
        "MultiHeadAttention", ["q", "k", "v", "", "", "", "past_k", "past_v"],
        ["y", "present_k", "present_v"], domain=MS, num_heads=heads, unidirectional=1)
    cases.append(Case("mha_past_causal", [node],
                      {"q": q, "k": k, "v": v, "past_k": past_k, "past_v": past_v},
                      {"y": out, "present_k": keys, "present_v": values}))

    q, k, v = f(2, 3, hidden), f(2, heads, 6, head), f(2, heads, 6, head)
    ends = np.array([6, 4], np.int32)
    seen = (np.arange(6)[None, :] < ends[:, None])[:, None, None, :]
    node = helper.make_node("MultiHeadAttention", ["q", "k", "v", "", "ends"], ["y"],
                            domain=MS, num_heads=heads)
    cases.append(Case("mha_cross_ends", [node], {"q": q, "k": k, "v": v, "ends": ends},
                      {"y": attend(split(q), k, v, seen)}))
    return cases


def all_cases(rng):
    g = gqa_case
    return [
        g(rng, "gqa_prompt", 2, 5, 0),
        g(rng, "gqa_decode", 2, 1, 6),
        g(rng, "gqa_continued_prompt", 1, 3, 4),
        g(rng, "gqa_packed_rotary", 2, 1, 6, packed=True, rotary=("halves", 16)),
        g(rng, "gqa_prompt_rotary", 2, 5, 0, rotary=("halves", 16)),
        g(rng, "gqa_interleaved", 1, 3, 4, rotary=("interleaved", 16)),
        g(rng, "gqa_partial_rotary", 2, 1, 6, head=32, rotary=("halves", 16)),
        g(rng, "gqa_window", 1, 6, 0, window=3),
        g(rng, "gqa_softcap", 2, 1, 6, softcap=2.0),
        g(rng, "gqa_heads", 2, 1, 6, heads=4, kv_heads=4),
        g(rng, "gqa_right_padded", 2, 6, 0, rotary=("halves", 16), lengths=[6, 3]),
        g(rng, "gqa_left_padded", 2, 6, 0, rotary=("halves", 16), lengths=[6, 3], left=True),
        g(rng, "gqa_left_padded_decode", 2, 1, 6, rotary=("halves", 16), lengths=[7, 4],
          left=True),
        rotary_case(rng, "rotary_bsh", "bsh"),
        rotary_case(rng, "rotary_bhsd_interleaved", "bhsd", interleaved=True),
        rotary_case(rng, "rotary_partial", "bsh", partial=True),
        rotary_case(rng, "rotary_start_position", "bsh", scalar=True),
        *norm_cases(rng),
        *gelu_cases(rng),
        *bert_cases(rng),
        *mha_cases(rng),
    ]


#===------------------------------------------------------------------------===#
# Running
#===------------------------------------------------------------------------===#

def compare(label, got, want, valid):
    if got.shape != want.shape:
        return f"{label}: shape {got.shape}, expected {want.shape}"
    mask = np.broadcast_to(valid, want.shape) if valid is not None else np.ones(want.shape, bool)
    error = np.abs(np.where(mask, got - want, 0)).max()
    scale = max(np.abs(np.where(mask, want, 0)).max(), 1e-6)
    if not np.isfinite(error) or error > TOLERANCE * scale:
        return f"{label}: differs by {error:.3g} (scale {scale:.3g})"
    return None


def run_edge(build, case, work):
    import edge
    path = work / f"{case.name}.onnx"
    case.save(path)
    library = work / f"{case.name}.so"
    run([build / "bin/edge-compile", path, "-o", library])
    model = edge.load(library)
    outputs = model.run(*[case.inputs[t.name] for t in model.inputs])
    return dict(zip([t.name for t in model.outputs], outputs))


def run_ort(case, work):
    return ort_outputs(work / f"{case.name}.onnx", case.inputs, work / f"{case.name}.ort")


def check_ops(build, work, with_ort):
    failures = []
    for case in all_cases(np.random.default_rng(0)):
        got = run_edge(build, case, work)
        for name, want in case.expected.items():
            failure = compare(f"{case.name}: edge's {name}", got[name], want,
                              case.valid.get(name))
            if failure:
                failures.append(failure)
        if with_ort and case.ort:
            ort = run_ort(case, work)
            for name, want in case.expected.items():
                # ONNX Runtime's present caches have room for the total
                # length; compare the positions the run wrote.
                failure = compare(f"{case.name}: ONNX Runtime's {name}", ort[name], want,
                                  case.valid.get(name))
                if failure:
                    failures.append(failure)
    return failures


def check_decoder(build, work):
    """The Llama decoder generates PyTorch's tokens in the GenAI form (packed
    and separate query/key/value) and in opset 23's standard ops."""
    failures = []
    run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
         "--model", "tiny-llama"])
    reference = json.loads((work / "tiny-llama.reference.json").read_text())
    prompts = reference["prompts"]
    bounds = ["--dim=batch_size<=4", "--dim=sequence_length<=128",
              "--dim=past_sequence_length<=256", "--dim=total_sequence_length<=384"]
    for form, extra in (("packed", []), ("separate", ["--separate-qkv"]),
                        ("opset 23", ["--standard-ops"])):
        model = work / f"tiny-llama-genai-{form.replace(' ', '')}.onnx"
        library = model.with_suffix(".so")
        run([sys.executable, SOURCE_DIR / "scripts/genai_decoder.py",
             work / "tiny-llama.pt", model, "--model", "tiny-llama", *extra])
        run([build / "bin/edge-compile", model, "-o", library, *bounds])
        for label, batch, want in (("batch 1", prompts[:1], reference["batch_1"]),
                                   ("batch 4", prompts, reference["batch_4"])):
            stem = f"{model.stem}-{len(batch)}"
            batch_file = work / f"{stem}.prompts"
            batch_file.write_text("".join(",".join(map(str, p)) + "\n" for p in batch))
            output = work / f"{stem}.json"
            run([build / "bin/edge-generate", library, "--batch-file", batch_file,
                 "--max-new-tokens", str(reference["new_tokens"]), "--json", output])
            got = json.loads(output.read_text())["sequences"]
            if got != want:
                failures.append(f"decoder ({form}), {label}: tokens differ from "
                                "PyTorch's")
    return failures + check_qdq_decoder(build, work, prompts, bounds,
                                        reference["new_tokens"])


def check_qdq_decoder(build, work, prompts, bounds, new_tokens):
    """The GenAI-form decoder with 4-bit QDQ weights (opset 21's blocked
    INT4 DequantizeLinear before each MatMul, blocks of 16: the feed-forward
    width, 176, is no multiple of 32) generates the tokens of PyTorch with
    the same quantization."""
    import onnx
    import torch
    import export_decoders
    from check_quantization import fake_quantized
    from matmul_nbits import to_qdq_int4
    model = onnx.load(str(work / "tiny-llama-genai-packed.onnx"))
    if to_qdq_int4(model, block=16) == 0:
        return ["QDQ decoder: no MatMul was rewritten"]
    path = work / "tiny-llama-genai-qdq.onnx"
    onnx.save(model, str(path))
    library = path.with_suffix(".so")
    run([build / "bin/edge-compile", path, "-o", library, *bounds])
    torch_model = export_decoders.Decoder(export_decoders.CONFIGS["tiny-llama"]).eval()
    torch_model.load_state_dict(torch.load(work / "tiny-llama.pt"))
    fake_quantized(torch_model, 4, block=16)
    failures = []
    for label, batch in (("batch 1", prompts[:1]), ("batch 4", prompts)):
        want = export_decoders.greedy(torch_model, batch, new_tokens)
        batch_file = work / f"qdq-{len(batch)}.prompts"
        batch_file.write_text("".join(",".join(map(str, p)) + "\n" for p in batch))
        output = work / f"qdq-{len(batch)}.json"
        run([build / "bin/edge-generate", library, "--batch-file", batch_file,
             "--max-new-tokens", str(new_tokens), "--json", output])
        got = json.loads(output.read_text())["sequences"]
        if got != want:
            failures.append(f"QDQ decoder, {label}: tokens {got} differ from PyTorch's "
                            f"with the same quantization {want}")
    return failures


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(args[0]).resolve()
    work = Path(args[1]) if len(args) > 1 else Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(build / "python"))
    failures = check_ops(build, work, "--ort" in argv) + check_decoder(build, work)
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("ONNX Runtime's decoder ops match their definitions")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
