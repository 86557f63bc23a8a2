#!/usr/bin/env bash
# Installs every Debian package edge needs to build, test and run its sample.
# Idempotent: when all packages are present it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  # Toolchain: MLIR/LLVM 22 (shared libMLIR.so), clang++-22 + lld-22, build tools.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  cmake ninja-build ccache
  # AArch64 model libraries: the cross C library the runtime is built and
  # linked against, and qemu-user to run them in the tests (docs/targets.md).
  libc6-dev-arm64-cross libgcc-12-dev-arm64-cross qemu-user
  # AMD GPU code: the device libraries (ockl/ocml bitcode) kernels link with.
  # NVIDIA GPU code uses the CUDA toolkit preinstalled in /usr/local/cuda.
  rocm-device-libs
  # ONNX import: libonnx with its protobuf, and the backend conformance data.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Several machines: Open MPI (model libraries load libmpi.so.40 when run
  # under mpirun) and iproute2 for the emulated network (docs/distributed.md).
  openmpi-bin libopenmpi-dev iproute2
  # Tests and Python: GoogleTest, pybind11, numpy, onnx, pytest, torch (model
  # export), and pip, venv, setuptools and wheel (the package installed offline).
  libgtest-dev python3-dev pybind11-dev python3-numpy python3-onnx python3-pytest
  python3-torch python3-torchvision python3-pip python3-venv python3-setuptools
  python3-wheel
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
