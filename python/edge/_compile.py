"""edge.compile: the compiler library in-process (edge._compiler), or the
edge-compile executable where the package was built without the compiler
or raw command-line arguments are given."""

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from ._edge import Error

try:
    from . import _compiler
except ImportError:  # a build without the compiler
    _compiler = None


class CompileError(Error):
    """The model did not compile. `diagnostics` lists what the compiler
    said: dicts with severity, message and, where the message names an ONNX
    node, its node, op_type and opset (else None)."""

    def __init__(self, message, diagnostics=()):
        super().__init__(message)
        self.diagnostics = list(diagnostics)


_NODE = re.compile(r"node '([^']*)' \(([^,()]+), opset ([0-9]+)\)")
_LINE = re.compile(r"^(?:.*?): (error|warning|note|remark): (.*)$")


def _parse_stderr(text):
    """edge-compile's diagnostics lines as CompileError.diagnostics."""
    diagnostics = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        severity, message = match.groups()
        node = _NODE.search(message)
        diagnostics.append({
            "severity": severity, "message": message,
            "node": node.group(1) if node else None,
            "op_type": node.group(2) if node else None,
            "opset": int(node.group(3)) if node else None})
    return diagnostics


def find_edge_compile() -> Optional[str]:
    """The edge-compile executable: $EDGE_COMPILE, the build tree's bin/
    beside this package (build/python/edge -> build/bin), or PATH."""
    from_env = os.environ.get("EDGE_COMPILE")
    if from_env:
        return from_env
    build_dir = Path(__file__).resolve().parent.parent.parent
    sibling = build_dir / "bin" / "edge-compile"
    if os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("edge-compile")


def _command_line(options):
    """The edge-compile flags of compile()'s keyword options."""
    args = [f"--target={options['target']}", f"--emit={options['emit']}",
            f"--devices={options['devices']}", f"-O{options['opt_level']}"]
    if options["cpu"]:
        args.append(f"--mcpu={options['cpu']}")
    args += [f"--input-shape={s}" for s in options["input_shapes"]]
    args += [f"--dim={d}" for d in options["dims"]]
    args += [f"--bind-input={b}" for b in options["bound_inputs"]]
    args += [f"--pin={p}" for p in options["pins"]]
    args.append(f"--objective={options['objective']}")
    args += [f"--profile-feedback={p}" for p in options["profile_feedback"]]
    args.append(f"--quantize={options['quantize']}")
    if options["report"]:
        args.append(f"--report={options['report']}")
    if options["device_code_dir"]:
        args.append(f"--device-code-dir={options['device_code_dir']}")
    return args


def _run_executable(input_path, output_path, options, extra_args):
    compiler = find_edge_compile()
    if not compiler:
        raise CompileError(
            "edge-compile not found: set EDGE_COMPILE or put it on PATH")
    command = [compiler, os.fspath(input_path), "-o", os.fspath(output_path),
               *_command_line(options), *[str(arg) for arg in extra_args]]
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                errors="replace")
    except OSError as error:
        raise CompileError(f"cannot run {compiler}: {error}") from error
    if result.returncode != 0:
        message = result.stderr.strip() or (
            f"edge-compile exited with status {result.returncode}")
        raise CompileError(message, _parse_stderr(result.stderr))


def _run_in_process(input_path, output_path, options):
    try:
        diagnostics = _compiler.compile(os.fspath(input_path),
                                        os.fspath(output_path), **options)
    except _compiler.CompileFailure as failure:
        raise CompileError(str(failure), failure.diagnostics) from None
    for diagnostic in diagnostics:
        if diagnostic["severity"] == "warning":
            warnings.warn(diagnostic["message"], stacklevel=3)


def compile(model: Union[str, os.PathLike, bytes, Any],
            output_path: Union[str, os.PathLike, None] = None,
            target: str = "cpu", extra_args: Sequence[str] = (), *,
            devices: Optional[str] = "host", mcpu: str = "",
            input_shapes: Sequence[str] = (), dims: Sequence[str] = (),
            bind_inputs: Sequence[str] = (), pins: Sequence[str] = (),
            objective: str = "latency",
            profile_feedback: Sequence[Union[str, os.PathLike]] = (),
            quantize: str = "none",
            report: Union[str, os.PathLike] = "", emit: str = "so",
            device_code_dir: Union[str, os.PathLike] = "",
            opt_level: int = 3,
            use_executable: bool = False) -> Union[str, os.PathLike]:
    """Compiles an ONNX model into a model library at `output_path`.

    `model` is a path (.onnx, .onnxtxt, or edge IR .mlir), the bytes of a
    model, or an onnx.ModelProto; `output_path` defaults to the model's
    path with .so (required for bytes and ModelProto). The keywords are
    edge-compile's options: `target` (cpu, cpu:CPU, nvidia:sm_90,
    amd:gfx942), `devices` (presets or a description file; None: host),
    `mcpu`,
    `input_shapes` and `bind_inputs` ("NAME:1x3x224x224", "NAME=FILE.pb"),
    `dims` ("batch<=8" keeps a named dimension dynamic up to 8, "batch=1"
    fixes it),
    `pins` ("NODE=DEVICE"), `objective` ("latency" or "throughput"),
    `profile_feedback` (profiles of the library compiled with these
    options, whose measured times correct the placer's estimates),
    `quantize` ("none", "int8-weights": matrix products' f32 weights
    as int8 with per-column scales, or "int4-weights": as int4 with a
    scale per block of 32 rows),
    `report` (a JSON path), `emit` (a stage to stop
    at), `device_code_dir` and `opt_level`. The compiler runs in-process;
    `extra_args` (raw edge-compile arguments) or `use_executable` runs the
    edge-compile executable instead (find_edge_compile).
    Returns `output_path`; warnings become Python warnings; raises
    CompileError with the diagnostics when the model does not compile.
    """
    options = {"target": target, "cpu": mcpu,
               "input_shapes": list(input_shapes), "dims": list(dims),
               "bound_inputs": list(bind_inputs),
               "devices": devices or "host",
               "pins": list(pins), "objective": objective,
               "profile_feedback": [os.fspath(p) for p in profile_feedback],
               "quantize": quantize,
               "report": os.fspath(report),
               "emit": emit, "device_code_dir": os.fspath(device_code_dir),
               "opt_level": opt_level}
    with tempfile.TemporaryDirectory(prefix="edge-compile-") as scratch:
        if isinstance(model, (str, os.PathLike)):
            input_path = Path(model)
        else:
            if hasattr(model, "SerializeToString"):
                model = model.SerializeToString()
            if not isinstance(model, (bytes, bytearray)):
                raise TypeError("model must be a path, bytes or an "
                                f"onnx.ModelProto, not {type(model).__name__}")
            if output_path is None:
                raise ValueError("output_path is needed for a model given "
                                 "as bytes or a ModelProto")
            input_path = Path(scratch) / "model.onnx"
            input_path.write_bytes(model)
        if output_path is None:
            output_path = input_path.with_suffix(".so")
        if extra_args or use_executable or _compiler is None:
            _run_executable(input_path, output_path, options, extra_args)
        else:
            _run_in_process(input_path, output_path, options)
    return output_path
