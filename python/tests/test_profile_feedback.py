"""edge.compile(profile_feedback=[...]): a profile of a library placed on
several devices (EDGE_PROFILE) corrects the placer's estimates; a profile
of another placement is refused with the compiler's reason."""

import json
import os

import numpy as np
import pytest

import edge

CHAIN = """<ir_version: 8, opset_import: ["" : 17]>
agraph (float[128, 128] x) => (float[128, 128] z) {
  shape = Constant <value = int64[2] {128, 128}> ()
  w = ConstantOfShape <value = float[1] {0.01}> (shape)
  a = MatMul (x, w)
  b = MatMul (a, w)
  c = MatMul (b, w)
  z = MatMul (c, w)
}
"""

pytestmark = pytest.mark.skipif(
    not os.environ.get("EDGE_COMPILE"),
    reason="the compiler is not built (run these tests through ctest)")


@pytest.fixture(scope="module")
def profiled(tmp_path_factory):
    """The chain placed for a stream on two devices, and its profile."""
    folder = tmp_path_factory.mktemp("feedback")
    source = folder / "chain.onnxtxt"
    source.write_text(CHAIN)
    library = edge.compile(str(source), folder / "chain.so",
                           devices="host,host", objective="throughput")
    profile = folder / "profile.json"
    os.environ["EDGE_PROFILE"] = str(profile)
    try:
        model = edge.load(library)
        model.run({"x": np.ones((128, 128), np.float32)})
        del model
    finally:
        del os.environ["EDGE_PROFILE"]
    return source, profile


def test_a_profile_corrects_the_estimates(profiled, tmp_path):
    source, profile = profiled
    steps = json.loads(profile.read_text())["edge"]["steps"]
    partitions = [s for s in steps if s["name"].startswith("partition")]
    assert len(partitions) == 2
    # The first stage measured ten times its estimate.
    for step in steps:
        if step["name"] == "partition 0":
            step["median_us"] = 10 * step["estimate_us"]
        elif step["name"] == "partition 1":
            step["median_us"] = step["estimate_us"]
    slower = tmp_path / "slower.json"
    data = json.loads(profile.read_text())
    data["edge"]["steps"] = steps
    slower.write_text(json.dumps(data))
    report = tmp_path / "report.json"
    library = edge.compile(str(source), tmp_path / "corrected.so",
                           devices="host,host", objective="throughput",
                           profile_feedback=[slower], report=report)
    nodes = json.loads(report.read_text())["placement"]["nodes"]
    device = {n["node"]: n["device"] for n in nodes}
    assert device["MatMul_2"] != device["MatMul_3"]
    x = np.random.RandomState(0).randn(128, 128).astype(np.float32)
    w = np.full((128, 128), 0.01, np.float32)
    (z,) = edge.load(library).run({"x": x})
    np.testing.assert_allclose(z, x @ w @ w @ w @ w, rtol=1e-4, atol=1e-6)


def test_a_profile_of_another_placement_is_refused(profiled, tmp_path):
    source, profile = profiled
    with pytest.raises(edge.CompileError,
                       match="2 partitions there, 1 here"):
        edge.compile(str(source), tmp_path / "latency.so",
                     devices="host,host", profile_feedback=[profile])
