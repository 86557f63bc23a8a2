"""A library compiled for CPU features the running CPU lacks is refused at
load with an edge.Error naming the target and the missing features (the
runtime is told to treat AVX-512 as absent, so this holds on any x86-64
machine)."""

import os
import platform
from pathlib import Path

import pytest

import edge

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny_cnn" / "model.onnx"

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64",
                                reason="compiles x86-64 libraries")


@pytest.fixture
def avx512_library(tmp_path):
    if not os.environ.get("EDGE_COMPILE"):
        pytest.skip("EDGE_COMPILE is not set (run these tests through ctest)")
    return edge.compile(SAMPLE, tmp_path / "v4.so",
                        extra_args=["--mcpu=x86-64-v4"])


def test_missing_features_are_named(monkeypatch, avx512_library):
    monkeypatch.setenv("EDGE_DISABLE_CPU_FEATURES", "avx512f,avx512bw")
    with pytest.raises(edge.Error, match=r"compiled for x86-64-v4: "
                       r"this CPU lacks avx512f, avx512bw"):
        edge.load(avx512_library)
