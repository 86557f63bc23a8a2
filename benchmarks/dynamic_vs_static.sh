#!/usr/bin/env bash
# The dynamic library (--dim=SYMBOL<=BOUND) against the library compiled
# for one shape (--dim=SYMBOL=SIZE), alternating, three rounds of
# `edge-run --bench` each (docs/performance.md, "Dynamic sizes against the
# static library"). Uses build/bin and Debian's python3 with onnx + numpy.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${EDGE_BIN:-$ROOT/build/bin}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
/usr/bin/python3 - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rng = np.random.RandomState(0)
def model(nodes, inputs, outputs, weights, path):
    graph = helper.make_graph(nodes, "g", inputs, outputs, weights)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, path)
def weight(name, shape):
    return numpy_helper.from_array((rng.randn(*shape) * 0.05).astype(np.float32), name)
model([helper.make_node("MatMul", ["x", "w1"], ["h"]),
       helper.make_node("Relu", ["h"], ["r"]),
       helper.make_node("MatMul", ["r", "w2"], ["y"])],
      [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 512])],
      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 512])],
      [weight("w1", (512, 512)), weight("w2", (512, 512))], "mlp.onnx")
model([helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
       helper.make_node("Relu", ["c"], ["r"]),
       helper.make_node("Conv", ["r", "v"], ["y"], pads=[1, 1, 1, 1])],
      [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 64, "h", "w"])],
      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 64, "h", "w"])],
      [weight("w", (64, 64, 3, 3)), weight("v", (64, 64, 3, 3))], "cnn.onnx")
np.save("x_mlp.npy", rng.randn(16, 512).astype(np.float32))
np.save("x_cnn.npy", rng.randn(1, 64, 28, 28).astype(np.float32))
PY
"$BIN/edge-compile" mlp.onnx --dim='batch<=64' -o mlp-dynamic.so
"$BIN/edge-compile" mlp.onnx --dim=batch=16 -o mlp-static.so
"$BIN/edge-compile" cnn.onnx --dim='n<=4' --dim='h<=64' --dim='w<=64' -o cnn-dynamic.so
"$BIN/edge-compile" cnn.onnx --dim=n=1 --dim=h=28 --dim=w=28 -o cnn-static.so
export EDGE_NUM_THREADS=1
for round in 1 2 3; do
  for lib in mlp-static mlp-dynamic; do
    echo "$lib $("$BIN/edge-run" $lib.so --input x_mlp.npy --bench 300 | grep bench:)"
  done
  for lib in cnn-static cnn-dynamic; do
    echo "$lib $("$BIN/edge-run" $lib.so --input x_cnn.npy --bench 100 | grep bench:)"
  done
done
