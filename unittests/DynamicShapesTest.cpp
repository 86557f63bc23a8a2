//===- DynamicShapesTest.cpp - Runs of a model with dynamic sizes ---------===//
//
// Through the C ABI (by edge::LoadedModel, and raw where a status matters),
// on FakeDynamicModel.c: inputs x: f32[batch, 4] and y: f32[batch, 1]
// (batch <= 8); outputs sum = x + y and rowmax, each row's largest element
// (a size the run computes).
//
//===----------------------------------------------------------------------===//

#include "RawLibraryTest.h"

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"


#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using edge::LoadedModel;

namespace {

std::unique_ptr<LoadedModel> loadDynamicModel() {
  std::string error;
  std::unique_ptr<LoadedModel> model =
      LoadedModel::load(EDGE_FAKE_DYNAMIC_MODEL, error);
  EXPECT_TRUE(model) << error;
  return model;
}

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE((text).find(part), std::string::npos) << (text)

/// The buffers of one run at `batch`: inputs with distinct values, outputs
/// at their largest shapes (num_bytes), as any caller can size them.
struct Batch {
  explicit Batch(int64_t batch, float offset = 0.0f)
      : batch(batch), x(batch * 4), y(batch), sum(8 * 4, -7.0f),
        rowmax(8, -7.0f) {
    for (int64_t i = 0; i < batch * 4; ++i)
      x[i] = static_cast<float>(i % 5) - 2.0f + offset;
    for (int64_t r = 0; r < batch; ++r)
      y[r] = static_cast<float>(r) - offset;
  }

  /// Sets the inputs' shapes to this run's batch.
  bool setShapes(LoadedModel &model, std::string &error) const {
    int64_t xShape[] = {batch, 4}, yShape[] = {batch, 1};
    return model.setInputShape(0, xShape, error) &&
           model.setInputShape(1, yShape, error);
  }

  const void *const *inputs() {
    inputPointers[0] = x.data();
    inputPointers[1] = y.data();
    return inputPointers;
  }
  void *const *outputs() {
    outputPointers[0] = sum.data();
    outputPointers[1] = rowmax.data();
    return outputPointers;
  }

  /// Checks the outputs against x + y, exactly (one float add each).
  void expectOutputs() const {
    for (int64_t r = 0; r < batch; ++r) {
      float best = x[r * 4] + y[r];
      for (int64_t c = 0; c < 4; ++c) {
        EXPECT_EQ(sum[r * 4 + c], x[r * 4 + c] + y[r]) << "batch " << batch;
        best = std::max(best, x[r * 4 + c] + y[r]);
      }
      EXPECT_EQ(rowmax[r], best) << "batch " << batch << " row " << r;
    }
    // Nothing past the run's elements is written.
    for (size_t i = static_cast<size_t>(batch) * 4; i < sum.size(); ++i)
      EXPECT_EQ(sum[i], -7.0f) << "batch " << batch;
  }

  int64_t batch;
  std::vector<float> x, y, sum, rowmax;
  const void *inputPointers[2] = {};
  void *outputPointers[2] = {};
};

TEST(DynamicShapes, InfosGiveDynamicSizesAndBounds) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  EXPECT_TRUE(model->hasDynamicShapes());
  const edge_tensor_info &x = model->getInput(0);
  EXPECT_EQ(x.shape[0], -1);
  EXPECT_EQ(x.shape[1], 4);
  EXPECT_EQ(x.max_shape[0], 8);
  EXPECT_EQ(x.max_shape[1], 4);
  EXPECT_STREQ(x.dim_names[0], "batch");
  EXPECT_EQ(x.dim_names[1], nullptr);
  // Counted at the bounds: a buffer of num_bytes fits every run.
  EXPECT_EQ(x.num_elements, 8u * 4);
  EXPECT_EQ(x.num_bytes, 8u * 4 * sizeof(float));
  EXPECT_STREQ(model->getInput(1).dim_names[0], "batch");
  const edge_tensor_info &sum = model->getOutput(0);
  EXPECT_STREQ(sum.dim_names[0], "batch");
  EXPECT_EQ(sum.num_bytes, 8u * 4 * sizeof(float));
  const edge_tensor_info &rowmax = model->getOutput(1);
  EXPECT_EQ(rowmax.shape[0], -1);
  EXPECT_EQ(rowmax.max_shape[0], 8);
  // A size the run computes has no symbol.
  EXPECT_EQ(rowmax.dim_names[0], nullptr);
  EXPECT_EQ(rowmax.num_bytes, 8u * sizeof(float));
}

TEST(DynamicShapes, RunsAtEveryBatchUpToTheBound) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  for (int64_t batch : {1, 3, 8, 0}) {
    Batch run(batch);
    std::string error;
    ASSERT_TRUE(run.setShapes(*model, error)) << error;
    EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{batch, 4}));
    // Before the run: the symbol's size is known, the computed one is not.
    EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{batch, 4}));
    EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{-1}));
    ASSERT_TRUE(model->run(run.inputs(), run.outputs(), error)) << error;
    EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{batch, 4}));
    EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{batch}));
    run.expectOutputs();
  }
}

TEST(DynamicShapes, ExactNumbersAtBatchThree) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  float x[] = {1, 2, 3, 4, -1, -5, 0.5f, -2, 9, 8, 7, 6};
  float y[] = {10, 0.25f, -1};
  float sum[32] = {}, rowmax[8] = {};
  int64_t xShape[] = {3, 4}, yShape[] = {3, 1};
  std::string error;
  ASSERT_TRUE(model->setInputShape(0, xShape, error)) << error;
  ASSERT_TRUE(model->setInputShape(1, yShape, error)) << error;
  const void *inputs[] = {x, y};
  void *outputs[] = {sum, rowmax};
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(std::vector<float>(sum, sum + 12),
            (std::vector<float>{11, 12, 13, 14, -0.75f, -4.75f, 0.75f, -1.75f,
                                8, 7, 6, 5}));
  EXPECT_EQ(std::vector<float>(rowmax, rowmax + 3),
            (std::vector<float>{14, 0.75f, 8}));
}

TEST(DynamicShapes, WithoutShapesRunsAtTheBounds) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(model->getInputShape(1), (std::vector<int64_t>{8, 1}));
  EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{-1}));
  Batch run(8);
  std::string error;
  ASSERT_TRUE(model->run(run.inputs(), run.outputs(), error)) << error;
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{8}));
  run.expectOutputs();
}

TEST(DynamicShapes, OutputShapesFollowTheInputsUntilTheNextRun) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  Batch run(3);
  std::string error;
  ASSERT_TRUE(run.setShapes(*model, error)) << error;
  ASSERT_TRUE(model->run(run.inputs(), run.outputs(), error)) << error;
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{3}));
  // New shapes: the outputs' follow them, and the computed size is unknown
  // again.
  ASSERT_TRUE(Batch(5).setShapes(*model, error)) << error;
  EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{-1}));
}

TEST(DynamicShapes, RefusesSizesAboveTheBound) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  std::string error;
  int64_t tooLarge[] = {9, 4};
  EXPECT_FALSE(model->setInputShape(0, tooLarge, error));
  EXPECT_CONTAINS(error, "edge_model_set_input_shape: input 'x' dimension 0 "
                         "('batch') is 9, outside 0 to its bound 8 "
                         "(edge-compile --dim=batch<=N sets the bound)");
  int64_t negative[] = {-1, 4};
  EXPECT_FALSE(model->setInputShape(0, negative, error));
  EXPECT_CONTAINS(error, "input 'x' dimension 0 ('batch') is -1, outside 0 "
                         "to its bound 8");
  int64_t wrongStatic[] = {2, 5};
  EXPECT_FALSE(model->setInputShape(0, wrongStatic, error));
  EXPECT_CONTAINS(error, "input 'x' dimension 1 must be 4, got 5");
  int64_t wrongY[] = {2, 0};
  EXPECT_FALSE(model->setInputShape(1, wrongY, error));
  EXPECT_CONTAINS(error, "input 'y' dimension 1 must be 1, got 0");
  // A refused shape leaves the previous one.
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(model->getInputShape(1), (std::vector<int64_t>{8, 1}));
}

TEST(DynamicShapes, RefusesInputsThatDisagreeOnASymbol) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  std::string error;
  int64_t xShape[] = {3, 4}, yShape[] = {2, 1};
  ASSERT_TRUE(model->setInputShape(0, xShape, error));
  ASSERT_TRUE(model->setInputShape(1, yShape, error));
  Batch run(3);
  EXPECT_FALSE(model->run(run.inputs(), run.outputs(), error));
  EXPECT_CONTAINS(error, "edge_model_run: inputs 'x' (dimension 0) and 'y' "
                         "(dimension 0) give 'batch' different sizes: 3 and "
                         "2");
  uint64_t ticket = 0;
  EXPECT_FALSE(model->runAsync(run.inputs(), run.outputs(), ticket, error));
  EXPECT_CONTAINS(error, "edge_model_run_async: inputs 'x' (dimension 0) and "
                         "'y' (dimension 0) give 'batch' different sizes");
  // Nothing ran: the outputs are untouched and the instance still works.
  EXPECT_EQ(run.sum[0], -7.0f);
  ASSERT_TRUE(run.setShapes(*model, error)) << error;
  ASSERT_TRUE(model->run(run.inputs(), run.outputs(), error)) << error;
  run.expectOutputs();
}

TEST(DynamicShapes, RunsInFlightKeepTheirShapes) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  // One run in flight per batch; each one's shapes are those set when it
  // started, whatever is set after.
  std::vector<Batch> runs;
  for (int64_t batch : {2, 5, 0, 7})
    runs.emplace_back(batch, static_cast<float>(batch));
  std::vector<uint64_t> tickets;
  std::string error;
  for (Batch &run : runs) {
    ASSERT_TRUE(run.setShapes(*model, error)) << error;
    uint64_t ticket = 0;
    ASSERT_TRUE(model->runAsync(run.inputs(), run.outputs(), ticket, error))
        << error;
    tickets.push_back(ticket);
  }
  ASSERT_TRUE(Batch(1).setShapes(*model, error)) << error;
  // Before a wait the outputs' shapes follow the inputs'.
  EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{-1}));
  // Waited for in another order: each wait gives that run's shapes.
  for (size_t i : {1, 3, 0, 2}) {
    ASSERT_TRUE(model->wait(tickets[i], error)) << error;
    EXPECT_EQ(model->getOutputShape(0),
              (std::vector<int64_t>{runs[i].batch, 4}));
    EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{runs[i].batch}));
    runs[i].expectOutputs();
  }
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{1, 4}));
}

TEST(DynamicShapes, ReportsOutputSizesOutsideTheirBounds) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  Batch good(2);
  std::string error;
  ASSERT_TRUE(good.setShapes(*model, error)) << error;
  ASSERT_TRUE(model->run(good.inputs(), good.outputs(), error)) << error;

  Batch aboveBound(2);
  aboveBound.x[0] = 1e30f; // FAKE_REPORT_ABOVE_BOUND
  EXPECT_FALSE(model->run(aboveBound.inputs(), aboveBound.outputs(), error));
  EXPECT_CONTAINS(error, "edge_model_run: the run gave output 'rowmax' "
                         "dimension 0 the size 9, outside 0 to its bound 8");
  // A failed run leaves the shapes of the last good one.
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{2}));

  Batch otherStatic(2);
  otherStatic.x[0] = -1e30f; // FAKE_REPORT_OTHER_STATIC
  uint64_t ticket = 0;
  ASSERT_TRUE(model->runAsync(otherStatic.inputs(), otherStatic.outputs(),
                              ticket, error))
      << error;
  EXPECT_FALSE(model->wait(ticket, error));
  EXPECT_CONTAINS(error, "edge_model_wait: the run gave output 'sum' "
                         "dimension 1 the size 3, but its size is static: 4");

  ASSERT_TRUE(model->run(good.inputs(), good.outputs(), error)) << error;
}

TEST(DynamicShapes, StaticModelsTakeOnlyTheirShape) {
  std::string error;
  std::unique_ptr<LoadedModel> model = LoadedModel::load(EDGE_FAKE_MODEL, error);
  ASSERT_TRUE(model) << error;
  EXPECT_FALSE(model->hasDynamicShapes());
  const edge_tensor_info &a = model->getInput(0);
  EXPECT_EQ(a.max_shape[0], 2);
  EXPECT_EQ(a.max_shape[1], 3);
  EXPECT_EQ(a.dim_names[0], nullptr);
  int64_t same[] = {2, 3}, other[] = {3, 3};
  EXPECT_TRUE(model->setInputShape(0, same, error)) << error;
  EXPECT_FALSE(model->setInputShape(0, other, error));
  EXPECT_CONTAINS(error, "input 'a' dimension 0 must be 2, got 3");
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{}));
}

/// The shape functions of the C ABI, resolved from a library.
class RawShapeAbi : public RawLibraryTest {
protected:
  RawShapeAbi() : RawLibraryTest(EDGE_FAKE_DYNAMIC_MODEL) {}

  void SetUp() override {
    RawLibraryTest::SetUp();
    if (HasFatalFailure())
      return;
    create = get<edge_status (*)(edge_model **)>("edge_model_create");
    destroy = get<void (*)(edge_model *)>("edge_model_destroy");
    setInputShape = get<edge_status (*)(edge_model *, size_t, const int64_t *)>(
        "edge_model_set_input_shape");
    inputShape = get<edge_status (*)(const edge_model *, size_t, int64_t *)>(
        "edge_model_input_shape");
    outputShape = get<edge_status (*)(const edge_model *, size_t, int64_t *)>(
        "edge_model_output_shape");
    lastError =
        get<const char *(*)(const edge_model *)>("edge_model_last_error");
  }
  edge_status (*create)(edge_model **) = nullptr;
  void (*destroy)(edge_model *) = nullptr;
  edge_status (*setInputShape)(edge_model *, size_t, const int64_t *) = nullptr;
  edge_status (*inputShape)(const edge_model *, size_t, int64_t *) = nullptr;
  edge_status (*outputShape)(const edge_model *, size_t, int64_t *) = nullptr;
  const char *(*lastError)(const edge_model *) = nullptr;
};

TEST_F(RawShapeAbi, HandlesNullAndOutOfRange) {
  int64_t shape[2] = {1, 4};
  EXPECT_EQ(setInputShape(nullptr, 0, shape), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(inputShape(nullptr, 0, shape), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(outputShape(nullptr, 0, shape), EDGE_ERROR_INVALID_ARGUMENT);

  edge_model *model = nullptr;
  ASSERT_EQ(create(&model), EDGE_OK) << lastError(nullptr);
  EXPECT_EQ(setInputShape(model, 2, shape), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(lastError(model),
               "edge_model_set_input_shape: the model has 2 inputs, not 3");
  EXPECT_EQ(setInputShape(model, 0, nullptr), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(lastError(model),
               "edge_model_set_input_shape: the shape of input 'x' is NULL");
  EXPECT_EQ(inputShape(model, 2, shape), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(inputShape(model, 0, nullptr), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(outputShape(model, 2, shape), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(outputShape(model, 1, nullptr), EDGE_ERROR_INVALID_ARGUMENT);

  int64_t nine[2] = {9, 4};
  EXPECT_EQ(setInputShape(model, 0, nine), EDGE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(setInputShape(model, 0, shape), EDGE_OK);
  EXPECT_STREQ(lastError(model), "");
  int64_t got[2] = {};
  EXPECT_EQ(inputShape(model, 0, got), EDGE_OK);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[1], 4);
  EXPECT_EQ(outputShape(model, 1, got), EDGE_OK);
  EXPECT_EQ(got[0], -1);
  destroy(model);
}

} // namespace
