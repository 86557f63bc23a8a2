#!/usr/bin/env python3
"""Times the benchmark models in PyTorch on a GPU: the peer for edge's GPU latencies.

Builds each architecture exactly as scripts/export_torch_models.py does (same seeds, same
BatchNorm calibration), moves it to the GPU and prints one line per model:

    torch: model=NAME device=GPU runs=N median_ms=X min_ms=Y

Timing: CUDA events around each eager forward pass after warm-up runs, batch 1, float32,
torch.no_grad(). Run it on the GPU machine with the Python that holds a CUDA build of torch,
beside `edge-run LIB --bench N` on the same machine (docs/gpu.md).
"""

import argparse
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from export_torch_models import MODELS, calibrate_batchnorm  # noqa: E402


def time_model(name: str, runs: int, warmup: int) -> str:
    constructor, input_shape = MODELS[name]
    torch.manual_seed(0)
    model = constructor()
    calibrate_batchnorm(model, input_shape)
    model.eval().cuda()
    example = torch.randn(input_shape).cuda()
    times = []
    with torch.no_grad():
        for _ in range(warmup):
            model(example)
        torch.cuda.synchronize()
        for _ in range(runs):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            model(example)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    device = torch.cuda.get_device_name().replace(" ", "_")
    return (f"torch: model={name} device={device} runs={runs} "
            f"median_ms={statistics.median(times):.3f} min_ms={min(times):.3f}")


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("gpu_torch_baseline: error: torch sees no CUDA GPU", file=sys.stderr)
        return 1
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        if name not in MODELS:
            print(f"gpu_torch_baseline: error: unknown model {name}", file=sys.stderr)
            return 1
        print(time_model(name, args.runs, args.warmup), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
