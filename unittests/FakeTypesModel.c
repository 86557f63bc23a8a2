//===- FakeTypesModel.c - A fake model that copies tensors of many types --===//
//
// Each output is a copy of the input at the same position. Used to check
// that every dtype travels through TensorProto/.npy readers, the ABI and the
// Python module unchanged.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

#include <string.h>

const int64_t edge_generated_workspace_bytes = 0;

const char edge_generated_metadata[] = "edge-model 1\n"
                                       "input i64 7 1 3\n"
                                       "input mask 9 1 3\n"
                                       "input half 10 1 2\n"
                                       "input f64 11 2 1 2\n"
                                       "input i8 3 1 2\n"
                                       "input u16 4 1 2\n"
                                       "input u32 12 1 2\n"
                                       "input scalar 6 0\n"
                                       "output i64_out 7 1 3\n"
                                       "output mask_out 9 1 3\n"
                                       "output half_out 10 1 2\n"
                                       "output f64_out 11 2 1 2\n"
                                       "output i8_out 3 1 2\n"
                                       "output u16_out 4 1 2\n"
                                       "output u32_out 12 1 2\n"
                                       "output scalar_out 6 0";

void edge_generated_entry(int32_t partition, void **buffers) {
  (void)partition;
  static const unsigned long sizes[] = {24, 3, 4, 16, 2, 4, 8, 4};
  enum { count = sizeof(sizes) / sizeof(sizes[0]) };
  for (int i = 0; i < count; ++i)
    memcpy(buffers[count + i], buffers[i], sizes[i]);
}
