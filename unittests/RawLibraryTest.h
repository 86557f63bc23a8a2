//===- RawLibraryTest.h - A model library's C ABI through dlsym -*- C++ -*-===//

#ifndef EDGE_UNITTESTS_RAWLIBRARYTEST_H
#define EDGE_UNITTESTS_RAWLIBRARYTEST_H

#include <dlfcn.h>
#include "gtest/gtest.h"

/// A test of a model library's C ABI resolved with dlsym, for what the
/// loader never calls (null handles, indices out of range).
class RawLibraryTest : public ::testing::Test {
protected:
  explicit RawLibraryTest(const char *path) : path(path) {}

  void SetUp() override {
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
  }
  void TearDown() override {
    if (handle)
      dlclose(handle);
  }
  template <typename FnTy> FnTy get(const char *name) {
    void *symbol = dlsym(handle, name);
    EXPECT_NE(symbol, nullptr) << name;
    return reinterpret_cast<FnTy>(symbol);
  }

  const char *path;
  void *handle = nullptr;
};

#endif // EDGE_UNITTESTS_RAWLIBRARYTEST_H
