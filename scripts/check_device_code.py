#!/usr/bin/python3
"""Validates the device code edge-compile --device-code-dir wrote, without a GPU.

NVIDIA: every NAME.ptx is assembled by ptxas for the chip its `.target` line names.
AMD: every NAME.hsaco must be an AMDGPU HSA code object for the chip (llvm-readelf: ELF
OS/ABI "AMDGPU - HSA", machine EM_AMDGPU, the chip in the flags and in the amdhsa.target
note) with a kernel descriptor symbol (KERNEL.kd) for every kernel its metadata lists and
no undefined symbol (a math function the device libraries did not provide).

    scripts/check_device_code.py DIR [--ptxas PATH] [--readelf PATH]

Prints one line per problem and a summary; exits 1 when anything fails, 2 on bad usage.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Tuple

DEFAULT_PTXAS = "/usr/local/cuda/bin/ptxas"
DEFAULT_READELF = "/usr/lib/llvm-22/bin/llvm-readelf"


def check_ptx(path: Path, ptxas: str) -> Optional[str]:
    """Assembles one PTX file for its own target; returns the problem, if any."""
    match = re.search(r"^\.target\s+(sm_\w+)", path.read_text(), re.MULTILINE)
    if not match:
        return f"{path.name}: no .target line"
    run = subprocess.run([ptxas, f"-arch={match.group(1)}", "-o", "/dev/null", str(path)],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        first = (run.stderr or run.stdout).strip().splitlines()
        return f"{path.name}: ptxas -arch={match.group(1)} failed: " + (
            first[0] if first else f"exit status {run.returncode}")
    return None


def readelf(readelf_path: str, option: str, path: Path) -> str:
    return subprocess.run([readelf_path, option, str(path)], capture_output=True,
                          text=True, check=False).stdout


def check_code_object(path: Path, readelf_path: str) -> Optional[str]:
    """Checks one AMDGPU code object; returns the problem, if any."""
    header = readelf(readelf_path, "-h", path)
    if "AMDGPU - HSA" not in header:
        return f"{path.name}: OS/ABI is not AMDGPU - HSA"
    if "EM_AMDGPU" not in header:
        return f"{path.name}: machine is not EM_AMDGPU"
    flags = re.search(r"Flags:.*?(gfx\w+)", header)
    notes = readelf(readelf_path, "--notes", path)
    target = re.search(r"amdhsa\.target:\s+'?amdgcn-amd-amdhsa--(gfx\w+)", notes)
    if not flags or not target:
        return f"{path.name}: no chip in the flags or no amdhsa.target note"
    if flags.group(1) != target.group(1):
        return f"{path.name}: flags say {flags.group(1)}, the note {target.group(1)}"
    kernels = re.findall(r"^\s+\.name:\s+(\S+)", notes, re.MULTILINE)
    if not kernels:
        return f"{path.name}: the metadata lists no kernel"
    symbols = readelf(readelf_path, "-s", path)
    undefined = re.findall(r"^\s*\d+:\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+UND\s+(\S+)$", symbols,
                           re.MULTILINE)
    if undefined:
        return f"{path.name}: undefined symbols (device libraries not linked?): " + \
            ", ".join(sorted(set(undefined)))
    missing = [k for k in kernels if not re.search(rf"\s{re.escape(k)}\.kd$", symbols,
                                                   re.MULTILINE)]
    if missing:
        return f"{path.name}: no kernel descriptor for " + ", ".join(missing)
    return None


def check_directory(directory: Path, ptxas: str = DEFAULT_PTXAS,
                    readelf_path: str = DEFAULT_READELF) -> Tuple[List[str], str]:
    """Checks every PTX file and code object in `directory`; returns the problems and a
    one-line summary. A model whose outputs are empty or computed at compile time has no
    kernel, which is valid."""
    ptx = sorted(directory.glob("*.ptx"))
    objects = sorted(directory.glob("*.hsaco"))
    if not ptx and not objects:
        return [], f"no kernels in {directory}"
    problems = [p for p in (check_ptx(f, ptxas) for f in ptx) if p]
    problems += [p for p in (check_code_object(f, readelf_path) for f in objects) if p]
    return problems, (f"checked {len(ptx)} PTX files, {len(objects)} AMDGPU code objects: "
                      f"{len(problems)} problems")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--ptxas", default=shutil.which("ptxas") or DEFAULT_PTXAS)
    parser.add_argument("--readelf", default=DEFAULT_READELF)
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"check_device_code: error: {args.directory} is not a directory",
              file=sys.stderr)
        return 2
    problems, summary = check_directory(args.directory, args.ptxas, args.readelf)
    for problem in problems:
        print(problem)
    print(summary)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
