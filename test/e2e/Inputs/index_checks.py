"""Ops that index with run-time data: right values in range, a clean error
naming the node out of range, on one and two threads and across partitions.

    index_checks.py DIR EDGE_COMPILE EDGE_RUN
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

directory, compiler, runner = sys.argv[1:4]
rng = np.random.default_rng(7)

table = rng.standard_normal((50, 8)).astype(np.float32)
# Large enough that its index check is a parallel loop on two threads.
grid = rng.standard_normal((300, 300)).astype(np.float32)
data = rng.standard_normal((6, 5)).astype(np.float32)

inputs = {
    "tokens": rng.integers(-50, 50, (4, 7)).astype(np.int64),
    "columns": rng.integers(-300, 300, (300, 300)).astype(np.int32),
    "cells": rng.integers(0, 5, (3, 2)).astype(np.int64),
    "rows": np.array([[5], [0], [-2]], np.int64),
    "positions": rng.integers(-5, 5, (6, 2)).astype(np.int64),
}


def node(op, ins, out, name, **attrs):
    return helper.make_node(op, ins, [out], name=name, **attrs)


graph = helper.make_graph(
    [
        node("Gather", ["table", "tokens"], "embedded", "embed", axis=0),
        node("GatherElements", ["grid", "columns"], "picked", "pick", axis=1),
        node("GatherND", ["data", "cells"], "cell_values", "cells"),
        node("ScatterND", ["data", "rows", "updates"], "scattered", "scatter_rows"),
        node("ScatterElements", ["data", "positions", "marks"], "marked", "mark", axis=1),
    ],
    "index_checks",
    [helper.make_tensor_value_info(name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[v.dtype], v.shape)
     for name, v in inputs.items()],
    [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, [4, 7, 8]),
     helper.make_tensor_value_info("picked", TensorProto.FLOAT, [300, 300]),
     helper.make_tensor_value_info("cell_values", TensorProto.FLOAT, [3]),
     helper.make_tensor_value_info("scattered", TensorProto.FLOAT, [6, 5]),
     helper.make_tensor_value_info("marked", TensorProto.FLOAT, [6, 5])],
    [numpy_helper.from_array(table, "table"), numpy_helper.from_array(grid, "grid"),
     numpy_helper.from_array(data, "data"),
     numpy_helper.from_array(np.full((3, 5), 9.0, np.float32), "updates"),
     numpy_helper.from_array(np.full((6, 2), -1.0, np.float32), "marks")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
model.ir_version = 8
model_path = os.path.join(directory, "model.onnx")
onnx.save(model, model_path)


def reference(values):
    embedded = table[values["tokens"] % 50]
    picked = np.take_along_axis(grid, values["columns"] % 300, axis=1)
    cells = values["cells"]
    cell_values = data[cells[:, 0], cells[:, 1]]
    scattered = data.copy()
    scattered[values["rows"][:, 0] % 6] = 9.0
    marked = data.copy()
    positions = values["positions"] % 5
    for r in range(6):
        for c in range(2):
            marked[r, positions[r, c]] = -1.0
    return [embedded, picked, cell_values, scattered, marked]


def run(library, values, threads):
    paths = []
    for name, value in values.items():
        path = os.path.join(directory, name + ".npy")
        np.save(path, value)
        paths += ["--input", name + "=" + path]
    out = os.path.join(directory, "out")
    env = dict(os.environ, EDGE_NUM_THREADS=str(threads))
    result = subprocess.run([runner, library, "--output-dir", out] + paths,
                            capture_output=True, text=True, env=env)
    outputs = [numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "output_%d.pb" % i)))
               for i in range(5)] if result.returncode == 0 else None
    return result, outputs


libraries = {}
for label, extra in [("whole", []), ("partitioned", ["--devices=host,host"])]:
    library = os.path.join(directory, label + ".so")
    subprocess.run([compiler, model_path, "-o", library] + extra, check=True)
    libraries[label] = library

failures = 0
for label, library in libraries.items():
    for threads in (1, 2):
        result, outputs = run(library, inputs, threads)
        ok = result.returncode == 0 and all(
            np.array_equal(got, want) for got, want in zip(outputs, reference(inputs)))
        print("%s threads=%d in range: %s" % (label, threads, "ok" if ok else "FAIL " + result.stderr))
        failures += not ok
        for name, position, bad, node_text in [
                ("tokens", (3, 6), 50, "node 'embed' (gather, axis 0)"),
                ("tokens", (0, 0), -51, "node 'embed' (gather, axis 0)"),
                ("columns", (299, 299), 300, "node 'pick' (gather_elements, axis 1)"),
                ("cells", (2, 1), 5, "node 'cells' (gather_nd, dimensions 0 to 1)"),
                ("rows", (1, 0), -7, "node 'scatter_rows' (scatter_nd, dimensions 0)"),
                ("positions", (5, 1), 1 << 40, "node 'mark' (scatter_elements, axis 1)")]:
            values = {k: v.copy() for k, v in inputs.items()}
            values[name][position] = bad
            result, _ = run(library, values, threads)
            expected = "%s: index %d is out of range" % (node_text, bad)
            ok = result.returncode == 1 and expected in result.stderr
            print("%s threads=%d %s=%d: %s" % (label, threads, name, bad,
                                               "ok" if ok else "FAIL " + result.stderr))
            failures += not ok
print("%d failures" % failures)
sys.exit(1 if failures else 0)
