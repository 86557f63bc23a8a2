#!/usr/bin/env python3
"""Compiles models exported with dynamic axes (torch.onnx.export dynamic_axes)
once each with edge-compile --dim bounds, and checks that the one library
matches torch at several shapes (docs/dynamic-shapes.md):

- torchvision's resnet18 and mobilenet_v2 with dynamic batch, height and
  width, at batches 1, 3, 8 (and 2) and images 224, 160 (and 97);
- the BERT-style encoder of scripts/export_torch_models.py with dynamic batch
  and sequence (its reshapes read them with Shape -> Gather -> Concat), at
  batches 1, 3, 8 and sequences 7, 64, 128;
- grouped-query attention scores whose key heads are repeated with torch's
  `expand(-1, -1, n, -1, -1)` (Llama's repeat_kv), at three shapes;
- GPT-2-style attention with a fused query/key/value projection split on
  its static axis and the output sliced, at three shapes.

    check_dynamic_models.py BUILD_DIR [WORK_DIR]
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

IMAGE_AXES = {"x": {0: "batch", 2: "h", 3: "w"}, "y": {0: "batch"}}
IMAGE_BOUNDS = ["--dim=batch<=8", "--dim=h<=224", "--dim=w<=224"]
IMAGE_SHAPES = [(1, 3, 224, 224), (3, 3, 160, 160), (8, 3, 160, 160),
                (2, 3, 97, 97)]
SEQUENCE_AXES = {"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}}
SEQUENCE_BOUNDS = ["--dim=batch<=8", "--dim=seq<=128"]
SEQUENCE_SHAPES = [(batch, seq, 128) for batch in (1, 3, 8)
                   for seq in (7, 64, 128)]
# Relative to the largest output: random weights give mobilenet_v2 logits
# near 1e-9.
TOLERANCE = 1e-3


def make_grouped_query_attention():
    """Attention scores of 4 query heads over 2 key heads, each key head
    repeated twice with expand(-1, ...) then merged (Llama's repeat_kv)."""
    import torch
    from torch import nn

    class GroupedQueryScores(nn.Module):
        def __init__(self):
            super().__init__()
            self.query = nn.Linear(64, 64)
            self.key = nn.Linear(64, 32)

        def forward(self, x):
            batch, seq, _ = x.shape
            q = self.query(x).reshape(batch, seq, 4, 16).transpose(1, 2)
            k = self.key(x).reshape(batch, seq, 2, 16).transpose(1, 2)
            k = k[:, :, None].expand(-1, -1, 2, -1, -1).reshape(batch, 4, seq, 16)
            return torch.softmax(q @ k.transpose(-1, -2), dim=-1)

    return GroupedQueryScores()


def make_fused_attention():
    """GPT-2's attention: one projection split into query, key and value
    (Split on the static feature axis), the output sliced (Slice)."""
    import torch
    from torch import nn

    class FusedAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(64, 192)
            self.out = nn.Linear(64, 64)

        def forward(self, x):
            batch, seq, _ = x.shape
            heads = [t.reshape(batch, seq, 4, 16).transpose(1, 2)
                     for t in self.qkv(x).split(64, dim=2)]
            q, k, v = heads
            a = torch.softmax(q @ k.transpose(-1, -2) / 4.0, dim=-1) @ v
            return self.out(a.transpose(1, 2).reshape(batch, seq, 64))[:, :, :32]

    return FusedAttention()


def make_models():
    """name -> (module, example shape, dynamic axes, --dim bounds, shapes)."""
    import torch
    import torchvision
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from export_torch_models import BertEncoder

    models = {}
    for name in ("resnet18", "mobilenet_v2"):
        torch.manual_seed(0)
        models[name] = (getattr(torchvision.models, name)(weights=None),
                        (1, 3, 224, 224), IMAGE_AXES, IMAGE_BOUNDS,
                        IMAGE_SHAPES)
    torch.manual_seed(0)
    models["bert_encoder"] = (BertEncoder(), (1, 32, 128), SEQUENCE_AXES,
                              SEQUENCE_BOUNDS, SEQUENCE_SHAPES)
    torch.manual_seed(0)
    models["grouped_query_attention"] = (
        make_grouped_query_attention(), (1, 5, 64),
        {"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 2: "seq", 3: "seq"}},
        ["--dim=batch<=4", "--dim=seq<=32"], [(1, 5, 64), (3, 17, 64), (4, 32, 64)])
    torch.manual_seed(0)
    models["fused_attention"] = (
        make_fused_attention(), (1, 5, 64), SEQUENCE_AXES,
        ["--dim=batch<=4", "--dim=seq<=32"], [(1, 5, 64), (3, 17, 64), (4, 32, 64)])
    return models


def main():
    build = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(
        prefix="edge-dynamic-models-")
    os.makedirs(work, exist_ok=True)
    import torch
    from onnx import load_tensor, numpy_helper

    failed = False
    for name, (model, example, axes, bounds, shapes) in make_models().items():
        model.eval()
        onnx_path = os.path.join(work, f"{name}.onnx")
        torch.onnx.export(model, torch.randn(*example), onnx_path,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes=axes, opset_version=17)
        library = os.path.join(work, f"{name}.so")
        subprocess.run([os.path.join(build, "bin", "edge-compile"), onnx_path,
                        "-o", library, *bounds], check=True)
        rng = np.random.RandomState(0)
        for shape in shapes:
            x = rng.randn(*shape).astype(np.float32)
            label = "x".join(map(str, shape))
            x_path = os.path.join(work, f"x_{name}_{label}.npy")
            np.save(x_path, x)
            out = os.path.join(work, f"{name}_out_{label}")
            subprocess.run([os.path.join(build, "bin", "edge-run"), library,
                            "--input", x_path, "--output-dir", out],
                           check=True, stdout=subprocess.DEVNULL)
            got = numpy_helper.to_array(
                load_tensor(os.path.join(out, "output_0.pb")))
            with torch.no_grad():
                want = model(torch.from_numpy(x)).numpy()
            scale = float(np.abs(want).max())
            error = (float(np.abs(got - want).max())
                     if got.shape == want.shape else None)
            ok = error is not None and error <= TOLERANCE * scale
            print(f"{name} input {label}: output {got.shape}, max error "
                  f"{error} (largest output {scale:.3g}): "
                  f"{'ok' if ok else 'MISMATCH'}")
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
