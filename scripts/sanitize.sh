#!/usr/bin/env bash
# Builds edge with sanitizers in its own folder and runs the suites there:
#
#   scripts/sanitize.sh address   # build-asan: AddressSanitizer + UBSan
#                                 # (+ LeakSanitizer); lit, GoogleTest,
#                                 # pytest, 300 conformance cases
#   scripts/sanitize.sh thread    # build-tsan: ThreadSanitizer; the
#                                 # runtime's threaded tests and the
#                                 # multi-instance stress test (not the
#                                 # compiler: libMLIR is not built with TSan)
#
# Sanitizer reports end the process (-fno-sanitize-recover=all), so a
# report is a failed test. The runtime archive linked into model libraries
# is sanitized too; those libraries get the sanitizer's runtime from the
# process that loads them (edge-run, the tests). pytest runs the
# interpreter with the shared ASan runtime preloaded (python/CMakeLists.txt).
# Results: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-address}
case $KIND in
  address) BUILD=build-asan SANITIZERS=address,undefined
           EXTRA="-DEDGE_ENABLE_FUZZERS=ON" ;;
  thread)  BUILD=build-tsan SANITIZERS=thread EXTRA="" ;;
  *) echo "usage: $0 address|thread" >&2; exit 2 ;;
esac
EDGE_BUILD_DIR=$BUILD \
EDGE_CMAKE_ARGS="-DEDGE_SANITIZERS=$SANITIZERS $EXTRA" scripts/build.sh

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
failed=0
run() {
  echo "== $*"
  if ! "$@"; then
    echo "FAILED: $*"
    failed=1
  fi
}

if [[ $KIND == address ]]; then
  run ctest --test-dir "$BUILD" --output-on-failure -j 2 \
    -E '^(conformance-.*|models)$'
  run /usr/bin/python3 scripts/conformance.py --build-dir "$BUILD" \
    --cases-file test/e2e/must-pass.txt --sample 300 --check --jobs 2
else
  # The thread pool, the device executors, the GPU runtime on the stand-in
  # driver, and many instances on many threads. The compiler is left out:
  # Debian's libMLIR is not built with TSan, so its thread pool's locking is
  # invisible to it and every multi-threaded compile reports false races.
  run "$BUILD/bin/EdgeUnitTests" \
    --gtest_filter='ThreadPool.*:PartitionedModel.*:PipelinedModel.*:Model.*:GPU.*:Concurrency.*'
fi
exit $failed
