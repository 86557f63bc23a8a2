"""edge.export: a torch.nn.Module to a loaded model library in one call,
through torch.onnx.export and edge.compile. torch is imported only here,
when export is called: it is an optional dependency of the package."""

from __future__ import annotations

import inspect
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._compile import compile as compile_model
from ._edge import Error, Model

# torch.onnx.export of Debian's torch (1.13) writes opsets 7 to 17.
DEFAULT_OPSET = 17

AxisSpec = Union[str, Tuple[str, int]]


def _import_torch():
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "edge.export needs PyTorch (Debian: apt-get install "
            "python3-torch)") from error
    return torch


def _input_names(module, count: int) -> list:
    """The names of forward's first `count` parameters, so that the model
    takes its inputs by the names the module gives them; input_<i> where
    forward takes *args."""
    try:
        parameters = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    named = [p.name for p in parameters
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(named) >= count:
        return named[:count]
    return [f"input_{i}" for i in range(count)]


def _split_dynamic_axes(dynamic_axes: Optional[Mapping[str, Any]]):
    """torch's dynamic_axes ({name: {axis: "symbol"}}) and edge-compile's
    bounds ("symbol<=bound") from {name: {axis: "symbol" or ("symbol",
    bound)}}."""
    torch_axes: Dict[str, Dict[int, str]] = {}
    bounds: Dict[str, int] = {}
    for name, axes in (dynamic_axes or {}).items():
        if not isinstance(axes, Mapping):
            axes = {axis: f"{name}_{axis}" for axis in axes}
        torch_axes[name] = {}
        for axis, spec in axes.items():
            symbol = spec
            if isinstance(spec, (tuple, list)):
                if len(spec) != 2:
                    raise ValueError(
                        f"dynamic_axes['{name}'][{axis}]: a symbol or a "
                        f"(symbol, bound) pair, not {spec!r}")
                symbol, bound = spec
                if int(bound) < 1:
                    raise ValueError(
                        f"dynamic_axes['{name}'][{axis}]: the bound of "
                        f"'{symbol}' must be at least 1, not {bound}")
                if bounds.get(symbol, bound) != bound:
                    raise ValueError(
                        f"dynamic_axes: '{symbol}' has the bounds "
                        f"{bounds[symbol]} and {bound}")
                bounds[symbol] = int(bound)
            torch_axes[name][int(axis)] = str(symbol)
    return torch_axes, [f"{s}<={b}" for s, b in bounds.items()]


def _flatten(outputs) -> list:
    if isinstance(outputs, (tuple, list)):
        return [leaf for item in outputs for leaf in _flatten(item)]
    if isinstance(outputs, Mapping):
        return [leaf for item in outputs.values() for leaf in _flatten(item)]
    return [outputs]


def _verify(expected: list, inputs: tuple, model: Model, rtol: float,
            atol: float) -> float:
    """Runs the model on `inputs`; returns the largest absolute difference
    of its outputs from the module's (`expected`, numpy arrays), or raises
    Error naming the first output beyond rtol/atol."""
    actual = model.run(*[t.detach().cpu().numpy() for t in inputs])
    if len(actual) != len(expected):
        raise Error(f"edge.export: the model has {len(actual)} outputs, the "
                    f"module {len(expected)}")
    largest = 0.0
    for info, got, want in zip(model.outputs, actual, expected):
        if got.shape != want.shape:
            raise Error(f"edge.export: output '{info.name}' has the shape "
                        f"{got.shape}, the module's {want.shape}")
        error = float(np.max(np.abs(got.astype(np.float64) - want))) \
            if got.size else 0.0
        largest = max(largest, error)
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            raise Error(f"edge.export: output '{info.name}' differs from the "
                        f"module's by up to {error:.3g} (rtol={rtol}, "
                        f"atol={atol})")
    return largest


def export(module, example_inputs, path: Union[str, os.PathLike, None] = None,
           *, target: str = "cpu",
           dynamic_axes: Optional[Mapping[str, Any]] = None,
           opset: int = DEFAULT_OPSET,
           input_names: Optional[Sequence[str]] = None,
           output_names: Optional[Sequence[str]] = None,
           verify: bool = False, rtol: float = 1e-4, atol: float = 1e-5,
           threads: Optional[int] = None,
           **compile_options: Any) -> Model:
    """Exports a torch.nn.Module with torch.onnx.export, compiles it and
    returns the loaded Model.

    `example_inputs` is a tensor or a tuple of tensors: the export traces
    the module on them, so the model takes inputs of their shapes and
    dtypes. Inputs are named after forward's parameters (or
    `input_names`), outputs output_0, output_1, ... (or `output_names`).
    `dynamic_axes` keeps sizes dynamic: {"x": {0: ("batch", 8)}} makes
    dimension 0 of input x the symbol batch, of any size up to 8 (a plain
    "batch" leaves the bound to the compiler's diagnostics). `path` is
    where the library goes (default: a temporary file, removed once
    loaded); `target` and `compile_options` go to edge.compile (devices=,
    dims=, quantize=, ...), `threads` to edge.load.

    With `verify`, runs the module and the model on the example inputs
    and raises edge.Error naming the first output that differs beyond
    `rtol`/`atol`; the largest absolute difference is then the model's
    `max_error` attribute. Raises ImportError without torch and
    edge.CompileError when the model does not compile.
    """
    torch = _import_torch()
    inputs = tuple(example_inputs) if isinstance(example_inputs,
                                                 (tuple, list)) \
        else (example_inputs,)
    names = list(input_names) if input_names is not None \
        else _input_names(module, len(inputs))
    if len(names) != len(inputs):
        raise ValueError(f"edge.export: {len(inputs)} example inputs but "
                         f"{len(names)} input names")
    torch_axes, bounds = _split_dynamic_axes(dynamic_axes)
    buffer = io.BytesIO()
    options: Dict[str, Any] = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False
    # In eval mode, as exported: the module's outputs on the example, whose
    # count names the model's outputs and which verify compares with.
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            expected = [t.detach().cpu().numpy()
                        for t in _flatten(module(*inputs))]
        outputs = list(output_names) if output_names is not None \
            else [f"output_{i}" for i in range(len(expected))]
        for name in torch_axes:
            if name not in names and name not in outputs:
                raise ValueError(f"edge.export: dynamic_axes names '{name}', "
                                 f"which is no input or output ({names})")
        torch.onnx.export(module, inputs, buffer, opset_version=opset,
                          input_names=names, output_names=outputs,
                          dynamic_axes=torch_axes or None, **options)
    finally:
        module.train(was_training)
    compile_options["dims"] = list(compile_options.get("dims", ())) + bounds
    with tempfile.TemporaryDirectory(prefix="edge-export-") as scratch:
        library = Path(path) if path is not None else Path(scratch) / "model.so"
        compile_model(buffer.getvalue(), library, target=target,
                      **compile_options)
        # Loaded, the library stays mapped after its temporary file goes.
        model = Model(os.fspath(library), threads)
    if verify:
        model.max_error = _verify(expected, inputs, model, rtol, atol)
    return model
