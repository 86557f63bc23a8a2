//===- GPUTest.cpp - The runtime's GPU path, without a GPU ----------------===//
//
// Fake GPU model libraries (FakeGPUModel.c) call the runtime's mgpu
// functions as edge-compile's GPU host code does. Their drivers are
// missing, broken, or the host-memory CUDA driver of FakeCudaDriver.c, so
// these tests cover every dlopen path and a whole run on a machine without
// a GPU. Each test uses a library of its own: a library opens its driver
// once, when it is loaded.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <iterator>

#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

using edge::LoadedModel;

namespace {

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (text) << "' does not contain '" << (part) << "'"

std::string loadError(const char *path) {
  std::string error;
  std::unique_ptr<LoadedModel> model = LoadedModel::load(path, error);
  EXPECT_FALSE(model);
  return error;
}

/// The fake driver's counters, read through its own handle.
int fakeDriverCounter(const char *name) {
  void *driver = dlopen(EDGE_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_NOLOAD);
  if (!driver)
    return -1;
  int value = *static_cast<int *>(dlsym(driver, name));
  dlclose(driver);
  return value;
}

TEST(GPU, MissingCudaDriverIsAClearError) {
  setenv("EDGE_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
  std::string error = loadError(EDGE_FAKE_GPU_MODEL_NO_DRIVER);
  unsetenv("EDGE_CUDA_LIBRARY");
  EXPECT_CONTAINS(error, "this model was compiled for nvidia:sm_90 and cannot "
                         "run here: the CUDA driver could not be loaded "
                         "(/nonexistent/libcuda.so.1: cannot open shared "
                         "object file");
  EXPECT_CONTAINS(error, "compile it with --target=cpu");
}

TEST(GPU, MissingHipRuntimeIsAClearError) {
  setenv("EDGE_HIP_LIBRARY", "/nonexistent/libamdhip64.so", 1);
  std::string error = loadError(EDGE_FAKE_AMD_MODEL_NO_RUNTIME);
  unsetenv("EDGE_HIP_LIBRARY");
  EXPECT_CONTAINS(error, "this model was compiled for amd:gfx942 and cannot "
                         "run here: the HIP runtime could not be loaded");
}

TEST(GPU, DriverWithoutDevicesIsAClearError) {
  setenv("EDGE_CUDA_LIBRARY", EDGE_FAKE_CUDA_DRIVER, 1);
  setenv("FAKE_CUDA_DEVICES", "0", 1);
  std::string error = loadError(EDGE_FAKE_GPU_MODEL_NO_DEVICE);
  unsetenv("FAKE_CUDA_DEVICES");
  unsetenv("EDGE_CUDA_LIBRARY");
  EXPECT_CONTAINS(error, "the CUDA driver found no NVIDIA GPU");
}

TEST(GPU, LibraryWithoutTheDriverApiIsAClearError) {
  // A shared library, but not a CUDA driver.
  setenv("EDGE_CUDA_LIBRARY", EDGE_NOT_A_MODEL, 1);
  std::string error = loadError(EDGE_FAKE_GPU_MODEL_OLD_DRIVER);
  unsetenv("EDGE_CUDA_LIBRARY");
  EXPECT_CONTAINS(error, "lacks cuInit: the driver is too old");
}

/// Opens `library` with the CUDA driver at `driver`: a library opens its
/// driver when it is loaded.
std::unique_ptr<LoadedModel> loadWithDriver(const char *library,
                                            const char *driver,
                                            std::string &error) {
  setenv("EDGE_CUDA_LIBRARY", driver, 1);
  std::unique_ptr<LoadedModel> model = LoadedModel::load(library, error);
  unsetenv("EDGE_CUDA_LIBRARY");
  return model;
}

TEST(GPU, RunsThroughTheDriverAndReusesDeviceMemory) {
  std::string error;
  std::unique_ptr<LoadedModel> model =
      loadWithDriver(EDGE_FAKE_GPU_MODEL, EDGE_FAKE_CUDA_DRIVER, error);
  ASSERT_TRUE(model) << error;

  float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6] = {};
  const void *inputs[] = {x};
  void *outputs[] = {y};
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(std::vector<float>(y, y + 6),
            (std::vector<float>{11, 22, 33, 44, 55, 66}));
  // The weight and the staging buffer: two allocations, three copies.
  EXPECT_EQ(fakeDriverCounter("fake_cuda_allocations"), 2);
  EXPECT_EQ(fakeDriverCounter("fake_cuda_copies"), 3);

  // Later runs reuse the staging buffer and the weight's device copy: only
  // the input and the output move.
  x[0] = -1;
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(y[0], 9);
  EXPECT_EQ(fakeDriverCounter("fake_cuda_allocations"), 2);
  EXPECT_EQ(fakeDriverCounter("fake_cuda_copies"), 5);

  // A failing launch fails the run with the driver's message; the next run
  // works again.
  setenv("FAKE_CUDA_FAIL", "cuLaunchKernel", 1);
  EXPECT_FALSE(model->run(inputs, outputs, error));
  unsetenv("FAKE_CUDA_FAIL");
  EXPECT_CONTAINS(error, "the GPU failed: cuLaunchKernel failed: unspecified "
                         "launch failure (CUDA error 719)");
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(y[5], 66);
}

/// Runs the fake model once on x = 1..6 and says whether y = x + w.
bool runsCorrectly(LoadedModel &model, std::string &error) {
  float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6] = {};
  const void *inputs[] = {x};
  void *outputs[] = {y};
  if (!model.run(inputs, outputs, error))
    return false;
  return std::vector<float>(y, y + 6) ==
         std::vector<float>{11, 22, 33, 44, 55, 66};
}

// A driver call that fails in the middle of a run (a fault, a full device)
// fails that run with the driver's message and leaves the instance usable:
// its next run, with the driver healthy again, is right. Buffers released
// on a stream that could not be synchronized are set aside, not reused.
TEST(GPU, AFailingDriverCallMidRunLeavesTheInstanceUsable) {
  std::string error;
  std::unique_ptr<LoadedModel> model =
      loadWithDriver(EDGE_FAKE_GPU_MODEL_FAULTS, EDGE_FAKE_CUDA_DRIVER, error);
  ASSERT_TRUE(model) << error;

  struct Fault {
    const char *call;
    const char *message;
  } faults[] = {
      {"cuStreamCreate", "cuStreamCreate failed"},
      {"cuMemcpyAsync", "cuMemcpyAsync failed: unspecified launch failure"},
      {"cuLaunchKernel", "cuLaunchKernel failed"},
      {"cuStreamSynchronize", "cuStreamSynchronize failed"},
  };
  for (const Fault &fault : faults) {
    SCOPED_TRACE(fault.call);
    setenv("FAKE_CUDA_FAIL", fault.call, 1);
    EXPECT_FALSE(runsCorrectly(*model, error));
    unsetenv("FAKE_CUDA_FAIL");
    EXPECT_CONTAINS(error, fault.message);
    error.clear();
    EXPECT_TRUE(runsCorrectly(*model, error)) << error;
  }

  // A second instance copies the weight to the device: with the device
  // full, creating its copy fails the run; the first instance is unharmed
  // and the second works once memory is back.
  std::unique_ptr<LoadedModel> second =
      LoadedModel::load(EDGE_FAKE_GPU_MODEL_FAULTS, error);
  ASSERT_TRUE(second) << error;
  setenv("FAKE_CUDA_FAIL", "cuMemAlloc_v2", 1);
  EXPECT_FALSE(runsCorrectly(*second, error));
  EXPECT_CONTAINS(error, "cuMemAlloc_v2 failed: out of memory");
  error.clear();
  EXPECT_TRUE(runsCorrectly(*model, error)) << error;
  unsetenv("FAKE_CUDA_FAIL");
  EXPECT_TRUE(runsCorrectly(*second, error)) << error;
  EXPECT_TRUE(runsCorrectly(*model, error)) << error;
}

/// Runs the mixed CPU + GPU fake model on x = 1..6; y = (x + w) + 2x.
std::vector<float> runMixed(LoadedModel &model, float flags[2]) {
  float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6] = {};
  const void *inputs[] = {x};
  void *outputs[] = {y, flags};
  std::string error;
  EXPECT_TRUE(model.run(inputs, outputs, error)) << error;
  return std::vector<float>(y, y + 6);
}

const std::vector<float> kMixedOutput = {13, 26, 39, 52, 65, 78};

// A library with a CPU and a GPU partition: the GPU partition runs its GPU
// code on the GPU device's thread, the CPU partition that does not need its
// result runs meanwhile on the caller's (the GPU partition waits to see it
// start), and the result matches the CPU versions'. The GPU partition's
// data moves by driver copies: the weight once, the input and the output
// every run.
TEST(GPU, MixedLibraryRunsTheGPUPartitionWhileTheCPUWorks) {
  std::string error;
  std::unique_ptr<LoadedModel> model =
      loadWithDriver(EDGE_FAKE_MIXED_MODEL, EDGE_FAKE_CUDA_DRIVER, error);
  ASSERT_TRUE(model) << error;
  int copies = fakeDriverCounter("fake_cuda_copies");
  float flags[2] = {};
  EXPECT_EQ(runMixed(*model, flags), kMixedOutput);
  EXPECT_EQ(flags[0], 1) << "the CPU partition did not run while the GPU "
                            "partition was running";
  EXPECT_EQ(flags[1], 1) << "the GPU partition did not run its GPU code";
  EXPECT_EQ(fakeDriverCounter("fake_cuda_copies") - copies, 3);
  EXPECT_EQ(runMixed(*model, flags), kMixedOutput);
  EXPECT_EQ(flags[0], 1);
  EXPECT_EQ(fakeDriverCounter("fake_cuda_copies") - copies, 5);
}

// With EDGE_PROFILE, the GPU partition's kernels are recorded beside the
// steps: trace events nested in the partition's slice, and a summary with
// each kernel's launches and median.
TEST(GPU, ProfileRecordsEachKernel) {
  std::string path = testing::TempDir() + "/gpu-profile.json";
  setenv("EDGE_PROFILE", path.c_str(), 1);
  std::string error;
  std::unique_ptr<LoadedModel> model =
      loadWithDriver(EDGE_FAKE_MIXED_MODEL, EDGE_FAKE_CUDA_DRIVER, error);
  unsetenv("EDGE_PROFILE");
  ASSERT_TRUE(model) << error;
  float flags[2] = {};
  testing::internal::CaptureStderr();
  EXPECT_EQ(runMixed(*model, flags), kMixedOutput);
  EXPECT_EQ(runMixed(*model, flags), kMixedOutput);
  model.reset(); // writes the profile
  std::string summary = testing::internal::GetCapturedStderr();
  EXPECT_CONTAINS(summary, "edge: profile: kernel add_weights");
  EXPECT_CONTAINS(summary, "(1.0 per run)");

  std::ifstream file(path);
  std::string json((std::istreambuf_iterator<char>(file)),
                   std::istreambuf_iterator<char>());
  EXPECT_CONTAINS(json, "{\"name\": \"add_weights\", \"cat\": \"kernel\", "
                        "\"ph\": \"X\"");
  EXPECT_CONTAINS(json, "\"kernels\": [\n    {\"name\": \"add_weights\", "
                        "\"step\": \"partition 0\", \"how\": \"GPU kernel\", "
                        "\"launches\": 2,");
  std::remove(path.c_str());
}

// Without a driver the same library runs the CPU version of its GPU
// partition, on the caller's thread, and matches.
TEST(GPU, MixedLibraryFallsBackToTheCPUVersionWithoutADriver) {
  std::string error;
  std::unique_ptr<LoadedModel> model =
      loadWithDriver(EDGE_FAKE_MIXED_MODEL_NO_DRIVER, "/nonexistent/libcuda.so.1", error);
  ASSERT_TRUE(model) << error;
  float flags[2] = {-1, -1};
  EXPECT_EQ(runMixed(*model, flags), kMixedOutput);
  EXPECT_EQ(flags[0], 0);
  EXPECT_EQ(flags[1], 0);
}

} // namespace
