#!/usr/bin/env bash
# Exports real models with torch (scripts/export_torch_models.py) and checks
# that edge compiles them and matches torch's output (scripts/conformance.py).
#   scripts/check-models.sh BUILD_DIR [MODEL,MODEL...]
# Default models: resnet18, resnet50, mobilenet_v2, bert_encoder.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=$(realpath "${1:-build}")
MODELS=${2:-resnet18,resnet50,mobilenet_v2,bert_encoder}
OUT="$BUILD_DIR/models"
mkdir -p "$OUT"

/usr/bin/python3 scripts/export_torch_models.py "$OUT" --models "$MODELS"
case_dirs=()
for model in ${MODELS//,/ }; do
  case_dirs+=(--case-dir "$OUT/$model")
done
/usr/bin/python3 scripts/conformance.py --build-dir "$BUILD_DIR" \
  "${case_dirs[@]}" --filter '^models/' --check --jobs 1
