// RUN: edge-opt %s --pass-pipeline='builtin.module(func.func(edge-transpose-to-shuffles{lanes=6}))' -verify-diagnostics -o /dev/null

// A square block of 6 lanes has no bit-exchange stages.
// expected-error @below {{edge-transpose-to-shuffles: lanes must be a power of two of at least 2, not 6}}
func.func @bad_lanes(%a: vector<14x16xf32>) -> vector<16x14xf32> {
  %t = vector.transpose %a, [1, 0] : vector<14x16xf32> to vector<16x14xf32>
  return %t : vector<16x14xf32>
}
