//===- ThreadPoolTest.cpp - The pool the parallel loops run on ------------===//

#include "ThreadPool.h"

#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

/// What an outlined loop body sees: counts how often each iteration ran
/// and on which threads.
struct Visits {
  explicit Visits(int64_t n) : counts(n) {}
  std::vector<std::atomic<int>> counts;
  std::mutex mutex;
  std::set<std::thread::id> threads;
};

void countVisits(void *ctx, int64_t begin, int64_t end) {
  auto *visits = static_cast<Visits *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    visits->counts[i].fetch_add(1);
  std::lock_guard<std::mutex> lock(visits->mutex);
  visits->threads.insert(std::this_thread::get_id());
}

void countVisitsSlowly(void *ctx, int64_t begin, int64_t end) {
  // Long enough that the caller cannot take every chunk alone.
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  countVisits(ctx, begin, end);
}

void expectEachIterationOnce(const Visits &visits) {
  for (size_t i = 0; i < visits.counts.size(); ++i)
    ASSERT_EQ(visits.counts[i].load(), 1) << "iteration " << i;
}

const std::set<std::thread::id> onlyThisThread() {
  return {std::this_thread::get_id()};
}

/// A pool of `threads`, current on this thread while the object lives.
class ScopedPool {
public:
  explicit ScopedPool(unsigned threads) {
    char error[256] = "";
    pool = edge_rt_create_thread_pool(threads, error, sizeof(error));
    EXPECT_EQ(std::string(error), "");
    previous = edge_rt_set_current_thread_pool(pool);
  }
  ~ScopedPool() {
    edge_rt_set_current_thread_pool(previous);
    edge_rt_destroy_thread_pool(pool);
  }
  edge_rt_thread_pool *pool;
  edge_rt_thread_pool *previous;
};

constexpr int64_t kLargeWork = int64_t(1) << 30;

TEST(ThreadPool, OneThreadRunsTheWholeRangeOnTheCaller) {
  EXPECT_EQ(edge_rt_create_thread_pool(1, nullptr, 0), nullptr);
  Visits visits(1000);
  edge_parallel_for(countVisits, &visits, 1000, kLargeWork, nullptr);
  expectEachIterationOnce(visits);
  EXPECT_EQ(visits.threads, onlyThisThread());
}

TEST(ThreadPool, SplitsLargeLoopsOverEveryThread) {
  ScopedPool pool(4);
  ASSERT_NE(pool.pool, nullptr);
  // Many loops in a row, as a model runs them: every iteration exactly
  // once each time, whatever the split.
  for (int64_t n : {2, 3, 7, 64, 1000, 4097}) {
    for (int round = 0; round < 50; ++round) {
      Visits visits(n);
      edge_parallel_for(countVisits, &visits, n, kLargeWork, nullptr);
      expectEachIterationOnce(visits);
    }
  }
  // Given slow enough chunks, every worker takes some.
  std::set<std::thread::id> seen;
  for (int round = 0; round < 200 && seen.size() < 4; ++round) {
    Visits visits(4096);
    edge_parallel_for(countVisitsSlowly, &visits, 4096, kLargeWork, nullptr);
    expectEachIterationOnce(visits);
    seen.insert(visits.threads.begin(), visits.threads.end());
  }
  EXPECT_EQ(seen.size(), 4u);
}

/// Records where each thread's first chunk began. Each thread's first chunk
/// holds on until both threads have started one, so that neither can take
/// the other's block before the other has started on it: the machine may
/// delay either thread (the caller after it has published the loop, as much
/// as the worker).
struct FirstChunks {
  std::thread::id caller = std::this_thread::get_id();
  std::mutex mutex;
  std::vector<std::pair<std::thread::id, int64_t>> firsts;
  std::atomic<int> started{0};
};

void recordFirstChunks(void *ctx, int64_t begin, int64_t end) {
  auto *chunks = static_cast<FirstChunks *>(ctx);
  std::thread::id self = std::this_thread::get_id();
  {
    std::lock_guard<std::mutex> lock(chunks->mutex);
    for (auto &[thread, first] : chunks->firsts)
      if (thread == self)
        return;
    chunks->firsts.emplace_back(self, begin);
  }
  ++chunks->started;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (chunks->started < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
}

TEST(ThreadPool, EachThreadStartsOnItsOwnBlock) {
  // Consecutive loops split alike keep each thread on the same part of the
  // data: the caller's block is the first part, the worker's the second.
  ScopedPool pool(2);
  FirstChunks chunks;
  edge_parallel_for(recordFirstChunks, &chunks, 8, kLargeWork, nullptr);
  ASSERT_EQ(chunks.firsts.size(), 2u);
  for (auto &[thread, first] : chunks.firsts)
    EXPECT_EQ(first, thread == chunks.caller ? 0 : 4);
}

TEST(ThreadPool, CallerDoesNotWaitForWorkersThatHaveNotJoined) {
  // A worker the machine does not schedule (another process on its core)
  // holds up no loop: the caller runs every chunk and returns. Loops after
  // it are split again once the worker is back.
  ScopedPool pool(2);
  edge_rt_hold_thread_pool_workers(pool.pool, 1);
  for (int round = 0; round < 20; ++round) {
    Visits visits(64);
    edge_parallel_for(countVisits, &visits, 64, kLargeWork, nullptr);
    expectEachIterationOnce(visits);
    EXPECT_EQ(visits.threads, onlyThisThread());
  }
  edge_rt_hold_thread_pool_workers(pool.pool, 0);
  FirstChunks chunks;
  edge_parallel_for(recordFirstChunks, &chunks, 8, kLargeWork, nullptr);
  EXPECT_EQ(chunks.firsts.size(), 2u);
}

TEST(ThreadPool, SmallAndEmptyLoopsStayOnTheCaller) {
  ScopedPool pool(2);
  Visits small(100);
  edge_parallel_for(countVisitsSlowly, &small, 100,
                    EDGE_RT_MIN_PARALLEL_WORK - 1, nullptr);
  expectEachIterationOnce(small);
  EXPECT_EQ(small.threads, onlyThisThread());
  Visits single(1);
  edge_parallel_for(countVisits, &single, 1, kLargeWork, nullptr);
  expectEachIterationOnce(single);
  EXPECT_EQ(single.threads, onlyThisThread());
  Visits none(0);
  edge_parallel_for(countVisits, &none, 0, kLargeWork, nullptr);
  EXPECT_TRUE(none.threads.empty());
}

/// A loop body that runs a nested parallel loop: the nested one runs
/// serially on whichever thread runs the outer chunk.
void runNestedLoop(void *ctx, int64_t begin, int64_t end) {
  auto *inner = static_cast<std::vector<std::unique_ptr<Visits>> *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    edge_parallel_for(countVisits, (*inner)[i].get(), 16, kLargeWork, nullptr);
    EXPECT_EQ((*inner)[i]->threads.size(), 1u);
  }
}

TEST(ThreadPool, NestedLoopsRunSerially) {
  ScopedPool pool(2);
  std::vector<std::unique_ptr<Visits>> inner;
  for (int i = 0; i < 8; ++i)
    inner.push_back(std::make_unique<Visits>(16));
  edge_parallel_for(runNestedLoop, &inner, 8, kLargeWork, nullptr);
  for (const auto &visits : inner)
    expectEachIterationOnce(*visits);
}

TEST(ThreadPool, WorkersWakeUpAfterSleeping) {
  ScopedPool pool(3);
  for (int round = 0; round < 3; ++round) {
    // Longer than the spin: the workers are asleep when the loop comes.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Visits visits(300);
    edge_parallel_for(countVisits, &visits, 300, kLargeWork, nullptr);
    expectEachIterationOnce(visits);
  }
}

TEST(ThreadPool, ThreadsFromTheEnvironment) {
  char error[256] = "";
  unsetenv("EDGE_NUM_THREADS");
  EXPECT_EQ(edge_rt_threads_from_environment(error, sizeof(error)), 1u);
  setenv("EDGE_NUM_THREADS", "3", 1);
  EXPECT_EQ(edge_rt_threads_from_environment(error, sizeof(error)), 3u);
  setenv("EDGE_NUM_THREADS", "0", 1);
  EXPECT_GE(edge_rt_threads_from_environment(error, sizeof(error)), 1u);
  for (const char *bad : {"two", "-1", "3x", "100000"}) {
    setenv("EDGE_NUM_THREADS", bad, 1);
    EXPECT_EQ(edge_rt_threads_from_environment(error, sizeof(error)), 0u)
        << bad;
    EXPECT_NE(std::string(error).find(bad), std::string::npos) << error;
  }
  unsetenv("EDGE_NUM_THREADS");
}

} // namespace
