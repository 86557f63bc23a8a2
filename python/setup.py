"""Builds the edge package from the project's CMake build: the extensions
_edge (the model loader) and _compiler (the compiler library) are built by
ninja in the build folder ($EDGE_BUILD_DIR, default <source>/build, made
by scripts/build.sh when missing) and copied into the package, with the
files the in-process compiler links every model library with (the runtime
archives, its export list and Model.h) in edge/_data/. $EDGE_SOURCE_DIR
names the source tree when this folder is a copy of python/."""

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SOURCE = Path(os.environ.get("EDGE_SOURCE_DIR") or HERE.parent).resolve()
BUILD = Path(os.environ.get("EDGE_BUILD_DIR") or SOURCE / "build").resolve()
# What the compiler links each model with, as edge/_data/<name>.
COMPILER_FILES = {
    "libedge_runtime.a": BUILD / "lib/libedge_runtime.a",
    "aarch64-linux-gnu/libedge_runtime.a":
        BUILD / "lib/aarch64-linux-gnu/libedge_runtime.a",
    "exports.map": SOURCE / "lib/Runtime/exports.map",
    "Model.h": SOURCE / "include/edge-c/Model.h",
}


class CMakeBuild(build_ext):
    """Builds the extensions with the project's build, then copies them."""

    def run(self):
        if not (SOURCE / "scripts/build.sh").exists():
            raise RuntimeError(
                f"edge's sources are not at {SOURCE}: set EDGE_SOURCE_DIR")
        if not (BUILD / "build.ninja").exists():
            subprocess.run([str(SOURCE / "scripts/build.sh")], check=True,
                           env={**os.environ, "EDGE_BUILD_DIR": str(BUILD)})
        subprocess.run(["ninja", "-C", str(BUILD), "_edge", "_compiler",
                        "EdgeRuntime"], check=True)
        super().run()
        data = Path(self.build_lib) / "edge" / "_data"
        for name, path in COMPILER_FILES.items():
            if path.exists():
                (data / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, data / name)

    def build_extension(self, ext):
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = BUILD / "python/edge" / (ext.name.split(".")[-1] + suffix)
        if not built.exists():
            raise RuntimeError(
                f"{built} is missing: the build in {BUILD} was made for "
                "another Python (it uses /usr/bin/python3, Debian's)")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        # A copy keeps the build's run path to LLVM's shared libraries.
        shutil.copy2(built, target)


setup(ext_modules=[Extension("edge._edge", []),
                   Extension("edge._compiler", [])],
      cmdclass={"build_ext": CMakeBuild})
