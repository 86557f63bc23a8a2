"""Shared fixtures: the fake model libraries built in unittests/ and the
edge-run executable, whose paths ctest passes through the environment."""

import os

import pytest

# Under AddressSanitizer the interpreter runs with the shared ASan runtime
# preloaded (python/CMakeLists.txt); the edge tools the tests start carry
# their own, and two runtimes in one process refuse to start.
if "libclang_rt.asan" in os.environ.get("LD_PRELOAD", ""):
    del os.environ["LD_PRELOAD"]


def _path_from_env(name):
    path = os.environ.get(name)
    if not path:
        pytest.skip(f"{name} is not set (run these tests through ctest)")
    return path


@pytest.fixture
def fake_model_path():
    return _path_from_env("EDGE_FAKE_MODEL")


@pytest.fixture
def fake_dynamic_model_path():
    return _path_from_env("EDGE_FAKE_DYNAMIC_MODEL")


@pytest.fixture
def fake_types_model_path():
    return _path_from_env("EDGE_FAKE_TYPES_MODEL")


@pytest.fixture
def bad_metadata_model_path():
    return _path_from_env("EDGE_BAD_METADATA_MODEL")


@pytest.fixture
def not_a_model_path():
    return _path_from_env("EDGE_NOT_A_MODEL")


@pytest.fixture
def edge_run_path():
    return _path_from_env("EDGE_RUN")


@pytest.fixture
def fake_gpu_model_path():
    return _path_from_env("EDGE_FAKE_GPU_MODEL")


@pytest.fixture
def fake_gpu_model_no_driver_path():
    return _path_from_env("EDGE_FAKE_GPU_MODEL_NO_DRIVER")


@pytest.fixture
def fake_cuda_driver_path():
    return _path_from_env("EDGE_FAKE_CUDA_DRIVER")


@pytest.fixture
def fake_address_model_path():
    return _path_from_env("EDGE_FAKE_ADDRESS_MODEL")


@pytest.fixture
def fake_threaded_model_path():
    return _path_from_env("EDGE_FAKE_THREADED_MODEL")


@pytest.fixture
def bad_abi_model_path():
    return _path_from_env("EDGE_BAD_ABI_MODEL")
