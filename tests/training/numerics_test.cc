// The numerics of a simulated run against plain single-process training.
#include "sim/training/numerics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/data/global_batch_sampler.h"
#include "models/data/load_dataset.h"
#include "models/nn/make_model.h"
#include "scenario_text.h"
#include "sim/run/training_run.h"

namespace sim {
namespace {

// Test loss after each of the first `steps` updates of single-process SGD on
// the global batch: the N workers' batches concatenated in rank order
// (models/nn/global_batch.h). This is the reference the issue names: one
// worker with batch B = N x b.
std::vector<double> SingleProcessLosses(const scenario::RunPlan& plan, std::uint32_t workers, int steps, int every) {
  const scenario::WorkloadPlan& w = plan.workload;
  auto data = models::LoadDataset(*w.dataset, plan.seed);
  auto model = models::MakeModel(*w.model, data.train.feature_count(), data.train.classes);
  Eigen::VectorXf params = models::InitialParameters(*model, plan.seed);
  auto shards = models::ShardTrainingSet(w.sharding, data.train, static_cast<int>(workers), plan.seed);
  auto sampler = models::MakeGlobalBatchSampler(shards, w.batch_size, plan.seed);
  models::OptimizerOptions options = w.optimizer;
  models::ScheduleOf(options).total_steps = w.length.steps;
  const auto sgd = models::MakeOptimizer(options);
  Eigen::VectorXf grad;
  std::vector<double> losses{model->evaluate(params, data.test).loss};
  for (int t = 1; t <= steps; ++t) {
    model->loss_and_gradient(params, models::Batch(data.train, sampler.next()), grad);
    sgd->apply(params, grad);
    if (t % every == 0) losses.push_back(model->evaluate(params, data.test).loss);
  }
  return losses;
}

TEST(SyncNumerics, NWorkersFollowOneWorkerOnTheGlobalBatch) {
  // Issue 6: sync data-parallel on N workers with global batch B follows the
  // trajectory of one worker with batch B, relative difference <= 1e-4.
  constexpr double kRelative = 1e-4;
  for (std::uint32_t n : {2u, 8u}) {
    auto loaded = testing::Loaded(testing::kSyntheticMlp, {"cluster.workers=" + std::to_string(n)});
    const auto run = RunTraining(loaded);
    auto reference = SingleProcessLosses(loaded, n, 60, 10);
    // The run's series: one row per evaluation, step 0 first.
    std::vector<double> simulated;
    for (std::size_t at = run.series_csv.find('\n') + 1; at < run.series_csv.size();) {
      std::size_t end = run.series_csv.find('\n', at);
      std::string row = run.series_csv.substr(at, end - at);
      std::size_t c1 = row.find(','), c2 = row.find(',', c1 + 1), c3 = row.find(',', c2 + 1);
      simulated.push_back(std::stod(row.substr(c2 + 1, c3 - c2 - 1)));
      at = end + 1;
    }
    ASSERT_EQ(simulated.size(), reference.size());
    for (std::size_t k = 0; k < reference.size(); ++k) {
      EXPECT_NEAR(simulated[k] / reference[k], 1.0, kRelative) << "N = " << n << ", evaluation " << k;
    }
    EXPECT_LT(reference.back(), reference.front());  // and it did learn
  }
}

TEST(SyncNumerics, ParameterVersionsAreCopyOnWrite) {
  auto loaded = testing::Loaded(testing::kSyntheticMlp, {"cluster.workers=2"});
  Numerics numerics(NumericsSpecOf(loaded), 2);
  ParameterVersion held = numerics.current();
  const Eigen::VectorXf before = *held.values;
  Gradient g = numerics.compute_gradient(0, held);
  numerics.apply(g);
  // The held version is untouched; the new one differs and is numbered.
  EXPECT_EQ(*held.values, before);
  EXPECT_NE(*numerics.current().values, before);
  EXPECT_EQ(numerics.current().version, 1u);
  EXPECT_EQ(g.base_version, 0u);
  // Nobody holds the current version now: the next update is made in place.
  held = {};
  const auto* address = numerics.current().values.get();
  Gradient next = numerics.compute_gradient(1, numerics.current());
  numerics.apply(next);
  EXPECT_EQ(numerics.current().values.get(), address);
}

TEST(SyncNumerics, TimingOnlyCountsVersionsWithoutNumbers) {
  Numerics numerics;
  EXPECT_FALSE(numerics.enabled());
  Gradient g = numerics.compute_gradient(0, numerics.current());
  EXPECT_EQ(g.values, nullptr);
  numerics.apply(g);
  EXPECT_EQ(numerics.version(), 1u);
  EXPECT_FALSE(numerics.evaluate().has_value());
}

}  // namespace
}  // namespace sim
