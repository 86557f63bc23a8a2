#!/usr/bin/env bash
# Installs the edge Python package as a user would (README.md, Python): a
# copy of python/ into a fresh virtual environment with Debian's pip and no
# network, from this build, then runs the README's Python example from
# outside the source tree and a compile-and-run of the sample.
#
#   scripts/check_python_install.sh BUILD_DIR
set -euo pipefail
SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "${1:?usage: check_python_install.sh BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/edge-python-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cp -r "$SOURCE_DIR/python" "$WORK/src"
/usr/bin/python3 -m venv --system-site-packages "$WORK/venv"
EDGE_SOURCE_DIR=$SOURCE_DIR EDGE_BUILD_DIR=$BUILD_DIR \
  "$WORK/venv/bin/pip" install --quiet --no-build-isolation --no-index \
  "$WORK/src"

# The README's example, as written, in an empty folder.
mkdir "$WORK/run"
/usr/bin/python3 - "$SOURCE_DIR/README.md" > "$WORK/run/example.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
match = re.search(r"<!-- python-example -->\n```python\n(.*?)```", text, re.S)
if not match:
    sys.exit("README.md has no <!-- python-example --> block")
print(match.group(1))
PY
cd "$WORK/run"
# The environment of the build tree must not leak in.
unset PYTHONPATH EDGE_COMPILE
"$WORK/venv/bin/python" example.py | tee output.txt
grep -q "largest difference from torch:" output.txt
"$WORK/venv/bin/python" - "$SOURCE_DIR" <<'PY'
import sys
from pathlib import Path
import numpy as np
import onnx.numpy_helper
import edge
assert "site-packages" in edge.__file__, edge.__file__
sample = Path(sys.argv[1]) / "samples/tiny_cnn"
edge.compile(sample / "model.onnx", "tiny_cnn.so")
model = edge.load("tiny_cnn.so")
def read(path):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return onnx.numpy_helper.to_array(tensor)
(y,) = model(read(sample / "input_0.pb"))
np.testing.assert_allclose(y, read(sample / "output_0.pb"), rtol=1e-4, atol=1e-5)
print("installed package: tiny_cnn matches its reference output")
PY
