"""edge.compile: run the edge-compile executable from Python."""

import os
import shutil
import subprocess
from pathlib import Path

from ._edge import Error


class CompileError(Error):
    """edge-compile failed (or could not be found); the message holds its
    diagnostics (stderr)."""


def find_edge_compile():
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


def compile(onnx_path, output_path, target="cpu", extra_args=()):
    """Compiles an ONNX model into a model library at `output_path`.

    `target` is passed as --target (cpu, nvidia:sm_90, amd:gfx942, ...);
    `extra_args` are appended to the command line. Returns `output_path`.
    Raises CompileError with edge-compile's stderr when it fails.
    """
    compiler = find_edge_compile()
    if not compiler:
        raise CompileError(
            "edge-compile not found: set EDGE_COMPILE or put it on PATH")
    command = [compiler, os.fspath(onnx_path), "-o", os.fspath(output_path),
               "--target=" + target, *[str(arg) for arg in extra_args]]
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                errors="replace")
    except OSError as error:
        raise CompileError(f"cannot run {compiler}: {error}") from error
    if result.returncode != 0:
        message = result.stderr.strip() or (
            f"edge-compile exited with status {result.returncode}")
        raise CompileError(message)
    return output_path
