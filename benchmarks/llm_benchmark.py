#!/usr/bin/python3
"""Generation speed of edge against ONNX Runtime on the decoders of
scripts/export_decoders.py (docs/llm.md): for each model and thread count,
edge-generate and ONNX Runtime (onnxruntime-node running the same ONNX graph
with its own past/present loop, benchmarks/ort_generate.js) generate greedily
from one prompt of --prompt-length tokens, alternating, --repeats times each.
Reports the medians of the prefill latency (time to first token) and of the
decode rate (tokens/s after the first), and their ratios; checks that both
generate the same tokens.

With int8 and int4 weights (--quantize=int8-weights, int4-weights, in the
same alternation) it reports the same times against ONNX Runtime's f32, and
the cosine similarity of the prefill's logits to the f32 library's: on the benchmark's models, and
on the same architecture at torch's initial weight scale (export_decoders.py
--weight-scale 1), which is as insensitive to weight perturbations as a
trained model, where the benchmark's 6x wider random weights are chaotic.
And it runs both on the same 4-bit weights: the model with its MatMuls as
ONNX Runtime's MatMulNBits (scripts/matmul_nbits.py, 4 bits, blocks of 32),
which edge imports and ONNX Runtime runs with its own int4 kernels.
For the Llama-style decoder, both also run it in the form ONNX Runtime
GenAI's model builder writes (scripts/genai_decoder.py: GroupQueryAttention,
SkipSimplifiedLayerNormalization, packed query/key/value), in f32 and with
4-bit MatMulNBits: ONNX Runtime with its own fused decoder kernels.

    benchmarks/llm_benchmark.py --build-dir build [--threads 1,2] [--repeats 5]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SOURCE_DIR = BENCH_DIR.parent
BOUNDS = ["--dim=batch<=4", "--dim=seq<=128", "--dim=past<=256",
          "--dim=total<=384"]
GENAI_BOUNDS = ["--dim=batch_size<=4", "--dim=sequence_length<=128",
                "--dim=past_sequence_length<=256", "--dim=total_sequence_length<=384"]
# kv_heads, head_dim of the exported decoders (scripts/export_decoders.py).
CACHE_SHAPES = {"gpt2": (8, 64), "llama": (2, 64)}


def run(command, **kwargs):
    return subprocess.run([str(c) for c in command], check=True,
                          capture_output=True, text=True, **kwargs)


def cpu_description():
    name = platform.processor() or "unknown CPU"
    flags = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    except OSError:
        pass
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "other"
    return f"{name}, {os.cpu_count()} cores, {isa}"


def edge_generate(build, library, prompt, tokens, threads, work):
    output = work / "edge-generate.json"
    run([build / "bin/edge-generate", library, "--prompt-ids",
         ",".join(map(str, prompt)), "--max-new-tokens", tokens,
         "--threads", threads, "--warmup", "1", "--json", output])
    result = json.loads(output.read_text())
    return {"tokens": result["sequences"][0],
            "prefill_ms": result["prefill_seconds"] * 1e3,
            "decode_rate": result["decode_tokens"] / result["decode_seconds"]}


def logits_cosine(build, f32_library, quantized_library, prompt):
    """The least cosine similarity, over the prompt's positions, of the
    prefill logits of the quantized library to the f32 one's."""
    sys.path.insert(0, str(build / "python"))
    import numpy as np
    import edge
    results = []
    for library in (f32_library, quantized_library):
        model = edge.load(library)
        feeds = {"input_ids": np.array([prompt], np.int64),
                 "attention_mask": np.ones((1, len(prompt)), np.int64),
                 "position_ids": np.arange(len(prompt), dtype=np.int64)[None]}
        for t in model.inputs:
            if t.name.startswith("past_key_values"):
                feeds[t.name] = np.zeros((1, t.shape[1], 0, t.shape[3]), np.float32)
        outputs = model.run(*[feeds[t.name] for t in model.inputs])
        names = [t.name for t in model.outputs]
        results.append(outputs[names.index("logits")][0])
    a, b = results
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return float(cos.min())


def compile_variants(build, onnx):
    """The f32, int8-weight and int4-weight libraries of `onnx`."""
    libraries = [onnx.with_suffix(s) for s in (".so", ".int8.so", ".int4.so")]
    for library, option in zip(libraries, ([], ["--quantize=int8-weights"],
                                           ["--quantize=int4-weights"])):
        run([build / "bin/edge-compile", onnx, "-o", library, *BOUNDS, *option])
    return libraries


def quantized_model(onnx, form):
    """`onnx` with its MatMuls over 4-bit weights (scripts/matmul_nbits.py):
    as MatMulNBits (ONNX Runtime's format, form "nbits") or as opset 21's
    blocked INT4 DequantizeLinear before each MatMul (4-bit QDQ models,
    form "qdq", for models of opset 21), the same weights either way."""
    sys.path.insert(0, str(SOURCE_DIR / "scripts"))
    import onnx as onnx_lib
    from matmul_nbits import to_matmul_nbits, to_qdq_int4
    path = onnx.with_suffix(f".{form}.onnx")
    model = onnx_lib.load(str(onnx))
    (to_matmul_nbits if form == "nbits" else to_qdq_int4)(model)
    onnx_lib.save(model, str(path))
    return path


def genai_models(build, onnx):
    """The decoder `onnx` (export_decoders.py's, its state dict beside it) in
    ONNX Runtime GenAI's builder form, f32, 4-bit MatMulNBits and 4-bit QDQ:
    [(name, ONNX file, edge library)]."""
    genai = onnx.with_suffix(".genai.onnx")
    run([sys.executable, SOURCE_DIR / "scripts/genai_decoder.py", onnx.with_suffix(".pt"),
         genai, "--model", onnx.stem])
    forms = [("f32", genai), ("int4", quantized_model(genai, "nbits")),
             ("int4 QDQ", quantized_model(genai, "qdq"))]
    for _, model in forms:
        run([build / "bin/edge-compile", model, "-o", model.with_suffix(".so"),
             *GENAI_BOUNDS])
    return [(name, model, model.with_suffix(".so")) for name, model in forms]


def ort_generate(onnx, prompt, tokens, threads, kind):
    heads, dim = CACHE_SHAPES[kind]
    out = run(["node", BENCH_DIR / "ort_generate.js", onnx, threads,
               ",".join(map(str, prompt)), tokens, heads, dim], cwd=BENCH_DIR)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {"tokens": result["tokens"], "prefill_ms": result["prefill_ms"],
            "decode_rate": result["decode_steps"] / (result["decode_ms"] / 1e3)}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--prompt-length", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--models", default="gpt2,llama")
    args = parser.parse_args(argv)
    build = args.build_dir.resolve()
    work = (args.work_dir or build / "llm-benchmark").resolve()
    work.mkdir(parents=True, exist_ok=True)
    if not (BENCH_DIR / "node_modules" / "onnxruntime-node").is_dir():
        print("installing onnxruntime-node from npm (benchmarks only)", flush=True)
        run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=BENCH_DIR)
    rows = []
    prompt = [(i * 37 + 11) % 2048 for i in range(args.prompt_length)]
    for kind in args.models.split(","):
        onnx = work / f"{kind}.onnx"
        calm = work / "weight-scale-1" / f"{kind}.onnx"
        if not onnx.exists():
            run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
                 "--model", kind])
        if not calm.exists():
            run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py",
                 calm.parent, "--model", kind, "--weight-scale", "1"])
        library, int8_library, int4_library = compile_variants(build, onnx)
        cosines = [logits_cosine(build, library, q, prompt)
                   for q in (int8_library, int4_library)]
        calm_f32, *calm_quantized = compile_variants(build, calm)
        calm_cosines = [logits_cosine(build, calm_f32, q, prompt)
                        for q in calm_quantized]
        nbits = quantized_model(onnx, "nbits")
        nbits_library = nbits.with_suffix(".so")
        run([build / "bin/edge-compile", nbits, "-o", nbits_library, *BOUNDS])
        genai = genai_models(build, onnx) if kind == "llama" else []
        for threads in args.threads.split(","):
            edge, int8, int4, edge_nbits, ort, ort_nbits = [], [], [], [], [], []
            genai_runs = {name: ([], []) for name, _, _ in genai}
            for _ in range(args.repeats):
                for name, model, genai_library in genai:
                    genai_runs[name][0].append(edge_generate(
                        build, genai_library, prompt, args.new_tokens, threads, work))
                    genai_runs[name][1].append(ort_generate(
                        model, prompt, args.new_tokens, threads, kind))
                for runs, edge_library in ((edge, library), (int8, int8_library),
                                           (int4, int4_library),
                                           (edge_nbits, nbits_library)):
                    runs.append(edge_generate(build, edge_library, prompt,
                                              args.new_tokens, threads, work))
                for runs, model in ((ort, onnx), (ort_nbits, nbits)):
                    runs.append(ort_generate(model, prompt, args.new_tokens,
                                             threads, kind))
            same = all(e["tokens"] == o["tokens"] for e, o in zip(edge, ort))
            same_nbits = all(e["tokens"] == o["tokens"]
                             for e, o in zip(edge_nbits, ort_nbits))
            median = lambda runs, key: statistics.median(r[key] for r in runs)
            row = {
                "model": kind, "threads": int(threads),
                "edge_prefill_ms": median(edge, "prefill_ms"),
                "ort_prefill_ms": median(ort, "prefill_ms"),
                "edge_decode_tokens_per_s": median(edge, "decode_rate"),
                "ort_decode_tokens_per_s": median(ort, "decode_rate"),
                "same_tokens": same,
                "nbits_edge_prefill_ms": median(edge_nbits, "prefill_ms"),
                "nbits_ort_prefill_ms": median(ort_nbits, "prefill_ms"),
                "nbits_edge_decode_tokens_per_s": median(edge_nbits, "decode_rate"),
                "nbits_ort_decode_tokens_per_s": median(ort_nbits, "decode_rate"),
                "nbits_same_tokens": same_nbits,
            }
            for name, runs, cosine, calm_cosine in (
                    ("int8", int8, cosines[0], calm_cosines[0]),
                    ("int4", int4, cosines[1], calm_cosines[1])):
                row[f"{name}_prefill_ms"] = median(runs, "prefill_ms")
                row[f"{name}_decode_tokens_per_s"] = median(runs, "decode_rate")
                row[f"{name}_decode_ratio"] = (row[f"{name}_decode_tokens_per_s"] /
                                               row["ort_decode_tokens_per_s"])
                row[f"{name}_logits_cosine"] = cosine
                row[f"{name}_logits_cosine_weight_scale_1"] = calm_cosine
            for name, (edge_runs, ort_runs) in genai_runs.items():
                row[f"genai_{name}"] = {
                    "edge_prefill_ms": median(edge_runs, "prefill_ms"),
                    "ort_prefill_ms": median(ort_runs, "prefill_ms"),
                    "edge_decode_tokens_per_s": median(edge_runs, "decode_rate"),
                    "ort_decode_tokens_per_s": median(ort_runs, "decode_rate"),
                    "same_tokens": all(e["tokens"] == o["tokens"]
                                       for e, o in zip(edge_runs, ort_runs)),
                }
            row["prefill_ratio"] = row["edge_prefill_ms"] / row["ort_prefill_ms"]
            row["decode_ratio"] = (row["edge_decode_tokens_per_s"] /
                                   row["ort_decode_tokens_per_s"])
            row["nbits_prefill_ratio"] = (row["nbits_edge_prefill_ms"] /
                                          row["nbits_ort_prefill_ms"])
            row["nbits_decode_ratio"] = (row["nbits_edge_decode_tokens_per_s"] /
                                         row["nbits_ort_decode_tokens_per_s"])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\nMachine: {cpu_description()}; prompt {args.prompt_length} tokens, "
          f"{args.new_tokens} new tokens, medians of {args.repeats} alternating "
          "runs\n")
    print("| model | threads | prefill edge / ORT (ms) | prefill ratio "
          "(<= 1 is faster) | decode edge / ORT (tokens/s) | decode ratio "
          "(>= 1 is faster) | same tokens |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['threads']} | {r['edge_prefill_ms']:.1f} / "
              f"{r['ort_prefill_ms']:.1f} | {r['prefill_ratio']:.2f} | "
              f"{r['edge_decode_tokens_per_s']:.0f} / "
              f"{r['ort_decode_tokens_per_s']:.0f} | {r['decode_ratio']:.2f} | "
              f"{'yes' if r['same_tokens'] else 'NO'} |")
    print("\nint8 and int4 weights (--quantize=int8-weights, int4-weights) "
          "against ONNX Runtime's f32:\n")
    print("| model | threads | weights | prefill (ms) | decode (tokens/s) | decode "
          "ratio to ORT f32 | logits cosine to f32 | at weight scale 1 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        for name in ("int8", "int4"):
            print(f"| {r['model']} | {r['threads']} | {name} | "
                  f"{r[name + '_prefill_ms']:.1f} | "
                  f"{r[name + '_decode_tokens_per_s']:.0f} | "
                  f"{r[name + '_decode_ratio']:.2f} | "
                  f"{r[name + '_logits_cosine']:.4f} | "
                  f"{r[name + '_logits_cosine_weight_scale_1']:.5f} |")
    print("\nThe same 4-bit weights in both (MatMulNBits, blocks of 32):\n")
    print("| model | threads | prefill edge / ORT (ms) | prefill ratio | decode "
          "edge / ORT (tokens/s) | decode ratio | same tokens |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['threads']} | {r['nbits_edge_prefill_ms']:.1f} / "
              f"{r['nbits_ort_prefill_ms']:.1f} | {r['nbits_prefill_ratio']:.2f} | "
              f"{r['nbits_edge_decode_tokens_per_s']:.0f} / "
              f"{r['nbits_ort_decode_tokens_per_s']:.0f} | "
              f"{r['nbits_decode_ratio']:.2f} | "
              f"{'yes' if r['nbits_same_tokens'] else 'NO'} |")
    print("\nONNX Runtime GenAI's builder form (GroupQueryAttention, ...), the "
          "same file in both:\n")
    print("| model | threads | weights | prefill edge / ORT (ms) | prefill ratio | "
          "decode edge / ORT (tokens/s) | decode ratio | same tokens |")
    print("|---|---|---|---|---|---|---|---|")
    genai_same = True
    for r in rows:
        for name in ("f32", "int4", "int4 QDQ"):
            g = r.get(f"genai_{name}")
            if not g:
                continue
            genai_same &= g["same_tokens"]
            print(f"| {r['model']} | {r['threads']} | {name} | "
                  f"{g['edge_prefill_ms']:.1f} / {g['ort_prefill_ms']:.1f} | "
                  f"{g['edge_prefill_ms'] / g['ort_prefill_ms']:.2f} | "
                  f"{g['edge_decode_tokens_per_s']:.0f} / "
                  f"{g['ort_decode_tokens_per_s']:.0f} | "
                  f"{g['edge_decode_tokens_per_s'] / g['ort_decode_tokens_per_s']:.2f} | "
                  f"{'yes' if g['same_tokens'] else 'NO'} |")
    return 0 if genai_same and all(r["same_tokens"] and r["nbits_same_tokens"]
                                   for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
