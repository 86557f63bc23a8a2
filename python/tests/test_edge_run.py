"""The edge-run command line over the fake model libraries."""

import re
import stat
import subprocess

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper


def run(edge_run, *args, env=None):
    return subprocess.run([edge_run, *map(str, args)], capture_output=True,
                          text=True, env=env)


def expect_error(result, pattern):
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("edge-run: error: "), result.stderr
    assert re.search(pattern, result.stderr), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def save_npy(path, array):
    np.save(path, array)
    return path


def save_pb(path, tensor):
    path.write_bytes(tensor.SerializeToString())
    return path


@pytest.fixture
def ab(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 0.5, dtype=np.float32)
    return a, b, save_npy(tmp_path / "a.npy", a), save_npy(tmp_path / "b.npy", b)


def test_runs_npy_inputs(edge_run_path, fake_model_path, ab):
    _, _, a_file, b_file = ab
    result = run(edge_run_path, fake_model_path, "--input", a_file,
                 "--input", b_file)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^run: latency_ms=\d+\.\d+$", result.stdout, re.M)
    assert "output 0 'sum': float32[2,3] [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]" \
        in result.stdout
    assert "output 1 'max value': float32[] [5.5]" in result.stdout


def test_writes_tensorproto_outputs(edge_run_path, fake_model_path, tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    a_file = save_pb(tmp_path / "input_0.pb", numpy_helper.from_array(a, "a"))
    # Typed field (float_data) instead of raw_data.
    b = helper.make_tensor("b", onnx.TensorProto.FLOAT, [2, 3], [1] * 6)
    b_file = save_pb(tmp_path / "input_1.pb", b)
    out_dir = tmp_path / "out" / "nested"
    result = run(edge_run_path, fake_model_path, "--input", a_file,
                 f"--input={b_file}", "--output-dir", out_dir)
    assert result.returncode == 0, result.stderr
    total = onnx.load_tensor(str(out_dir / "output_0.pb"))
    assert total.name == "sum" and list(total.dims) == [2, 3]
    assert total.data_type == onnx.TensorProto.FLOAT
    np.testing.assert_array_equal(numpy_helper.to_array(total), a + 1)
    largest = onnx.load_tensor(str(out_dir / "output_1.pb"))
    assert largest.name == "max value" and list(largest.dims) == []
    assert numpy_helper.to_array(largest) == 6


def test_named_inputs(edge_run_path, fake_model_path, ab):
    a, b, a_file, b_file = ab
    result = run(edge_run_path, fake_model_path, "--input", f"b={b_file}",
                 "--input", f"a={a_file}")
    assert result.returncode == 0, result.stderr
    assert "[0.5, 1.5," in result.stdout


def test_bench(edge_run_path, fake_model_path, ab):
    _, _, a_file, b_file = ab
    result = run(edge_run_path, fake_model_path, "--input", a_file, "--input",
                 b_file, "--bench", 5, "--threads", 2)
    assert result.returncode == 0, result.stderr
    lines = [l for l in result.stdout.splitlines() if l.startswith("bench:")]
    assert len(lines) == 1
    assert re.fullmatch(r"bench: runs=5 median_ms=\d+\.\d+ min_ms=\d+\.\d+",
                        lines[0])


def test_typed_fields_and_every_dtype(edge_run_path, fake_types_model_path,
                                      tmp_path):
    P = onnx.TensorProto
    tensors = [
        helper.make_tensor("i64", P.INT64, [3], [-1, 2**40, 3]),
        helper.make_tensor("mask", P.BOOL, [3], [True, False, True]),
        helper.make_tensor("half", P.FLOAT16, [2],
                           np.array([1.5, -2], np.float16)),
        helper.make_tensor("f64", P.DOUBLE, [1, 2], [0.25, -1e300]),
        helper.make_tensor("i8", P.INT8, [2], [-128, 127]),
        helper.make_tensor("u16", P.UINT16, [2], [0, 65535]),
        helper.make_tensor("u32", P.UINT32, [2], [7, 2**32 - 1]),
        helper.make_tensor("scalar", P.INT32, [], [-42]),
    ]
    args = []
    for i, tensor in enumerate(tensors):
        assert not tensor.raw_data
        args += ["--input", save_pb(tmp_path / f"input_{i}.pb", tensor)]
    result = run(edge_run_path, fake_types_model_path, *args, "--output-dir",
                 tmp_path)
    assert result.returncode == 0, result.stderr
    for i, tensor in enumerate(tensors):
        out = onnx.load_tensor(str(tmp_path / f"output_{i}.pb"))
        assert out.data_type == tensor.data_type
        assert list(out.dims) == list(tensor.dims)
        np.testing.assert_array_equal(numpy_helper.to_array(out),
                                      numpy_helper.to_array(tensor))
    assert "output 1 'mask_out': bool[3] [true, false, true]" in result.stdout
    assert "output 2 'half_out': float16[2] [1.5, -2]" in result.stdout
    assert "output 7 'scalar_out': int32[] [-42]" in result.stdout


def types_model_npy_inputs(tmp_path):
    """One .npy file per input of fake_types_model.so, in graph order."""
    arrays = [np.array([1, 2, 3], np.int64), np.array([True, False, True]),
              np.array([0.5, 2], np.float16), np.array([[1.0, 2.0]]),
              np.array([-1, 1], np.int8), np.array([1, 2], np.uint16),
              np.array([1, 2], np.uint32), np.array(5, np.int32)]
    return [save_npy(tmp_path / f"in{i}.npy", a) for i, a in enumerate(arrays)]


def test_npy_dtypes(edge_run_path, fake_types_model_path, tmp_path):
    args = []
    for path in types_model_npy_inputs(tmp_path):
        args += ["--input", path]
    result = run(edge_run_path, fake_types_model_path, *args)
    assert result.returncode == 0, result.stderr
    assert "output 7 'scalar_out': int32[] [5]" in result.stdout


def test_typed_value_out_of_range(edge_run_path, fake_types_model_path,
                                  tmp_path):
    files = types_model_npy_inputs(tmp_path)
    files[4] = save_pb(tmp_path / "i8.pb", onnx.TensorProto(
        name="i8", data_type=onnx.TensorProto.INT8, dims=[2],
        int32_data=[1, 300]))
    args = []
    for path in files:
        args += ["--input", path]
    expect_error(run(edge_run_path, fake_types_model_path, *args),
                 "value 300 in int32_data does not fit int8")
    files[4] = save_pb(tmp_path / "i8.pb", onnx.TensorProto(
        name="i8", data_type=onnx.TensorProto.INT8, dims=[2], int32_data=[1]))
    args = []
    for path in files:
        args += ["--input", path]
    expect_error(run(edge_run_path, fake_types_model_path, *args),
                 "holds 1 values in int32_data, but its dims need 2")


def test_onnx_argument_uses_edge_compile(edge_run_path, fake_model_path, ab,
                                         tmp_path):
    _, _, a_file, b_file = ab
    onnx_file = tmp_path / "model.onnx"
    onnx_file.write_bytes(b"")
    compiler = tmp_path / "edge-compile"
    compiler.write_text(f'#!/bin/sh\necho compiling "$1" >&2\n'
                        f'cp {fake_model_path} "$3"\n')
    compiler.chmod(compiler.stat().st_mode | stat.S_IXUSR)
    env = {"EDGE_COMPILE": str(compiler), "PATH": "/usr/bin:/bin"}
    result = run(edge_run_path, onnx_file, "--input", a_file, "--input",
                 b_file, env=env)
    assert result.returncode == 0, result.stderr
    assert f"compiling {onnx_file}" in result.stderr
    assert "output 0 'sum'" in result.stdout

    compiler.write_text("#!/bin/sh\necho 'model.onnx: error: node \"n\" "
                        "(Foo, opset 17): unsupported op' >&2\nexit 1\n")
    result = run(edge_run_path, onnx_file, "--input", a_file, "--input",
                 b_file, env=env)
    assert result.returncode == 1
    assert "unsupported op" in result.stderr
    assert "edge-run: error: edge-compile failed" in result.stderr


def test_user_errors(edge_run_path, fake_model_path, not_a_model_path, ab,
                     tmp_path):
    a, _, a_file, b_file = ab
    model = fake_model_path
    expect_error(run(edge_run_path), "no model given")
    expect_error(run(edge_run_path, tmp_path / "none.so"),
                 "No such file or directory")
    expect_error(run(edge_run_path, tmp_path / "none.onnx"),
                 "No such file or directory")
    expect_error(run(edge_run_path, not_a_model_path),
                 "not an edge model library")
    expect_error(run(edge_run_path, model, "--frobnicate"), "unknown option")
    expect_error(run(edge_run_path, model, "--bench", 0), "positive integer")
    expect_error(run(edge_run_path, model, "--bench", "x"), "positive integer")
    expect_error(run(edge_run_path, model, "--input"), "expects a value")
    expect_error(run(edge_run_path, model, model), "unexpected argument")
    expect_error(run(edge_run_path, model, "--input", a_file),
                 r"2 input\(s\) but 1 --input given.*'a': float32\[2,3\]")
    expect_error(run(edge_run_path, model, "--input", f"a={a_file}"),
                 "no --input for graph input 'b'")
    expect_error(run(edge_run_path, model, "--input", f"a={a_file}",
                     "--input", f"a={a_file}"), "given twice")
    expect_error(run(edge_run_path, model, "--input", f"a={a_file}",
                     "--input", b_file), "either name every input")
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     tmp_path / "missing.npy"), "cannot read")

    wrong_shape = save_npy(tmp_path / "t.npy", a.T.copy())
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     wrong_shape),
                 r"input 1 'b' expects float32\[2,3\], but .* holds "
                 r"float32\[3,2\]")
    wrong_dtype = save_npy(tmp_path / "d.npy", a.astype(np.float64))
    expect_error(run(edge_run_path, model, "--input", wrong_dtype, "--input",
                     b_file), r"expects float32\[2,3\], but .* float64\[2,3\]")

    garbage = tmp_path / "garbage.pb"
    garbage.write_bytes(b"\xff\xfe this is not protobuf")
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     garbage), "nor an ONNX TensorProto|no data_type")

    truncated = tmp_path / "truncated.npy"
    truncated.write_bytes(a_file.read_bytes()[:-4])
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     truncated), "the array data has 20 bytes")
    bad_header = tmp_path / "header.npy"
    bad_header.write_bytes(a_file.read_bytes()[:20])
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     bad_header), "truncated .npy header|malformed")
    fortran = save_npy(tmp_path / "f.npy", np.asfortranarray(a))
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     fortran), "Fortran-ordered")
    big_endian = save_npy(tmp_path / "be.npy", a.astype(">f4"))
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     big_endian), "unsupported numpy dtype '>f4'")

    short_raw = onnx.TensorProto(name="b", data_type=1, dims=[2, 3],
                                 raw_data=b"\0" * 20)
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     save_pb(tmp_path / "raw.pb", short_raw)),
                 "20 bytes of raw_data, but .* need 24")
    huge = onnx.TensorProto(name="b", data_type=1, dims=[2**40, 2**40])
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     save_pb(tmp_path / "huge.pb", huge)), "overflows")
    strings = helper.make_tensor("b", onnx.TensorProto.STRING, [1], [b"x"])
    expect_error(run(edge_run_path, model, "--input", a_file, "--input",
                     save_pb(tmp_path / "str.pb", strings)),
                 r"unsupported data type dtype\(8\)")


def test_help(edge_run_path):
    result = run(edge_run_path, "--help")
    assert result.returncode == 0
    assert "run the model's parallel loops on N threads" in result.stdout
    assert "--bench N" in result.stdout


def dynamic_inputs(tmp_path, batch, y_batch=None):
    """x: f32[batch, 4] and y: f32[y_batch, 1] for the fake dynamic model."""
    x = np.arange(batch * 4, dtype=np.float32).reshape(batch, 4)
    y = np.full((batch if y_batch is None else y_batch, 1), 0.5, np.float32)
    return x, y, (save_npy(tmp_path / f"x{batch}.npy", x),
                  save_pb(tmp_path / f"y{batch}.pb",
                          numpy_helper.from_array(y, "y")))


def test_dynamic_sizes_take_each_files_shape(edge_run_path,
                                            fake_dynamic_model_path,
                                            tmp_path):
    x, y, (x_file, y_file) = dynamic_inputs(tmp_path, 3)
    out_dir = tmp_path / "out"
    result = run(edge_run_path, fake_dynamic_model_path, "--input",
                 f"x={x_file}", "--input", f"y={y_file}", "--output-dir",
                 out_dir, "--bench", 2, "--in-flight", 2)
    assert result.returncode == 0, result.stderr
    # The outputs at the run's shapes.
    assert "output 0 'sum': float32[3,4] [0.5, 1.5," in result.stdout
    assert "output 1 'rowmax': float32[3] [3.5, 7.5, 11.5]" in result.stdout
    assert "stream: runs=2 in_flight=2" in result.stdout
    total = onnx.load_tensor(str(out_dir / "output_0.pb"))
    assert list(total.dims) == [3, 4]
    np.testing.assert_array_equal(numpy_helper.to_array(total), x + y)
    rowmax = onnx.load_tensor(str(out_dir / "output_1.pb"))
    assert list(rowmax.dims) == [3]
    np.testing.assert_array_equal(numpy_helper.to_array(rowmax),
                                  (x + y).max(axis=1))


def test_dynamic_size_errors_name_the_input(edge_run_path,
                                            fake_dynamic_model_path,
                                            tmp_path):
    _, _, (x_file, y_file) = dynamic_inputs(tmp_path, 9)
    expect_error(run(edge_run_path, fake_dynamic_model_path, "--input", x_file,
                     "--input", y_file),
                 r"edge_model_set_input_shape: input 'x' dimension 0 "
                 r"\('batch'\) is 9, outside 0 to its bound 8")
    _, _, (x_file, y_file) = dynamic_inputs(tmp_path, 3, y_batch=2)
    expect_error(run(edge_run_path, fake_dynamic_model_path, "--input", x_file,
                     "--input", y_file),
                 r"running the model failed: edge_model_run: inputs 'x' "
                 r"\(dimension 0\) and 'y' \(dimension 0\) give 'batch' "
                 r"different sizes: 3 and 2")
    wrong = save_npy(tmp_path / "wrong.npy", np.ones((3, 5), np.float32))
    expect_error(run(edge_run_path, fake_dynamic_model_path, "--input", wrong,
                     "--input", y_file),
                 r"input 0 'x' expects float32\[batch<=8,4\], but "
                 r"'.*wrong.npy' holds float32\[3,5\]")
