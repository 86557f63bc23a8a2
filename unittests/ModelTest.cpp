//===- ModelTest.cpp - The model ABI, through a fake model library --------===//
//
// fake_model.so is FakeModel.c linked with libedge_runtime.a and exports.map
// the way edge-compile links a model, so these tests cover the runtime's ABI
// implementation and the library's exported symbols end to end.
//
//===----------------------------------------------------------------------===//

#include "RawLibraryTest.h"

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

using edge::LoadedModel;

namespace {

std::unique_ptr<LoadedModel> loadOrFail(const char *path) {
  std::string error;
  std::unique_ptr<LoadedModel> model = LoadedModel::load(path, error);
  EXPECT_TRUE(model) << error;
  EXPECT_EQ(error, "");
  return model;
}

std::vector<int64_t> shapeOf(const edge_tensor_info &info) {
  return std::vector<int64_t>(info.shape, info.shape + info.rank);
}

TEST(Model, DescribesItsInterface) {
  auto model = loadOrFail(EDGE_FAKE_MODEL);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->getPath(), EDGE_FAKE_MODEL);
  ASSERT_EQ(model->getNumInputs(), 2u);
  ASSERT_EQ(model->getNumOutputs(), 2u);
  EXPECT_STREQ(model->getInput(0).name, "a");
  EXPECT_STREQ(model->getInput(1).name, "b");
  EXPECT_EQ(model->getInput(1).dtype, EDGE_DTYPE_FLOAT32);
  EXPECT_EQ(shapeOf(model->getInput(1)), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(model->getInput(1).num_bytes, 24u);
  EXPECT_STREQ(model->getOutput(0).name, "sum");
  EXPECT_STREQ(model->getOutput(1).name, "max value");
  EXPECT_EQ(model->getOutput(1).rank, 0);
  EXPECT_EQ(model->getOutput(1).num_elements, 1u);
  EXPECT_EQ(model->getOutput(1).num_bytes, 4u);
  EXPECT_EQ(model->getWorkspaceBytes(), 4096u);
}

TEST(Model, Runs) {
  auto model = loadOrFail(EDGE_FAKE_MODEL);
  ASSERT_TRUE(model);
  float a[6] = {1, 2, 3, 4, 5, 6};
  float b[6] = {10, 20, 30, 40, 50, -60};
  float sum[6] = {};
  float max = 0;
  const void *inputs[] = {a, b};
  void *outputs[] = {sum, &max};
  std::string error;
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(std::vector<float>(sum, sum + 6),
            (std::vector<float>{11, 22, 33, 44, 55, -54}));
  EXPECT_EQ(max, 55);

  // A model on one device runs in edge_model_run_async itself.
  max = 0;
  uint64_t ticket = 0;
  ASSERT_TRUE(model->runAsync(inputs, outputs, ticket, error)) << error;
  EXPECT_NE(ticket, 0u);
  EXPECT_EQ(max, 55);
  ASSERT_TRUE(model->wait(ticket, error)) << error;
  const void *missing[] = {a, nullptr};
  EXPECT_FALSE(model->runAsync(missing, outputs, ticket, error));
  EXPECT_EQ(error, "edge_model_run_async: input 1 ('b') is NULL");
  EXPECT_EQ(ticket, 0u);
}

/// Runs the fake partitioned model on a = [1, 2, 3, 4] and returns its
/// outputs: y, y_copy, flags (see FakePartitionedModel.c). `stderrText`
/// receives what creating and running it printed.
struct PartitionedRun {
  std::vector<float> y, copy, flags;
  std::string stderrText;
};

PartitionedRun runPartitioned(int instances = 1) {
  PartitionedRun result;
  testing::internal::CaptureStderr();
  auto model = loadOrFail(EDGE_FAKE_PARTITIONED_MODEL);
  for (int n = 0; model && n < instances; ++n) {
    float a[4] = {1, 2, 3, 4};
    float y[4] = {}, copy[4] = {}, flags[2] = {-1, -1};
    const void *inputs[] = {a};
    void *outputs[] = {y, copy, flags};
    std::string error;
    EXPECT_TRUE(model->run(inputs, outputs, error)) << error;
    result.y.assign(y, y + 4);
    result.copy.assign(copy, copy + 4);
    result.flags.assign(flags, flags + 2);
  }
  // Another instance of the same library reports nothing again.
  std::string error;
  if (model)
    EXPECT_TRUE(LoadedModel::load(EDGE_FAKE_PARTITIONED_MODEL, error)) << error;
  result.stderrText = testing::internal::GetCapturedStderr();
  return result;
}

size_t countOccurrences(const std::string &text, const std::string &word) {
  size_t count = 0;
  for (size_t at = text.find(word); at != std::string::npos;
       at = text.find(word, at + 1))
    ++count;
  return count;
}

TEST(PartitionedModel, RunsTheScheduleAcrossDevices) {
  PartitionedRun run = runPartitioned(2);
  EXPECT_EQ(run.y, (std::vector<float>{3, 5, 7, 9}));
  EXPECT_EQ(run.copy, run.y);
  // cpu1's partition ran on its own thread; gpu0's fell back to the
  // caller's thread.
  EXPECT_EQ(run.flags, (std::vector<float>{1, 1}));
  // The fallback is reported once, naming the device and the reason.
  EXPECT_EQ(countOccurrences(run.stderrText, "edge: device 'gpu0' (nvidia) "
                                             "is not used: "),
            1u)
      << run.stderrText;
  EXPECT_NE(run.stderrText.find("its partitions run on the host CPU"),
            std::string::npos);
  EXPECT_EQ(run.stderrText.find("cpu1"), std::string::npos) << run.stderrText;
}

TEST(PartitionedModel, ReportsItsWorkspace) {
  auto model = loadOrFail(EDGE_FAKE_PARTITIONED_MODEL);
  ASSERT_TRUE(model);
  // The largest partition's arena, then four 16-byte buffers between
  // partitions, each aligned to 64 bytes.
  EXPECT_EQ(model->getWorkspaceBytes(), 1000u + 4 * 64);
}

TEST(PartitionedModel, UnavailableCpuDeviceFallsBackToTheCaller) {
  setenv("EDGE_UNAVAILABLE_DEVICES", "other,cpu1", 1);
  PartitionedRun run = runPartitioned();
  unsetenv("EDGE_UNAVAILABLE_DEVICES");
  EXPECT_EQ(run.y, (std::vector<float>{3, 5, 7, 9}));
  EXPECT_EQ(run.flags, (std::vector<float>{0, 1}));
  EXPECT_NE(run.stderrText.find("edge: device 'cpu1' (cpu) is not used: "
                                "listed in EDGE_UNAVAILABLE_DEVICES"),
            std::string::npos)
      << run.stderrText;
}

TEST(PartitionedModel, TracesEveryStep) {
  setenv("EDGE_TRACE", "1", 1);
  PartitionedRun run = runPartitioned();
  unsetenv("EDGE_TRACE");
  const char *expected[] = {
      "edge: copy i0 on cpu0 -> b0 on cpu1 (16 bytes)",
      "edge: run partition 0 on cpu1 (its own thread)",
      "edge: copy b1 on cpu1 -> b2 on gpu0 (16 bytes)",
      "edge: run partition 1 on gpu0 (the caller's thread)",
      "edge: copy b3 on gpu0 -> o0 on cpu0 (16 bytes)",
      "edge: run partition 2 on cpu0 (the caller's thread)"};
  size_t at = 0;
  for (const char *line : expected) {
    at = run.stderrText.find(line, at);
    ASSERT_NE(at, std::string::npos) << "missing in order: " << line << "\n"
                                     << run.stderrText;
  }
}

/// A stream of runs of the two-stage model (FakePipelinedModel.c), all in
/// flight at once: run k's last stage waits for run k + 1's first stage,
/// which only starts while it waits when the runtime pipelines the runs.
TEST(PipelinedModel, RunsInFlightOverlapAcrossDevices) {
  auto model = loadOrFail(EDGE_FAKE_PIPELINED_MODEL);
  ASSERT_TRUE(model);
  constexpr int runs = EDGE_MAX_RUNS_IN_FLIGHT;
  float x[runs], y[runs], overlapped[runs];
  uint64_t tickets[runs];
  std::string error;
  for (int k = 0; k < runs; ++k) {
    x[k] = k + 1 == runs ? -(k + 1) : k + 1;
    y[k] = overlapped[k] = -1;
    const void *inputs[] = {&x[k]};
    void *outputs[] = {&y[k], &overlapped[k]};
    ASSERT_TRUE(model->runAsync(inputs, outputs, tickets[k], error)) << error;
  }
  // Waited for in any order.
  for (int k = runs; k-- > 0;)
    ASSERT_TRUE(model->wait(tickets[k], error)) << error;
  for (int k = 0; k < runs; ++k) {
    EXPECT_EQ(y[k], 10 * (k + 1) + 1) << "run " << k;
    EXPECT_EQ(overlapped[k], k + 1 < runs ? 1 : 0) << "run " << k;
  }
}

TEST(PipelinedModel, RunsInFlightAreBoundedAndEachIsWaitedForOnce) {
  auto model = loadOrFail(EDGE_FAKE_PIPELINED_MODEL);
  ASSERT_TRUE(model);
  // Last runs only: none waits for a successor.
  float x = -1, y[EDGE_MAX_RUNS_IN_FLIGHT + 1], overlapped[EDGE_MAX_RUNS_IN_FLIGHT + 1];
  uint64_t tickets[EDGE_MAX_RUNS_IN_FLIGHT];
  std::string error;
  for (int k = 0; k < EDGE_MAX_RUNS_IN_FLIGHT; ++k) {
    const void *inputs[] = {&x};
    void *outputs[] = {&y[k], &overlapped[k]};
    ASSERT_TRUE(model->runAsync(inputs, outputs, tickets[k], error)) << error;
  }
  const void *inputs[] = {&x};
  void *outputs[] = {&y[EDGE_MAX_RUNS_IN_FLIGHT],
                     &overlapped[EDGE_MAX_RUNS_IN_FLIGHT]};
  uint64_t ticket = 0;
  EXPECT_FALSE(model->runAsync(inputs, outputs, ticket, error));
  EXPECT_EQ(error, "edge_model_run_async: 4 runs are already in flight; "
                   "wait for one (edge_model_wait) before starting another");
  EXPECT_FALSE(model->run(inputs, outputs, error));
  ASSERT_TRUE(model->wait(tickets[1], error)) << error;
  EXPECT_FALSE(model->wait(tickets[1], error));
  EXPECT_NE(error.find("edge_model_wait: no run in flight has ticket"),
            std::string::npos)
      << error;
  // The freed slot takes the next run; a blocking run also fits.
  ASSERT_TRUE(model->runAsync(inputs, outputs, ticket, error)) << error;
  ASSERT_TRUE(model->wait(ticket, error)) << error;
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(y[EDGE_MAX_RUNS_IN_FLIGHT], 11);
  // The instance is destroyed with three runs still in flight: it waits
  // for them.
}

TEST(Model, InstancesAreIndependent) {
  auto first = loadOrFail(EDGE_FAKE_MODEL);
  auto second = loadOrFail(EDGE_FAKE_MODEL);
  ASSERT_TRUE(first && second);
  first.reset();
  float a[6] = {1, 1, 1, 1, 1, 1}, sum[6], max;
  const void *inputs[] = {a, a};
  void *outputs[] = {sum, &max};
  std::string error;
  EXPECT_TRUE(second->run(inputs, outputs, error)) << error;
  EXPECT_EQ(max, 2);
}

TEST(Model, RunRejectsMissingBuffers) {
  auto model = loadOrFail(EDGE_FAKE_MODEL);
  ASSERT_TRUE(model);
  float a[6] = {}, sum[6], max;
  std::string error;
  void *outputs[] = {sum, &max};
  EXPECT_FALSE(model->run(nullptr, outputs, error));
  EXPECT_NE(error.find("input array is NULL"), std::string::npos) << error;

  const void *inputs[] = {a, nullptr};
  EXPECT_FALSE(model->run(inputs, outputs, error));
  EXPECT_NE(error.find("input 1 ('b') is NULL"), std::string::npos) << error;

  const void *goodInputs[] = {a, a};
  void *badOutputs[] = {sum, nullptr};
  EXPECT_FALSE(model->run(goodInputs, badOutputs, error));
  EXPECT_NE(error.find("output 1 ('max value') is NULL"), std::string::npos)
      << error;
  EXPECT_FALSE(model->run(goodInputs, nullptr, error));

  // A failed run does not poison the instance.
  EXPECT_TRUE(model->run(goodInputs, outputs, error)) << error;
}

TEST(Model, CopiesEveryDType) {
  auto model = loadOrFail(EDGE_FAKE_TYPES_MODEL);
  ASSERT_TRUE(model);
  ASSERT_EQ(model->getNumInputs(), 8u);
  ASSERT_EQ(model->getNumOutputs(), 8u);
  std::vector<std::vector<uint8_t>> in, out;
  std::vector<const void *> inputs;
  std::vector<void *> outputs;
  for (size_t i = 0; i < 8; ++i) {
    const edge_tensor_info &info = model->getInput(i);
    EXPECT_EQ(info.num_bytes, model->getOutput(i).num_bytes);
    in.emplace_back(info.num_bytes);
    for (size_t j = 0; j < info.num_bytes; ++j)
      in.back()[j] = static_cast<uint8_t>(i * 16 + j);
    out.emplace_back(info.num_bytes, 0);
  }
  for (size_t i = 0; i < 8; ++i) {
    inputs.push_back(in[i].data());
    outputs.push_back(out[i].data());
  }
  std::string error;
  ASSERT_TRUE(model->run(inputs.data(), outputs.data(), error)) << error;
  EXPECT_EQ(in, out);
}

/// The raw C ABI, resolved with dlsym, for what the loader never calls.
class RawAbi : public RawLibraryTest {
protected:
  RawAbi() : RawLibraryTest(EDGE_FAKE_MODEL) {}
};

TEST_F(RawAbi, HandlesNullAndOutOfRange) {
  auto version = get<uint32_t (*)()>("edge_abi_version");
  auto create = get<edge_status (*)(edge_model **)>("edge_model_create");
  auto destroy = get<void (*)(edge_model *)>("edge_model_destroy");
  auto numInputs = get<size_t (*)(const edge_model *)>("edge_model_num_inputs");
  auto numOutputs =
      get<size_t (*)(const edge_model *)>("edge_model_num_outputs");
  auto input = get<const edge_tensor_info *(*)(const edge_model *, size_t)>(
      "edge_model_input");
  auto output = get<const edge_tensor_info *(*)(const edge_model *, size_t)>(
      "edge_model_output");
  auto run =
      get<edge_status (*)(edge_model *, const void *const *, void *const *)>(
          "edge_model_run");
  auto lastError =
      get<const char *(*)(const edge_model *)>("edge_model_last_error");

  EXPECT_EQ(version(), EDGE_ABI_VERSION);
  EXPECT_EQ(create(nullptr), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(lastError(nullptr), "NULL"), nullptr);
  destroy(nullptr);
  EXPECT_EQ(numInputs(nullptr), 0u);
  EXPECT_EQ(numOutputs(nullptr), 0u);
  EXPECT_EQ(input(nullptr, 0), nullptr);
  EXPECT_EQ(output(nullptr, 0), nullptr);
  EXPECT_EQ(run(nullptr, nullptr, nullptr), EDGE_ERROR_INVALID_ARGUMENT);

  edge_model *model = nullptr;
  ASSERT_EQ(create(&model), EDGE_OK);
  ASSERT_NE(model, nullptr);
  EXPECT_STREQ(lastError(nullptr), "");
  EXPECT_STREQ(lastError(model), "");
  EXPECT_EQ(input(model, 2), nullptr);
  EXPECT_EQ(output(model, 2), nullptr);
  EXPECT_EQ(input(model, SIZE_MAX), nullptr);
  EXPECT_STREQ(output(model, 1)->name, "max value");
  EXPECT_EQ(run(model, nullptr, nullptr), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_STRNE(lastError(model), "");
  destroy(model);
}

// An instance's threads: its own count, or EDGE_NUM_THREADS's for 0; a
// count beyond 256 is refused with the reason.
TEST_F(RawAbi, ThreadsPerInstance) {
  auto create = get<edge_status (*)(uint32_t, edge_model **)>(
      "edge_model_create_with_threads");
  auto numThreads =
      get<uint32_t (*)(const edge_model *)>("edge_model_num_threads");
  auto destroy = get<void (*)(edge_model *)>("edge_model_destroy");
  auto lastError =
      get<const char *(*)(const edge_model *)>("edge_model_last_error");
  edge_model *model = nullptr;
  ASSERT_EQ(create(3, &model), EDGE_OK);
  EXPECT_EQ(numThreads(model), 3u);
  destroy(model);
  EXPECT_EQ(create(257, &model), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::strstr(lastError(nullptr), "1 to 256 threads"), nullptr)
      << lastError(nullptr);
  EXPECT_EQ(create(0, nullptr), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(numThreads(nullptr), 0u);
  std::string error;
  auto loaded = LoadedModel::load(EDGE_FAKE_MODEL, error, 2);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->getNumThreads(), 2u);
  EXPECT_EQ(loaded->getReport(), nullptr) << "a stand-in model has none";
}

/// Defined dynamic symbols of `library`, listed by nm -D.
std::set<std::string> exportedSymbols(const std::string &library) {
  std::set<std::string> symbols;
  std::string command =
      std::string(EDGE_NM) + " -D --defined-only '" + library + "' 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (!pipe)
    return symbols;
  char line[512];
  while (std::fgets(line, sizeof(line), pipe)) {
    char address[128], type[8], name[256];
    if (std::sscanf(line, "%127s %7s %255s", address, type, name) == 3)
      symbols.insert(name);
    else
      ADD_FAILURE() << "unexpected nm output: " << line;
  }
  EXPECT_EQ(pclose(pipe), 0) << command;
  return symbols;
}

TEST(Model, ExportsOnlyTheAbi) {
  const std::set<std::string> abi = {"edge_abi_version",
                                     "edge_model_create",
                                     "edge_model_create_with_threads",
                                     "edge_model_report",
                                     "edge_model_num_threads",
                                     "edge_model_destroy",
                                     "edge_model_num_inputs",
                                     "edge_model_num_outputs",
                                     "edge_model_input",
                                     "edge_model_output",
                                     "edge_model_run",
                                     "edge_model_run_async",
                                     "edge_model_wait",
                                     "edge_model_last_error",
                                     "edge_model_workspace_bytes",
                                     "edge_model_set_input_shape",
                                     "edge_model_input_shape",
                                     "edge_model_output_shape",
                                     "edge_generator_create",
                                     "edge_generator_destroy",
                                     "edge_generator_add",
                                     "edge_generator_step",
                                     "edge_generator_unfinished",
                                     "edge_generator_tokens",
                                     "edge_generator_stats",
                                     "edge_generator_cache"};
  EXPECT_EQ(exportedSymbols(EDGE_FAKE_MODEL), abi);
  EXPECT_EQ(exportedSymbols(EDGE_FAKE_TYPES_MODEL), abi);
}

} // namespace
