"""Writes a MatMulNBits model (4-bit weights with zero points, a bias) and
its numpy reference for int4.test: model.onnx, input_0.pb, output_0.pb.

    int4_model.py OUT_DIR
"""

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from matmul_nbits import pack_nbits  # noqa: E402

out = Path(sys.argv[1])
rng = np.random.default_rng(0)
k, n, block = 128, 48, 32
weights = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
packed, scales, zeros, dequantized = pack_nbits(weights, 4, block, symmetric=False)
bias = rng.standard_normal(n).astype(np.float32)
node = helper.make_node("MatMulNBits", ["x", "b", "scales", "zeros", "", "bias"],
                        ["y"], domain="com.microsoft", K=k, N=n, bits=4,
                        block_size=block)
graph = helper.make_graph(
    [node], "int4",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["s", k])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["s", n])],
    [numpy_helper.from_array(packed, "b"), numpy_helper.from_array(scales, "scales"),
     numpy_helper.from_array(zeros, "zeros"), numpy_helper.from_array(bias, "bias")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                  helper.make_opsetid("com.microsoft", 1)]),
          str(out / "model.onnx"))
x = rng.standard_normal((5, k)).astype(np.float32)
for name, value in (("input_0", x), ("output_0", x @ dequantized + bias)):
    (out / f"{name}.pb").write_bytes(
        numpy_helper.from_array(value.astype(np.float32), name).SerializeToString())
