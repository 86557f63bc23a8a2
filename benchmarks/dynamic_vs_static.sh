#!/usr/bin/env bash
# The dynamic library (--dim=SYMBOL<=BOUND) against the library compiled
# for one shape (--dim=SYMBOL=SIZE), alternating, three rounds of
# `edge-run --bench` each (docs/performance.md, "Dynamic sizes against the
# static library"). Models: an MLP and two convolutions built with onnx,
# torchvision's resnet18 and resnet50 and the BERT-style encoder of
# scripts/export_torch_models.py exported by torch with dynamic axes.
# Uses build/bin and Debian's python3 with onnx, numpy, torch and
# torchvision. Prints one line per run and a table of round medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${EDGE_BIN:-$ROOT/build/bin}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
ROOT=$ROOT /usr/bin/python3 - <<'PY'
import os, sys
import numpy as np, onnx, torch, torchvision
from onnx import helper, numpy_helper, TensorProto
sys.path.insert(0, os.path.join(os.environ["ROOT"], "scripts"))
from export_torch_models import BertEncoder
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
      [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64, "h", "w"])],
      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 64, "h", "w"])],
      [weight("w", (64, 64, 3, 3)), weight("v", (64, 64, 3, 3))], "cnn.onnx")
image_axes = {"x": {0: "batch", 2: "h", 3: "w"}, "y": {0: "batch"}}
for name in ("resnet18", "resnet50"):
    torch.manual_seed(0)
    net = getattr(torchvision.models, name)(weights=None).eval()
    torch.onnx.export(net, torch.randn(1, 3, 224, 224), f"{name}.onnx",
                      input_names=["x"], output_names=["y"],
                      dynamic_axes=image_axes, opset_version=17)
torch.manual_seed(0)
torch.onnx.export(BertEncoder().eval(), torch.randn(1, 32, 128), "encoder.onnx",
                  input_names=["x"], output_names=["y"], opset_version=17,
                  dynamic_axes={"x": {0: "batch", 1: "seq"},
                                "y": {0: "batch", 1: "seq"}})
for name, shape in {"mlp_16": (16, 512), "mlp_5": (5, 512),
                    "cnn_28": (1, 64, 28, 28), "image_224": (1, 3, 224, 224),
                    "image_3x160": (3, 3, 160, 160), "seq_128": (1, 128, 128),
                    "seq_7": (1, 7, 128), "seq_3x64": (3, 64, 128)}.items():
    np.save(f"x_{name}.npy", rng.randn(*shape).astype(np.float32))
PY
# case: model, input, static sizes, dynamic bounds, runs per round.
CASES=(
  "mlp mlp_16 batch=16 batch<=64 300"
  "mlp mlp_5 batch=5 batch<=64 300"
  "cnn cnn_28 batch=1,h=28,w=28 batch<=4,h<=64,w<=64 100"
  "resnet18 image_224 batch=1,h=224,w=224 batch<=8,h<=224,w<=224 30"
  "resnet50 image_224 batch=1,h=224,w=224 batch<=8,h<=224,w<=224 15"
  "resnet50 image_3x160 batch=3,h=160,w=160 batch<=8,h<=224,w<=224 10"
  "encoder seq_128 batch=1,seq=128 batch<=8,seq<=128 200"
  "encoder seq_7 batch=1,seq=7 batch<=8,seq<=128 500"
  "encoder seq_3x64 batch=3,seq=64 batch<=8,seq<=128 200"
)
dims() { local IFS=,; for d in $1; do printf -- "--dim=%s " "$d"; done; }
for case in "${CASES[@]}"; do
  read -r model input fixed bounds runs <<<"$case"
  [ -f "$model-dynamic.so" ] ||
    "$BIN/edge-compile" "$model.onnx" $(dims "$bounds") -o "$model-dynamic.so"
  "$BIN/edge-compile" "$model.onnx" $(dims "$fixed") -o "$model-$input-static.so"
done
export EDGE_NUM_THREADS=${EDGE_NUM_THREADS:-1}
for round in 1 2 3; do
  for case in "${CASES[@]}"; do
    read -r model input fixed bounds runs <<<"$case"
    for lib in "$model-$input-static" "$model-dynamic"; do
      median=$("$BIN/edge-run" "$lib.so" --input "x_$input.npy" --bench "$runs" |
               sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
      echo "$round $model $input ${lib##*-} $median" | tee -a results.txt
    done
  done
done
echo
echo "| model | input | static ms | dynamic ms | dynamic / static |"
echo "|---|---|---|---|---|"
/usr/bin/python3 - <<'PY'
import statistics
from collections import defaultdict
times = defaultdict(list)
order = []
for line in open("results.txt"):
    _, model, shape, kind, ms = line.split()
    if (model, shape) not in order:
        order.append((model, shape))
    times[(model, shape, kind)].append(float(ms))
for model, shape in order:
    s = statistics.median(times[(model, shape, "static")])
    d = statistics.median(times[(model, shape, "dynamic")])
    print(f"| {model} | {shape} | {s:.3g} | {d:.3g} | {d / s:.2f} |")
PY
