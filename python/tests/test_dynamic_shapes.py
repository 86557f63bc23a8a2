"""Models with dynamic sizes (edge-compile --dim=SYMBOL<=BOUND): inputs of
any allowed shape, outputs at each run's shape, shapes that break a bound
or disagree on a symbol refused with a message naming the input."""

import os

import numpy as np
import pytest

import edge

BLOCK = """<ir_version: 8, opset_import: ["" : 13]>
agraph (float[batch, 4] x, float[batch, 1] y) => (float[batch, 3] z, float[1, flat] f) <float[4, 3] w = {1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.}> {
  h = MatMul (x, w)
  s = Add (h, y)
  z = Softmax <axis = -1> (s)
  f = Flatten <axis = 0> (z)
}
"""


def test_infos_describe_dynamic_sizes(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    x = model.inputs[0]
    assert x.shape == (None, 4)
    assert x.max_shape == (8, 4)
    assert x.dim_names == ("batch", None)
    assert model.outputs[1].shape == (None,)
    assert model.outputs[1].dim_names == (None,)
    assert "shape=(None, 4)" in repr(x)


@pytest.mark.parametrize("batch", [1, 3, 8, 0])
def test_runs_at_any_batch(fake_dynamic_model_path, batch):
    model = edge.load(fake_dynamic_model_path)
    rng = np.random.default_rng(batch)
    x = rng.standard_normal((batch, 4)).astype(np.float32)
    y = rng.standard_normal((batch, 1)).astype(np.float32)
    total, rowmax = model.run(x, y)
    assert total.shape == (batch, 4)
    assert rowmax.shape == (batch,)
    np.testing.assert_array_equal(total, x + y)
    np.testing.assert_array_equal(rowmax, (x + y).max(axis=1, initial=-np.inf)
                                  if batch else np.zeros(0, np.float32))


def test_run_async_gives_the_runs_shapes(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    small = model.run_async(np.ones((2, 4), np.float32),
                            np.zeros((2, 1), np.float32))
    large = model.run_async(np.ones((5, 4), np.float32),
                            np.ones((5, 1), np.float32))
    assert small.wait()[0].shape == (2, 4)
    assert large.wait()[1].shape == (5,)
    np.testing.assert_array_equal(large.wait()[0], np.full((5, 4), 2.0))


def test_infos_give_bounds_and_symbols(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    assert repr(model.inputs[0]) == ("TensorInfo(name='x', shape=(None, 4), "
                                     "max_shape=(8, 4), dtype=float32)")
    assert model.inputs[1].dim_names == ("batch", None)
    total, rowmax = model.outputs
    assert total.shape == (None, 4)
    assert total.dim_names == ("batch", None)
    assert rowmax.max_shape == (8,)


def test_static_infos_have_no_symbols(fake_model_path):
    model = edge.load(fake_model_path)
    a = model.inputs[0]
    assert a.shape == a.max_shape == (2, 3)
    assert a.dim_names == (None, None)
    assert "max_shape" not in repr(a)


def test_runs_with_named_inputs(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = np.array([[1], [-1]], np.float32)
    total, rowmax = model.run({"y": y, "x": x})
    np.testing.assert_array_equal(total, x + y)
    np.testing.assert_array_equal(rowmax, [4, 6])


def test_runs_in_flight_keep_their_shapes(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    runs = []
    for batch in (3, 7, 1):
        x = np.full((batch, 4), batch, np.float32)
        y = np.ones((batch, 1), np.float32)
        runs.append((batch, model.run_async(x, y)))
    # Waited for out of order, each gives its own run's shapes.
    for batch, pending in (runs[1], runs[2], runs[0]):
        total, rowmax = pending.wait()
        assert total.shape == (batch, 4)
        assert rowmax.shape == (batch,)
        np.testing.assert_array_equal(rowmax, np.full(batch, batch + 1.0))
        # A second wait gives the same outputs.
        assert pending.wait()[1].shape == (batch,)


def test_a_refused_shape_leaves_the_model_usable(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    with pytest.raises(ValueError, match=r"input 'x' dimension 0 \('batch'\) "
                                         r"is 12, outside 0 to its bound 8"):
        model.run_async(np.ones((12, 4), np.float32),
                        np.ones((12, 1), np.float32))
    with pytest.raises(ValueError, match=r"input 1 'y' expects shape "
                                         r"\(None, 1\), got \(2, 2\)"):
        model.run(np.ones((2, 4), np.float32), np.ones((2, 2), np.float32))
    total, _ = model.run(np.ones((2, 4), np.float32),
                         np.ones((2, 1), np.float32))
    assert total.shape == (2, 4)


def test_refuses_a_size_above_its_bound(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    with pytest.raises(ValueError, match=r"input 'x' dimension 0 \('batch'\) "
                                         r"is 9, outside 0 to its bound 8"):
        model.run(np.ones((9, 4), np.float32), np.ones((9, 1), np.float32))


def test_refuses_inputs_that_disagree_on_a_symbol(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    with pytest.raises(ValueError, match=r"inputs 'x' \(dimension 0\) and 'y' "
                                         r"\(dimension 0\) give 'batch' "
                                         r"different sizes: 3 and 2"):
        model.run(np.ones((3, 4), np.float32), np.ones((2, 1), np.float32))


def test_refuses_a_wrong_static_size(fake_dynamic_model_path):
    model = edge.load(fake_dynamic_model_path)
    with pytest.raises(ValueError, match=r"expects shape \(None, 4\), got "
                                         r"\(3, 5\)"):
        model.run(np.ones((3, 5), np.float32), np.ones((3, 1), np.float32))


@pytest.mark.skipif(not os.environ.get("EDGE_COMPILE"),
                    reason="the compiler is not built (run through ctest)")
def test_compiled_once_runs_every_batch(tmp_path):
    source = tmp_path / "block.onnxtxt"
    source.write_text(BLOCK)
    model = edge.load(edge.compile(str(source), tmp_path / "block.so",
                                   dims=["batch<=6"]))
    assert model.inputs[0].shape == (None, 4)
    assert model.outputs[1].max_shape == (1, 18)
    w = np.arange(1, 13, dtype=np.float32).reshape(4, 3)
    for batch in (1, 4, 6):
        rng = np.random.default_rng(batch)
        x = rng.standard_normal((batch, 4)).astype(np.float32)
        y = rng.standard_normal((batch, 1)).astype(np.float32)
        z, f = model.run(x, y)
        s = x @ w + y
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        want = e / e.sum(axis=-1, keepdims=True)
        np.testing.assert_allclose(z, want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(f, want.reshape(1, -1), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="outside 0 to its bound 6"):
        model.run(np.ones((7, 4), np.float32), np.ones((7, 1), np.float32))
