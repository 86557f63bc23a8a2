//===- AllocatorTest.cpp - The buffer cache of the generated code ---------===//

#include "Allocator.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

extern "C" {
void *_mlir_memref_to_llvm_alloc(uint64_t size);
void _mlir_memref_to_llvm_free(void *pointer);
}

namespace {

TEST(Allocator, ReusesFreedBlocksOfTheSameSize) {
  edge_rt_allocator_acquire();
  void *a = _mlir_memref_to_llvm_alloc(1000);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 16, 0u);
  std::memset(a, 1, 1000);
  _mlir_memref_to_llvm_free(a);
  // The next run asks for the same size: it gets the same block back.
  void *b = _mlir_memref_to_llvm_alloc(1000);
  EXPECT_EQ(a, b);
  void *c = _mlir_memref_to_llvm_alloc(1000);
  EXPECT_NE(c, b);
  void *d = _mlir_memref_to_llvm_alloc(24);
  EXPECT_NE(d, a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
  _mlir_memref_to_llvm_free(d);
  _mlir_memref_to_llvm_free(nullptr);
  edge_rt_allocator_release();
}

TEST(Allocator, ZeroSizeAndThreads) {
  edge_rt_allocator_acquire();
  void *empty = _mlir_memref_to_llvm_alloc(0);
  EXPECT_NE(empty, nullptr);
  _mlir_memref_to_llvm_free(empty);
  auto churn = [] {
    for (int i = 0; i < 2000; ++i) {
      void *p = _mlir_memref_to_llvm_alloc(64 + i % 7);
      std::memset(p, 0, 64);
      _mlir_memref_to_llvm_free(p);
    }
  };
  std::thread first(churn), second(churn);
  first.join();
  second.join();
  // The last instance gone, the cache is released; allocation still works.
  edge_rt_allocator_release();
  void *after = _mlir_memref_to_llvm_alloc(64);
  EXPECT_NE(after, nullptr);
  _mlir_memref_to_llvm_free(after);
}

} // namespace
