"""The real compiler end to end from Python: compile the bundled sample,
run it with numpy and compare with PyTorch's reference output."""

import os
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto, numpy_helper

import edge

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny_cnn"


def _load_tensor(path):
    tensor = TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(tensor)


@pytest.mark.skipif(not os.environ.get("EDGE_COMPILE"),
                    reason="EDGE_COMPILE names no edge-compile (compiler not built)")
def test_compile_and_run_sample(tmp_path):
    library = edge.compile(SAMPLE / "model.onnx", tmp_path / "tiny_cnn.so")
    model = edge.load(library)
    assert [info.name for info in model.inputs] == ["input"]
    assert [info.name for info in model.outputs] == ["probabilities"]
    assert tuple(model.inputs[0].shape) == (1, 3, 32, 32)

    (probabilities,) = model.run(_load_tensor(SAMPLE / "input_0.pb"))
    expected = _load_tensor(SAMPLE / "output_0.pb")
    assert probabilities.shape == expected.shape
    np.testing.assert_allclose(probabilities, expected, rtol=1e-3, atol=1e-5)
