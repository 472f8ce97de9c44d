// The pipeline-parallel MLP against the single-device MlpT: the same loss and
// gradient for several stage cuts and micro-batch counts (one of them not
// dividing the batch), the micro-batch sizes, the balanced cut against brute
// force, and the bytes crossing each boundary against the in-advance figure
// and hand arithmetic.
#include "models/nn/pipeline_parallel_mlp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>

#include "models/nn/mlp.h"
#include "tests/models/same_function_check.h"

namespace sim::models {
namespace {

using testing_support::ExpectSameBitsAfterAnotherBatchSize;
using testing_support::ExpectSameLossAndGradient;
using testing_support::NoisyParameters;
using testing_support::RandomClassification;
using testing_support::RelativeDifference;

// Tolerances: same_function_check.h. Averaging the micro-batches' means
// instead of weighting them by size is off by more than 1e-6
// (AveragingMicroBatchMeansWouldBeCaught).
using testing_support::kDoubleTolerance;
using testing_support::kFloatTolerance;

const std::vector<Eigen::Index> kHidden = {6, 5, 4};  // 4 dense layers
constexpr Eigen::Index kFeatures = 7;
constexpr std::int32_t kClasses = 3;
constexpr Eigen::Index kBatch = 37;  // prime: 3 and 8 micro-batches do not divide it

TEST(MicroBatchSizes, SpreadTheRemainderOverTheFirstMicroBatches) {
  EXPECT_EQ(MicroBatchSizes(10, 4), (std::vector<Eigen::Index>{3, 3, 2, 2}));
  EXPECT_EQ(MicroBatchSizes(37, 8), (std::vector<Eigen::Index>{5, 5, 5, 5, 5, 4, 4, 4}));
  EXPECT_EQ(MicroBatchSizes(64, 8), std::vector<Eigen::Index>(8, 8));
  EXPECT_EQ(MicroBatchSizes(7, 1), std::vector<Eigen::Index>{7});
  EXPECT_EQ(MicroBatchSizes(3, 3), std::vector<Eigen::Index>(3, 1));
  EXPECT_THROW((void)MicroBatchSizes(3, 4), std::invalid_argument);
  EXPECT_THROW((void)MicroBatchSizes(3, 0), std::invalid_argument);
}

// Every cut of `costs` into `stages` groups; the smallest bottleneck and,
// among the cuts reaching it, the lexicographically largest list of starts
// (each stage in turn as long as it can be).
std::vector<std::int64_t> BruteForceCut(const std::vector<std::int64_t>& costs, std::int64_t stages) {
  const auto layers = static_cast<std::int64_t>(costs.size());
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> best_starts;
  std::vector<std::int64_t> starts;
  std::function<void(std::int64_t)> place = [&](std::int64_t from) {
    if (static_cast<std::int64_t>(starts.size()) == stages - 1) {
      std::int64_t bottleneck = 0;
      std::int64_t begin = 0;
      for (std::size_t s = 0; s <= starts.size(); ++s) {
        const std::int64_t end = s < starts.size() ? starts[s] : layers;
        std::int64_t sum = 0;
        for (std::int64_t l = begin; l < end; ++l) sum += costs[static_cast<std::size_t>(l)];
        bottleneck = std::max(bottleneck, sum);
        begin = end;
      }
      if (bottleneck < best || (bottleneck == best && starts > best_starts)) {
        best = bottleneck;
        best_starts = starts;
      }
      return;
    }
    for (std::int64_t start = from; start < layers; ++start) {
      starts.push_back(start);
      place(start + 1);
      starts.pop_back();
    }
  };
  place(1);
  return best_starts;
}

TEST(BalancedStageStarts, MatchesBruteForceOnRandomCosts) {
  RandomStream rng = NamedStream(7, "test/costs");
  int cases = 0;
  for (std::int64_t layers = 1; layers <= 8; ++layers) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<std::int64_t> costs;
      for (std::int64_t l = 0; l < layers; ++l) costs.push_back(1 + static_cast<std::int64_t>(rng.uniform_index(9)));
      for (std::int64_t stages = 1; stages <= layers; ++stages) {
        ASSERT_EQ(BalancedStageStarts(costs, stages), BruteForceCut(costs, stages))
            << layers << " layers, " << stages << " stages, trial " << trial;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 20 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
}

TEST(BalancedStageStarts, HandExamples) {
  // {5 | 1 1 1 | 5}: bottleneck 5; {5 1 | ...} would make 6.
  EXPECT_EQ(BalancedStageStarts(std::vector<std::int64_t>{5, 1, 1, 1, 5}, 3), (std::vector<std::int64_t>{1, 4}));
  // Equal costs in two: {1 1 | 1 1}.
  EXPECT_EQ(BalancedStageStarts(std::vector<std::int64_t>{1, 1, 1, 1}, 2), std::vector<std::int64_t>{2});
  EXPECT_THROW((void)BalancedStageStarts(std::vector<std::int64_t>{1, 1}, 3), std::invalid_argument);
}

TEST(PipelineParallelMlp, DefaultCutBalancesFlops) {
  // 784 -> 256 -> 256 -> 256 -> 10 by MlpT's count (mlp.cc):
  //   layer 0: 2 (2 x 784 x 256 + 256)                  = 803,328 (no input gradient)
  //   layers 1, 2: 2 (2 x 256 x 256 + 256) + 2 x 256^2 = 393,728 each
  //   layer 3: 2 (2 x 256 x 10 + 10) + 2 x 256 x 10    = 15,380
  // In two stages {0 | 1 2 3} has bottleneck max(803,328, 802,836) = 803,328;
  // any other cut puts layer 0 with layer 1 (1,197,056).
  PipelineParallelMlp model(784, {256, 256, 256}, 10, Activation::kRelu,
                            {.stages = 2, .stage_starts = {}, .micro_batches = 1});
  EXPECT_EQ(model.stage_starts(), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(model.stage_flops_per_sample(0).count, 803'328.0);
  EXPECT_EQ(model.stage_flops_per_sample(1).count, 2 * 393'728.0 + 15'380.0);
  const Mlp reference(784, {256, 256, 256}, 10);
  EXPECT_EQ(model.stage_flops_per_sample(0).count + model.stage_flops_per_sample(1).count,
            reference.flops_per_sample().count);
  EXPECT_EQ(model.flops_per_sample().count, reference.flops_per_sample().count);
}

TEST(PipelineParallelMlp, SameParameterLayoutAndInitialisationAsMlp) {
  const MlpT<double> reference(kFeatures, kHidden, kClasses, Activation::kRelu);
  const PipelineParallelMlpT<double> model(kFeatures, kHidden, kClasses, Activation::kRelu,
                                           {.stages = 3, .stage_starts = {}, .micro_batches = 2});
  ASSERT_EQ(model.parameter_count(), reference.parameter_count());
  RandomStream a = NamedStream(3, "model/init");
  RandomStream b = NamedStream(3, "model/init");
  EXPECT_EQ(model.initial_parameters(a), reference.initial_parameters(b));
}

struct Cut {
  std::int64_t stages;
  std::vector<std::int64_t> starts;  // empty: balanced
};

const std::vector<Cut> kCuts = {{1, {}}, {2, {}}, {2, {3}}, {3, {1, 2}}, {3, {}}, {4, {}}};
const std::vector<std::int64_t> kMicroBatches = {1, 3, 8, kBatch};

template <typename Scalar>
void ExpectEveryCutMatchesMlp(Activation activation, double tolerance) {
  const Dataset data = RandomClassification(50, kFeatures, kClasses, 11);
  std::vector<SampleIndex> rows = RowRange(0, kBatch);
  std::reverse(rows.begin(), rows.end());
  const Batch batch(data, rows);
  MlpT<Scalar> reference(kFeatures, kHidden, kClasses, activation);
  const auto params = NoisyParameters<Scalar>(reference, 5);
  for (const Cut& cut : kCuts) {
    for (std::int64_t micro : kMicroBatches) {
      SCOPED_TRACE(testing::Message() << cut.stages << " stages (" << cut.starts.size() << " starts given), " << micro
                                      << " micro-batches");
      PipelineParallelMlpT<Scalar> model(kFeatures, kHidden, kClasses, activation,
                                         {.stages = cut.stages, .stage_starts = cut.starts, .micro_batches = micro});
      ExpectSameLossAndGradient<Scalar>(reference, model, batch, params, tolerance);
    }
  }
}

TEST(PipelineParallelMlp, ReluGradientEqualsMlpForEveryCutAndMicroBatchCount) {
  ExpectEveryCutMatchesMlp<double>(Activation::kRelu, kDoubleTolerance);
}

TEST(PipelineParallelMlp, TanhGradientEqualsMlpForEveryCutAndMicroBatchCount) {
  ExpectEveryCutMatchesMlp<double>(Activation::kTanh, kDoubleTolerance);
}

TEST(PipelineParallelMlp, FloatGradientEqualsMlp) {
  ExpectEveryCutMatchesMlp<float>(Activation::kRelu, kFloatTolerance);
}

TEST(PipelineParallelMlp, AveragingMicroBatchMeansWouldBeCaught) {
  // The check's power: the likeliest bug, averaging the micro-batches' mean
  // gradients (each weighted 1/m instead of size/b), differs from MlpT's
  // batch gradient when the sizes differ (37 in 8: 5 x 5 and 3 x 4) by far
  // more than the tolerance.
  const Dataset data = RandomClassification(50, kFeatures, kClasses, 11);
  const std::vector<SampleIndex> rows = RowRange(0, kBatch);
  MlpT<double> reference(kFeatures, kHidden, kClasses, Activation::kRelu);
  const auto params = NoisyParameters<double>(reference, 5);
  Eigen::VectorXd whole;
  reference.loss_and_gradient(params, Batch(data, rows), whole);
  Eigen::VectorXd mean_of_means = Eigen::VectorXd::Zero(whole.size());
  Eigen::VectorXd part;
  std::size_t start = 0;
  const std::vector<Eigen::Index> sizes = MicroBatchSizes(kBatch, 8);
  for (Eigen::Index size : sizes) {
    const std::span<const SampleIndex> micro(rows.data() + start, static_cast<std::size_t>(size));
    reference.loss_and_gradient(params, Batch(data, micro), part);
    mean_of_means += part / static_cast<double>(sizes.size());
    start += static_cast<std::size_t>(size);
  }
  EXPECT_GT(RelativeDifference(mean_of_means, whole), 1e6 * kDoubleTolerance);
}

TEST(PipelineParallelMlp, EvaluationEqualsMlpAcrossChunks) {
  // 1,100 samples: two evaluation chunks (1,024 + 76).
  const Dataset test = RandomClassification(1100, kFeatures, kClasses, 13);
  MlpT<double> reference(kFeatures, kHidden, kClasses, Activation::kRelu);
  PipelineParallelMlpT<double> model(kFeatures, kHidden, kClasses, Activation::kRelu,
                                     {.stages = 4, .stage_starts = {}, .micro_batches = 8});
  const auto params = NoisyParameters<double>(reference, 5);
  const Evaluation expected = reference.evaluate(params, test);
  const Evaluation actual = model.evaluate(params, test);
  EXPECT_EQ(actual.samples, 1100);
  EXPECT_NEAR(actual.loss, expected.loss, kDoubleTolerance * expected.loss);
  EXPECT_EQ(*actual.accuracy, *expected.accuracy);
  EXPECT_EQ(model.evaluate(params, test, 100).samples, 100);
}

TEST(PipelineParallelMlp, RepeatedCallsOfOtherSizesLeaveNoStaleState) {
  PipelineParallelMlpT<double> model(kFeatures, kHidden, kClasses, Activation::kRelu,
                                     {.stages = 3, .stage_starts = {}, .micro_batches = 4});
  ExpectSameBitsAfterAnotherBatchSize(model, RandomClassification(50, kFeatures, kClasses, 11));
}

TEST(PipelineParallelMlp, BoundaryBytesAreTheMatricesHandedOver) {
  // 784 -> 256 -> 128 -> 10 cut after each layer: boundary 0 carries 256
  // activations per sample, boundary 1 carries 128. A batch of 64 in 4
  // micro-batches of 16, floats:
  //   boundary 0: 16 x 256 x 4 bytes = 16,384 per micro-batch, x 4 = 65,536
  //   boundary 1: 16 x 128 x 4 bytes =  8,192 per micro-batch, x 4 = 32,768
  // each way (the gradient of the activations has their shape).
  PipelineParallelMlp model(784, {256, 128}, 10, Activation::kRelu,
                            {.stages = 3, .stage_starts = {1, 2}, .micro_batches = 4});
  EXPECT_EQ(model.boundary_width(0), 256);
  EXPECT_EQ(model.boundary_width(1), 128);
  EXPECT_EQ(model.boundary_bytes(0, 16), Bytes{16'384});
  EXPECT_EQ(model.boundary_bytes(1, 16), Bytes{8'192});
  EXPECT_THROW((void)model.boundary_width(2), std::out_of_range);

  const Dataset data = RandomClassification(64, 784, 10, 3);
  const std::vector<SampleIndex> rows = RowRange(0, 64);
  const Eigen::VectorXf params = NoisyParameters<float>(model, 1);
  Eigen::VectorXf grad;
  model.loss_and_gradient(params, Batch(data, rows), grad);
  const std::vector<BoundaryTraffic>& traffic = model.last_boundary_traffic();
  ASSERT_EQ(traffic.size(), 2u);
  EXPECT_EQ(traffic[0].activations, Bytes{65'536});
  EXPECT_EQ(traffic[0].gradients, Bytes{65'536});
  EXPECT_EQ(traffic[0].transfers, 4);
  EXPECT_EQ(traffic[1].activations, Bytes{32'768});
  EXPECT_EQ(traffic[1].gradients, Bytes{32'768});

  // Uneven micro-batches: 10 samples in 4 (3, 3, 2, 2); counted afresh per call.
  const std::vector<SampleIndex> ten = RowRange(0, 10);
  model.loss_and_gradient(params, Batch(data, ten), grad);
  for (std::int64_t boundary = 0; boundary < 2; ++boundary) {
    Bytes expected;
    for (Eigen::Index size : MicroBatchSizes(10, 4)) expected = expected + model.boundary_bytes(boundary, size);
    const BoundaryTraffic& counted = model.last_boundary_traffic()[static_cast<std::size_t>(boundary)];
    EXPECT_EQ(counted.activations, expected) << "boundary " << boundary;
    EXPECT_EQ(counted.gradients, expected) << "boundary " << boundary;
  }
  // 10 x 256 x 4 = 10,240 bytes over boundary 0.
  EXPECT_EQ(model.last_boundary_traffic()[0].activations, Bytes{10'240});
}

TEST(PipelineParallelMlp, DoubleBoundaryBytesAreEightPerScalar) {
  PipelineParallelMlpT<double> model(kFeatures, kHidden, kClasses, Activation::kRelu,
                                     {.stages = 2, .stage_starts = {1}, .micro_batches = 1});
  EXPECT_EQ(model.boundary_bytes(0, 16), Bytes{16 * 6 * 8});
}

TEST(PipelineParallelMlp, BadOptionsAreListedTogether) {
  try {
    PipelineParallelMlp model(kFeatures, kHidden, kClasses, Activation::kRelu,
                              {.stages = 3, .stage_starts = {2, 2, 9}, .micro_batches = 0});
    FAIL() << "accepted bad options";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("micro_batches must be >= 1, got 0"), std::string::npos) << message;
    EXPECT_NE(message.find("stage_starts must list 2 first layers"), std::string::npos) << message;
    EXPECT_NE(message.find("stage_starts[1] = 2 must exceed stage_starts[0] = 2"), std::string::npos) << message;
    EXPECT_NE(message.find("stage_starts[2] must be in [1, 4), got 9"), std::string::npos) << message;
  }
  EXPECT_THROW(PipelineParallelMlp(kFeatures, kHidden, kClasses, Activation::kRelu,
                                   {.stages = 5, .stage_starts = {}, .micro_batches = 1}),
               std::invalid_argument);
  EXPECT_THROW(PipelineParallelMlp(kFeatures, {0}, kClasses, Activation::kRelu, {}), std::invalid_argument);
}

TEST(PipelineParallelMlp, MoreMicroBatchesThanSamplesIsAnError) {
  const Dataset data = RandomClassification(5, kFeatures, kClasses, 11);
  const std::vector<SampleIndex> rows = RowRange(0, 5);
  PipelineParallelMlp model(kFeatures, kHidden, kClasses, Activation::kRelu,
                            {.stages = 2, .stage_starts = {}, .micro_batches = 8});
  const Eigen::VectorXf params = Eigen::VectorXf::Zero(model.parameter_count());
  Eigen::VectorXf grad;
  EXPECT_THROW(model.loss_and_gradient(params, Batch(data, rows), grad), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models
