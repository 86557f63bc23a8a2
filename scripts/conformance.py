#!/usr/bin/python3
"""ONNX backend conformance runner for edge.

Compiles every selected ONNX backend test case with `edge-compile`, runs each of its
test_data_set_* with `edge-run`, compares the outputs with the reference data and gives
each case exactly one status (see STATUSES). The cases come from Debian's libonnx-testdata
(suites node, pytorch-converted, pytorch-operator, simple) and from extra directories with
the same layout (`--case-dir`, e.g. models exported by scripts/export_torch_models.py).

See docs/conformance-howto.md for usage, the statuses and the tolerance policy.
Run it with Debian's /usr/bin/python3 (it needs python3-numpy and python3-onnx).
"""

import argparse
import concurrent.futures
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import OptionalProto, SequenceProto, TensorProto, numpy_helper

SUITES = ("node", "pytorch-converted", "pytorch-operator", "simple")
MODELS_SUITE = "models"  # suite name of the cases added with --case-dir
DEFAULT_DATA_DIR = Path("/usr/share/libonnx-testdata/data")

PASS = "pass"
WRONG_RESULT = "wrong-result"
UNSUPPORTED_OP = "unsupported-op"
COMPILE_ERROR = "compile-error"
RUN_ERROR = "run-error"
CRASH = "crash"
TIMEOUT = "timeout"
STATUSES = (PASS, WRONG_RESULT, UNSUPPORTED_OP, COMPILE_ERROR, RUN_ERROR, CRASH, TIMEOUT)

# The marker edge-compile prints once per node whose op it does not support.
UNSUPPORTED_MARKER = "unsupported ONNX op"

# How edge-compile names a graph input that must be a compile-time constant (a shape, axes,
# scales), or one with a dynamic dimension. The runner then binds it to the first test data
# set's value, or fixes its shape to that value's, and compiles again: such a case passes as
# "pass" with `bound_inputs` listed, and the report says so.
BIND_HINT = re.compile(r"--bind-input=(\S+)=VALUES")
SHAPE_HINT = re.compile(r"--input-shape=(\S+):D0xD1x")
MAX_BIND_ROUNDS = 8

# Where GPU cases write their kernels (edge-compile --device-code-dir, relative to the case's
# work directory) when the device code is checked.
DEVICE_CODE_DIR = "device"

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-5

# Cases whose reference cannot be met with the default tolerance by a correct float32
# implementation. Add an entry only with a measured reason.
#
# DFT/STFT: outputs reach |y| ~ 2e3 while some bins are exactly 0 in the (float64) reference
# (e.g. the imaginary part of the DC bin). Any float32 summation leaves an absolute error of
# ~N * eps * max|x| there: a direct float32 DFT of these inputs is off by up to 5.3e-4, so the
# zero bins fail atol 1e-5 although every other bin is within rtol 1e-3.
#
# models/resnet50 (scripts/export_torch_models.py): 50 layers of float32 accumulation. torch's
# own float32 output differs from its float64 output by up to 3.2e-5 absolute (logits up to
# ~2), 1.4x the default tolerance; with atol 1e-4 that difference uses 27% of the tolerance,
# leaving room for a second float32 implementation's rounding.
TOLERANCE_OVERRIDES: Dict[str, Tuple[float, float]] = {
    "models/resnet50": (DEFAULT_RTOL, 1e-4),
    "node/test_dft": (DEFAULT_RTOL, 1e-3),
    "node/test_dft_axis": (DEFAULT_RTOL, 1e-3),
    "node/test_dft_inverse": (DEFAULT_RTOL, 1e-3),
    "node/test_stft": (DEFAULT_RTOL, 1e-3),
    "node/test_stft_with_window": (DEFAULT_RTOL, 1e-3),
}

# Cases whose reference data contradict their model, with the measured reason; their
# result's detail says so (the status is whatever the comparison gives).
REFERENCE_DEFECTS: Dict[str, str] = {
    # Reproduced by hand: every output matches the reference with epsilon = 1e-2, which the
    # node does not set (the schema default, 1e-6, gives x1 = 0.75596 vs 0.75914 expected).
    "node/test_adam_multiple": "reference defect: computed with epsilon 1e-2, the model "
                               "leaves the default 1e-6",
}
# The bfloat16 cases store bfloat16 data as uint16 (numpy has no bfloat16), which edge-run
# and compare_values take as raw bits; what still differs is in the references.
REFERENCE_DEFECTS["node/test_cast_FLOAT_to_BFLOAT16"] = (
    "reference defect: the expected values truncate to bfloat16, Cast rounds to nearest even")
REFERENCE_DEFECTS.update({
    f"node/test_{case}": "reference defect: input 'like' is stored with shape [1], the model "
                         "declares [3, 4]"
    for case in ("castlike_BFLOAT16_to_FLOAT", "castlike_BFLOAT16_to_FLOAT_expanded",
                 "castlike_FLOAT_to_BFLOAT16", "castlike_FLOAT_to_BFLOAT16_expanded")
})
# Training-mode Dropout with a non-zero ratio drops at random: edge draws from its own
# generator, the references from numpy's, so no drop pattern can match.
REFERENCE_DEFECTS.update({
    f"node/test_{case}": "random: the reference's drop pattern comes from numpy's generator"
    for case in ("training_dropout", "training_dropout_default",
                 "training_dropout_default_mask", "training_dropout_mask")
})

# How a graph output of each kind is serialized in the backend test data.
PROTO_OF_KIND = {
    "tensor_type": TensorProto,
    "sequence_type": SequenceProto,
    "optional_type": OptionalProto,
}


# --------------------------------------------------------------------------------------------
# Cases


@dataclasses.dataclass(frozen=True)
class Case:
    """One backend test case: a model.onnx and one or more test_data_set_* directories."""

    case_id: str  # "<suite>/<directory name>"
    suite: str
    path: Path


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome of one case; `detail` is empty for a pass."""

    case_id: str
    suite: str
    status: str
    detail: str = ""
    unsupported_ops: Tuple[str, ...] = ()
    seconds: float = 0.0
    # Graph inputs fixed at compile time: "NAME" bound (--bind-input), "NAME:shape" shaped
    # (--input-shape), each to the first test data set's.
    bound_inputs: Tuple[str, ...] = ()


def find_data_dir() -> Optional[Path]:
    """Locates libonnx-testdata's data folder; asks dpkg when it is not in the usual place."""
    if DEFAULT_DATA_DIR.is_dir():
        return DEFAULT_DATA_DIR
    try:
        listing = subprocess.run(["dpkg", "-L", "libonnx-testdata"], capture_output=True,
                                 text=True, check=False).stdout
    except FileNotFoundError:
        return None
    for line in listing.splitlines():
        path = Path(line.strip())
        if path.name == "data" and (path / "node").is_dir():
            return path
    return None


def discover_suite(data_dir: Path, suite: str) -> List[Case]:
    """Lists the case directories (those holding a model.onnx) of one suite."""
    suite_dir = data_dir / suite
    if not suite_dir.is_dir():
        return []
    return [Case(f"{suite}/{d.name}", suite, d)
            for d in sorted(suite_dir.iterdir()) if (d / "model.onnx").is_file()]


def case_from_dir(path: Path) -> Case:
    """Turns a --case-dir directory into a case of the `models` suite.

    A directory without test data sets is refused: its case would pass without running.
    """
    if not (path / "model.onnx").is_file():
        raise UsageError(f"--case-dir {path}: no model.onnx in it")
    if not numbered(path, "test_data_set_"):
        raise UsageError(f"--case-dir {path}: no test_data_set_* in it")
    return Case(f"{MODELS_SUITE}/{path.resolve().name}", MODELS_SUITE, path)


# In a must-pass list, an entry whose comment holds this may pass with graph inputs fixed at
# compile time; every other entry must pass without help.
FIXED_MARK = "fixed:"


def read_case_ids(path: Path) -> List[str]:
    """Reads a cases file: one `suite/case` id per line, `#` starts a comment."""
    ids = []
    for line in path.read_text().splitlines():
        case_id = line.split("#", 1)[0].strip()
        if case_id:
            ids.append(case_id)
    return ids


def read_fixed_allowed(path: Path) -> set:
    """The ids of a cases file whose comment allows them to pass with fixed inputs."""
    allowed = set()
    for line in path.read_text().splitlines():
        case_id, _, comment = line.partition("#")
        if case_id.strip() and FIXED_MARK in comment:
            allowed.add(case_id.strip())
    return allowed


def select_cases(universe: List[Case], case_ids: Optional[List[str]],
                 suites: Sequence[str], pattern: Optional[str]) -> List[Case]:
    """Applies --cases-file, --suites and --filter, in that order.

    An id in the cases file that names no known case is an error rather than a skip, so that a
    renamed or missing case cannot silently drop out of the must-pass list.
    """
    by_id = {case.case_id: case for case in universe}
    if case_ids is not None:
        unknown = sorted(set(case_ids) - by_id.keys())
        if unknown:
            raise UsageError("unknown case ids in the cases file: " + ", ".join(unknown))
        cases = [by_id[case_id] for case_id in sorted(set(case_ids))]
    else:
        cases = sorted(universe, key=lambda case: case.case_id)
    cases = [case for case in cases if case.suite in suites or case.suite == MODELS_SUITE]
    if pattern:
        regex = re.compile(pattern)
        cases = [case for case in cases if regex.search(case.case_id)]
    return cases


def numbered(directory: Path, prefix: str, suffix: str = "") -> List[Path]:
    """The entries named <prefix><N><suffix>, sorted by N (so that 10 comes after 9)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)" + re.escape(suffix))
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := pattern.fullmatch(p.name))]
    return [p for _, p in sorted(found)]


# --------------------------------------------------------------------------------------------
# Comparison (also used by scripts/compare_outputs.py)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Outcome of comparing a produced value with its reference.

    max_abs is the largest |actual - expected| and max_rel the largest
    |actual - expected| / |expected| over finite non-zero expected elements (see error_stats);
    both are None for values without numbers (strings, empty tensors and sequences).
    """

    ok: bool
    reason: str = ""
    max_abs: Optional[float] = None
    max_rel: Optional[float] = None


def error_stats(expected: np.ndarray,
                actual: np.ndarray) -> Tuple[Optional[float], Optional[float]]:
    """Computes (max_abs, max_rel) in double precision; (None, None) for non-numeric data.

    Equal elements (NaN and NaN included) count 0; where a NaN or an infinity differs from the
    other side the error is inf, so such a mismatch never looks like a small one.
    """
    if expected.dtype.kind not in "biufc" or expected.size == 0:
        return None, None
    wide = np.complex128 if expected.dtype.kind == "c" else np.float64
    exp, act = expected.astype(wide), actual.astype(wide)
    with np.errstate(invalid="ignore"):
        diff = np.abs(act - exp)
    same = (act == exp) | (np.isnan(act) & np.isnan(exp))
    diff = np.where(same, 0.0, np.where(np.isfinite(diff), diff, np.inf))
    scale = np.isfinite(exp) & (exp != 0)
    max_rel = float((diff[scale] / np.abs(exp[scale])).max()) if scale.any() else 0.0
    return float(diff.max()), max_rel


def format_error(value: Optional[float]) -> str:
    """Formats an error statistic compactly, `n/a` when there is none."""
    return "n/a" if value is None else f"{value:.3g}"


def compare_arrays(expected: np.ndarray, actual: np.ndarray,
                   rtol: float, atol: float) -> Comparison:
    """Compares two arrays: same shape, same dtype, then values.

    Floating-point (and complex) values match when |a - e| <= atol + rtol * |e|, NaN matching
    NaN and infinities matching exactly; integers, booleans and strings must be equal.
    """
    if actual.shape != expected.shape:
        return Comparison(False, f"shape {actual.shape} != expected {expected.shape}")
    if actual.dtype != expected.dtype:
        return Comparison(False, f"dtype {actual.dtype} != expected {expected.dtype}")
    if expected.dtype.kind in "fc":
        close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = np.asarray(actual == expected)
    max_abs, max_rel = error_stats(expected, actual)
    if close.all():
        return Comparison(True, "", max_abs, max_rel)
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    reason = (f"max abs err {format_error(max_abs)}, max rel err {format_error(max_rel)} "
              f"({np.count_nonzero(~close)}/{close.size} differ; first at {first}: "
              f"got {actual[first]!r}, expected {expected[first]!r})")
    return Comparison(False, reason, max_abs, max_rel)


def _children(value) -> List:
    """The element protos of a SequenceProto or OptionalProto, per its elem_type."""
    if isinstance(value, SequenceProto):
        fields = {SequenceProto.TENSOR: "tensor_values", SequenceProto.SEQUENCE: "sequence_values",
                  SequenceProto.MAP: "map_values", SequenceProto.OPTIONAL: "optional_values"}
        return list(getattr(value, fields[value.elem_type])) if value.elem_type in fields else []
    fields = {OptionalProto.TENSOR: "tensor_value", OptionalProto.SEQUENCE: "sequence_value",
              OptionalProto.MAP: "map_value", OptionalProto.OPTIONAL: "optional_value"}
    field = fields.get(value.elem_type)
    return [getattr(value, field)] if field and value.HasField(field) else []


def _max_or_none(values: Sequence[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def compare_values(expected, actual, rtol: float, atol: float) -> Comparison:
    """Compares two parsed protos of the same class (TensorProto, SequenceProto or OptionalProto;
    anything else, such as a MapProto, raises ValueError).

    Tensors must have the same ONNX element type (this also tells bfloat16 from float32, which
    numpy_helper converts to the same numpy dtype), except that a uint16 reference holds a
    bfloat16 result's raw bits (numpy has no bfloat16); sequences and optionals are compared element
    by element, and the first mismatch is reported with its position, e.g. `[2] shape ...`.
    """
    if not isinstance(expected, (TensorProto, SequenceProto, OptionalProto)):
        raise ValueError(f"comparing {type(expected).__name__} values is not supported")
    if isinstance(expected, TensorProto):
        if (expected.data_type == TensorProto.UINT16
                and actual.data_type == TensorProto.BFLOAT16):
            # numpy has no bfloat16: the reference stores the raw bits.
            bits = numpy_helper.to_array(expected).astype(np.uint32) << 16
            return compare_arrays(bits.view(np.float32),
                                  numpy_helper.to_array(actual).astype(np.float32), rtol, atol)
        if actual.data_type != expected.data_type:
            type_name = TensorProto.DataType.Name
            return Comparison(False, f"element type {type_name(actual.data_type)}"
                                     f" != expected {type_name(expected.data_type)}")
        return compare_arrays(numpy_helper.to_array(expected), numpy_helper.to_array(actual),
                              rtol, atol)
    if actual.elem_type != expected.elem_type:
        return Comparison(False,
                          f"element kind {actual.elem_type} != expected {expected.elem_type}")
    exp_items, act_items = _children(expected), _children(actual)
    if len(act_items) != len(exp_items):
        return Comparison(False, f"{len(act_items)} elements != expected {len(exp_items)}")
    results = [compare_values(e, a, rtol, atol) for e, a in zip(exp_items, act_items)]
    for index, result in enumerate(results):
        if not result.ok:
            return dataclasses.replace(result, reason=f"[{index}] {result.reason}")
    return Comparison(True, "", _max_or_none([r.max_abs for r in results]),
                      _max_or_none([r.max_rel for r in results]))


def load_proto(path: Path, proto_class=TensorProto):
    """Parses a .pb file of the backend test data layout into a proto of the given class."""
    proto = proto_class()
    proto.ParseFromString(path.read_bytes())
    return proto


# --------------------------------------------------------------------------------------------
# Child processes


class Interrupted(Exception):
    """Raised in a worker when the run is being stopped (Ctrl-C)."""


class UsageError(Exception):
    """A problem with the command line or the environment; reported without a traceback."""


@dataclasses.dataclass(frozen=True)
class ToolRun:
    """What one invocation of edge-compile or edge-run did."""

    returncode: int  # negative: killed by that signal (Python's convention)
    stdout: str
    stderr: str
    timed_out: bool


class ChildProcesses:
    """Starts the tools and keeps track of them so that a timeout or Ctrl-C kills them.

    Each tool runs in its own process group, and the whole group is killed, because the
    tools may start children of their own (a linker, a thread pool in another process).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set = set()
        self._stopping = False

    def run(self, cmd: List[str], cwd: Path, timeout: float) -> ToolRun:
        with self._lock:
            if self._stopping:
                raise Interrupted()
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            self._running.add(proc)
        try:
            timed_out = False
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc)
                out, err = proc.communicate()
        finally:
            with self._lock:
                self._running.discard(proc)
        if self._stopping:
            raise Interrupted()
        return ToolRun(proc.returncode, out.decode(errors="replace"),
                       err.decode(errors="replace"), timed_out)

    def stop(self) -> None:
        """Kills every running tool and refuses to start new ones."""
        with self._lock:
            self._stopping = True
            for proc in self._running:
                _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------------------------
# Running one case


@dataclasses.dataclass(frozen=True)
class Options:
    """The settings every case runs with."""

    compiler: Path
    # The command that runs a library: edge-run, or a prefix such as
    # `qemu-aarch64 -L /usr/aarch64-linux-gnu edge-run-lite` for another architecture.
    runner: Tuple[str, ...]
    timeout_compile: float
    timeout_run: float
    keep_dir: Optional[Path]
    compile_args: Tuple[str, ...] = ()
    # Stop after compiling (a compiled case passes), or run libraries compiled earlier
    # (<prebuilt>/<case id>/model.so, as --keep leaves them) without compiling.
    compile_only: bool = False
    prebuilt_dir: Optional[Path] = None
    # GPU targets: edge-compile also writes the kernels to work/device (--device-code-dir),
    # and a case passes only if scripts/check_device_code.py accepts them.
    check_device_code: bool = False


def first_diagnostic(stderr: str) -> str:
    """Picks the line that best explains a failure: the first one mentioning an error, else
    the first non-empty one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return line
    return lines[0] if lines else "(nothing on stderr)"


def describe_exit(tool: str, returncode: int) -> str:
    """Names a crash: the signal when there is one (negative code, or a shell's 128+N)."""
    signum = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    try:
        return f"{tool} killed by {signal.Signals(signum).name} (exit {returncode})"
    except ValueError:
        return f"{tool} exited with status {returncode}"


def tool_failure(tool: str, run: ToolRun, timeout: float,
                 exit1_status: str) -> Optional[Tuple[str, str]]:
    """Maps a tool's exit to (status, detail), or None when it succeeded.

    Exit 1 is a reported user error (exit1_status); anything else that is not 0 is a crash.
    """
    if run.timed_out:
        return TIMEOUT, f"{tool} timed out after {timeout:g} s"
    if run.returncode == 0:
        return None
    if run.returncode == 1:
        return exit1_status, first_diagnostic(run.stderr)
    return CRASH, f"{describe_exit(tool, run.returncode)}: {first_diagnostic(run.stderr)}"


def model_op_types(graph: onnx.GraphProto) -> set:
    """All op types in a graph, including those in subgraphs (If/Loop/Scan bodies)."""
    ops = set()
    for node in graph.node:
        ops.add(node.op_type)
        for attr in node.attribute:
            for sub in list(attr.graphs) + ([attr.g] if attr.HasField("g") else []):
                ops |= model_op_types(sub)
    return ops


def unsupported_ops(stderr: str, known_ops: set) -> Tuple[str, ...]:
    """Extracts the op names from the `unsupported ONNX op` lines of edge-compile's stderr.

    The exact wording around the marker is the compiler's business, so each line is searched
    for a word that is an op type of the model (after the marker first); failing that, the
    first word after the marker is taken.
    """
    ops = set()
    for line in stderr.splitlines():
        if UNSUPPORTED_MARKER not in line:
            continue
        before, after = line.split(UNSUPPORTED_MARKER, 1)
        after_words = re.findall(r"[A-Za-z_][\w.]*", after)
        words = after_words + re.findall(r"[A-Za-z_][\w.]*", before)
        match = next((w for w in words if w in known_ops), None)
        ops.add(match or (after_words[0] if after_words else "(unknown)"))
    return tuple(sorted(ops))


def graph_input_files(case: Case, model: onnx.ModelProto) -> Dict[str, Path]:
    """Graph input name -> its tensor in the first test data set (inputs that are
    initializers have no data file)."""
    initializers = {init.name for init in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in initializers]
    data_sets = numbered(case.path, "test_data_set_")
    if not data_sets:
        return {}
    files = numbered(data_sets[0], "input_", ".pb")
    return {name: path.resolve() for name, path in zip(names, files)}


def compile_case(case: Case, model: onnx.ModelProto, work: Path, opts: Options,
                 children: ChildProcesses
                 ) -> Tuple[Optional[Tuple[str, str, Tuple[str, ...]]], Tuple[str, ...]]:
    """Compiles the case into work/model.so, binding the graph inputs edge-compile asks to
    have fixed. Returns ((status, detail, ops) or None on success, the bound inputs)."""
    bound: Dict[str, Path] = {}
    shaped: Dict[str, str] = {}
    fixed = lambda: tuple(bound) + tuple(f"{name}:shape" for name in shaped)
    for _ in range(MAX_BIND_ROUNDS):
        cmd = [str(opts.compiler), str((case.path / "model.onnx").resolve()),
               "-o", str(work / "model.so"), *opts.compile_args]
        cmd += [f"--bind-input={name}={path}" for name, path in bound.items()]
        cmd += [f"--input-shape={name}:{dims}" for name, dims in shaped.items()]
        run = children.run(cmd, work, opts.timeout_compile)
        (work / "compile.log").write_text(shlex.join(cmd) + "\n" + run.stdout + run.stderr)
        failure = tool_failure("edge-compile", run, opts.timeout_compile, COMPILE_ERROR)
        if failure is None:
            return None, fixed()
        status, detail = failure
        if status == COMPILE_ERROR and UNSUPPORTED_MARKER in run.stderr:
            ops = unsupported_ops(run.stderr, model_op_types(model.graph))
            return (UNSUPPORTED_OP, "unsupported: " + ", ".join(ops), ops), fixed()
        files = graph_input_files(case, model)
        to_bind = [name for name in BIND_HINT.findall(run.stderr)
                   if name not in bound and name in files]
        to_shape = [name for name in SHAPE_HINT.findall(run.stderr)
                    if name not in shaped and name in files]
        if status != COMPILE_ERROR or not (to_bind or to_shape):
            break
        bound.update((name, files[name]) for name in to_bind)
        for name in to_shape:
            dims = load_proto(files[name]).dims
            shaped[name] = "x".join(str(d) for d in dims) if dims else "scalar"
    return (status, detail, ()), fixed()


def check_device_code(work: Path) -> Optional[str]:
    """Validates the device code of a case compiled for a GPU; returns the problem, if any."""
    from check_device_code import check_directory  # scripts/ holds this file too
    problems, summary = check_directory(work / DEVICE_CODE_DIR)
    (work / "device-check.log").write_text("\n".join(problems + [summary]) + "\n")
    return "invalid device code: " + problems[0] if problems else None


def use_prebuilt(case: Case, work: Path, prebuilt_dir: Path
                 ) -> Optional[Tuple[str, str, Tuple[str, ...]]]:
    """Copies the case's library compiled earlier into work/model.so; a case without one
    did not compile then."""
    library = prebuilt_dir / case.case_id / "model.so"
    if not library.is_file():
        return COMPILE_ERROR, f"no library compiled earlier ({library})", ()
    shutil.copyfile(library, work / "model.so")
    return None


def check_outputs(data_set: Path, out_dir: Path, kinds: List[str],
                  rtol: float, atol: float) -> Optional[str]:
    """Compares edge-run's outputs with the reference ones; returns why they differ, if so."""
    expected = numbered(data_set, "output_", ".pb")
    written = numbered(out_dir, "output_", ".pb")
    if len(written) > len(expected):
        return f"wrote {len(written)} outputs, expected {len(expected)}"
    for index, ref_path in enumerate(expected):
        got_path = out_dir / f"output_{index}.pb"
        if not got_path.is_file():
            return f"output {index}: edge-run wrote no {got_path.name}"
        proto_class = PROTO_OF_KIND.get(kinds[index] if index < len(kinds) else "", TensorProto)
        try:
            result = compare_values(load_proto(ref_path, proto_class),
                                    load_proto(got_path, proto_class), rtol, atol)
        except (DecodeError, ValueError) as error:
            return f"output {index}: cannot read {got_path.name}: {error}"
        if not result.ok:
            return f"output {index}: {result.reason}"
    return None


def run_data_sets(case: Case, model: onnx.ModelProto, work: Path, opts: Options,
                  children: ChildProcesses) -> Tuple[str, str]:
    """Runs every test_data_set_* of a compiled case; returns (status, detail)."""
    kinds = [output.type.WhichOneof("value") for output in model.graph.output]
    rtol, atol = TOLERANCE_OVERRIDES.get(case.case_id, (DEFAULT_RTOL, DEFAULT_ATOL))
    for data_set in numbered(case.path, "test_data_set_"):
        out_dir = work / data_set.name
        out_dir.mkdir()
        cmd = [*opts.runner, str(work / "model.so")]
        for input_path in numbered(data_set, "input_", ".pb"):
            cmd += ["--input", str(input_path.resolve())]
        run = children.run(cmd + ["--output-dir", str(out_dir)], work, opts.timeout_run)
        (out_dir / "run.log").write_text(run.stdout + run.stderr)
        failure = tool_failure("edge-run", run, opts.timeout_run, RUN_ERROR)
        if failure is not None:
            return failure
        mismatch = check_outputs(data_set, out_dir, kinds, rtol, atol)
        if mismatch is not None:
            return WRONG_RESULT, mismatch
    return PASS, ""


def work_dir(case: Case, keep_dir: Optional[Path]):
    """The case's scratch directory: under --keep (kept, emptied first) or a temporary one."""
    if keep_dir is None:
        return tempfile.TemporaryDirectory(prefix="edge-conformance-")
    path = keep_dir / case.case_id
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return contextlib.nullcontext(str(path))


def run_case(case: Case, opts: Options, children: ChildProcesses) -> Result:
    """Compiles and runs one case and classifies the outcome."""
    start = time.monotonic()
    model = onnx.load(str(case.path / "model.onnx"), load_external_data=False)
    with work_dir(case, opts.keep_dir) as work_name:
        work = Path(work_name)
        if opts.prebuilt_dir is not None:
            failure, bound = use_prebuilt(case, work, opts.prebuilt_dir), ()
        else:
            failure, bound = compile_case(case, model, work, opts, children)
        if failure is None and opts.check_device_code:
            problem = check_device_code(work)
            if problem is not None:
                failure = (COMPILE_ERROR, problem, ())
        if failure is not None:
            status, detail, ops = failure
        elif opts.compile_only:
            status, detail, ops = PASS, "", ()
        else:
            (status, detail), ops = run_data_sets(case, model, work, opts, children), ()
    return Result(case.case_id, case.suite, status, detail, ops, time.monotonic() - start,
                  bound)


def run_all(cases: List[Case], opts: Options, jobs: int) -> List[Result]:
    """Runs the cases on `jobs` threads, printing one progress line per finished case.

    On Ctrl-C (or SIGTERM) every running tool is killed and KeyboardInterrupt propagates.
    """
    children = ChildProcesses()
    results: List[Result] = []
    width = len(str(len(cases)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_case, case, opts, children) for case in cases]
        try:
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                results.append(result)
                print(progress_line(len(results), len(cases), width, result), flush=True)
        except KeyboardInterrupt:
            children.stop()
            for future in futures:
                future.cancel()
            raise
    return sorted(results, key=lambda r: r.case_id)


def describe(result: Result) -> str:
    """The detail of a result, plus the inputs it bound at compile time and any known defect
    of the case's reference data."""
    parts = [result.detail] if result.detail else []
    if result.status != PASS and result.case_id in REFERENCE_DEFECTS:
        parts.insert(0, REFERENCE_DEFECTS[result.case_id])
    if result.bound_inputs:
        parts.append("fixed at compile time: " + ", ".join(result.bound_inputs))
    return "; ".join(parts)


def progress_line(done: int, total: int, width: int, result: Result) -> str:
    line = f"[{done:>{width}}/{total}] {result.status:<14} {result.seconds:6.1f}s  {result.case_id}"
    detail = describe(result)
    return f"{line}  {detail}" if detail else line


def bound_passes(results: List[Result], suite: str) -> int:
    """Passing cases of a suite (or `all`) that needed inputs bound at compile time."""
    return sum(1 for r in results if r.status == PASS and r.bound_inputs
               and suite in ("all", r.suite))


# --------------------------------------------------------------------------------------------
# Summary and reports


def status_counts(results: List[Result]) -> Dict[str, Counter]:
    """Counts statuses per suite, in suite order, plus an `all` entry."""
    per_suite: Dict[str, Counter] = {}
    for suite in SUITES + (MODELS_SUITE,):
        suite_results = [r for r in results if r.suite == suite]
        if suite_results:
            per_suite[suite] = Counter(r.status for r in suite_results)
    per_suite["all"] = Counter(r.status for r in results)
    return per_suite


def op_blockers(results: List[Result]) -> List[Tuple[str, int]]:
    """Unsupported ops with the number of cases each blocks, most first."""
    counts = Counter(op for r in results for op in r.unsupported_ops)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def print_summary(results: List[Result]) -> None:
    """Prints the totals per suite and the ops that block the most cases."""
    print()
    header = f"{'suite':<18} {'cases':>6} " + " ".join(f"{s:>14}" for s in STATUSES) + "  pass%"
    print(header)
    for suite, counts in status_counts(results).items():
        total = sum(counts.values())
        print(f"{suite:<18} {total:>6} " + " ".join(f"{counts[s]:>14}" for s in STATUSES)
              + f"  {percent(counts[PASS], total)}")
    print(f"\n{bound_passes(results, 'all')} of the passing cases fixed graph inputs at "
          "compile time (--bind-input or --input-shape).")
    blockers = op_blockers(results)
    if blockers:
        print("\nunsupported ops (cases blocked): "
              + ", ".join(f"{op} ({n})" for op, n in blockers[:15])
              + (", ..." if len(blockers) > 15 else ""))


def escape_cell(text: str, limit: int = 120) -> str:
    """Makes text safe for a markdown table cell: one line, truncated, `|` escaped."""
    line = text.splitlines()[0] if text else ""
    if len(line) > limit:
        line = line[:limit - 1] + "…"
    return line.replace("|", "\\|")


def machine_description() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    cores = os.cpu_count()
    return f"{platform.machine()}, {cores} cores (nproc)" + (f", {model}" if model else "")


def render_report(results: List[Result], command: str) -> str:
    """Builds the markdown report; everything in it is sorted so reruns diff cleanly."""
    out = ["# edge ONNX conformance", "",
           f"Generated by `{command}` on {datetime.date.today().isoformat()}.", "",
           f"Machine: {machine_description()}.", "",
           "Statuses are defined in [conformance-howto.md](conformance-howto.md).", "",
           "## Totals", "",
           "`pass, fixed` counts the passing cases that compile only with graph inputs fixed "
           "at compile time to the first test data set's: values bound with "
           "`edge-compile --bind-input` (inputs that give shapes, axes or scales; the "
           "library rejects other values at run time) or dynamic dimensions specialized "
           "with `--input-shape` (`NAME:shape` below). They are included in `pass`; "
           "`plain` counts the others, the cases that pass without help.", "",
           "| suite | cases | pass | % pass | plain | % plain | pass, fixed | "
           + " | ".join(STATUSES[1:]) + " |",
           "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * (len(STATUSES) - 1)]
    for suite, counts in status_counts(results).items():
        total = sum(counts.values())
        name = f"**{suite}**" if suite == "all" else suite
        fixed = bound_passes(results, suite)
        plain = counts[PASS] - fixed
        out.append(f"| {name} | {total} | {counts[PASS]} | {percent(counts[PASS], total)} | "
                   f"{plain} | {percent(plain, total)} | {fixed} | "
                   + " | ".join(str(counts[s]) for s in STATUSES[1:]) + " |")
    out += ["", "## Unsupported ops", ""]
    blockers = op_blockers(results)
    if blockers:
        out += ["| op | cases blocked |", "|---|---:|"]
        out += [f"| {escape_cell(op)} | {count} |" for op, count in blockers]
    else:
        out.append("None.")
    for suite in status_counts(results):
        if suite == "all":
            continue
        out += ["", f"## {suite}", "", "| case | status | detail |", "|---|---|---|"]
        out += [f"| {r.case_id.split('/', 1)[1]} | {r.status} | {escape_cell(describe(r))} |"
                for r in results if r.suite == suite]
    return "\n".join(out) + "\n"


def render_json(results: List[Result], command: str) -> str:
    doc = {
        "command": command,
        "date": datetime.date.today().isoformat(),
        "machine": machine_description(),
        "totals": {suite: {**{s: counts[s] for s in STATUSES},
                           "pass_fixed": bound_passes(results, suite)}
                   for suite, counts in status_counts(results).items()},
        "cases": [dataclasses.asdict(r) for r in results],
    }
    return json.dumps(doc, indent=2) + "\n"


def update_must_pass(path: Path, results: List[Result]) -> List[str]:
    """Adds the passing cases that the list lacks; returns them.

    Nothing is ever removed: comment and blank lines are kept (gathered at the top, where the
    header lives) and existing entries keep their text, inline comments included. The entries
    are written sorted by case id. The file is left untouched when nothing is new.
    """
    lines = path.read_text().splitlines() if path.exists() else []
    header, entries = [], {}
    for line in lines:
        case_id = line.split("#", 1)[0].strip()
        if case_id:
            entries[case_id] = line
        else:
            header.append(line)
    passed = {r.case_id: r for r in results if r.status == PASS and r.case_id not in entries}
    added = sorted(passed)
    if added:
        # A case that passes only with fixed inputs says so, and which.
        entries.update({
            case_id: case_id + (f"  # {FIXED_MARK} " + ", ".join(passed[case_id].bound_inputs)
                                if passed[case_id].bound_inputs else "")
            for case_id in added})
        path.write_text("\n".join(header + [entries[k] for k in sorted(entries)]) + "\n")
    return added


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the ONNX backend conformance cases through edge-compile and edge-run.")
    parser.add_argument("--build-dir", type=Path, default=Path("build"),
                        help="build directory holding bin/edge-compile and bin/edge-run "
                             "(default: ./build)")
    parser.add_argument("--suites", default=",".join(SUITES),
                        help="comma-separated libonnx-testdata suites "
                             f"(default: {','.join(SUITES)})")
    parser.add_argument("--filter", metavar="REGEX", help="only cases whose id matches (re.search)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="of the selected cases, only N spread evenly over them (in id order)")
    parser.add_argument("--runner", metavar="COMMAND",
                        help="command that runs a library, instead of build/bin/edge-run, e.g. "
                             "'qemu-aarch64 -L /usr/aarch64-linux-gnu "
                             "build/bin/aarch64-linux-gnu/edge-run-lite' (split like a shell)")
    parser.add_argument("--cases-file", type=Path, metavar="FILE",
                        help="only the `suite/case` ids listed in FILE (# comments)")
    parser.add_argument("--case-dir", type=Path, action="append", default=[], metavar="DIR",
                        help="extra case directory (model.onnx + test_data_set_*); "
                             "its id is models/<dirname>; repeatable")
    parser.add_argument("--case-root", type=Path, action="append", default=[], metavar="DIR",
                        help="every subdirectory of DIR holding a model.onnx, as --case-dir "
                             "(e.g. test/onnx-cases, the opset 18 to 23 cases); repeatable")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="cases run in parallel (default: nproc)")
    parser.add_argument("--timeout-compile", type=float, default=300.0, metavar="S",
                        help="seconds per edge-compile (default: 300)")
    parser.add_argument("--timeout-run", type=float, default=120.0, metavar="S",
                        help="seconds per edge-run (default: 120)")
    parser.add_argument("--report", type=Path, nargs="?", const=Path("docs/conformance.md"),
                        metavar="FILE.md", help="write a markdown report "
                                                "(default path: docs/conformance.md)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every selected case passes")
    parser.add_argument("--require-plain", action="store_true",
                        help=f"with --check and --cases-file: a case must also pass without "
                             f"graph inputs fixed at compile time, unless its line's comment "
                             f"says '{FIXED_MARK}'")
    parser.add_argument("--update-must-pass", type=Path, metavar="FILE",
                        help="add the selected cases that pass to FILE (never removes)")
    parser.add_argument("--compile-arg", action="append", default=[], metavar="ARG",
                        help="extra edge-compile argument for every case, e.g. "
                             "--compile-arg=--devices=FILE.json (repeatable)")
    parser.add_argument("--compile-only", action="store_true",
                        help="only compile: a case passes when edge-compile succeeds (for GPU "
                             "targets on a machine without the GPU)")
    parser.add_argument("--prebuilt", type=Path, metavar="DIR",
                        help="run the libraries an earlier --keep left in DIR instead of "
                             "compiling (needs only edge-run)")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="the backend test data folder (default: libonnx-testdata's)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each case's artifacts in DIR/<suite>/<case>")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.require_plain and not (args.check and args.cases_file):
        parser.error("--require-plain goes with --check and --cases-file")
    return args


def collect_cases(args: argparse.Namespace) -> List[Case]:
    """Builds the case universe and applies the selection options."""
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    unknown = sorted(set(suites) - set(SUITES))
    if unknown:
        raise UsageError(f"unknown suites: {', '.join(unknown)} (known: {', '.join(SUITES)})")
    case_dirs = list(args.case_dir)
    for root in args.case_root:
        if not root.is_dir():
            raise UsageError(f"--case-root {root}: not a directory")
        case_dirs += sorted(d for d in root.iterdir() if (d / "model.onnx").is_file())
    universe = [case_from_dir(path) for path in case_dirs]
    duplicates = sorted(i for i, n in Counter(c.case_id for c in universe).items() if n > 1)
    if duplicates:
        raise UsageError("--case-dir directories with the same name: " + ", ".join(duplicates))
    data_dir = args.data_dir if args.data_dir else find_data_dir()
    if data_dir is not None:
        universe += [case for suite in SUITES for case in discover_suite(data_dir, suite)]
    elif not case_dirs:
        raise UsageError("libonnx-testdata not found (install it, or give --case-dir)")
    case_ids = read_case_ids(args.cases_file) if args.cases_file else None
    cases = select_cases(universe, case_ids, suites, args.filter)
    if args.sample is not None and 0 < args.sample < len(cases):
        step = len(cases) / args.sample
        cases = [cases[int(i * step)] for i in range(args.sample)]
    return cases


def find_tools(build_dir: Path, need_compiler: bool = True) -> Tuple[Path, Path]:
    tools = (build_dir / "bin" / "edge-compile", build_dir / "bin" / "edge-run")
    missing = [str(t) for t in tools[int(not need_compiler):] if not os.access(t, os.X_OK)]
    if missing:
        raise UsageError("not found or not executable: " + ", ".join(missing))
    return tools[0].resolve(), tools[1].resolve()


def raise_keyboard_interrupt(signum, frame) -> None:
    """Lets SIGTERM take the same clean-up path as Ctrl-C."""
    raise KeyboardInterrupt()


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    command = shlex.join([sys.argv[0]] + argv)
    try:
        compiler, runner = find_tools(args.build_dir, need_compiler=args.prebuilt is None)
        cases = collect_cases(args)
    except UsageError as error:
        print(f"conformance: error: {error}", file=sys.stderr)
        return 2
    if not cases:
        print("conformance: error: no case selected", file=sys.stderr)
        return 2
    keep_dir = args.keep.resolve() if args.keep else None
    runner_command = tuple(shlex.split(args.runner)) if args.runner else (str(runner),)
    opts = Options(compiler, runner_command, args.timeout_compile, args.timeout_run, keep_dir,
                   tuple(args.compile_arg), args.compile_only,
                   args.prebuilt.resolve() if args.prebuilt else None)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    print(f"conformance: {len(cases)} cases, {args.jobs} jobs, tools from {compiler.parent}",
          flush=True)
    try:
        results = run_all(cases, opts, args.jobs)
    except KeyboardInterrupt:
        print("\nconformance: interrupted; running tools killed", file=sys.stderr)
        return 130
    print_summary(results)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(render_report(results, command))
        print(f"report: {args.report}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(render_json(results, command))
        print(f"json: {args.json}")
    if args.update_must_pass:
        added = update_must_pass(args.update_must_pass, results)
        print(f"must-pass: added {len(added)} cases to {args.update_must_pass}"
              + "".join(f"\n  {case_id}" for case_id in added))
    failures = [r for r in results if r.status != PASS]
    # With --require-plain, a listed case passes without help unless its line allows fixed
    # inputs.
    helped = []
    if args.require_plain:
        fixed_allowed = read_fixed_allowed(args.cases_file)
        helped = [r for r in results if r.status == PASS and r.bound_inputs
                  and r.case_id not in fixed_allowed]
    if args.check and (failures or helped):
        print(f"\ncheck: {len(failures) + len(helped)} of {len(results)} selected cases do not "
              "pass as listed:")
        for r in failures:
            print(f"  {r.case_id}: {r.status}" + (f": {r.detail}" if r.detail else ""))
        for r in helped:
            print(f"  {r.case_id}: passes only with inputs fixed at compile time ("
                  + ", ".join(r.bound_inputs) + f"); its line does not say '# {FIXED_MARK}'")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
