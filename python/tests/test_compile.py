"""edge.compile: in-process through the compiler library, and through the
edge-compile executable, which a stand-in script plays here."""

import os
import stat
from pathlib import Path

import pytest

import edge

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny_cnn"
in_process = pytest.mark.skipif(
    not os.environ.get("EDGE_COMPILE"),
    reason="the compiler is not built (run these tests through ctest)")


def _fake_compiler(tmp_path, body):
    script = tmp_path / "edge-compile"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_compile_passes_arguments(tmp_path, monkeypatch):
    log = tmp_path / "args"
    monkeypatch.setenv("EDGE_COMPILE", _fake_compiler(
        tmp_path, f'echo "$@" > {log}\ntouch "$3"\n'))
    out = tmp_path / "model.so"
    result = edge.compile("model.onnx", out, target="nvidia:sm_90",
                          devices="host,h100", pins=["n=h100"],
                          extra_args=["--report=r.txt"])
    assert result == out
    assert out.exists()
    args = log.read_text().split()
    assert args[:3] == ["model.onnx", "-o", str(out)]
    for flag in ["--target=nvidia:sm_90", "--devices=host,h100", "--pin=n=h100",
                 "--report=r.txt"]:
        assert flag in args


def test_compile_error_carries_stderr(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", _fake_compiler(
        tmp_path, "echo \"model.onnx: error: node 'f' (Foo, opset 17): "
        "unsupported\" >&2\nexit 1\n"))
    with pytest.raises(edge.CompileError, match="unsupported") as info:
        edge.compile("model.onnx", tmp_path / "model.so", use_executable=True)
    assert isinstance(info.value, edge.Error)
    assert info.value.diagnostics[0]["node"] == "f"
    assert info.value.diagnostics[0]["opset"] == 17


def test_missing_compiler(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", str(tmp_path / "no-such-compiler"))
    with pytest.raises(edge.CompileError, match="cannot run"):
        edge.compile("model.onnx", tmp_path / "model.so", use_executable=True)


def test_find_edge_compile_prefers_env(monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", "/opt/edge/bin/edge-compile")
    assert edge.find_edge_compile() == "/opt/edge/bin/edge-compile"
    monkeypatch.delenv("EDGE_COMPILE")
    found = edge.find_edge_compile()
    assert found is None or os.path.basename(found) == "edge-compile"


@in_process
def test_compiles_in_process_from_a_model_proto(tmp_path, monkeypatch):
    onnx = pytest.importorskip("onnx")
    # In-process: no executable is needed.
    monkeypatch.setenv("EDGE_COMPILE", str(tmp_path / "no-such-compiler"))
    proto = onnx.load(str(SAMPLE / "model.onnx"))
    library = edge.compile(proto, tmp_path / "tiny.so")
    model = edge.load(library)
    assert [i.name for i in model.inputs] == ["input"]


@in_process
def test_in_process_errors_name_the_node(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape_1")],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
              helper.make_tensor_value_info("s", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(edge.CompileError) as info:
        edge.compile(model.SerializeToString(), tmp_path / "m.so")
    errors = [d for d in info.value.diagnostics if d["severity"] == "error"]
    assert errors and errors[0]["node"] == "reshape_1"
    assert errors[0]["op_type"] == "Reshape" and errors[0]["opset"] == 17
    assert "reshape_1" in str(info.value)


@in_process
def test_in_process_warnings_are_python_warnings(tmp_path):
    description = tmp_path / "board.json"
    description.write_text(
        '{"devices": [{"name": "cpu", "kind": "cpu", "peak_gflops": 1, '
        '"memory_bandwidth_gbps": 1, "memory_gb": 8}, {"name": "gpu", '
        '"kind": "nvidia", "peak_gflops": 50000, "memory_bandwidth_gbps": '
        '2000, "memory_gb": 80}], "links": [{"from": "cpu", "to": "gpu", '
        '"bandwidth_gbps": 25, "latency_us": 10}]}')
    with pytest.warns(UserWarning, match="names no target"):
        edge.compile(SAMPLE / "model.onnx", tmp_path / "m.so",
                     devices=str(description))


@in_process
def test_in_process_int8_weights(tmp_path):
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    weights = np.linspace(-1, 1, 64 * 16, dtype=np.float32).reshape(64, 16)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 16])],
        [numpy_helper.from_array(weights, "w")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    f32 = edge.load(edge.compile(proto, tmp_path / "f32.so"))
    int8 = edge.load(edge.compile(proto, tmp_path / "int8.so",
                                  quantize="int8-weights"))
    x = np.ones((2, 64), np.float32)
    exact = x @ weights
    assert np.allclose(f32.run(x)[0], exact, atol=1e-5)
    quantized = int8.run(x)[0]
    # Rounded to 1/127 of each column's largest weight: close, not equal.
    assert np.allclose(quantized, exact, atol=64 * 0.5 / 127)
    assert not np.array_equal(quantized, f32.run(x)[0])
    assert (tmp_path / "int8.so").stat().st_size < (tmp_path / "f32.so").stat().st_size
    int4 = edge.load(edge.compile(proto, tmp_path / "int4.so",
                                  quantize="int4-weights"))
    # Rounded to 1/7 of each block of 32 rows' largest weight.
    assert np.allclose(int4.run(x)[0], exact, atol=64 * 0.5 / 7)
    assert not np.array_equal(int4.run(x)[0], quantized)
    with pytest.raises(edge.CompileError, match="int4-weights"):
        edge.compile(proto, tmp_path / "bad.so", quantize="int4")


def test_rejects_other_model_types(tmp_path):
    with pytest.raises(TypeError, match="path, bytes or an onnx.ModelProto"):
        edge.compile(42, tmp_path / "m.so")
    with pytest.raises(ValueError, match="output_path is needed"):
        edge.compile(b"bytes")
