"""edge.export: torch.nn.Modules exported with torch.onnx.export, compiled
in-process and checked against torch."""

import sys
from pathlib import Path

import numpy as np
import pytest

import edge

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from export_torch_models import BertEncoder  # noqa: E402

pytestmark = pytest.mark.skipif(
    edge._compile._compiler is None and not edge.find_edge_compile(),
    reason="no compiler in this build")


@pytest.fixture(scope="module")
def resnet():
    torch.manual_seed(0)
    return torchvision.models.resnet18(weights=None).eval()


@pytest.fixture(scope="module")
def resnet_model(resnet, tmp_path_factory):
    example = torch.randn(1, 3, 64, 64,
                          generator=torch.Generator().manual_seed(1))
    path = tmp_path_factory.mktemp("resnet") / "resnet18.so"
    model = edge.export(resnet, example, path, verify=True, rtol=1e-3,
                        atol=1e-4)
    return model, path


def test_torchvision_cnn_matches_torch(resnet, resnet_model):
    model, path = resnet_model
    assert path.exists() and model.path == str(path)
    # Named after forward's parameter; one output.
    assert [i.name for i in model.inputs] == ["x"]
    assert model.inputs[0].shape == (1, 3, 64, 64)
    assert [o.name for o in model.outputs] == ["output_0"]
    assert 0 <= model.max_error < 1e-3
    # Another input than the example's: the same as torch.
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = resnet(x).numpy()
    (y,) = model(x.numpy())
    np.testing.assert_allclose(y, expected, rtol=1e-3, atol=1e-4)
    (by_name,) = model.run({"x": x.numpy()})
    np.testing.assert_array_equal(by_name, y)


def test_verify_reports_the_largest_error(resnet):
    example = torch.randn(1, 3, 32, 32)
    with pytest.raises(edge.Error,
                       match=r"output 'logits' differs from the module's by "
                             r"up to .* \(rtol=0, atol=0\)"):
        edge.export(resnet, example, output_names=["logits"], verify=True,
                    rtol=0, atol=0)


def test_bert_encoder_with_a_dynamic_sequence_matches_torch():
    torch.manual_seed(0)
    encoder = BertEncoder().eval()
    example = torch.randn(1, 32, 128)
    model = edge.export(encoder, example,
                        dynamic_axes={"embeddings": {1: ("sequence", 32)}},
                        verify=True, rtol=1e-3, atol=1e-4)
    info = model.inputs[0]
    assert info.name == "embeddings"
    assert info.shape == (1, None, 128) and info.max_shape == (1, 32, 128)
    for length in (1, 7, 32):
        x = torch.randn(1, length, 128)
        with torch.no_grad():
            expected = encoder(x).numpy()
        (y,) = model.run(x.numpy())
        np.testing.assert_allclose(y, expected, rtol=1e-3, atol=1e-4)


def test_export_errors(resnet, monkeypatch):
    example = torch.randn(1, 3, 32, 32)
    with pytest.raises(ValueError, match="1 example inputs but 2 input names"):
        edge.export(resnet, example, input_names=["a", "b"])
    with pytest.raises(ValueError, match="dynamic_axes names 'y', which is "
                                         "no input or output"):
        edge.export(resnet, example, dynamic_axes={"y": {0: "batch"}})
    with pytest.raises(ValueError, match="bound of 'batch' must be at least 1"):
        edge.export(resnet, example, dynamic_axes={"x": {0: ("batch", 0)}})
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="apt-get install python3-torch"):
        edge.export(resnet, example)


def test_export_onto_devices_with_threads(resnet):
    example = torch.randn(1, 3, 32, 32)
    model = edge.export(resnet, example, devices=None, threads=2)
    assert model.threads == 2
    assert [d["name"] for d in model.placement["devices"]] == ["host"]
