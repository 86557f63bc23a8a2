#!/usr/bin/python3
"""Compares two ONNX TensorProto files (e.g. edge-run's output_0.pb with a reference).

Prints the max absolute and relative errors and exits 1 when the tensors do not match,
using the same rule as scripts/conformance.py (same shape and element type; floats within
rtol/atol with NaN == NaN; integers, booleans and strings exact). Exits 2 on unreadable input.

    scripts/compare_outputs.py samples/tiny_cnn/output_0.pb out/output_0.pb
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conformance import (DEFAULT_ATOL, DEFAULT_RTOL, compare_values,  # noqa: E402
                         format_error, load_proto)
from google.protobuf.message import DecodeError  # noqa: E402


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("expected", type=Path, help="reference TensorProto (.pb)")
    parser.add_argument("actual", type=Path, help="TensorProto to check (.pb)")
    parser.add_argument("--rtol", type=float, default=DEFAULT_RTOL,
                        help=f"relative tolerance (default: {DEFAULT_RTOL:g})")
    parser.add_argument("--atol", type=float, default=DEFAULT_ATOL,
                        help=f"absolute tolerance (default: {DEFAULT_ATOL:g})")
    args = parser.parse_args(argv)
    try:
        result = compare_values(load_proto(args.expected), load_proto(args.actual),
                                args.rtol, args.atol)
    except (OSError, DecodeError, ValueError) as error:
        print(f"compare_outputs: error: {error}", file=sys.stderr)
        return 2
    print(f"max abs err {format_error(result.max_abs)}, max rel err {format_error(result.max_rel)}"
          f" (rtol {args.rtol:g}, atol {args.atol:g})")
    if not result.ok:
        print(f"MISMATCH: {result.reason}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
