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

edge.export(module, example_inputs, verify=True) exports a torch.nn.Module
with torch.onnx.export, compiles it in-process and returns the loaded Model
(torch is needed only for this).

edge.generate(model, prompts, ...) generates text with a decoder compiled
with a KV-cache (docs/llm.md).

A model compiled with dynamic sizes (edge-compile --dim=SYMBOL<=BOUND) runs
on arrays of any shape within its bounds: TensorInfo.shape has None for a
dynamic size, max_shape its bound and dim_names its symbol; outputs come
back at each run's shapes, and a size above its bound or inputs that give
one symbol different sizes raise ValueError naming the input and dimension.
"""

import os
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Union

# An installed package carries what its compiler links every model library
# with; the build tree's paths, which the compiler records, stay the
# default elsewhere (and the variables, when set, win).
_DATA = Path(__file__).resolve().parent / "_data"
if _DATA.is_dir():
    for _variable, _name in (
            ("EDGE_RUNTIME_ARCHIVE", "libedge_runtime.a"),
            ("EDGE_RUNTIME_ARCHIVE_AARCH64",
             "aarch64-linux-gnu/libedge_runtime.a"),
            ("EDGE_RUNTIME_EXPORTS", "exports.map"),
            ("EDGE_MODEL_HEADER", "Model.h")):
        if (_DATA / _name).exists():
            os.environ.setdefault(_variable, str(_DATA / _name))

from ._edge import (ABI_VERSION, MAX_RUNS_IN_FLIGHT, Error, Model,
                    PendingRun, TensorInfo)
from ._compile import CompileError, compile, find_edge_compile
from ._export import export

__all__ = [
    "ABI_VERSION",
    "CompileError",
    "Error",
    "MAX_RUNS_IN_FLIGHT",
    "Model",
    "PendingRun",
    "TensorInfo",
    "compile",
    "export",
    "find_edge_compile",
    "generate",
    "load",
]


def load(path: Union[str, os.PathLike],
         threads: Optional[int] = None) -> Model:
    """Opens a model library compiled by edge and returns a Model: one
    instance, whose parallel loops run on `threads` threads (1 to 256;
    None: EDGE_NUM_THREADS decides, else 1). Raises edge.Error when the
    library cannot be used (another ABI version or architecture, not a
    model library, CPU features this machine lacks)."""
    return Model(os.fspath(path), threads)


def generate(model: Union[Model, str, os.PathLike],
             prompts: Union[Sequence[int], Sequence[Sequence[int]]],
             max_new_tokens: int = 64, temperature: float = 0.0,
             top_k: int = 0, top_p: float = 1.0, seed: int = 0,
             stop_tokens: Sequence[int] = (),
             max_batch: int = 0) -> Dict[str, Any]:
    """Generates text with a decoder compiled with a KV-cache (docs/llm.md).

    `model` is a Model or a library path; `prompts` one prompt (a list of
    token ids) or a list of them, which run as one batch of up to
    `max_batch` sequences (0: the model's batch bound), more joining as
    others finish. temperature 0 is greedy; otherwise tokens are sampled
    among the top_k most likely (0: all) reaching probability top_p, from a
    stream seeded by `seed`. A sequence ends after max_new_tokens tokens,
    after a token of stop_tokens (kept), or when the context is full.

    Returns a dict: "tokens" (one list of new token ids per prompt),
    "finish_reasons" ("stop", "length" or "context"), "stats" (prefill and
    decode seconds and tokens) and "sampling" (the settings used, in words).
    Raises ValueError for a prompt the model cannot take and edge.Error when
    the model is not such a decoder or a run fails.
    """
    if not isinstance(model, Model):
        model = load(model)
    prompts = list(prompts)
    single = bool(prompts) and not hasattr(prompts[0], "__len__")
    result = model.generate([list(prompts)] if single else [list(p) for p in prompts],
                            max_new_tokens=max_new_tokens,
                            temperature=temperature, top_k=top_k, top_p=top_p,
                            seed=seed, stop_tokens=list(stop_tokens),
                            max_batch=max_batch)
    if single:
        result["tokens"] = result["tokens"][0]
        result["finish_reasons"] = result["finish_reasons"][0]
    return result
