"""A model compiled for a GPU, through the fake GPU libraries of unittests/
(FakeGPUModel.c): it loads its driver when it is opened, reports a missing
one as an edge.Error, and runs through a driver (the host-memory stand-in
FakeCudaDriver.c) like any model."""

import numpy as np
import pytest

import edge


def test_missing_driver_is_an_error(monkeypatch, fake_gpu_model_no_driver_path):
    monkeypatch.setenv("EDGE_CUDA_LIBRARY", "/nonexistent/libcuda.so.1")
    with pytest.raises(edge.Error, match=r"compiled for nvidia:sm_90 and cannot run "
                                         r"here: the CUDA driver could not be loaded"):
        edge.load(fake_gpu_model_no_driver_path)


def test_runs_through_the_driver(monkeypatch, fake_gpu_model_path, fake_cuda_driver_path):
    monkeypatch.setenv("EDGE_CUDA_LIBRARY", fake_cuda_driver_path)
    model = edge.load(fake_gpu_model_path)
    x = np.arange(6, dtype=np.float32)
    for _ in range(2):
        (y,) = model.run(x)
        np.testing.assert_array_equal(y, x + np.array([10, 20, 30, 40, 50, 60], np.float32))
