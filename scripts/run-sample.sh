#!/usr/bin/env bash
# The main job on the bundled sample: compile samples/tiny_cnn/model.onnx to
# a native library, run it on the bundled input, print the outputs and the
# latency, and check them against the PyTorch reference.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh edge-compile edge-run EdgeRuntime
BIN=${EDGE_BUILD_DIR:-build}/bin
OUT=${EDGE_BUILD_DIR:-build}/sample
mkdir -p "$OUT"

echo "== edge-compile samples/tiny_cnn/model.onnx -o $OUT/tiny_cnn.so"
"$BIN/edge-compile" samples/tiny_cnn/model.onnx -o "$OUT/tiny_cnn.so"
echo "== edge-run $OUT/tiny_cnn.so --input samples/tiny_cnn/input_0.pb --bench 100"
"$BIN/edge-run" "$OUT/tiny_cnn.so" --input samples/tiny_cnn/input_0.pb \
  --output-dir "$OUT" --bench 100
echo "== compare with the PyTorch reference"
/usr/bin/python3 scripts/compare_outputs.py "$OUT/output_0.pb" \
  samples/tiny_cnn/output_0.pb
