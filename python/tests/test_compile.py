"""edge.compile drives the edge-compile executable; a stand-in script plays
its part here."""

import os
import stat

import pytest

import edge


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
                          extra_args=["--report=r.txt"])
    assert result == out
    assert out.exists()
    assert log.read_text().split() == [
        "model.onnx", "-o", str(out), "--target=nvidia:sm_90",
        "--report=r.txt"]


def test_compile_error_carries_stderr(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", _fake_compiler(
        tmp_path, "echo 'model.onnx: error: unsupported op Foo' >&2\nexit 1\n"))
    with pytest.raises(edge.CompileError, match="unsupported op Foo") as info:
        edge.compile("model.onnx", tmp_path / "model.so")
    assert isinstance(info.value, edge.Error)


def test_missing_compiler(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", str(tmp_path / "no-such-compiler"))
    with pytest.raises(edge.CompileError, match="cannot run"):
        edge.compile("model.onnx", tmp_path / "model.so")


def test_find_edge_compile_prefers_env(monkeypatch):
    monkeypatch.setenv("EDGE_COMPILE", "/opt/edge/bin/edge-compile")
    assert edge.find_edge_compile() == "/opt/edge/bin/edge-compile"
    monkeypatch.delenv("EDGE_COMPILE")
    found = edge.find_edge_compile()
    assert found is None or os.path.basename(found) == "edge-compile"
