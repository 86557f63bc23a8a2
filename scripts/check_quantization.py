#!/usr/bin/python3
"""Checks int8 weights end to end (docs/llm.md, "int8 weights"):

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
  PyTorch's with that quantization token by token.

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

SOURCE_DIR = Path(__file__).resolve().parent.parent
DECODER_BOUNDS = ["--dim=batch<=4", "--dim=seq<=16", "--dim=past<=32",
                  "--dim=total<=48"]
NEW_TOKENS = 16


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **kwargs)


def quantize_columns(weights):
    """numpy's version of edge-quantize-weights: per-column symmetric int8,
    rounding half away from zero as std::round does."""
    scales = np.abs(weights).max(0) / np.float32(127)
    scales[scales == 0] = 1
    ratio = weights / scales
    q = np.clip(np.sign(ratio) * np.floor(np.abs(ratio) + 0.5), -127, 127)
    return q.astype(np.float32), scales.astype(np.float32)


def save_model(path, nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, path.stem, inputs, outputs, initializers)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              str(path))


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
    q, scales = quantize_columns(weights)

    matmul = work / "matmul.onnx"
    save_model(matmul, [helper.make_node("MatMul", ["x", "w"], ["y"])],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", k])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "s", n])],
               [numpy_helper.from_array(weights, "w")])
    model, ir = compile_and_load(build, matmul, work / "matmul.so",
                                 ["--quantize=int8-weights", "--dim=b<=2", "--dim=s<=64"])
    if "edge.quantized_matmul" not in ir or "edge.matmul" in ir:
        failures.append("MatMul: --quantize=int8-weights left f32 weights")
    for rows in (1, 7, 64):
        x = rng.standard_normal((2, rows, k)).astype(np.float32)
        y = outputs_of(model, {"x": x})["y"]
        if not close(y, (x @ q) * scales, 1e-5):
            failures.append(f"MatMul, {rows} rows: not the product over the "
                            "quantized weights")
        if not close(y, x @ weights, 0.02):
            failures.append(f"MatMul, {rows} rows: int8 product far from f32")

    gemm = work / "gemm.onnx"
    bias = rng.standard_normal(n).astype(np.float32)
    save_model(gemm, [helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5,
                                       beta=2.0, transB=1)],
               [helper.make_tensor_value_info("a", TensorProto.FLOAT, [5, k])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, n])],
               [numpy_helper.from_array(np.ascontiguousarray(weights.T), "b"),
                numpy_helper.from_array(bias, "c")])
    model, ir = compile_and_load(build, gemm, work / "gemm.so",
                                 ["--quantize=int8-weights"])
    if "edge.quantized_matmul" not in ir:
        failures.append("Gemm: --quantize=int8-weights left f32 weights")
    a = rng.standard_normal((5, k)).astype(np.float32)
    y = outputs_of(model, {"a": a})["y"]
    if not close(y, 0.5 * (a @ q) * scales + 2.0 * bias, 1e-5):
        failures.append("Gemm: not alpha * A x quantized B + beta * C")
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


def fake_quantized(model):
    """`model` with each Linear's weights per output channel through int8, as
    --quantize=int8-weights stores them."""
    import torch
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                w = module.weight
                scales = w.abs().amax(1, keepdim=True) / 127
                scales[scales == 0] = 1
                ratio = w / scales
                q = torch.clamp(torch.sign(ratio) * torch.floor(ratio.abs() + 0.5),
                                -127, 127)
                w.copy_(q * scales)
    return model


def cosines(a, b):
    a, b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def check_decoder(build, work):
    failures = []
    run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
         "--model", "tiny-llama", "--weight-scale", "1", "--new-tokens", str(NEW_TOKENS)])
    onnx_path = work / "tiny-llama.onnx"
    f32, _ = compile_and_load(build, onnx_path, work / "tiny-llama.so", DECODER_BOUNDS)
    int8_library = work / "tiny-llama.int8.so"
    int8, ir = compile_and_load(build, onnx_path, int8_library,
                                [*DECODER_BOUNDS, "--quantize=int8-weights"])
    if "edge.matmul %" in ir and "edge.quantized_matmul" not in ir:
        failures.append("decoder: no weights were quantized")
    reference = json.loads((work / "tiny-llama.reference.json").read_text())
    prompt = reference["prompts"][1]

    sys.path.insert(0, str(SOURCE_DIR / "scripts"))
    import torch
    import export_decoders
    config = export_decoders.CONFIGS["tiny-llama"]
    torch_model = export_decoders.Decoder(config).eval()
    torch_model.load_state_dict(torch.load(work / "tiny-llama.pt"))
    fake_quantized(torch_model)

    feeds = {"input_ids": np.array([prompt], np.int64),
             "attention_mask": np.ones((1, len(prompt)), np.int64),
             "position_ids": np.arange(len(prompt), dtype=np.int64)[None]}
    past = [np.zeros((1, config.kv_heads, 0, config.head_dim), np.float32)
            for _ in range(2 * config.layers)]
    for i in range(config.layers):
        feeds[f"past_key_values.{i}.key"] = past[2 * i]
        feeds[f"past_key_values.{i}.value"] = past[2 * i + 1]
    f32_logits = outputs_of(f32, feeds)["logits"]
    int8_logits = outputs_of(int8, feeds)["logits"]
    with torch.no_grad():
        torch_logits = torch_model(*[torch.from_numpy(feeds[n]) for n in (
            "input_ids", "attention_mask", "position_ids")],
            *[torch.from_numpy(p) for p in past])[0].numpy()
    to_f32 = cosines(int8_logits, f32_logits).min()
    to_torch = cosines(int8_logits, torch_logits).min()
    print(f"decoder logits: int8 vs f32 cosine {to_f32:.6f}, int8 vs PyTorch with "
          f"the same quantization {to_torch:.7f}", flush=True)
    if to_f32 < 0.999:
        failures.append(f"decoder: int8 logits cosine {to_f32:.6f} to f32 < 0.999")
    if to_torch < 0.99999:
        failures.append(f"decoder: int8 logits differ from PyTorch's with the "
                        f"same quantization (cosine {to_torch:.7f})")

    want = export_decoders.greedy(torch_model, [prompt], NEW_TOKENS)[0]
    output = work / "tiny-llama.int8.json"
    run([build / "bin/edge-generate", int8_library, "--prompt-ids",
         ",".join(map(str, prompt)), "--max-new-tokens", NEW_TOKENS, "--json", output])
    got = json.loads(output.read_text())["sequences"][0]
    if got != want:
        failures.append(f"decoder: int8 greedy tokens {got} differ from PyTorch's "
                        f"with the same quantization {want}")
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
                check_decoder(build, work))
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("int8 weights match their references")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
