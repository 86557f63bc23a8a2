"""edge.load and edge.Model over the fake model libraries."""

import pathlib

import numpy as np
import pytest

import edge


def test_interface(fake_model_path):
    model = edge.load(pathlib.Path(fake_model_path))
    assert model.path == fake_model_path
    assert [i.name for i in model.inputs] == ["a", "b"]
    assert model.inputs[0].shape == (2, 3)
    assert model.inputs[0].dtype == np.float32
    assert model.inputs[0].dtype_code == 1
    assert [o.name for o in model.outputs] == ["sum", "max value"]
    assert model.outputs[1].shape == ()
    assert "TensorInfo(name='a', shape=(2, 3), dtype=float32)" == repr(
        model.inputs[0])
    assert "2 input(s)" in repr(model)
    assert model.workspace_bytes == 4096


def test_run_positional_and_by_name(fake_model_path):
    model = edge.load(fake_model_path)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 10, dtype=np.float32)
    total, largest = model.run(a, b)
    np.testing.assert_array_equal(total, a + b)
    assert total.dtype == np.float32 and total.shape == (2, 3)
    assert largest.shape == () and largest == 15
    total2, _ = model.run({"b": b, "a": a})
    np.testing.assert_array_equal(total2, total)


def test_run_converts_non_contiguous_arrays_and_lists(fake_model_path):
    model = edge.load(fake_model_path)
    a = np.arange(6, dtype=np.float32).reshape(3, 2).T  # Fortran order.
    assert not a.flags.c_contiguous
    total, _ = model.run(a, [[1, 1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(total, a + 1)


def test_run_rejects_bad_inputs(fake_model_path):
    model = edge.load(fake_model_path)
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="2 input"):
        model.run(a)
    with pytest.raises(ValueError, match=r"input 1 'b' expects shape \(2, 3\)"):
        model.run(a, np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="input 0 'a' expects dtype float32"):
        model.run(a.astype(np.float64), a)
    with pytest.raises(ValueError, match="missing input 'b'"):
        model.run({"a": a})
    with pytest.raises(ValueError, match="no input named 'c'"):
        model.run({"a": a, "b": a, "c": a})


def test_every_dtype_round_trips(fake_types_model_path):
    model = edge.load(fake_types_model_path)
    rng = np.random.default_rng(0)
    inputs = []
    for info in model.inputs:
        if info.dtype == np.bool_:
            value = rng.integers(0, 2, info.shape).astype(np.bool_)
        elif info.dtype.kind == "f":
            value = rng.standard_normal(info.shape).astype(info.dtype)
        else:
            value = rng.integers(0, 100, info.shape).astype(info.dtype)
        inputs.append(np.asarray(value, dtype=info.dtype))
    outputs = model.run(*inputs)
    assert len(outputs) == len(inputs)
    for given, got in zip(inputs, outputs):
        assert got.dtype == given.dtype and got.shape == given.shape
        np.testing.assert_array_equal(got, given)


def test_load_errors(tmp_path, not_a_model_path, bad_metadata_model_path):
    with pytest.raises(edge.Error, match="No such file"):
        edge.load(tmp_path / "missing.so")
    with pytest.raises(edge.Error, match="not an edge model library"):
        edge.load(not_a_model_path)
    with pytest.raises(edge.Error, match="metadata is invalid"):
        edge.load(bad_metadata_model_path)
    garbage = tmp_path / "garbage.so"
    garbage.write_text("not a library")
    with pytest.raises(RuntimeError, match="is not a model library"):
        edge.load(garbage)
