#!/usr/bin/python3
"""Measure edge against ONNX Runtime on a model zoo, side by side.

Exports the models with torch (scripts/export_torch_models.py), installs the
ONNX Runtime peer from npm (benchmarks/package.json, --ignore-scripts),
compiles each model with edge-compile and runs edge (edge-run) and ORT
(benchmarks/ort_runner.js) on the same inputs with the same thread counts,
alternating between them round by round so that the noise of a shared
machine falls on both. Writes docs/performance.md.

  /usr/bin/python3 benchmarks/run_benchmarks.py [--build-dir build]
      [--models resnet50,...] [--threads 1,2] [--rounds 5] [--runs 10]
      [--mcpu x86-64-v3] [--report docs/performance.md]

The page names the machine's CPU and vector ISA, and the CPU edge compiled
for (--mcpu, default: this machine). GFLOP/s are shared out against the
peak of the code's own vector width: with --mcpu=x86-64-v3 on an AVX-512
machine, AVX2 code is measured against the AVX2 peak (2 FMA ports x 8 lanes
x 2 flops per cycle), so AVX2 speed is checked where AVX-512 is present.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
DEFAULT_MODELS = "resnet50,mobilenet_v2,bert_encoder,resnet18,squeezenet"
# Sustained clock of one core of the reference machine under FMA load:
# its measured AVX-512 peak, 171 GFLOP/s, is 2 FMA ports x 16 lanes x 2
# flops per cycle at this clock. Machines differ: pass --clock-ghz.
REFERENCE_CLOCK_GHZ = 171.0 / 64


def run(cmd: List[str], env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=cwd, text=True, capture_output=True)


def measure_rss(cmd: List[str], env=None):
    """Runs `cmd`; returns (stdout, stderr, exit status, peak RSS in KiB).

    The peak comes from GNU time, whose child is forked from a small
    process: the rusage of a child forked from this interpreter would count
    the interpreter's own pages (torch and onnx are loaded here)."""
    with tempfile.NamedTemporaryFile("r") as report:
        result = run(["/usr/bin/time", "-f", "%M", "-o", report.name] + cmd, env=env)
        lines = report.read().split()
    rss = int(lines[-1]) if lines else 0
    return result.stdout, result.stderr, result.returncode, rss


def check_tools() -> None:
    """The harness needs two Debian packages the tests do not."""
    missing = [package for package, path in (("time", "/usr/bin/time"),
                                             ("npm", "/usr/bin/npm"))
               if not os.access(path, os.X_OK)]
    if missing:
        sys.exit("benchmarks need: sudo apt-get install " + " ".join(missing))


def ensure_ort() -> Path:
    runner = BENCH_DIR / "ort_runner.js"
    if not (BENCH_DIR / "node_modules" / "onnxruntime-node").is_dir():
        print("installing onnxruntime-node from npm (benchmarks only)", flush=True)
        result = run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                     cwd=BENCH_DIR)
        if result.returncode != 0:
            sys.exit(f"npm install failed:\n{result.stderr}")
    return runner


def export_models(models: List[str], out: Path) -> None:
    missing = [m for m in models if not (out / m / "model.onnx").exists()]
    if missing:
        result = run(["/usr/bin/python3", str(ROOT / "scripts" / "export_torch_models.py"),
                      str(out), "--models", ",".join(missing)])
        if result.returncode != 0:
            sys.exit(f"model export failed:\n{result.stderr}")


def write_inputs(model_dir: Path, work: Path) -> Path:
    """Raw float32 copies of the first data set's inputs, for ORT."""
    model = onnx.load(str(model_dir / "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in initializers]
    spec = []
    for index, name in enumerate(names):
        array = numpy_helper.to_array(
            onnx.load_tensor(str(model_dir / "test_data_set_0" / f"input_{index}.pb")))
        path = work / f"input_{index}.bin"
        array.astype(np.float32).tofile(path)
        spec.append({"name": name, "shape": list(array.shape), "file": str(path)})
    spec_path = work / "inputs.json"
    spec_path.write_text(json.dumps(spec))
    return spec_path


def compile_model(build: Path, model_dir: Path, work: Path, mcpu: str) -> Dict:
    library = work / "model.so"
    report = work / "report.json"
    start = time.monotonic()
    result = run([str(build / "bin" / "edge-compile"), str(model_dir / "model.onnx"),
                  "-o", str(library), f"--report={report}", f"--mcpu={mcpu}"])
    seconds = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"edge-compile failed on {model_dir}:\n{result.stderr}")
    flops = json.loads(report.read_text())["totals"]["flops"]
    return {"library": library, "compile_s": seconds, "flops": flops}


def run_edge(build: Path, library: Path, model_dir: Path, threads: int, runs: int) -> Dict:
    inputs = sorted((model_dir / "test_data_set_0").glob("input_*.pb"))
    cmd = [str(build / "bin" / "edge-run"), str(library), "--bench", str(runs)]
    for path in inputs:
        cmd += ["--input", str(path)]
    env = dict(os.environ, EDGE_NUM_THREADS=str(threads))
    stdout, stderr, code, rss = measure_rss(cmd, env)
    if code != 0:
        sys.exit(f"edge-run failed:\n{stderr}")
    load = float(re.search(r"load_ms=([\d.]+)", stdout).group(1))
    first = float(re.search(r"run: latency_ms=([\d.]+)", stdout).group(1))
    median = float(re.search(r"median_ms=([\d.]+)", stdout).group(1))
    workspace = int(re.search(r"workspace_bytes=(\d+)", stdout).group(1))
    return {"median_ms": median, "load_first_ms": load + first, "rss_kb": rss,
            "workspace_bytes": workspace}


def run_ort(runner: Path, model_dir: Path, spec: Path, threads: int, runs: int) -> Dict:
    cmd = ["node", str(runner), str(model_dir / "model.onnx"), str(threads), str(runs),
           str(spec)]
    stdout, stderr, code, rss = measure_rss(cmd)
    if code != 0:
        sys.exit(f"ORT runner failed:\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    return {"median_ms": statistics.median(result["times_ms"]),
            "load_first_ms": result["load_first_ms"], "rss_kb": rss}


# What the table reflects; kept with the harness so the page stays whole.
NOTES = """Where edge stands: multiply-accumulate kernels (convolutions, matmuls)
are register-tiled and vectorized, narrow convolutions blocked along their
output channels with weights packed at compile time (their tiles'
transposes to the NCHW output are shuffle stages; output channels that
are no whole number of vectors, a classifier's 1000, padded with zero
weights; pointwise ones two vectors of channels per pixel, and pairs
of vectors for a long odd pixel loop), pointwise convolutions on images
whose rows do not fill vectors given one pixel loop instead, a tile
whose vector loop holds two vectors or more taking two per row and half
the rows (fewer loads per multiply-add), a matrix-vector product (a
classifier at batch 1) tiles of four vectors of columns over weights
packed in panels, and each kernel's epilogue
(bias, activation, residual add) runs on its accumulators in the same
tile, an activation before
the transpose, on full registers of channels (docs/architecture.md,
"Lowering choices").
Depthwise convolutions use rows of independent accumulators, stride-2
tiles read deinterleaved vectors, a stride-2 convolution's blocked tiles
broadcast their pixels straight from the image (a first layer whose
strided columns fill vectors is blocked too), and a padded input is
written in place by its producer with only the border filled (split
over the threads), the ops that read the producer's result again (a
residual add) reading the padded buffer's interior. Intermediates live in one
arena planned at compile time by liveness (the workspace column).
Outermost parallel loops run on the instance's thread pool
(`EDGE_NUM_THREADS`), each thread on its own block of every loop first;
a max pool splits its image as the convolution before it does.
Pooling windows tile like depthwise convolutions, and an image width
without a divisor near the tile's rows is peeled into full tiles and a
remainder, as is a vector loop of no register's width (a 27-wide
pooled row). The parts of a concatenation are
computed in place, and a reduction along its input's innermost
dimensions (global pools, softmax and normalization rows) reduces each
run as one vector. A kernel whose larger input exceeds the L2 cache
runs its tiles so that this input streams once, and the threads split
it (a pointwise convolution over a large image: blocks of pixels
outside, blocks of output channels inside). What is left: every kernel
reads its input from memory; fusing consecutive kernels at the tile level
(MobileNet's expand, depthwise and project convolutions: the early
layers are bound by memory bandwidth) is the next step."""


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def cpu_isa() -> str:
    """The machine's widest vector ISA, from the kernel's CPU flags."""
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(("flags", "Features")):
            flags = set(line.split(":", 1)[1].split())
            break
    if "avx512f" in flags:
        return "AVX-512 (" + ", ".join(sorted(f for f in flags if f.startswith("avx512"))) + ")"
    if "avx2" in flags:
        return "AVX2" + (" + FMA" if "fma" in flags else "") + ", no AVX-512"
    if "asimd" in flags:
        return "AArch64 NEON"
    return "no AVX2"


def code_target(build: Path, mcpu: str) -> Dict:
    """What edge-compile makes of --mcpu: the target's name and f32 lanes."""
    result = run([str(build / "bin" / "edge-compile"), str(ROOT / "samples" / "tiny_cnn" /
                  "model.onnx"), f"--mcpu={mcpu}", "--emit=edge", "-o", os.devnull,
                  "--remarks-filter=edge-cpu-target"])
    match = re.search(r'target (\S+) \(.*?(\d+)-bit vectors.*?kernels: (\d+) f32 lanes',
                      result.stderr)
    if result.returncode != 0 or not match:
        sys.exit(f"edge-compile --mcpu={mcpu} failed:\n{result.stderr}")
    return {"name": match.group(1), "bits": int(match.group(2)),
            "lanes": int(match.group(3))}


def render(rows: List[Dict], command: str, target: Dict, peak_per_core: float,
           clock_ghz: float) -> str:
    lines = [
        "# CPU performance: edge against ONNX Runtime",
        "",
        f"Generated by `{command}` on {datetime.date.today().isoformat()}, "
        f"{cpu_name()}, {os.cpu_count()} cores, {cpu_isa()}; ONNX Runtime 1.30.0 (npm "
        "`onnxruntime-node`, CPU execution provider, all graph optimizations; it picks "
        "its kernels by cpuid, so it uses this machine's widest ISA).",
        "",
        f"edge compiled for **{target['name']}** ({target['bits']}-bit vectors, "
        f"{target['lanes']} f32 lanes per FMA); % of peak is against that code's own "
        f"peak: 2 FMA ports x {target['lanes']} lanes x 2 flops x {clock_ghz:.2f} GHz = "
        f"{peak_per_core:.1f} GFLOP/s per core (the clock is the reference machine's "
        "sustained one under FMA load, measured once; a host that clocks higher "
        "shows more than 100%).",
        "",
        "Both run the same exported model on the same input, alternating round "
        "by round; latency is the median over all rounds of each round's median. "
        "GFLOP/s uses edge's FLOP count of the model (a multiply-add is two); "
        "peak as above. Peak RSS is the whole "
        "process's (edge-run, or node with ORT). Load + first run: library load or "
        "session creation plus the first inference. Edge workspace: the intermediate "
        "memory of a run (`edge_model_workspace_bytes`). Ratio < 1 means edge is faster.",
        "",
        "| model | threads | edge ms | ORT ms | edge/ORT | edge GFLOP/s | % of peak "
        "| edge RSS MiB | ORT RSS MiB | edge workspace MiB | edge load+first ms "
        "| ORT load+first ms | compile s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gflops = r["flops"] / (r["edge_ms"] * 1e6)
        peak = 100 * gflops / (peak_per_core * r["threads"])
        lines.append(
            f"| {r['model']} | {r['threads']} | {r['edge_ms']:.2f} | {r['ort_ms']:.2f} "
            f"| {r['edge_ms'] / r['ort_ms']:.2f} | {gflops:.1f} | {peak:.1f} "
            f"| {r['edge_rss_kb'] / 1024:.0f} | {r['ort_rss_kb'] / 1024:.0f} "
            f"| {r['workspace_bytes'] / 2**20:.1f} | {r['edge_load_ms']:.0f} | {r['ort_load_ms']:.0f} | {r['compile_s']:.1f} |")
    lines += ["", NOTES, "", "Reproduce: `" + command + "` (needs the build, npm and "
              "the Debian packages of scripts/install-deps.sh).", ""]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--models", default=DEFAULT_MODELS)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10, help="timed runs per round")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--mcpu", default="native",
                        help="CPU edge compiles for (x86-64-v3: AVX2 code on any x86-64)")
    parser.add_argument("--clock-ghz", type=float, default=REFERENCE_CLOCK_GHZ,
                        help="sustained core clock under FMA load, for the peak "
                             f"(default {REFERENCE_CLOCK_GHZ:.2f}: the reference machine's)")
    args = parser.parse_args(argv)
    command = shlex.join(["benchmarks/run_benchmarks.py"] + argv)
    build = args.build_dir.resolve()
    models = args.models.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    out = build / "models"
    check_tools()
    target = code_target(build, args.mcpu)
    peak_per_core = 2 * target["lanes"] * 2 * args.clock_ghz
    export_models(models, out)
    runner = ensure_ort()

    rows = []
    for model in models:
        model_dir = out / model
        work = build / "benchmarks" / model
        work.mkdir(parents=True, exist_ok=True)
        compiled = compile_model(build, model_dir, work, args.mcpu)
        spec = write_inputs(model_dir, work)
        for count in threads:
            edge_runs, ort_runs = [], []
            for round_index in range(args.rounds):
                order = ["edge", "ort"] if round_index % 2 == 0 else ["ort", "edge"]
                for which in order:
                    if which == "edge":
                        edge_runs.append(run_edge(build, compiled["library"], model_dir,
                                                  count, args.runs))
                    else:
                        ort_runs.append(run_ort(runner, model_dir, spec, count, args.runs))
            row = {
                "model": model, "threads": count, "flops": compiled["flops"],
                "compile_s": compiled["compile_s"],
                "edge_ms": statistics.median(r["median_ms"] for r in edge_runs),
                "ort_ms": statistics.median(r["median_ms"] for r in ort_runs),
                "edge_rss_kb": max(r["rss_kb"] for r in edge_runs),
                "workspace_bytes": edge_runs[0]["workspace_bytes"],
                "ort_rss_kb": max(r["rss_kb"] for r in ort_runs),
                "edge_load_ms": statistics.median(r["load_first_ms"] for r in edge_runs),
                "ort_load_ms": statistics.median(r["load_first_ms"] for r in ort_runs),
            }
            rows.append(row)
            print(f"{model} x{count}: edge {row['edge_ms']:.2f} ms, ORT {row['ort_ms']:.2f} ms, "
                  f"ratio {row['edge_ms'] / row['ort_ms']:.2f}", flush=True)
    args.report.write_text(render(rows, command, target, peak_per_core, args.clock_ghz))
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
