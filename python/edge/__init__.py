"""edge: compile models ahead of time and run the libraries.

    import numpy as np
    import edge

    edge.compile("model.onnx", "model.so")  # in-process; or an onnx.ModelProto
    model = edge.load("model.so")
    print(model.inputs)  # [TensorInfo(name='x', shape=(1, 3), dtype=float32)]
    (y,) = model.run(np.ones((1, 3), np.float32))

Errors: edge.Error (a RuntimeError) when a library cannot be loaded or a run
fails, edge.CompileError (an edge.Error, with the compiler's diagnostics as
dicts naming the node, op type and opset) when a model does not compile,
ValueError or
TypeError for inputs of the wrong count, shape or dtype.

A model compiled with dynamic sizes (edge-compile --dim=SYMBOL<=BOUND) runs
on arrays of any shape within its bounds: TensorInfo.shape has None for a
dynamic size, max_shape its bound and dim_names its symbol; outputs come
back at each run's shapes, and a size above its bound or inputs that give
one symbol different sizes raise ValueError naming the input and dimension.
"""

import os

from ._edge import (ABI_VERSION, MAX_RUNS_IN_FLIGHT, Error, Model,
                    PendingRun, TensorInfo)
from ._compile import CompileError, compile, find_edge_compile

__all__ = [
    "ABI_VERSION",
    "CompileError",
    "Error",
    "MAX_RUNS_IN_FLIGHT",
    "Model",
    "PendingRun",
    "TensorInfo",
    "compile",
    "find_edge_compile",
    "load",
]


def load(path):
    """Opens a model library compiled by edge-compile and returns a Model."""
    return Model(os.fspath(path))
