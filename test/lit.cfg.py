# -*- Python -*-
# lit configuration of the edge test suite.

import os
import shutil
import platform

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "EDGE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.edge_obj_root, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%edge_src_root", config.edge_src_root))
config.substitutions.append(("%python", config.python_executable))
# The CUDA driver stand-in of the unit tests: runs GPU libraries' host code.
config.substitutions.append(("%fake_cuda_driver", os.path.join(
    config.edge_obj_root, "unittests", "libEdgeFakeCudaDriver.so")))
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

# GPU code generation needs the CUDA toolkit (ptxas, libdevice) for NVIDIA
# and the device libraries for AMD; tests that need them say REQUIRES.
ptxas = os.path.join(config.edge_cuda_path, "bin", "ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%ptxas", ptxas))
if os.path.isfile(os.path.join(config.edge_rocm_path, "amdgcn", "bitcode", "ocml.bc")):
    config.available_features.add("rocm-device-libs")

# AArch64 libraries run under qemu-user, through the AArch64 build of
# edge-run-lite (docs/targets.md); the packages come with scripts/install-deps.sh.
aarch64_runner = os.path.join(config.edge_tools_dir, "aarch64-linux-gnu", "edge-run-lite")
config.substitutions.append(("%run_aarch64",
                             "qemu-aarch64 -L /usr/aarch64-linux-gnu " + aarch64_runner))
if platform.machine() == "x86_64":
    config.available_features.add("x86_64-host")

# Libraries placed on several nodes run as one MPI rank per node
# (docs/distributed.md): mpirun as root, more ranks than cores, TCP between
# the ranks as between machines.
if shutil.which("mpirun") and shutil.which("mpicc"):
    config.available_features.add("mpi")
    config.substitutions.append(("%mpirun",
        "mpirun --allow-run-as-root --oversubscribe --bind-to none "
        "--mca btl tcp,self --mca btl_tcp_if_include lo"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.edge_tools_dir, config.llvm_tools_dir]
tools = [
    ToolSubst("edge-opt", unresolved="ignore"),
    ToolSubst("edge-translate", unresolved="ignore"),
    ToolSubst("edge-compile", unresolved="ignore"),
    ToolSubst("edge-calibrate", unresolved="ignore"),
    ToolSubst("edge-run", unresolved="ignore"),
    ToolSubst("edge-run-lite", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
