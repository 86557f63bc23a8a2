#!/usr/bin/python3
"""Builds the bundled sample model samples/tiny_cnn/ (model.onnx, input_0.pb, output_0.pb).

A tiny CNN that covers the common inference ops in a few kilobytes: Conv + BatchNormalization
+ Relu, MaxPool, Conv + Relu, GlobalAveragePool, Flatten, Gemm, Softmax, on a [1, 3, 32, 32]
input. It is exported with opset 13, without constant folding and with TrainingMode.PRESERVE
(the model is in eval mode; TrainingMode.EVAL would make torch fuse the BatchNorm into the Conv
whatever do_constant_folding says), so BatchNormalization stays a node of its own: folding it
is the compiler's job. output_0.pb is torch's output for
input_0.pb. Weights, BatchNorm statistics and input come from fixed seeds, so rerunning the
script reproduces the same model and data (up to torch's exporter version).

Run it with Debian's /usr/bin/python3 from the repository root (or give --out-dir).
"""

import argparse
import sys
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper
from torch import nn

OPSET = 13
INPUT_SHAPE = (1, 3, 32, 32)
EXPECTED_OPS = ["Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "Relu",
                "GlobalAveragePool", "Flatten", "Gemm", "Softmax"]


class TinyCNN(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.gap = nn.AdaptiveAvgPool2d(1)  # exports as GlobalAveragePool
        self.fc = nn.Linear(16, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = torch.relu(self.conv2(x))
        x = torch.flatten(self.gap(x), 1)
        return torch.softmax(self.fc(x), dim=1)


def build_model() -> TinyCNN:
    """Creates the model with seeded weights and non-trivial BatchNorm parameters.

    Fresh BatchNorm layers (mean 0, variance 1, scale 1, shift 0) are almost the identity; a
    compiler that dropped the node would still match. Random statistics make it matter.
    """
    torch.manual_seed(0)
    model = TinyCNN()
    with torch.no_grad():
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.weight.uniform_(0.5, 1.5)
        model.bn1.bias.uniform_(-0.5, 0.5)
    return model.eval()


def save_tensor(tensor: torch.Tensor, name: str, path: Path) -> None:
    path.write_bytes(numpy_helper.from_array(tensor.detach().numpy(), name).SerializeToString())


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=Path("samples/tiny_cnn"),
                        help="where to write the files (default: samples/tiny_cnn)")
    out_dir = parser.parse_args(argv).out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    model = build_model()
    example = torch.rand(INPUT_SHAPE, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        reference = model(example)
    model_path = out_dir / "model.onnx"
    torch.onnx.export(model, (example,), str(model_path), opset_version=OPSET,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["input"], output_names=["probabilities"])

    onnx.checker.check_model(str(model_path))
    ops = [node.op_type for node in onnx.load(str(model_path)).graph.node]
    if ops != EXPECTED_OPS:
        print(f"make_sample: unexpected graph {ops}, wanted {EXPECTED_OPS}", file=sys.stderr)
        return 1
    save_tensor(example, "input", out_dir / "input_0.pb")
    save_tensor(reference, "probabilities", out_dir / "output_0.pb")
    sizes = ", ".join(f"{p.name} {p.stat().st_size} B" for p in sorted(out_dir.glob("*")))
    print(f"make_sample: wrote {out_dir}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
