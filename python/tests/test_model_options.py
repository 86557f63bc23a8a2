"""A model's own thread count, inputs that reach the model without a copy,
and libraries the package refuses with the reason."""

import os
import shutil

import numpy as np
import pytest

import edge


def thread_count():
    return len(os.listdir("/proc/self/task"))


def test_threads_per_model(fake_threaded_model_path):
    x = np.arange(65536, dtype=np.float32)
    before = thread_count()
    model = edge.load(fake_threaded_model_path, threads=3)
    assert model.threads == 3
    # The pool's workers: the caller is the third thread.
    assert thread_count() == before + 2
    (y,) = model.run(x, np.int64(0))
    np.testing.assert_array_equal(y, 2 * x)
    single = edge.load(fake_threaded_model_path, threads=1)
    assert single.threads == 1
    np.testing.assert_array_equal(single.run(x, np.int64(0))[0], y)
    del model, single
    for threads in (0, 257, -1):
        with pytest.raises(ValueError, match="threads must be 1 to 256"):
            edge.load(fake_threaded_model_path, threads=threads)


def test_threads_default_to_the_environment(fake_threaded_model_path,
                                            monkeypatch):
    monkeypatch.setenv("EDGE_NUM_THREADS", "2")
    assert edge.load(fake_threaded_model_path).threads == 2
    monkeypatch.delenv("EDGE_NUM_THREADS")
    assert edge.load(fake_threaded_model_path).threads == 1
    assert edge.load(fake_threaded_model_path, threads=4).threads == 4


def test_inputs_reach_the_model_without_a_copy(fake_address_model_path):
    model = edge.load(fake_address_model_path)
    assert model.placement is None, "a stand-in library has no report"
    x = np.ones((4, 4), np.float32)
    (address,) = model(x)
    assert int(address) == x.ctypes.data
    # A transposed view is not C-contiguous, a float64 array not the
    # input's dtype: the first is copied, the second refused.
    transposed = np.ones((4, 4), np.float32).T
    (address,) = model(transposed)
    assert int(address) != transposed.ctypes.data
    with pytest.raises(TypeError, match="'x'"):
        model(np.ones((4, 4), np.float64))


def test_libraries_edge_cannot_use(bad_abi_model_path, fake_model_path,
                                   tmp_path):
    with pytest.raises(edge.Error, match="built for edge ABI version"):
        edge.load(bad_abi_model_path)
    other_machine = tmp_path / "aarch64_model.so"
    data = bytearray(open(fake_model_path, "rb").read())
    data[18:20] = (183).to_bytes(2, "little")  # e_machine: EM_AARCH64
    other_machine.write_bytes(bytes(data))
    with pytest.raises(edge.Error, match="AArch64"):
        edge.load(other_machine)
    truncated = tmp_path / "truncated.so"
    shutil.copy(fake_model_path, truncated)
    with open(truncated, "r+b") as f:
        f.truncate(100)
    with pytest.raises(edge.Error):
        edge.load(truncated)
    with pytest.raises(edge.Error, match="cannot load|No such file"):
        edge.load(tmp_path / "missing.so")


def test_outputs_into_the_callers_arrays(fake_address_model_path,
                                         fake_threaded_model_path):
    model = edge.load(fake_threaded_model_path)
    x = np.arange(65536, dtype=np.float32)
    y = np.zeros(65536, np.float32)
    (result,) = model.run(x, np.int64(0), out=[y])
    assert result is y
    np.testing.assert_array_equal(y, 2 * x)
    (again,) = model(x, np.int64(0), out=(y,))
    assert again is y
    with pytest.raises(ValueError, match="1 output\\(s\\) but out has 2"):
        model.run(x, np.int64(0), out=[y, y])
    with pytest.raises(TypeError, match="out\\[0\\] for output 'y' has dtype "
                                        "float64, the output's is float32"):
        model.run(x, np.int64(0), out=[np.zeros(65536)])
    with pytest.raises(ValueError, match="the shape \\(4,\\), the output's "
                                         "is \\(65536,\\)"):
        model.run(x, np.int64(0), out=[np.zeros(4, np.float32)])
    with pytest.raises(ValueError, match="C-contiguous, aligned and writeable"):
        model.run(x, np.int64(0), out=[np.zeros(131072, np.float32)[::2]])
    frozen = np.zeros(65536, np.float32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        model.run(x, np.int64(0), out=[frozen])
    with pytest.raises(TypeError, match="must be a numpy array"):
        model.run(x, np.int64(0), out=[[0.0] * 65536])
    with pytest.raises(TypeError, match="out must be a list"):
        model.run(x, np.int64(0), out=y)
