#!/usr/bin/env bash
# Fuzzes edge's parsers of user input with libFuzzer, in the sanitized build
# folder build-asan (AddressSanitizer + UndefinedBehaviorSanitizer):
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs default to all:
#   import-binary import-text tensor devices metadata library-file
# Each target's corpus grows in fuzz-corpus/<target> (seeded once from the
# backend test models, the repository's examples and test inputs), crashes
# and hangs land in fuzz-artifacts/<target>/, and a summary line per target
# (executions, coverage, artifacts) is printed at the end. Add every crash
# found as a regression test, then delete its artifact.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then
  TARGETS=(import-binary import-text tensor devices metadata library-file)
fi

BUILD=${EDGE_FUZZ_BUILD_DIR:-build-asan}
EDGE_BUILD_DIR=$BUILD \
EDGE_CMAKE_ARGS="-DEDGE_SANITIZERS=address,undefined -DEDGE_ENABLE_FUZZERS=ON" \
  scripts/build.sh $(printf 'edge-fuzz-%s ' "${TARGETS[@]}")

TESTDATA=/usr/share/libonnx-testdata/data
seed() {
  local target=$1 corpus=$2
  case $target in
    import-binary)
      find "$TESTDATA" -name model.onnx | while read -r f; do
        cp "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16).onnx"; done
      cp samples/*/model.onnx "$corpus/" 2>/dev/null || true
      /usr/bin/python3 test/BadModels/bad_models.py write "$corpus/bad"
      find "$corpus/bad" -name '*.onnx' -exec mv {} "$corpus/" \;
      rm -rf "$corpus/bad" ;;
    import-text)
      cp test/Import/*.onnxtxt "$corpus/" ;;
    tensor)
      find "$TESTDATA/node" -name 'input_*.pb' | head -400 | while read -r f; do
        cp "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16).pb"; done
      /usr/bin/python3 -c "
import numpy as np, sys
for i, a in enumerate([np.zeros((2, 3), np.float32), np.arange(5, dtype=np.int64),
                       np.ones((1,), np.bool_), np.float16(1.5).reshape(())]):
    np.save(sys.argv[1] + '/seed%d.npy' % i, a)" "$corpus" ;;
    devices)
      cp fuzz/seeds/devices/*.json "$corpus/" ;;
    metadata)
      cp fuzz/seeds/metadata/*.txt "$corpus/" ;;
    library-file)
      cp "$BUILD"/unittests/*.so "$corpus/" 2>/dev/null || true
      cp /usr/lib/x86_64-linux-gnu/libm.so.6 "$corpus/" 2>/dev/null || true ;;
  esac
}

dictionary() {
  case $1 in
    import-binary) echo fuzz/dictionaries/onnx-protobuf.dict ;;
    import-text) echo fuzz/dictionaries/onnx-text.dict ;;
    devices) echo fuzz/dictionaries/devices.dict ;;
    metadata) echo fuzz/dictionaries/metadata.dict ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
SUMMARY=()
for target in "${TARGETS[@]}"; do
  corpus=fuzz-corpus/$target artifacts=fuzz-artifacts/$target
  mkdir -p "$artifacts"
  if [[ ! -d $corpus ]]; then
    mkdir -p "$corpus"
    seed "$target" "$corpus"
  fi
  dict=$(dictionary "$target")
  log=fuzz-artifacts/$target.log
  echo "== $target: $SECONDS_PER_TARGET s, corpus $(ls "$corpus" | wc -l) files"
  set +e
  "$BUILD/bin/fuzz/edge-fuzz-$target" "$corpus" \
    ${dict:+-dict=$dict} -max_total_time="$SECONDS_PER_TARGET" \
    -timeout=30 -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  status=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  found=$(ls "$artifacts" | wc -l)
  SUMMARY+=("$(printf '%-14s exit=%d executions=%s coverage=%s artifacts=%s' \
    "$target" "$status" "$execs" "$cov" "$found")")
done
printf '%s\n' "${SUMMARY[@]}"
