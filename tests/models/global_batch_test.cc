// Synchronous data-parallel training averages the N workers' mean gradients
// in rank order; that must equal one worker's mean gradient on the batch made
// of the worker batches concatenated in rank order: for equal batch sizes b,
//   (1/N) sum_k (1/b) sum_{i in B_k} g_i = (1/(N b)) sum_{i in B} g_i.
// The two differ only by float summation order: ~1e-7 relative per sum of a
// few hundred terms, so kRelativeTolerance = 1e-5.
#include <gtest/gtest.h>

#include <vector>

#include "models/data/batch_sampler.h"
#include "models/data/global_batch_sampler.h"
#include "models/data/sharding.h"
#include "models/data/synthetic.h"
#include "models/nn/global_batch.h"
#include "models/nn/mlp.h"

namespace sim::models {
namespace {

constexpr double kRelativeTolerance = 1e-5;

TEST(GlobalBatch, MeanOfShardGradientsEqualsGradientOfConcatenatedBatch) {
  const TrainTest data = MakeSyntheticData({.train_samples = 4'000, .test_samples = 10, .features = 32}, 7);
  constexpr int kWorkers = 8;
  constexpr std::int64_t kBatch = 32;
  const Shards shards = ShardIid(data.train.samples(), kWorkers, NamedStream(7, "data/shards"));
  Mlp model(32, {64, 32}, 10, Activation::kTanh);
  RandomStream init = NamedStream(7, "model/init");
  const Eigen::VectorXf params = model.initial_parameters(init);

  std::vector<BatchSampler> samplers;
  for (int w = 0; w < kWorkers; ++w) samplers.push_back(MakeBatchSampler(shards[static_cast<std::size_t>(w)], kBatch, 7, w));

  for (int step = 0; step < 3; ++step) {
    std::vector<std::vector<SampleIndex>> worker_rows;
    std::vector<Eigen::VectorXf> grads(kWorkers);
    double loss_mean = 0.0;
    for (int w = 0; w < kWorkers; ++w) {
      const auto rows = samplers[static_cast<std::size_t>(w)].next();
      worker_rows.emplace_back(rows.begin(), rows.end());
      loss_mean += model.loss_and_gradient(params, Batch(data.train, worker_rows.back()), grads[static_cast<std::size_t>(w)]);
    }
    loss_mean /= kWorkers;
    std::vector<const Eigen::VectorXf*> pointers;
    for (const auto& g : grads) pointers.push_back(&g);
    Eigen::VectorXf averaged;
    MeanInRankOrder(pointers, averaged);

    std::vector<std::span<const SampleIndex>> spans(worker_rows.begin(), worker_rows.end());
    const std::vector<SampleIndex> global = ConcatenateInRankOrder(spans);
    ASSERT_EQ(global.size(), static_cast<std::size_t>(kWorkers * kBatch));
    Eigen::VectorXf reference;
    const double loss_global = model.loss_and_gradient(params, Batch(data.train, global), reference);

    EXPECT_NEAR(loss_mean, loss_global, kRelativeTolerance * loss_global);
    EXPECT_LT((averaged - reference).norm(), kRelativeTolerance * reference.norm()) << "step " << step;
  }
}

TEST(GlobalBatch, SamplerJoinsTheWorkersBatchesInRankOrder) {
  // Two workers with batches of 3: the global batch is worker 0's batch then
  // worker 1's, exactly as their own samplers draw them, step after step.
  const Shards shards = ShardIid(20, 2, NamedStream(4, "data/shards"));
  GlobalBatchSampler global = MakeGlobalBatchSampler(shards, 3, 4);
  BatchSampler w0 = MakeBatchSampler(shards[0], 3, 4, 0), w1 = MakeBatchSampler(shards[1], 3, 4, 1);
  for (int step = 0; step < 5; ++step) {
    std::vector<SampleIndex> expected;
    for (BatchSampler* w : {&w0, &w1}) {
      const auto part = w->next();
      expected.insert(expected.end(), part.begin(), part.end());
    }
    const auto rows = global.next();
    EXPECT_EQ(std::vector<SampleIndex>(rows.begin(), rows.end()), expected) << "step " << step;
  }
}

TEST(GlobalBatch, MeanInRankOrderSumsInRankOrderAndChecksSizes) {
  // ((1 + 2) + 6) / 3 = 3.
  const Eigen::VectorXf a = Eigen::VectorXf::Constant(2, 1), b = Eigen::VectorXf::Constant(2, 2),
                        c = Eigen::VectorXf::Constant(2, 6);
  const std::vector<const Eigen::VectorXf*> list = {&a, &b, &c};
  Eigen::VectorXf mean;
  MeanInRankOrder(list, mean);
  EXPECT_FLOAT_EQ(mean[0], 3.0f);
  EXPECT_FLOAT_EQ(mean[1], 3.0f);
  const Eigen::VectorXf short_one = Eigen::VectorXf::Zero(1);
  const std::vector<const Eigen::VectorXf*> bad = {&a, &short_one};
  EXPECT_THROW(MeanInRankOrder(bad, mean), std::invalid_argument);
  EXPECT_THROW(MeanInRankOrder({}, mean), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models
