"""Compares edge's GridSample with torch.nn.functional.grid_sample (see gridsample.test)."""

import itertools
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

# Usage: gridsample.py OUT_DIR EDGE_COMPILE EDGE_RUN
out, compiler, runner = sys.argv[1:4]
rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
grid = rng.uniform(-1.6, 1.6, (2, 3, 6, 2)).astype(np.float32)
np.save(f"{out}/x.npy", x)
np.save(f"{out}/grid.npy", grid)

failures = []
for mode, padding, align in itertools.product(
        ["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"], [0, 1]):
    name = f"{mode}_{padding}_{align}"
    node = helper.make_node("GridSample", ["X", "G"], ["Y"], mode=mode,
                            padding_mode=padding, align_corners=align)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, x.shape),
         helper.make_tensor_value_info("G", TensorProto.FLOAT, grid.shape)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, (2, 3, 3, 6))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    model.ir_version = 8
    onnx.save(model, f"{out}/{name}.onnx")
    subprocess.run([compiler, f"{out}/{name}.onnx", "-o", f"{out}/{name}.so"],
                   check=True)
    subprocess.run([runner, f"{out}/{name}.so", "--input", f"{out}/x.npy", "--input",
                    f"{out}/grid.npy", "--output-dir", f"{out}/{name}"], check=True,
                   stdout=subprocess.DEVNULL)
    tensor = TensorProto()
    with open(f"{out}/{name}/output_0.pb", "rb") as f:
        tensor.ParseFromString(f.read())
    expected = torch.nn.functional.grid_sample(
        torch.from_numpy(x), torch.from_numpy(grid), mode=mode, padding_mode=padding,
        align_corners=bool(align)).numpy()
    got = numpy_helper.to_array(tensor)
    if not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
        failures.append(f"{name}: max abs error {np.abs(got - expected).max()}")
if failures:
    sys.exit("\n".join(failures))
