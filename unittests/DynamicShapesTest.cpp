//===- DynamicShapesTest.cpp - Runs of a model with dynamic sizes ---------===//
//
// Through the C ABI (by edge::LoadedModel), on FakeDynamicModel.c: inputs
// x: f32[batch, 4] and y: f32[batch, 1] (batch <= 8); outputs sum = x + y
// and rowmax, each row's largest element (a size the run computes).
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"

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

TEST(DynamicShapes, InfosGiveDynamicSizesAndBounds) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  EXPECT_TRUE(model->hasDynamicShapes());
  const edge_tensor_info &x = model->getInput(0);
  EXPECT_EQ(x.shape[0], -1);
  EXPECT_EQ(x.shape[1], 4);
  EXPECT_EQ(x.max_shape[0], 8);
  EXPECT_STREQ(x.dim_names[0], "batch");
  EXPECT_EQ(x.dim_names[1], nullptr);
  EXPECT_EQ(x.num_bytes, 8u * 4 * sizeof(float));
  const edge_tensor_info &rowmax = model->getOutput(1);
  EXPECT_EQ(rowmax.shape[0], -1);
  EXPECT_EQ(rowmax.max_shape[0], 8);
  EXPECT_EQ(rowmax.dim_names[0], nullptr);
}

TEST(DynamicShapes, RunsAtEveryBatchUpToTheBound) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  for (int64_t batch : {1, 3, 8, 0}) {
    std::string error;
    int64_t xShape[] = {batch, 4}, yShape[] = {batch, 1};
    ASSERT_TRUE(model->setInputShape(0, xShape, error)) << error;
    ASSERT_TRUE(model->setInputShape(1, yShape, error)) << error;
    // Before the run: the symbol's size is known, the computed one is not.
    EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{batch, 4}));
    std::vector<float> x(batch * 4), y(batch), sum(8 * 4), rowmax(8);
    for (int64_t i = 0; i < batch * 4; ++i)
      x[i] = static_cast<float>(i % 5) - 2.0f;
    for (int64_t r = 0; r < batch; ++r)
      y[r] = static_cast<float>(r);
    const void *inputs[] = {x.data(), y.data()};
    void *outputs[] = {sum.data(), rowmax.data()};
    ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
    EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{batch, 4}));
    EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{batch}));
    for (int64_t r = 0; r < batch; ++r) {
      float best = x[r * 4] + y[r];
      for (int64_t c = 0; c < 4; ++c) {
        EXPECT_EQ(sum[r * 4 + c], x[r * 4 + c] + y[r]);
        best = std::max(best, x[r * 4 + c] + y[r]);
      }
      EXPECT_EQ(rowmax[r], best);
    }
  }
}

TEST(DynamicShapes, WithoutShapesRunsAtTheBounds) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{-1}));
  std::vector<float> x(32, 1.0f), y(8, 2.0f), sum(32), rowmax(8);
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {sum.data(), rowmax.data()};
  std::string error;
  ASSERT_TRUE(model->run(inputs, outputs, error)) << error;
  EXPECT_EQ(model->getOutputShape(1), (std::vector<int64_t>{8}));
  EXPECT_EQ(rowmax[7], 3.0f);
}

TEST(DynamicShapes, RefusesSizesAboveTheBound) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  std::string error;
  int64_t tooLarge[] = {9, 4};
  EXPECT_FALSE(model->setInputShape(0, tooLarge, error));
  EXPECT_CONTAINS(error, "input 'x' dimension 0 ('batch') is 9, outside 0 to "
                         "its bound 8");
  int64_t negative[] = {-1, 4};
  EXPECT_FALSE(model->setInputShape(0, negative, error));
  EXPECT_CONTAINS(error, "is -1, outside 0 to its bound 8");
  int64_t wrongStatic[] = {2, 5};
  EXPECT_FALSE(model->setInputShape(0, wrongStatic, error));
  EXPECT_CONTAINS(error, "input 'x' dimension 1 must be 4, got 5");
  // A refused shape leaves the previous one.
  EXPECT_EQ(model->getInputShape(0), (std::vector<int64_t>{8, 4}));
}

TEST(DynamicShapes, RefusesInputsThatDisagreeOnASymbol) {
  auto model = loadDynamicModel();
  ASSERT_TRUE(model);
  std::string error;
  int64_t xShape[] = {3, 4}, yShape[] = {2, 1};
  ASSERT_TRUE(model->setInputShape(0, xShape, error));
  ASSERT_TRUE(model->setInputShape(1, yShape, error));
  std::vector<float> x(12), y(2), sum(32), rowmax(8);
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {sum.data(), rowmax.data()};
  EXPECT_FALSE(model->run(inputs, outputs, error));
  EXPECT_CONTAINS(error, "inputs 'x' (dimension 0) and 'y' (dimension 0) give "
                         "'batch' different sizes: 3 and 2");
}

TEST(DynamicShapes, StaticModelsTakeOnlyTheirShape) {
  std::string error;
  std::unique_ptr<LoadedModel> model = LoadedModel::load(EDGE_FAKE_MODEL, error);
  ASSERT_TRUE(model) << error;
  EXPECT_FALSE(model->hasDynamicShapes());
  int64_t same[] = {2, 3}, other[] = {3, 3};
  EXPECT_TRUE(model->setInputShape(0, same, error)) << error;
  EXPECT_FALSE(model->setInputShape(0, other, error));
  EXPECT_CONTAINS(error, "input 'a' dimension 0 must be 2, got 3");
  EXPECT_EQ(model->getOutputShape(0), (std::vector<int64_t>{2, 3}));
}

} // namespace
