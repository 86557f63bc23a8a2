//===- ConcurrencyTest.cpp - Many instances on many threads ---------------===//
//
// A model library is loaded into long-running processes that create many
// instances and run them on many threads. Each thread here owns instances
// of two different libraries (one with a two-thread pool), runs them
// repeatedly, and now and then gives an index out of range: that run fails
// with its own message, the next one succeeds, and no other thread's run
// is affected. scripts/sanitize.sh thread runs it under ThreadSanitizer.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using edge::LoadedModel;

namespace {

constexpr int kThreads = 6;
constexpr int kRuns = 40;
constexpr int64_t kSize = 65536;

/// One thread's work; returns a description of the first problem, or "".
std::string exercise(int thread) {
  std::string error;
  std::unique_ptr<LoadedModel> threaded =
      LoadedModel::load(EDGE_FAKE_THREADED_MODEL, error);
  if (!threaded)
    return "load: " + error;
  std::unique_ptr<LoadedModel> small = LoadedModel::load(EDGE_FAKE_MODEL, error);
  if (!small)
    return "load: " + error;

  std::vector<float> x(kSize), y(kSize);
  for (int64_t i = 0; i < kSize; ++i)
    x[i] = static_cast<float>(i % 1000) + thread;
  for (int run = 0; run < kRuns; ++run) {
    bool bad = run % 5 == 4;
    int64_t index = bad ? kSize + thread : -kSize + run;
    const void *inputs[] = {x.data(), &index};
    void *outputs[] = {y.data()};
    bool ok = threaded->run(inputs, outputs, error);
    if (bad) {
      std::string expected = "(fake gather, axis 0): index " +
                             std::to_string(kSize + thread) +
                             " is out of range";
      if (ok || error.find(expected) == std::string::npos)
        return "run " + std::to_string(run) + " should fail with '" +
               expected + "', got: " + (ok ? "success" : error);
      continue;
    }
    if (!ok)
      return "run " + std::to_string(run) + ": " + error;
    for (int64_t i = 0; i < kSize; i += 4099)
      if (y[i] != 2 * x[i])
        return "wrong value at " + std::to_string(i);

    float a[6] = {1, 2, 3, 4, 5, static_cast<float>(thread)}, sum[6], max;
    const void *smallInputs[] = {a, a};
    void *smallOutputs[] = {sum, &max};
    if (!small->run(smallInputs, smallOutputs, error))
      return "small model: " + error;
    if (max != std::max(10.0f, 2.0f * thread))
      return "small model: wrong maximum";
  }
  return "";
}

} // namespace

TEST(Concurrency, ManyInstancesOfTwoLibrariesOnManyThreads) {
  // Read by edge_model_create; set before any thread starts.
  setenv("EDGE_NUM_THREADS", "2", 1);
  std::vector<std::string> problems(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &problems] { problems[t] = exercise(t); });
  for (std::thread &thread : threads)
    thread.join();
  unsetenv("EDGE_NUM_THREADS");
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(problems[t], "") << "thread " << t;
}
