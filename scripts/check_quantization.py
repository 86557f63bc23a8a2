#!/usr/bin/python3
"""Checks int8 and int4 weights end to end (docs/llm.md, "Quantized weights"):

- `--quantize=int8-weights` turns the f32 constant weights of MatMul and Gemm
  into edge.quantized_matmul, and the outputs equal the product over the
  same per-column symmetric quantization computed with numpy;
- DequantizeLinear -> MatMul / Gemm over constant 8-bit weights (uint8 with
  zero points, int8 per tensor) stays int8 without the option, and matches
  the dequantized float product;
- the small Llama-style decoder (scripts/export_decoders.py tiny-llama, at
  torch's initial weight scale): logits with int8 weights have a cosine
  similarity >= 0.999 to the f32 library's, equal those of PyTorch running
  the same quantization, and greedy generation with int8 weights reproduces
  PyTorch's with that quantization token by token;
- `--quantize=int4-weights` (a scale per block of 32 rows of a column):
  MatMul and Gemm equal the product over the same quantization in numpy,
  and the decoder's logits and greedy tokens equal PyTorch's with it;
- ONNX Runtime's com.microsoft MatMulNBits (4 and 8 bits, with and without
  zero points, a bias, a K that is no multiple of the block) equals the
  product over its dequantized weights, and keeps them int4 or int8.

    check_quantization.py BUILD_DIR [WORK_DIR]
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from matmul_nbits import pack_nbits

SOURCE_DIR = Path(__file__).resolve().parent.parent
DECODER_BOUNDS = ["--dim=batch<=4", "--dim=seq<=16", "--dim=past<=32",
                  "--dim=total<=48"]
NEW_TOKENS = 16


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **kwargs)


def quantize_symmetric(weights, block, levels):
    """numpy's version of edge-quantize-weights: symmetric quantization of
    each block of `block` rows of each column of [K, N] to integers in
    [-levels - 1, levels], scale max |W| / levels, rounding half away from
    zero as std::round does; the weights it gives back, as f32."""
    k, n = weights.shape
    blocks = weights.reshape(k // block, block, n)
    scales = np.abs(blocks).max(1) / np.float32(levels)
    scales[scales == 0] = 1
    ratio = blocks / scales[:, None, :]
    q = np.clip(np.sign(ratio) * np.floor(np.abs(ratio) + 0.5), -levels - 1, levels)
    return (q * scales[:, None, :]).reshape(k, n).astype(np.float32)


def save_model(path, nodes, inputs, outputs, initializers, domains=()):
    graph = helper.make_graph(nodes, path.stem, inputs, outputs, initializers)
    opsets = [helper.make_opsetid("", 17)] + [helper.make_opsetid(d, 1) for d in domains]
    onnx.save(helper.make_model(graph, opset_imports=opsets), str(path))


def compile_and_load(build, onnx_path, library, extra):
    """The library compiled with `extra`, loaded, and its edge IR."""
    ir = run([build / "bin/edge-compile", onnx_path, "--emit=edge", "-o", "-", *extra],
             capture_output=True, text=True).stdout
    run([build / "bin/edge-compile", onnx_path, "-o", library, *extra])
    import edge
    return edge.load(library), ir


def outputs_of(model, feeds):
    names = [t.name for t in model.inputs]
    return dict(zip([t.name for t in model.outputs],
                    model.run(*[feeds[n] for n in names])))


def close(got, want, tolerance):
    return np.abs(got - want).max() <= tolerance * max(np.abs(want).max(), 1e-6)


def check_f32_weights(build, work, rng):
    failures = []
    k, n = 256, 96
    weights = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)

    matmul = work / "matmul.onnx"
    save_model(matmul, [helper.make_node("MatMul", ["x", "w"], ["y"])],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", k])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "s", n])],
               [numpy_helper.from_array(weights, "w")])
    gemm = work / "gemm.onnx"
    bias = rng.standard_normal(n).astype(np.float32)
    save_model(gemm, [helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5,
                                       beta=2.0, transB=1)],
               [helper.make_tensor_value_info("a", TensorProto.FLOAT, [5, k])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, n])],
               [numpy_helper.from_array(np.ascontiguousarray(weights.T), "b"),
                numpy_helper.from_array(bias, "c")])
    a = rng.standard_normal((5, k)).astype(np.float32)
    # Each option's weights as numpy quantizes them, and how far from f32
    # its products may be.
    for kind, quantized, far in (("int8", quantize_symmetric(weights, k, 127), 0.02),
                                 ("int4", quantize_symmetric(weights, 32, 7), 0.2)):
        option = f"--quantize={kind}-weights"
        model, ir = compile_and_load(build, matmul, work / f"matmul.{kind}.so",
                                     [option, "--dim=b<=2", "--dim=s<=64"])
        if f"x{n}xi{kind[3:]}>" not in ir or "edge.matmul" in ir:
            failures.append(f"MatMul: {option} left f32 weights")
        for rows in (1, 7, 64):
            x = rng.standard_normal((2, rows, k)).astype(np.float32)
            y = outputs_of(model, {"x": x})["y"]
            if not close(y, x @ quantized, 1e-5):
                failures.append(f"MatMul, {rows} rows: not the product over the "
                                f"{kind} weights")
            if not close(y, x @ weights, far):
                failures.append(f"MatMul, {rows} rows: {kind} product far from f32")
        model, ir = compile_and_load(build, gemm, work / f"gemm.{kind}.so", [option])
        if "edge.quantized_matmul" not in ir:
            failures.append(f"Gemm: {option} left f32 weights")
        y = outputs_of(model, {"a": a})["y"]
        if not close(y, 0.5 * (a @ quantized) + 2.0 * bias, 1e-5):
            failures.append(f"Gemm, {kind}: not alpha * A x quantized B + beta * C")
    return failures


def check_matmul_nbits(build, work, rng):
    """ONNX Runtime's MatMulNBits against its dequantized weights."""
    failures = []
    cases = [  # name, K, N, bits, block, symmetric, bias
        ("int4, symmetric, bias", 256, 96, 4, 32, True, True),
        ("int4, zero points", 192, 80, 4, 64, False, False),
        ("int8, zero points", 128, 48, 8, 32, False, True),
        ("int4, K no multiple of the block", 80, 32, 4, 32, False, False),
    ]
    for name, k, n, bits, block, symmetric, with_bias in cases:
        weights = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
        packed, scales, zeros, dequantized = pack_nbits(weights, bits, block, symmetric)
        bias = rng.standard_normal(n).astype(np.float32)
        inputs = ["x", "b", "scales", "" if symmetric else "zeros"]
        initializers = [numpy_helper.from_array(packed, "b"),
                        numpy_helper.from_array(scales, "scales")]
        if not symmetric:
            initializers.append(numpy_helper.from_array(zeros, "zeros"))
        if with_bias:
            inputs += ["", "bias"]
            initializers.append(numpy_helper.from_array(bias, "bias"))
        path = work / f"nbits_{bits}_{k}_{n}.onnx"
        save_model(path, [helper.make_node("MatMulNBits", inputs, ["y"],
                                           domain="com.microsoft", K=k, N=n,
                                           bits=bits, block_size=block)],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["s", k])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["s", n])],
                   initializers, domains=["com.microsoft"])
        model, ir = compile_and_load(build, path, path.with_suffix(".so"), ["--dim=s<=64"])
        kept = f"x{n}xi{bits}>" in ir if k % block == 0 else "edge.matmul" in ir
        if not kept:
            failures.append(f"MatMulNBits ({name}): weights not kept as expected")
        for rows in (1, 5, 64):
            x = rng.standard_normal((rows, k)).astype(np.float32)
            want = x @ dequantized + (bias if with_bias else 0)
            if not close(outputs_of(model, {"x": x})["y"], want, 1e-5):
                failures.append(f"MatMulNBits ({name}), {rows} rows: not the "
                                "product over the dequantized weights")
    return failures


def check_dequantized_weights(build, work, rng):
    """Weights the model quantizes itself stay int8 without the option."""
    failures = []
    k, n = 128, 48
    unsigned = rng.integers(0, 256, (k, n)).astype(np.uint8)
    zero_points = np.where(np.arange(n) % 2 == 0, 128, 120).astype(np.uint8)
    unsigned[:, zero_points == 120] = np.clip(unsigned[:, zero_points == 120], 0, 247)
    scales = (rng.random(n) * 0.01 + 0.001).astype(np.float32)
    signed = rng.integers(-128, 128, (n, k)).astype(np.int8)
    scale = np.array(0.02, np.float32)
    path = work / "dequantized.onnx"
    save_model(path, [
        helper.make_node("DequantizeLinear", ["wu", "su", "zu"], ["du"], axis=1),
        helper.make_node("MatMul", ["x", "du"], ["y"]),
        helper.make_node("DequantizeLinear", ["wi", "si"], ["di"]),
        helper.make_node("Gemm", ["a", "di"], ["z"], transB=1),
    ], [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["s", k]),
        helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["s", n]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [3, n])],
        [numpy_helper.from_array(unsigned, "wu"), numpy_helper.from_array(scales, "su"),
         numpy_helper.from_array(zero_points, "zu"), numpy_helper.from_array(signed, "wi"),
         numpy_helper.from_array(scale, "si")])
    model, ir = compile_and_load(build, path, work / "dequantized.so", ["--dim=s<=32"])
    if ir.count("edge.quantized_matmul") != 2 or "edge.select" in ir:
        failures.append("DequantizeLinear weights were not kept int8")
    x = rng.standard_normal((9, k)).astype(np.float32)
    a = rng.standard_normal((3, k)).astype(np.float32)
    out = outputs_of(model, {"x": x, "a": a})
    dequantized = (unsigned.astype(np.float32) - zero_points) * scales
    if not close(out["y"], x @ dequantized, 1e-5):
        failures.append("DequantizeLinear (uint8, zero points) -> MatMul differs")
    if not close(out["z"], a @ (signed.astype(np.float32) * scale).T, 1e-5):
        failures.append("DequantizeLinear (int8) -> Gemm differs")
    return failures


def fake_quantized(model, bits, block=32):
    """`model` with each Linear's weights through the quantization that
    --quantize=int8-weights (per output channel) or int4-weights (per block
    of `block` inputs of an output channel) stores them with."""
    import torch
    levels = 127 if bits == 8 else 7
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                w = module.weight
                out, k = w.shape
                size = k if bits == 8 or k % block else block
                blocks = w.reshape(out, k // size, size)
                scales = blocks.abs().amax(2, keepdim=True) / levels
                scales[scales == 0] = 1
                ratio = blocks / scales
                q = torch.clamp(torch.sign(ratio) * torch.floor(ratio.abs() + 0.5),
                                -levels - (bits == 4), levels)
                w.copy_((q * scales).reshape(out, k))
    return model


def cosines(a, b):
    a, b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def check_decoder(build, work):
    run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
         "--model", "tiny-llama", "--weight-scale", "1", "--new-tokens", str(NEW_TOKENS)])
    onnx_path = work / "tiny-llama.onnx"
    f32, _ = compile_and_load(build, onnx_path, work / "tiny-llama.so", DECODER_BOUNDS)
    # int4's 16 levels per block keep the logits' direction less closely
    # than int8's 255 per column.
    return (check_quantized_decoder(build, work, onnx_path, f32, 8, 0.999) +
            check_quantized_decoder(build, work, onnx_path, f32, 4, 0.99))


def check_quantized_decoder(build, work, onnx_path, f32, bits, min_cosine):
    failures = []
    kind = f"int{bits}"
    library = work / f"tiny-llama.{kind}.so"
    quantized, ir = compile_and_load(build, onnx_path, library,
                                     [*DECODER_BOUNDS, f"--quantize={kind}-weights"])
    if "edge.matmul %" in ir and "edge.quantized_matmul" not in ir:
        failures.append(f"decoder: no weights were quantized to {kind}")
    reference = json.loads((work / "tiny-llama.reference.json").read_text())
    prompt = reference["prompts"][1]

    sys.path.insert(0, str(SOURCE_DIR / "scripts"))
    import torch
    import export_decoders
    config = export_decoders.CONFIGS["tiny-llama"]
    torch_model = export_decoders.Decoder(config).eval()
    torch_model.load_state_dict(torch.load(work / "tiny-llama.pt"))
    fake_quantized(torch_model, bits)

    feeds = {"input_ids": np.array([prompt], np.int64),
             "attention_mask": np.ones((1, len(prompt)), np.int64),
             "position_ids": np.arange(len(prompt), dtype=np.int64)[None]}
    past = [np.zeros((1, config.kv_heads, 0, config.head_dim), np.float32)
            for _ in range(2 * config.layers)]
    for i in range(config.layers):
        feeds[f"past_key_values.{i}.key"] = past[2 * i]
        feeds[f"past_key_values.{i}.value"] = past[2 * i + 1]
    f32_logits = outputs_of(f32, feeds)["logits"]
    quantized_logits = outputs_of(quantized, feeds)["logits"]
    with torch.no_grad():
        torch_logits = torch_model(*[torch.from_numpy(feeds[n]) for n in (
            "input_ids", "attention_mask", "position_ids")],
            *[torch.from_numpy(p) for p in past])[0].numpy()
    to_f32 = cosines(quantized_logits, f32_logits).min()
    to_torch = cosines(quantized_logits, torch_logits).min()
    print(f"decoder logits: {kind} vs f32 cosine {to_f32:.6f}, {kind} vs PyTorch "
          f"with the same quantization {to_torch:.7f}", flush=True)
    if to_f32 < min_cosine:
        failures.append(f"decoder: {kind} logits cosine {to_f32:.6f} to f32 < "
                        f"{min_cosine}")
    if to_torch < 0.99999:
        failures.append(f"decoder: {kind} logits differ from PyTorch's with the "
                        f"same quantization (cosine {to_torch:.7f})")

    want = export_decoders.greedy(torch_model, [prompt], NEW_TOKENS)[0]
    output = work / f"tiny-llama.{kind}.json"
    run([build / "bin/edge-generate", library, "--prompt-ids",
         ",".join(map(str, prompt)), "--max-new-tokens", NEW_TOKENS, "--json", output])
    got = json.loads(output.read_text())["sequences"][0]
    if got != want:
        failures.append(f"decoder: {kind} greedy tokens {got} differ from "
                        f"PyTorch's with the same quantization {want}")
    return failures


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(argv[1]).resolve()
    work = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(build / "python"))
    rng = np.random.default_rng(0)
    failures = (check_f32_weights(build, work, rng) +
                check_dequantized_weights(build, work, rng) +
                check_matmul_nbits(build, work, rng) +
                check_decoder(build, work))
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("int8 and int4 weights match their references")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
