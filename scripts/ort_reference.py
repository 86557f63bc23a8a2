#!/usr/bin/python3
"""ONNX Runtime as a reference for checks and test data: runs a model once
with onnxruntime-node (benchmarks/node_modules, `npm install` there;
benchmarks/ort_outputs.js) on numpy inputs and returns its outputs.
Used by check_contrib_ops.py --ort and make_opset_cases.py."""

import json
import subprocess
from pathlib import Path

import numpy as np
from onnx import TensorProto

SOURCE_DIR = Path(__file__).resolve().parent.parent
# numpy dtype -> (ONNX element type, ort_outputs.js type name)
TYPES = {np.dtype(np.float32): (TensorProto.FLOAT, "float32"),
         np.dtype(np.int64): (TensorProto.INT64, "int64"),
         np.dtype(np.int32): (TensorProto.INT32, "int32"),
         np.dtype(np.int8): (TensorProto.INT8, "int8"),
         np.dtype(np.uint8): (TensorProto.UINT8, "uint8"),
         np.dtype(np.bool_): (TensorProto.BOOL, "bool")}
DTYPES = {name: dtype.type for dtype, (_, name) in TYPES.items()}


def ort_outputs(model, inputs, work, optimization="all"):
    """ONNX Runtime's outputs (name -> array) of `model` run on `inputs`
    (name -> array); `work` is an empty folder for the files it passes.
    `optimization` is ONNX Runtime's graph optimization level ("disabled":
    each node by its definition, no fusion)."""
    work.mkdir(parents=True, exist_ok=True)
    spec = []
    for name, array in inputs.items():
        file = work / f"{name}.in"
        file.write_bytes(np.ascontiguousarray(array).tobytes())
        spec.append({"name": name, "type": TYPES[array.dtype][1],
                     "shape": list(array.shape), "file": str(file)})
    (work / "spec.json").write_text(json.dumps(spec))
    print("+ node ort_outputs.js", model, flush=True)
    subprocess.run(["node", SOURCE_DIR / "benchmarks/ort_outputs.js", model,
                    work / "spec.json", work, optimization], check=True)
    described = json.loads((work / "outputs.json").read_text())
    return {name: np.fromfile(d["file"], DTYPES[d["type"]]).reshape(d["shape"])
            for name, d in described.items()}
