#!/usr/bin/python3
"""Checks text generation end to end (docs/llm.md): exports the GPT-2-style and
Llama-style decoders of scripts/export_decoders.py with their PyTorch greedy
continuations, compiles each once with dynamic sizes and a KV-cache, and checks
that edge-generate reproduces 64 tokens of every continuation token by token:

- one prompt alone (batch 1);
- four prompts of different lengths in one batch;
- the same prompts two at a time with a stop token, so that sequences end
  at different steps and the waiting ones join a running batch (continuous
  batching): each continuation must be the reference up to its first stop
  token;
- the generic run (edge_model_run through the Python module, dense past and
  present buffers) for the first steps of the batch;
- on x86-64, one prompt again with code for AVX2 (--mcpu=x86-64-v3);
- the Llama-style decoder placed on a host and a GPU whose memory holds
  half its weights (offloading): the placer must split the layers between
  the two, and batch 1, batch 4 and the generic run must still match (the
  GPU's partitions run their CPU versions where no GPU is);

and that a decode step allocates nothing, copies no cache and writes the
cache in place (test/llm/generation-memory.c).

    check_generation.py BUILD_DIR [WORK_DIR]
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

BOUNDS = ["--dim=batch<=4", "--dim=seq<=128", "--dim=past<=256",
          "--dim=total<=384"]
SOURCE_DIR = Path(__file__).resolve().parent.parent


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **kwargs)


def generate(build, library, prompts, work, name, extra=()):
    """edge-generate's continuations of `prompts`."""
    batch_file = work / f"{name}.prompts"
    batch_file.write_text("".join(",".join(map(str, p)) + "\n" for p in prompts))
    output = work / f"{name}.json"
    run([build / "bin/edge-generate", library, "--batch-file", batch_file,
         "--max-new-tokens", "64", "--json", output, *extra])
    return json.loads(output.read_text())["sequences"]


def truncate_at(tokens, stop):
    return tokens[:tokens.index(stop) + 1] if stop in tokens else tokens


def generic_run_prefix(build, library, prompts, steps):
    """Greedy tokens of the first `steps` steps with edge_model_run: dense
    past and present buffers, which the runtime stages in its caches."""
    sys.path.insert(0, str(build / "python"))
    import edge
    model = edge.load(library)
    names = [t.name for t in model.inputs]
    caches = [t for t in model.inputs if t.name.startswith("past_key_values")]
    batch, longest = len(prompts), max(map(len, prompts))
    ids = np.zeros((batch, longest), np.int64)
    mask = np.zeros((batch, longest), np.int64)
    for row, prompt in enumerate(prompts):
        ids[row, longest - len(prompt):] = prompt
        mask[row, longest - len(prompt):] = 1
    positions = np.maximum(np.cumsum(mask, 1) - 1, 0)
    past = {t.name: np.zeros((batch, t.shape[1], 0, t.shape[3]), np.float32)
            for t in caches}
    tokens = [[] for _ in prompts]
    for _ in range(steps):
        feeds = {"input_ids": ids, "attention_mask": mask,
                 "position_ids": positions, **past}
        outputs = dict(zip([t.name for t in model.outputs],
                           model.run(*[feeds[n] for n in names])))
        chosen = outputs["logits"][:, -1].argmax(-1)
        for row in range(batch):
            tokens[row].append(int(chosen[row]))
        ids = chosen[:, None].astype(np.int64)
        positions = positions[:, -1:] + 1
        mask = np.concatenate([mask, np.ones((batch, 1), np.int64)], 1)
        past = {n: outputs[n.replace("past_key_values", "present")] for n in past}
    return tokens


def check(kind, build, work):
    failures = []
    run([sys.executable, SOURCE_DIR / "scripts/export_decoders.py", work,
         "--model", kind])
    reference = json.loads((work / f"{kind}.reference.json").read_text())
    library = work / f"{kind}.so"
    run([build / "bin/edge-compile", work / f"{kind}.onnx", "-o", library,
         *BOUNDS])
    prompts = reference["prompts"]

    alone = generate(build, library, prompts[:1], work, f"{kind}-batch1")
    if alone != reference["batch_1"]:
        failures.append(f"{kind}: batch 1 differs from PyTorch")
    batched = generate(build, library, prompts, work, f"{kind}-batch4")
    for row, (got, want) in enumerate(zip(batched, reference["batch_4"])):
        if got != want:
            failures.append(f"{kind}: batch 4, prompt {row} differs from PyTorch")

    # A stop token that ends the first continuation after a dozen tokens:
    # the others run on while the waiting prompts join.
    first = reference["batch_4"][0]
    stop = next((t for i, t in enumerate(first) if i >= 12 and t not in first[:i]),
                first[-1])
    joined = generate(build, library, prompts, work, f"{kind}-continuous",
                      ["--max-batch", "2", "--stop-ids", str(stop)])
    for row, (got, want) in enumerate(zip(joined, reference["batch_4"])):
        if got != truncate_at(want, stop):
            failures.append(f"{kind}: continuous batching, prompt {row} "
                            f"differs from PyTorch up to stop token {stop}")

    # AVX2 code (8-lane tiles, its own weight panels) runs on every x86-64
    # machine this test meets, AVX-512 ones included.
    if platform.machine() == "x86_64":
        avx2 = work / f"{kind}.x86-64-v3.so"
        run([build / "bin/edge-compile", work / f"{kind}.onnx", "-o", avx2,
             "--mcpu=x86-64-v3", *BOUNDS])
        if generate(build, avx2, prompts[:1], work, f"{kind}-avx2") != \
                reference["batch_1"]:
            failures.append(f"{kind}: batch 1 with --mcpu=x86-64-v3 differs "
                            "from PyTorch")

    generic = generic_run_prefix(build, library, prompts, 4)
    for row, (got, want) in enumerate(zip(generic, reference["batch_4"])):
        if got != want[:4]:
            failures.append(f"{kind}: edge_model_run, prompt {row} differs")

    if kind == "llama":
        failures += check_offloading(build, work, reference)

    memory = subprocess.run([str(build / "bin/generation-memory"), str(library),
                             "7", "4"], capture_output=True, text=True)
    print(memory.stdout, memory.stderr, flush=True)
    if memory.returncode:
        failures.append(f"{kind}: a decode step allocated, copied a cache or "
                        "did not write it in place")
    return failures


def check_offloading(build, work, reference):
    """The decoder on a host and a GPU with room for half its weights."""
    failures = []
    # The ONNX file is almost all weights.
    weights = os.path.getsize(work / "llama.onnx")
    description = {
        "devices": [
            {"name": "host", "kind": "cpu", "peak_gflops": 100,
             "memory_bandwidth_gbps": 20, "memory_gb": 16},
            {"name": "gpu", "kind": "nvidia", "target": "nvidia:sm_87",
             "peak_gflops": 5000, "memory_bandwidth_gbps": 200,
             "memory_gb": weights / 2 / 1e9, "launch_overhead_us": 5},
        ],
        "links": [{"from": "host", "to": "gpu", "bandwidth_gbps": 25,
                   "latency_us": 10}],
    }
    devices = work / "gpu-half.json"
    devices.write_text(json.dumps(description))
    library = work / "llama.offloaded.so"
    report = work / "llama.offloaded.report.json"
    run([build / "bin/edge-compile", work / "llama.onnx", "-o", library,
         f"--devices={devices}", "--report", report, *BOUNDS])
    placement = json.loads(report.read_text())["placement"]
    on_gpu = placement["memory_bytes"].get("gpu", 0)
    print(f"offloading: {on_gpu} bytes on the GPU (room for {weights // 2}), "
          f"{placement['memory_bytes'].get('host', 0)} on the host, "
          f"{placement['transfers']} transfers", flush=True)
    if not (weights // 4 < on_gpu <= weights // 2) or \
            placement["memory_bytes"].get("host", 0) < weights // 4:
        failures.append("llama offloaded: the placement does not split the "
                        "weights between the host and the GPU")
    prompts = reference["prompts"]
    if generate(build, library, prompts[:1], work, "llama-offloaded-batch1") \
            != reference["batch_1"]:
        failures.append("llama offloaded: batch 1 differs from PyTorch")
    batched = generate(build, library, prompts, work, "llama-offloaded-batch4")
    if batched != reference["batch_4"]:
        failures.append("llama offloaded: batch 4 differs from PyTorch")
    generic = generic_run_prefix(build, library, prompts, 4)
    if generic != [want[:4] for want in reference["batch_4"]]:
        failures.append("llama offloaded: edge_model_run differs")
    return failures


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(argv[1]).resolve()
    work = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    failures = []
    for kind in ("gpt2", "llama"):
        failures += check(kind, build, work)
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("generation matches PyTorch token by token")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
