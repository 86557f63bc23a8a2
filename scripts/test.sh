#!/usr/bin/env bash
# Builds everything and runs every test suite through ctest: lit (dialect,
# conversions, importer, end-to-end), GoogleTest (runtime), pytest (Python
# module), the conformance must-pass list and the real-model checks.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
ctest --test-dir "${EDGE_BUILD_DIR:-build}" --output-on-failure \
  -j "${EDGE_JOBS:-$(nproc)}" "$@"
