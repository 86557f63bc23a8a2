#!/usr/bin/env python3
"""Compiles torchvision's resnet18 and mobilenet_v2, exported with dynamic
batch, height and width (torch.onnx.export dynamic_axes), once each with
edge-compile --dim bounds, and checks that the one library matches torch at
several batches and image sizes (docs/dynamic-shapes.md).

    check_dynamic_models.py BUILD_DIR [WORK_DIR]
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

MODELS = ["resnet18", "mobilenet_v2"]
SHAPES = [(1, 224), (3, 160), (8, 160), (2, 97)]
BOUNDS = ["--dim=batch<=8", "--dim=h<=224", "--dim=w<=224"]
# Relative to the largest logit: random weights give mobilenet_v2 logits
# near 1e-9.
TOLERANCE = 1e-3


def main():
    build = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(
        prefix="edge-dynamic-models-")
    os.makedirs(work, exist_ok=True)
    import torch
    import torchvision
    from onnx import load_tensor, numpy_helper

    failed = False
    for name in MODELS:
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval()
        onnx_path = os.path.join(work, f"{name}.onnx")
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), onnx_path,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch", 2: "h", 3: "w"},
                                        "y": {0: "batch"}},
                          opset_version=13)
        library = os.path.join(work, f"{name}.so")
        subprocess.run([os.path.join(build, "bin", "edge-compile"), onnx_path,
                        "-o", library, *BOUNDS], check=True)
        rng = np.random.RandomState(0)
        for batch, size in SHAPES:
            x = rng.randn(batch, 3, size, size).astype(np.float32)
            x_path = os.path.join(work, f"x_{batch}_{size}.npy")
            np.save(x_path, x)
            out = os.path.join(work, f"{name}_out_{batch}_{size}")
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
            print(f"{name} batch {batch} image {size}: shape {got.shape}, "
                  f"max error {error} (largest logit {scale:.3g}): "
                  f"{'ok' if ok else 'MISMATCH'}")
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
