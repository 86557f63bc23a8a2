#!/usr/bin/python3
"""Writes ONNX backend-style test cases for the operator changes of
default-domain opsets 18 to 23, which Debian's libonnx-testdata (ONNX 1.12,
opset 17) predates (docs/conformance-howto.md, "Opsets 18 to 23"), and for
TfIdfVectorizer's modes, Resize's tf_crop_and_resize over axes and
MelWeightMatrix's wider triangles, which the backend suite leaves out:

    make_opset_cases.py OUT_DIR

Each case is OUT_DIR/NAME/model.onnx with test_data_set_0/input_N.pb and
output_N.pb, the layout of the ONNX backend tests. The reference outputs
are ONNX Runtime's (onnxruntime-node in benchmarks/node_modules, `npm
install` there; graph optimizations off, each node as defined), which
implements these opsets; the cases are committed
under test/onnx-cases/opset18-23/ so that the tests need no ONNX Runtime.
scripts/conformance.py runs them (--case-root). Run with /usr/bin/python3.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ort_reference import TYPES, ort_outputs  # noqa: E402


rng = np.random.default_rng(18)


def f32(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def i64(*values):
    return np.array(values, np.int64)


CASES = []


def case(name, opset, nodes, inputs, outputs, initializers=None):
    """`inputs`: name -> array (graph inputs); `outputs`: output names;
    `initializers`: name -> array (constants)."""
    CASES.append((name, opset, nodes, inputs, outputs, initializers or {}))


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, **attrs)


# Opset 18: Split's num_outputs (an uneven last chunk), Pad's axes, the
# reductions' axes input, ScatterElements/ScatterND max and min, Mish,
# GroupNormalization (scale per group).
case("split18_num_outputs", 18, [node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3)],
     {"x": f32(2, 7)}, ["a", "b", "c"])
case("split18_num_outputs_even", 18,
     [node("Split", ["x"], ["a", "b"], axis=-1, num_outputs=2)], {"x": f32(3, 2, 8)}, ["a", "b"])
case("pad18_axes", 18, [node("Pad", ["x", "pads", "value", "axes"], ["y"])],
     {"x": f32(2, 3, 4)}, ["y"],
     {"pads": i64(1, 0, 2, 3), "value": np.array(1.5, np.float32), "axes": i64(0, 2)})
case("pad18_axes_negative_reflect", 18, [node("Pad", ["x", "pads", "", "axes"], ["y"],
                                               mode="reflect")],
     {"x": f32(2, 3, 5)}, ["y"], {"pads": i64(2, 1), "axes": i64(-1)})
case("reduce18_mean_max", 18,
     [node("ReduceMean", ["x", "axes"], ["mean"]),
      node("ReduceMax", ["x", "axes"], ["max"], keepdims=0),
      node("ReduceL2", ["x", "axes"], ["l2"]),
      node("ReduceLogSumExp", ["x"], ["lse"], keepdims=0),
      node("ReduceProd", ["x"], ["same"], noop_with_empty_axes=1)],
     {"x": f32(2, 3, 4)}, ["mean", "max", "l2", "lse", "same"], {"axes": i64(-1)})
case("scatterelements18_max", 18,
     [node("ScatterElements", ["data", "indices", "updates"], ["y"], axis=1, reduction="max")],
     {"data": f32(3, 5), "updates": f32(3, 2)}, ["y"],
     {"indices": np.array([[0, 0], [4, 2], [1, 1]], np.int64)})
case("scatternd18_min", 18,
     [node("ScatterND", ["data", "indices", "updates"], ["y"], reduction="min")],
     {"data": f32(4, 3), "updates": f32(3, 3)}, ["y"],
     {"indices": np.array([[1], [3], [1]], np.int64)})
case("mish18", 18, [node("Mish", ["x"], ["y"])], {"x": f32(2, 9, scale=3)}, ["y"])
case("groupnorm18", 18,
     [node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=2, epsilon=1e-3)],
     {"x": f32(2, 4, 3, 3)}, ["y"], {"scale": f32(2), "bias": f32(2)})
# Opset 19: Cast's saturate, Resize's half_pixel_symmetric; Resize's axes
# and aspect-ratio policies (18).
case("cast19_saturate", 19, [node("Cast", ["x"], ["y"], to=TensorProto.INT32, saturate=1)],
     {"x": f32(6, scale=50)}, ["y"])
case("resize19_half_pixel_symmetric", 19,
     [node("Resize", ["x", "", "scales"], ["y"], mode="linear",
           coordinate_transformation_mode="half_pixel_symmetric")],
     {"x": f32(1, 2, 3, 4)}, ["y"], {"scales": np.array([1, 1, 2, 1.5], np.float32)})
case("resize18_axes", 18,
     [node("Resize", ["x", "", "scales"], ["y"], mode="linear", axes=[2, 3])],
     {"x": f32(1, 2, 3, 4)}, ["y"], {"scales": np.array([2, 0.5], np.float32)})
case("resize18_not_larger", 18,
     [node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest", axes=[2, 3],
           keep_aspect_ratio_policy="not_larger")],
     {"x": f32(1, 1, 4, 6)}, ["y"], {"sizes": i64(3, 12)})
case("resize18_not_smaller", 18,
     [node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear", axes=[2, 3],
           keep_aspect_ratio_policy="not_smaller")],
     {"x": f32(1, 1, 4, 6)}, ["y"], {"sizes": i64(3, 12)})
# Opset 20: GridSample's renamed modes, Gelu.
case("gridsample20_linear", 20,
     [node("GridSample", ["x", "grid"], ["y"], mode="linear", padding_mode="border")],
     {"x": f32(1, 2, 4, 5), "grid": f32(1, 3, 3, 2, scale=0.7)}, ["y"])
case("gridsample20_cubic", 20,
     [node("GridSample", ["x", "grid"], ["y"], mode="cubic", align_corners=1)],
     {"x": f32(1, 1, 5, 5), "grid": f32(1, 2, 4, 2, scale=0.7)}, ["y"])
case("gelu20", 20, [node("Gelu", ["x"], ["exact"]),
                    node("Gelu", ["x"], ["tanh"], approximate="tanh")],
     {"x": f32(3, 7, scale=3)}, ["exact", "tanh"])
# Opset 21: GroupNormalization's scale and bias per channel.
case("groupnorm21", 21,
     [node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=2)],
     {"x": f32(2, 4, 5)}, ["y"], {"scale": f32(4), "bias": f32(4)})

# Pad's wrap mode (19); boolean ReduceMax/ReduceMin (20).
case("pad19_wrap", 19, [node("Pad", ["x", "pads"], ["y"], mode="wrap")],
     {"x": f32(2, 3)}, ["y"], {"pads": i64(1, 2, 0, 3)})
case("reduce20_bool", 20,
     [node("ReduceMax", ["x", "axes"], ["any"], keepdims=0),
      node("ReduceMin", ["x", "axes"], ["all"])],
     {"x": rng.integers(0, 2, (3, 4)).astype(np.bool_)}, ["any", "all"], {"axes": i64(1)})

# Opset 21: blocked quantization (block_size) and 4-bit integers, the form
# of 4-bit weight-only quantized models (DequantizeLinear then MatMul). The
# weights hold more than 65536 elements, so that the compiler keeps them
# quantized rather than folding them to float.


def int4_tensor(name, values, signed=True):
    """A TensorProto of INT4 (or UINT4) `values`, two per byte, the first
    in the low half: Debian's ONNX predates the type, so built by hand."""
    flat = np.asarray(values).astype(np.int64).ravel()
    nibbles = (flat & 0xF).astype(np.uint8)
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = 22 if signed else 21
    tensor.dims.extend(np.shape(values))
    tensor.raw_data = (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8).tobytes()
    return tensor


def scales(*shape):
    return (rng.uniform(0.01, 0.05, shape)).astype(np.float32)


case("dq21_int4_blocked_matmul", 21,
     [node("DequantizeLinear", ["w", "s"], ["wf"], axis=0, block_size=32),
      node("MatMul", ["a", "wf"], ["y"])],
     {"a": f32(3, 256)}, ["y"],
     {"w": int4_tensor("w", rng.integers(-8, 8, (256, 320))), "s": scales(8, 320)})
case("dq21_uint4_blocked_zero_points", 21,
     [node("DequantizeLinear", ["w", "s", "z"], ["wf"], axis=0, block_size=64),
      node("MatMul", ["a", "wf"], ["y"])],
     {"a": f32(2, 5, 256)}, ["y"],
     {"w": int4_tensor("w", rng.integers(0, 16, (256, 288)), signed=False),
      "s": scales(4, 288),
      "z": int4_tensor("z", rng.integers(0, 16, (4, 288)), signed=False)})
case("dq21_int8_blocked_matmul", 21,
     [node("DequantizeLinear", ["w", "s", "z"], ["wf"], axis=0, block_size=64),
      node("MatMul", ["a", "wf"], ["y"])],
     {"a": f32(4, 128)}, ["y"],
     {"w": rng.integers(-100, 100, (128, 640)).astype(np.int8), "s": scales(2, 640),
      "z": rng.integers(-20, 20, (2, 640)).astype(np.int8)})
case("dq21_int4_blocked_gemm_transposed", 21,
     [node("DequantizeLinear", ["w", "s"], ["wf"], axis=1, block_size=32),
      node("Gemm", ["a", "wf", "bias"], ["y"], transB=1)],
     {"a": f32(3, 256)}, ["y"],
     {"w": int4_tensor("w", rng.integers(-8, 8, (320, 256))), "s": scales(320, 8),
      "bias": f32(320)})
case("dq21_int4_short_last_block", 21,
     [node("DequantizeLinear", ["w", "s", "z"], ["y"], axis=0, block_size=16)],
     {}, ["y"],
     {"w": int4_tensor("w", rng.integers(-8, 8, (40, 6))), "s": scales(3, 6),
      "z": int4_tensor("z", rng.integers(-3, 3, (3, 6)))})
case("dq21_uint8_blocked_input", 21,
     [node("DequantizeLinear", ["x", "s", "z"], ["y"], axis=1, block_size=4)],
     {"x": rng.integers(0, 256, (3, 10)).astype(np.uint8)}, ["y"],
     {"s": scales(3, 3), "z": rng.integers(100, 150, (3, 3)).astype(np.uint8)})
case("q21_blocked_uint8", 21,
     [node("QuantizeLinear", ["x", "s", "z"], ["y"], axis=1, block_size=16)],
     {"x": f32(4, 48, scale=2)}, ["y"],
     {"s": scales(4, 3), "z": rng.integers(100, 150, (4, 3)).astype(np.uint8)})
case("qdq21_int4_blocked", 21,
     [node("QuantizeLinear", ["x", "s"], ["q"], axis=1, block_size=8,
           output_dtype=22),
      node("DequantizeLinear", ["q", "s"], ["y"], axis=1, block_size=8)],
     {"x": f32(3, 24, scale=0.1)}, ["y"], {"s": scales(3, 3)})

# TfIdfVectorizer's IDF and TFIDF modes and weights, which the backend
# suite (TF mode only) leaves out.
TFIDF_POOL = dict(ngram_counts=[0, 4], ngram_indexes=[0, 1, 2, 3, 4, 5, 6],
                  pool_int64s=[2, 3, 5, 4, 5, 6, 7, 8, 6, 7],
                  weights=[0.5, 1.0, 2.0, 1.5, 0.25, 3.0, 1.0])
case("tfidf_idf_uniandbigrams_skip2", 21,
     [node("TfIdfVectorizer", ["x"], ["y"], mode="IDF", min_gram_length=1,
           max_gram_length=2, max_skip_count=2, **TFIDF_POOL)],
     {"x": rng.integers(2, 9, (3, 10)).astype(np.int32)}, ["y"])
case("tfidf_tfidf_bigrams_skip1", 21,
     [node("TfIdfVectorizer", ["x"], ["y"], mode="TFIDF", min_gram_length=2,
           max_gram_length=2, max_skip_count=1, **TFIDF_POOL)],
     {"x": rng.integers(2, 9, (16,)).astype(np.int64)}, ["y"])

# Resize's tf_crop_and_resize on the axes of opset 18, a crop reaching past
# the input (extrapolation_value), which the backend suite's case lacks.
case("resize18_tf_crop_and_resize_axes", 18,
     [node("Resize", ["x", "roi", "", "sizes"], ["y"], mode="linear", axes=[2, 3],
           coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=10.0)],
     {"x": f32(1, 2, 4, 5)}, ["y"],
     {"roi": np.array([0.1, -0.2, 0.9, 1.3], np.float32), "sizes": i64(3, 7)})

# MelWeightMatrix with triangles wider than one bin (the backend suite's
# case has only single bins).
case("melweightmatrix_wide", 17,
     [node("MelWeightMatrix", ["n", "dft", "rate", "low", "high"], ["y"])],
     {}, ["y"],
     {"n": np.array(10, np.int32), "dft": np.array(128, np.int32),
      "rate": np.array(16000, np.int32), "low": np.array(20, np.float32),
      "high": np.array(7000, np.float32)})


def write_case(out, name, opset, nodes, inputs, outputs, initializers, work):
    def info(n, array):
        return helper.make_tensor_value_info(n, TYPES[array.dtype][0], array.shape)
    graph = helper.make_graph(
        nodes, name, [info(n, a) for n, a in inputs.items()],
        [helper.make_empty_tensor_value_info(o) for o in outputs],
        [a if isinstance(a, TensorProto) else numpy_helper.from_array(a, n)
         for n, a in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 11 if opset >= 23 else 10 if opset >= 21 else 9 if opset >= 19 else 8
    case_dir = out / name
    data = case_dir / "test_data_set_0"
    data.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(case_dir / "model.onnx"))
    for index, (n, array) in enumerate(inputs.items()):
        (data / f"input_{index}.pb").write_bytes(
            numpy_helper.from_array(array, n).SerializeToString())
    # Each node by its definition: ONNX Runtime's fusions change numbers
    # (DequantizeLinear into MatMul quantizes the activations).
    results = ort_outputs(case_dir / "model.onnx", inputs, work / name, "disabled")
    for index, o in enumerate(outputs):
        (data / f"output_{index}.pb").write_bytes(
            numpy_helper.from_array(results[o], o).SerializeToString())
    print(f"{name}: opset {opset}, outputs {[list(results[o].shape) for o in outputs]}")


def bools(*shape, share=0.7):
    """Random booleans, mostly true, every row's first element true (no
    row of a mask may hide every key: ONNX leaves such rows undefined)."""
    mask = rng.random(shape) < share
    mask[..., 0] = True
    return mask


# Opset 22 only widened the types of 47 ops (bfloat16); opset 23 made
# standard ops of RMSNormalization, RotaryEmbedding and Attention.
case("opset22_conv_pool_activation", 22,
     [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
      node("HardSwish", ["c"], ["h"]),
      node("MaxPool", ["h"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
     {"x": f32(1, 3, 6, 6)}, ["y"], {"w": f32(4, 3, 3, 3)})
case("rmsnorm23_last_axis", 23, [node("RMSNormalization", ["x", "scale"], ["y"])],
     {"x": f32(2, 5, 16)}, ["y"], {"scale": f32(16)})
case("rmsnorm23_two_axes_epsilon", 23,
     [node("RMSNormalization", ["x", "scale"], ["y"], axis=1, epsilon=0.1)],
     {"x": f32(2, 3, 4, scale=0.2)}, ["y"], {"scale": f32(3, 4)})
case("rotary23_4d_per_token_caches", 23,
     [node("RotaryEmbedding", ["x", "cos", "sin"], ["y"])],
     {"x": f32(2, 3, 5, 8), "cos": f32(2, 5, 4), "sin": f32(2, 5, 4)}, ["y"])
case("rotary23_3d_interleaved_positions", 23,
     [node("RotaryEmbedding", ["x", "cos", "sin", "pos"], ["y"], interleaved=1,
           num_heads=2)],
     {"x": f32(2, 4, 16), "pos": rng.integers(0, 12, (2, 4)).astype(np.int64)}, ["y"],
     {"cos": f32(12, 4), "sin": f32(12, 4)})
case("rotary23_partial", 23,
     [node("RotaryEmbedding", ["x", "cos", "sin", "pos"], ["y"], rotary_embedding_dim=4)],
     {"x": f32(1, 2, 3, 8), "pos": np.array([[3, 4, 5]], np.int64)}, ["y"],
     {"cos": f32(6, 2), "sin": f32(6, 2)})
case("attention23_gqa", 23, [node("Attention", ["q", "k", "v"], ["y"])],
     {"q": f32(2, 4, 3, 8), "k": f32(2, 2, 5, 8), "v": f32(2, 2, 5, 6)}, ["y"])
case("attention23_causal_past", 23,
     [node("Attention", ["q", "k", "v", "", "past_k", "past_v"],
           ["y", "present_k", "present_v"], is_causal=1)],
     {"q": f32(2, 4, 3, 8), "k": f32(2, 2, 3, 8), "v": f32(2, 2, 3, 8),
      "past_k": f32(2, 2, 4, 8), "past_v": f32(2, 2, 4, 8)},
     ["y", "present_k", "present_v"])
case("attention23_3d_mask_and_causal", 23,
     [node("Attention", ["q", "k", "v", "mask", "past_k", "past_v"],
           ["y", "present_k", "present_v"], is_causal=1, q_num_heads=4, kv_num_heads=2)],
     {"q": f32(2, 3, 32), "k": f32(2, 3, 16), "v": f32(2, 3, 12), "mask": bools(2, 1, 3, 7),
      "past_k": f32(2, 2, 4, 8), "past_v": f32(2, 2, 4, 6)},
     ["y", "present_k", "present_v"])
case("attention23_softcap_float_mask_scores", 23,
     [node("Attention", ["q", "k", "v", "mask"], ["y", "", "", "scores"], softcap=1.5,
           scale=0.7, qk_matmul_output_mode=2)],
     {"q": f32(1, 2, 4, 8), "k": f32(1, 2, 6, 8), "v": f32(1, 2, 6, 8), "mask": f32(4, 6)},
     ["y", "scores"])
case("attention23_softmax_scores", 23,
     [node("Attention", ["q", "k", "v"], ["y", "", "", "scores"], is_causal=1,
           qk_matmul_output_mode=3)],
     {"q": f32(1, 2, 3, 4), "k": f32(1, 1, 3, 4), "v": f32(1, 1, 3, 4)}, ["y", "scores"])

# Opset 18's bitwise ops, on signed and unsigned integers, broadcast.
case("bitwise18_int32_uint8", 18,
     [node("BitwiseAnd", ["a", "b"], ["and"]), node("BitwiseOr", ["a", "b"], ["or"]),
      node("BitwiseXor", ["a", "b"], ["xor"]), node("BitwiseNot", ["a"], ["not"]),
      node("BitwiseAnd", ["c", "d"], ["and_u8"]), node("BitwiseNot", ["c"], ["not_u8"])],
     {"a": rng.integers(-1000, 1000, (3, 4)).astype(np.int32),
      "b": rng.integers(-1000, 1000, (3, 4)).astype(np.int32),
      "c": rng.integers(0, 256, (2, 3, 4)).astype(np.uint8),
      "d": rng.integers(0, 256, (4,)).astype(np.uint8)},
     ["and", "or", "xor", "not", "and_u8", "not_u8"])


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    with tempfile.TemporaryDirectory() as work:
        for name, opset, nodes, inputs, outputs, initializers in CASES:
            write_case(out, name, opset, nodes, inputs, outputs, initializers, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
