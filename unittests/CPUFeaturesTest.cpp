//===- CPUFeaturesTest.cpp - The running CPU against a library's target ---===//

#include "CPUFeatures.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <string>

namespace {

/// Sets EDGE_DISABLE_CPU_FEATURES for one test.
struct DisabledFeatures {
  explicit DisabledFeatures(const char *list) {
    setenv("EDGE_DISABLE_CPU_FEATURES", list, 1);
  }
  ~DisabledFeatures() { unsetenv("EDGE_DISABLE_CPU_FEATURES"); }
};

/// The baseline feature of the running architecture: present on every CPU
/// this runtime runs on.
const char *baselineFeature() {
#if defined(__x86_64__)
  return "sse3";
#elif defined(__aarch64__)
  return "neon";
#else
  return nullptr;
#endif
}

std::string check(const char *requirement) {
  char error[256];
  if (edge_rt_check_cpu(requirement, error, sizeof(error)) == 0)
    return "ok";
  return error;
}

TEST(CPUFeatures, NothingRecordedRunsAnywhere) {
  EXPECT_EQ(check(nullptr), "ok");
  EXPECT_EQ(check(""), "ok");
  EXPECT_EQ(check("generic"), "ok");
}

TEST(CPUFeatures, BaselineIsPresent) {
  const char *feature = baselineFeature();
  if (!feature)
    GTEST_SKIP() << "no feature table for this architecture";
  EXPECT_EQ(edge_rt_cpu_has_feature(feature), 1);
  EXPECT_EQ(check((std::string("baseline ") + feature).c_str()), "ok");
}

TEST(CPUFeatures, DisabledFeaturesAreMissingAndNamed) {
  const char *feature = baselineFeature();
  if (!feature)
    GTEST_SKIP() << "no feature table for this architecture";
  DisabledFeatures disabled(feature);
  EXPECT_EQ(edge_rt_cpu_has_feature(feature), 0);
  EXPECT_EQ(check((std::string("some-cpu ") + feature).c_str()),
            std::string("compiled for some-cpu: this CPU lacks ") + feature);
}

TEST(CPUFeatures, EveryMissingFeatureIsListedInOrder) {
#if defined(__x86_64__)
  DisabledFeatures disabled("avx2,sse3,fma");
  EXPECT_EQ(check("x86-64-v3 sse3 avx2 fma"),
            "compiled for x86-64-v3: this CPU lacks sse3, avx2, fma");
#elif defined(__aarch64__)
  DisabledFeatures disabled("neon,fp-armv8");
  EXPECT_EQ(check("cortex-a76 fp-armv8 neon"),
            "compiled for cortex-a76: this CPU lacks fp-armv8, neon");
#else
  GTEST_SKIP() << "no feature table for this architecture";
#endif
}

TEST(CPUFeatures, UnknownNamesAreNotHeldAgainstTheCPU) {
  EXPECT_EQ(edge_rt_cpu_has_feature("not-a-feature"), -1);
  EXPECT_EQ(check("future-cpu not-a-feature"), "ok");
}

TEST(CPUFeatures, MalformedRecordIsRefused) {
  std::string longName = "cpu " + std::string(100, 'x');
  EXPECT_EQ(check(longName.c_str()),
            "the model library's CPU requirement is malformed");
  EXPECT_EQ(check("cpu  avx"),
            "the model library's CPU requirement is malformed");
}

TEST(CPUFeatures, ErrorFitsASmallBuffer) {
  const char *feature = baselineFeature();
  if (!feature)
    GTEST_SKIP() << "no feature table for this architecture";
  DisabledFeatures disabled(feature);
  char error[8];
  std::string requirement = std::string("a-very-long-target-name ") + feature;
  EXPECT_EQ(edge_rt_check_cpu(requirement.c_str(), error, sizeof(error)), -1);
  EXPECT_EQ(std::string(error), "compile");
}

} // namespace
