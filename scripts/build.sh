#!/usr/bin/env bash
# Configures (once) and builds edge in ./build with clang-22, lld, ninja and
# ccache against Debian's LLVM/MLIR 22. Extra arguments go to ninja (targets).
# EDGE_BUILD_DIR names another build folder; EDGE_CMAKE_ARGS adds options
# when it is configured (scripts/sanitize.sh and fuzz.sh use both).
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/install-deps.sh"

BUILD_DIR=${EDGE_BUILD_DIR:-build}
JOBS=${EDGE_JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Hash paths relative to the checkout so that clones in other folders (CI)
# reuse the cache.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    ${EDGE_CMAKE_ARGS:-}
fi
ninja -C "$BUILD_DIR" -j "$JOBS" "$@"
