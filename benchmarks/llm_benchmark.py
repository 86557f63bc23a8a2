#!/usr/bin/python3
"""Generation speed of edge against ONNX Runtime on the decoders of
scripts/export_decoders.py (docs/llm.md): for each model and thread count,
edge-generate and ONNX Runtime (onnxruntime-node running the same ONNX graph
with its own past/present loop, benchmarks/ort_generate.js) generate greedily
from one prompt of --prompt-length tokens, alternating, --repeats times each.
Reports the medians of the prefill latency (time to first token) and of the
decode rate (tokens/s after the first), and their ratios; checks that both
generate the same tokens.

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
    for kind in args.models.split(","):
        onnx, library = work / f"{kind}.onnx", work / f"{kind}.so"
        if not onnx.exists():
            run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
                 "--model", kind])
        run([build / "bin/edge-compile", onnx, "-o", library, *BOUNDS])
        prompt = [(i * 37 + 11) % 2048 for i in range(args.prompt_length)]
        for threads in args.threads.split(","):
            edge, ort = [], []
            for _ in range(args.repeats):
                edge.append(edge_generate(build, library, prompt,
                                          args.new_tokens, threads, work))
                ort.append(ort_generate(onnx, prompt, args.new_tokens, threads,
                                        kind))
            same = all(e["tokens"] == o["tokens"] for e, o in zip(edge, ort))
            median = lambda runs, key: statistics.median(r[key] for r in runs)
            row = {
                "model": kind, "threads": int(threads),
                "edge_prefill_ms": median(edge, "prefill_ms"),
                "ort_prefill_ms": median(ort, "prefill_ms"),
                "edge_decode_tokens_per_s": median(edge, "decode_rate"),
                "ort_decode_tokens_per_s": median(ort, "decode_rate"),
                "same_tokens": same,
            }
            row["prefill_ratio"] = row["edge_prefill_ms"] / row["ort_prefill_ms"]
            row["decode_ratio"] = (row["edge_decode_tokens_per_s"] /
                                   row["ort_decode_tokens_per_s"])
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
    return 0 if all(r["same_tokens"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
