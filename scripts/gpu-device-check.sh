#!/bin/bash
# Runs on a GPU machine, from the repository root, what scripts/gpu-bundle.sh packed:
# the conformance cases compiled for the GPU (checked against the reference outputs),
# the benchmark models (checked, then timed with edge-run --bench), and PyTorch on the
# same GPU as the peer. Writes gpu-run.md/json and the logs to $OUT (default /tmp/out).
set -uo pipefail

bundle=${1:-.gpu/bundle.tar.xz}
out=${OUT:-/tmp/out}
runs=${RUNS:-100}
work=$(mktemp -d)
mkdir -p "$out"
tar -C "$work" -xJf "$bundle"
export LD_LIBRARY_PATH=$work/lib
export PYTHONUNBUFFERED=1
python=${PYTHON:-python3}

gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)
echo "GPU: $gpu; libraries compiled for $(cat "$work/target")"

if [ -n "$(ls "$work/cases")" ]; then
  "$python" scripts/conformance.py --build-dir "$work" --prebuilt "$work/cases" \
    --data-dir "$work/data" --jobs "$(nproc)" --json "$out/gpu-run.json" \
    --report "$out/gpu-run.md" > "$out/conformance.log" 2>&1
  grep -v "^\[.*\] pass " "$out/conformance.log" | tail -60
  # Say where the results come from, for scripts/gpu_conformance.py --gpu-run.
  "$python" - "$out/gpu-run.json" "$gpu" "$(cat "$work/target")" <<'PY'
import json, sys
path, device, target = sys.argv[1:4]
doc = json.load(open(path))
doc.update(device=device, target=target)
json.dump(doc, open(path, "w"), indent=2)
PY
fi

for library in "$work"/models/*.so; do
  model=$(basename "$library" .so)
  data=$work/models/$model
  echo "== $model"
  "$work/bin/edge-run" "$library" --input "$data/input_0.pb" \
    --output-dir "$work/out/$model" --bench "$runs"
  "$python" scripts/compare_outputs.py --atol 1e-3 "$data/output_0.pb" \
    "$work/out/$model/output_0.pb"
done

models=$(cd "$work/models" && ls *.so 2>/dev/null | sed 's/\.so$//' | paste -sd,)
if [ -n "$models" ]; then
  "$python" benchmarks/gpu_torch_baseline.py --models "$models" --runs "$runs"
fi
