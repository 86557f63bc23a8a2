#!/bin/bash
# Packs what a GPU machine without edge's toolchain needs to check GPU libraries:
# edge-run and the Debian libraries it loads, the conformance cases compiled earlier
# with `conformance.py --compile-only --keep DIR`, their test data, and the benchmark
# models compiled for the target. Writes OUTDIR/bundle.tar.xz for
# scripts/gpu-device-check.sh (docs/gpu.md).
#
#   scripts/gpu-bundle.sh [--build-dir build] [--target nvidia:sm_90]
#       [--cases .gpu/sm_90] [--models mobilenet_v2,bert_encoder] [--outdir .gpu]
set -euo pipefail

build=build
target=nvidia:sm_90
cases=""
models=mobilenet_v2,bert_encoder,squeezenet
outdir=.gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --outdir) outdir=$2; shift 2 ;;
    *) echo "gpu-bundle: unknown argument $1" >&2; exit 2 ;;
  esac
done

stage=$outdir/stage
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/models" "$stage/cases" "$stage/data"
cp "$build/bin/edge-run" "$stage/bin/"
echo "$target" > "$stage/target"
# The GPU machine runs another distribution: bring the Debian libraries
# edge-run needs beyond the C and C++ runtimes.
ldd "$build/bin/edge-run" | awk '/onnx|protobuf/ {print $3}' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done

if [ -n "$cases" ]; then
  data=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "scripts"); import conformance; print(conformance.find_data_dir())')
  (cd "$cases" && find . -name model.so) | while read -r library; do
    case_dir=$(dirname "$library")
    mkdir -p "$stage/cases/$case_dir" "$stage/data/$case_dir"
    cp "$cases/$library" "$stage/cases/$case_dir/"
    cp -r "$data/$case_dir/." "$stage/data/$case_dir/"
  done
fi

for model in ${models//,/ }; do
  "$build/bin/edge-compile" "$build/models/$model/model.onnx" --target="$target" \
    -o "$stage/models/$model.so"
  rm -f "$stage/models/$model.h"
  cp -r "$build/models/$model/test_data_set_0" "$stage/models/$model"
done

tar -C "$stage" -cJf "$outdir/bundle.tar.xz" .
rm -rf "$stage"
ls -la "$outdir/bundle.tar.xz"
