#!/usr/bin/python3
"""Exports real model architectures from torch to ONNX, as conformance cases.

Each model goes to OUTDIR/<name>/ in the ONNX backend-test layout (model.onnx and
test_data_set_0/input_0.pb, output_0.pb), with torch's own output as the reference, so that
`scripts/conformance.py --case-dir OUTDIR/<name>` compiles, runs and checks it.

The weights are random (torch.manual_seed(0), weights=None): no model hub is reachable, and
random weights exercise the same code paths. BatchNorm running statistics are calibrated on a
few fixed-seed random batches (see calibrate_batchnorm). Models are exported in eval mode,
batch 1, with a fixed-seed random input. Run it with Debian's /usr/bin/python3 (python3-torch,
python3-torchvision, python3-onnx). See docs/models.md.
"""

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Tuple

import onnx
import torch
import torchvision
from onnx import numpy_helper
from torch import nn

DEFAULT_OPSET = 17  # the newest opset torch 1.13's exporter supports
INPUT_SEED = 1234
CALIBRATION_SEED = 4321
CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 2


class SelfAttention(nn.Module):
    """Multi-head self-attention, written out so that it exports as MatMul/Softmax/Reshape.

    The reshapes read batch and sequence length from x.shape, as Hugging Face models do: the
    graph computes them with Shape -> Gather -> Concat, which folds to constants at a fixed
    shape and is read at run time with dynamic axes (scripts/check_dynamic_models.py).
    """

    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[B, S, hidden] -> [B, heads, S, head_dim]"""
        batch, seq_len, _ = x.shape
        return x.reshape(batch, seq_len, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = (self.split_heads(f(x)) for f in (self.query, self.key, self.value))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        batch, seq_len, _ = x.shape
        context = context.transpose(1, 2).reshape(batch, seq_len, self.heads * self.head_dim)
        return self.out(context)


class EncoderLayer(nn.Module):
    """A post-LayerNorm BERT layer: attention and a GELU feed-forward, each with a residual."""

    def __init__(self, hidden: int, heads: int, ffn: int) -> None:
        super().__init__()
        self.attention = SelfAttention(hidden, heads)
        self.norm1 = nn.LayerNorm(hidden)
        self.ffn = nn.Sequential(nn.Linear(hidden, ffn), nn.GELU(), nn.Linear(ffn, hidden))
        self.norm2 = nn.LayerNorm(hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.attention(x))
        return self.norm2(x + self.ffn(x))


class BertEncoder(nn.Module):
    """A small BERT-style encoder over precomputed embeddings (so the graph needs no Gather)."""

    def __init__(self, layers: int = 2, hidden: int = 128, heads: int = 4,
                 ffn: int = 512) -> None:
        super().__init__()
        self.embedding_norm = nn.LayerNorm(hidden)
        self.layers = nn.Sequential(*(EncoderLayer(hidden, heads, ffn)
                                      for _ in range(layers)))

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        return self.layers(self.embedding_norm(embeddings))


# name -> (constructor, input shape); constructors run right after torch.manual_seed(0).
MODELS: Dict[str, Tuple[Callable[[], nn.Module], Tuple[int, ...]]] = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), (1, 3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "squeezenet": (lambda: torchvision.models.squeezenet1_1(weights=None), (1, 3, 224, 224)),
    "bert_encoder": (BertEncoder, (1, 32, 128)),
}


def calibrate_batchnorm(model: nn.Module, input_shape: Tuple[int, ...]) -> None:
    """Sets every BatchNorm's running statistics to those of random inputs.

    Freshly initialized running statistics (mean 0, variance 1) do not normalize anything: in
    mobilenet_v2 the activations then shrink layer after layer and the output ends up around
    1e-9, far below the comparison's atol, so any output would "match". Averaging the real
    batch statistics of a few fixed-seed random batches keeps every layer's activations near
    unit scale, as in a trained network, and gives BatchNormalization non-trivial parameters.
    """
    batch_norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not batch_norms:
        return
    for bn in batch_norms:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over all calibration batches
    generator = torch.Generator().manual_seed(CALIBRATION_SEED)
    model.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(torch.randn((CALIBRATION_BATCH_SIZE,) + input_shape[1:], generator=generator))
    model.eval()


def save_tensor(tensor: torch.Tensor, name: str, path: Path) -> None:
    path.write_bytes(numpy_helper.from_array(tensor.detach().numpy(), name).SerializeToString())


def export_model(name: str, out_dir: Path, opset: int) -> float:
    """Exports one model with its reference data; returns the seconds torch.onnx.export took."""
    constructor, input_shape = MODELS[name]
    torch.manual_seed(0)
    model = constructor()
    calibrate_batchnorm(model, input_shape)
    model.eval()
    example = torch.randn(input_shape, generator=torch.Generator().manual_seed(INPUT_SEED))
    with torch.no_grad():
        reference = model(example)

    case_dir = out_dir / name
    data_dir = case_dir / "test_data_set_0"
    data_dir.mkdir(parents=True, exist_ok=True)
    model_path = case_dir / "model.onnx"
    start = time.perf_counter()
    torch.onnx.export(model, (example,), str(model_path), opset_version=opset,
                      input_names=["input"], output_names=["output"])
    seconds = time.perf_counter() - start

    onnx.checker.check_model(str(model_path))
    save_tensor(example, "input", data_dir / "input_0.pb")
    save_tensor(reference, "output", data_dir / "output_0.pb")
    return seconds


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="where OUTDIR/<name>/ are written")
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated subset of {','.join(MODELS)} (default: all)")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                        help=f"ONNX opset (default: {DEFAULT_OPSET})")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown models: {', '.join(unknown)} (known: {', '.join(MODELS)})")
    return args


def main(argv) -> int:
    args = parse_args(argv)
    for name in args.models:
        start = time.perf_counter()
        export_seconds = export_model(name, args.outdir, args.opset)
        total_seconds = time.perf_counter() - start
        size_mb = (args.outdir / name / "model.onnx").stat().st_size / 1e6
        print(f"{name}: torch.onnx.export {export_seconds:.1f} s, {total_seconds:.1f} s in all "
              f"(opset {args.opset}, {size_mb:.1f} MB, onnx.checker ok) -> {args.outdir / name}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
