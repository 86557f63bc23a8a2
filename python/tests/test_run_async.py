"""Model.run_async: runs in flight, pipelined across the devices of a model
placed for throughput, each waited for with PendingRun.wait()."""

import os

import numpy as np
import pytest

import edge

CHAIN = """<ir_version: 8, opset_import: ["" : 17]>
agraph (float[64, 64] x) => (float[64, 64] z) {
  shape = Constant <value = int64[2] {64, 64}> ()
  w1 = ConstantOfShape <value = float[1] {0.01}> (shape)
  w2 = ConstantOfShape <value = float[1] {0.02}> (shape)
  y = MatMul (x, w1)
  r = Relu (y)
  z = MatMul (r, w2)
}
"""

pytestmark = pytest.mark.skipif(
    not os.environ.get("EDGE_COMPILE"),
    reason="the compiler is not built (run these tests through ctest)")


@pytest.fixture(scope="module")
def pipelined(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pipelined")
    source = folder / "chain.onnxtxt"
    source.write_text(CHAIN)
    library = edge.compile(str(source), folder / "chain.so",
                           devices="host,host", objective="throughput")
    return edge.load(library)


def reference(x):
    w1 = np.full((64, 64), 0.01, np.float32)
    w2 = np.full((64, 64), 0.02, np.float32)
    return np.maximum(x @ w1, 0) @ w2


def test_runs_in_flight_match_the_reference(pipelined):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((64, 64)).astype(np.float32)
          for _ in range(edge.MAX_RUNS_IN_FLIGHT)]
    runs = [pipelined.run_async(x) for x in xs]
    # Waited for in any order; waiting again gives the same outputs.
    for x, run in reversed(list(zip(xs, runs))):
        (z,) = run.wait()
        np.testing.assert_allclose(z, reference(x), rtol=1e-5, atol=1e-5)
        assert run.wait()[0] is z
    (z,) = pipelined.run({"x": xs[0]})
    np.testing.assert_allclose(z, reference(xs[0]), rtol=1e-5, atol=1e-5)


def test_runs_in_flight_are_bounded(pipelined):
    x = np.zeros((64, 64), np.float32)
    runs = [pipelined.run_async(x) for _ in range(edge.MAX_RUNS_IN_FLIGHT)]
    with pytest.raises(edge.Error, match="runs are already in flight"):
        pipelined.run_async(x)
    runs[0].wait()
    # A freed slot takes the next run; runs left unwaited are waited for
    # when they are collected.
    pipelined.run_async(x).wait()
    del runs


def test_run_async_checks_its_inputs(pipelined):
    with pytest.raises(ValueError, match="expects shape"):
        pipelined.run_async(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="expects dtype"):
        pipelined.run_async(np.zeros((64, 64), np.float64))


def test_placement_report_comes_with_the_library(pipelined):
    # edge_model_report: what edge-compile --report would have written.
    report = pipelined.placement
    assert [d["name"] for d in report["devices"]] == ["host", "host1"]
    placement = report["placement"]
    assert placement["objective"] == "throughput"
    assert {n["node"]: n["device"] for n in placement["nodes"]} == {
        "MatMul_3+Relu_4": "host", "MatMul_5": "host"}
    assert placement["runs_per_second"] >= \
        placement["best_single_device"]["runs_per_second"]
    assert {op["node"] for op in report["ops"]} >= {"MatMul_5"}
