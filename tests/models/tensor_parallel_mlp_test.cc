// The tensor-parallel MLP (Megatron-LM's split of an MLP) against the
// single-device MlpT: the same loss and gradient for t = 1, 2, 3, 4 shards,
// its all-reduces against the in-advance figure and hand arithmetic, and the
// shapes it refuses.
#include "models/nn/tensor_parallel_mlp.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "models/nn/mlp.h"
#include "tests/models/same_function_check.h"

namespace sim::models {
namespace {

using testing_support::ExpectSameBitsAfterAnotherBatchSize;
using testing_support::ExpectSameLossAndGradient;
using testing_support::NoisyParameters;
using testing_support::RandomClassification;

// Tolerances: same_function_check.h; a shard's slice taken from the wrong
// rows or columns computes another function.
using testing_support::kDoubleTolerance;
using testing_support::kFloatTolerance;

constexpr Eigen::Index kFeatures = 7;
constexpr std::int32_t kClasses = 3;
constexpr Eigen::Index kBatch = 37;

template <typename Scalar>
void ExpectShardCountsMatchMlp(const std::vector<Eigen::Index>& hidden, const std::vector<std::int64_t>& shard_counts,
                               Activation activation, double tolerance) {
  const Dataset data = RandomClassification(50, kFeatures, kClasses, 11);
  const std::vector<SampleIndex> rows = RowRange(3, kBatch);
  const Batch batch(data, rows);
  MlpT<Scalar> reference(kFeatures, hidden, kClasses, activation);
  const auto params = NoisyParameters<Scalar>(reference, 5);
  for (std::int64_t t : shard_counts) {
    SCOPED_TRACE(testing::Message() << t << " shards, " << hidden.size() << " hidden layers");
    TensorParallelMlpT<Scalar> model(kFeatures, hidden, kClasses, activation, t);
    ExpectSameLossAndGradient<Scalar>(reference, model, batch, params, tolerance);
  }
}

TEST(TensorParallelMlp, OneHiddenLayerIsMegatronsMlpBlock) {
  // 7 -> 12 (column-parallel) -> 3 (row-parallel).
  ExpectShardCountsMatchMlp<double>({12}, {1, 2, 3, 4}, Activation::kRelu, kDoubleTolerance);
  ExpectShardCountsMatchMlp<double>({12}, {1, 2, 3, 4}, Activation::kTanh, kDoubleTolerance);
}

TEST(TensorParallelMlp, TwoPairsMatchMlp) {
  // 7 -> 8 (column) -> 5 (row) -> 12 (column) -> 3 (row): the second pair's
  // input gradient goes through a backward all-reduce.
  ExpectShardCountsMatchMlp<double>({8, 5, 12}, {1, 2, 4}, Activation::kRelu, kDoubleTolerance);
  ExpectShardCountsMatchMlp<double>({8, 5, 12}, {1, 2, 4}, Activation::kTanh, kDoubleTolerance);
  ExpectShardCountsMatchMlp<double>({6, 5, 9, 4, 3}, {3}, Activation::kRelu, kDoubleTolerance);
}

TEST(TensorParallelMlp, FloatGradientEqualsMlp) {
  ExpectShardCountsMatchMlp<float>({8, 5, 12}, {1, 2, 4}, Activation::kRelu, kFloatTolerance);
}

TEST(TensorParallelMlp, SameParameterLayoutAndInitialisationAsMlp) {
  const MlpT<double> reference(kFeatures, {8, 5, 12}, kClasses, Activation::kRelu);
  const TensorParallelMlpT<double> model(kFeatures, {8, 5, 12}, kClasses, Activation::kRelu, 4);
  ASSERT_EQ(model.parameter_count(), reference.parameter_count());
  EXPECT_EQ(model.flops_per_sample().count, reference.flops_per_sample().count);
  RandomStream a = NamedStream(3, "model/init");
  RandomStream b = NamedStream(3, "model/init");
  EXPECT_EQ(model.initial_parameters(a), reference.initial_parameters(b));
}

TEST(TensorParallelMlp, AllReducesAreTheMatricesSummed) {
  // 784 -> 256 (column) -> 128 (row) -> 64 (column) -> 10 (row), t = 4, a
  // batch of 16 floats:
  //   forward, after each row-parallel layer: 16 x 128 x 4 = 8,192 bytes,
  //            then 16 x 10 x 4 = 640 bytes;
  //   backward, the second pair's input gradient: 16 x 128 x 4 = 8,192 bytes
  //            (the first pair's input is the data: no all-reduce).
  TensorParallelMlp model(784, {256, 128, 64}, 10, Activation::kRelu, 4);
  const TensorParallelAllReduces expected{.forward = {Bytes{8'192}, Bytes{640}}, .backward = {Bytes{8'192}}};
  EXPECT_EQ(model.all_reduces(16), expected);
  EXPECT_EQ(expected.forward_bytes(), Bytes{8'832});
  EXPECT_EQ(expected.backward_bytes(), Bytes{8'192});

  const Dataset data = RandomClassification(40, 784, 10, 3);
  const Eigen::VectorXf params = NoisyParameters<float>(model, 1);
  Eigen::VectorXf grad;
  const std::vector<SampleIndex> sixteen = RowRange(0, 16);
  model.loss_and_gradient(params, Batch(data, sixteen), grad);
  EXPECT_EQ(model.last_all_reduces(), expected);
  // Counted afresh per call, for any batch; evaluation does not count.
  const std::vector<SampleIndex> odd = RowRange(1, 37);
  model.loss_and_gradient(params, Batch(data, odd), grad);
  EXPECT_EQ(model.last_all_reduces(), model.all_reduces(37));
  EXPECT_EQ(model.last_all_reduces().forward[0], Bytes{37 * 128 * 4});
  (void)model.evaluate(params, data);
  EXPECT_EQ(model.last_all_reduces(), model.all_reduces(37));
}

TEST(TensorParallelMlp, OneHiddenLayerAllReducesOnceForward) {
  TensorParallelMlpT<double> model(784, {256}, 10, Activation::kRelu, 2);
  // 32 x 10 doubles = 2,560 bytes; no backward all-reduce.
  EXPECT_EQ(model.all_reduces(32), (TensorParallelAllReduces{.forward = {Bytes{2'560}}, .backward = {}}));
}

TEST(TensorParallelMlp, EvaluationEqualsMlpAcrossChunks) {
  const Dataset test = RandomClassification(1100, kFeatures, kClasses, 13);
  MlpT<double> reference(kFeatures, {8, 5, 12}, kClasses, Activation::kTanh);
  TensorParallelMlpT<double> model(kFeatures, {8, 5, 12}, kClasses, Activation::kTanh, 4);
  const auto params = NoisyParameters<double>(reference, 5);
  const Evaluation expected = reference.evaluate(params, test);
  const Evaluation actual = model.evaluate(params, test);
  EXPECT_EQ(actual.samples, 1100);
  EXPECT_NEAR(actual.loss, expected.loss, kDoubleTolerance * expected.loss);
  EXPECT_EQ(*actual.accuracy, *expected.accuracy);
}

TEST(TensorParallelMlp, RepeatedCallsOfOtherSizesLeaveNoStaleState) {
  TensorParallelMlpT<double> model(kFeatures, {8, 5, 12}, kClasses, Activation::kRelu, 2);
  ExpectSameBitsAfterAnotherBatchSize(model, RandomClassification(50, kFeatures, kClasses, 11));
}

TEST(TensorParallelMlp, ShapesThatCannotBeSplitAreListedTogether) {
  // {10, 5}: three dense layers (unpaired) and 10 not divisible by 4.
  try {
    TensorParallelMlp model(kFeatures, {10, 5}, kClasses, Activation::kRelu, 4);
    FAIL() << "accepted an unpaired layer";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("3 dense layers (2 hidden and the output) do not pair"), std::string::npos) << message;
    EXPECT_NE(message.find("hidden[0] = 10 is not divisible by shards = 4"), std::string::npos) << message;
  }
  EXPECT_EQ(TensorParallelMlpProblems({8, 5, 12}, 4), std::vector<std::string>{});
  // Row-parallel widths (hidden[1]) need not divide.
  EXPECT_EQ(TensorParallelMlpProblems({8, 5, 6}, 2), std::vector<std::string>{});
  EXPECT_EQ(TensorParallelMlpProblems({8, 5, 6}, 4).size(), 1u);
  EXPECT_EQ(TensorParallelMlpProblems({8}, 0).size(), 1u);
  EXPECT_EQ(TensorParallelMlpProblems({}, 1).size(), 1u);  // softmax regression: one layer
}

}  // namespace
}  // namespace sim::models
