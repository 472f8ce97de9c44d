// The semantic check of a scenario as the run plan makes it: each rule, and
// that all problems come back at once.
#include <gtest/gtest.h>

#include "sim/scenario/run_plan.h"

namespace sim::scenario {
namespace {

// Every problem the plan of `text` with `overrides` has (none: it resolves).
std::vector<std::string> ValidateScenario(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)PlanFromText(text, overrides, "test");
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(ScenarioValidation, DefaultScenarioIsValid) {
  EXPECT_TRUE(ValidateScenario(("")).empty());
}

TEST(ScenarioValidation, StrategyRules) {
  auto p = ValidateScenario(("cluster { workers: 4 } strategy { kind: SYNC_BACKUP backup_workers: 4 }"));
  EXPECT_TRUE(Mentions(p, "strategy.backup_workers must be < cluster.workers (4), got 4"));
  p = ValidateScenario(("cluster { workers: 4 } strategy { kind: SYNC_BACKUP }"));
  EXPECT_TRUE(Mentions(p, "strategy.backup_workers must be >= 1 with SYNC_BACKUP, got 0"));
}

TEST(ScenarioValidation, StragglerRules) {
  auto p = ValidateScenario((R"(
    cluster { workers: 2 }
    stragglers { distribution: EXPONENTIAL slow_workers { worker: 5 factor: 0.5 } transient_probability: 2 }
  )"));
  EXPECT_TRUE(Mentions(p, "stragglers.mean must be > 0 with a straggler distribution, got 0"));
  EXPECT_TRUE(Mentions(p, "stragglers.slow_workers[0].worker must be < cluster.workers (2), got 5"));
  EXPECT_TRUE(Mentions(p, "stragglers.slow_workers[0].factor must be >= 1, got 0.5"));
  EXPECT_TRUE(Mentions(p, "stragglers.transient_probability must be in [0, 1], got 2"));
  EXPECT_EQ(p.size(), 4u);
}

TEST(ScenarioValidation, WorkloadRules) {
  auto p = ValidateScenario((R"(
    workload { steps: 10 epochs: 2 target_accuracy: 1.5 model { timing_only {} } }
  )"));
  EXPECT_TRUE(Mentions(p, "give steps or epochs, not both"));
  EXPECT_TRUE(Mentions(p, "workload.target_accuracy must be in (0, 1], got 1.5"));
  EXPECT_TRUE(Mentions(p, "workload.model.timing_only: give parameters (> 0), a profile or a transformer"));
  EXPECT_TRUE(Mentions(p, "workload.epochs needs a dataset; a timing_only run is given in steps, got epochs 2"));
}

// Fashion-MNIST and an MLP-256 (28 x 28 inputs, 10 classes), 4 workers; no
// data is read by the plan.
constexpr const char* kFashionMlp = R"(
  cluster { workers: 4 device_profile { peak_tflops: 1 } }
  workload { model { mlp { hidden: 256 } } dataset { fashion_mnist {} } steps: 10 }
)";

// The problems of kFashionMlp with `overrides`.
std::vector<std::string> FashionMlpWith(const std::vector<std::string>& overrides) {
  return ValidateScenario(kFashionMlp, overrides);
}

TEST(ScenarioValidation, CompressionAndOptimizerRules) {
  // The issue's four: a ratio outside (0, 1], zero levels, a rank above a
  // layer's size, a field the chosen scheme or optimizer does not have.
  EXPECT_TRUE(Mentions(FashionMlpWith({"strategy.compression.scheme=TOP_K", "strategy.compression.ratio=0"}),
                       "strategy.compression.ratio must be in (0, 1] for top_k, got 0"));
  EXPECT_TRUE(Mentions(FashionMlpWith({"strategy.compression.scheme=RANDOM_K", "strategy.compression.ratio=1.5"}),
                       "strategy.compression.ratio must be in (0, 1] for random_k, got 1.5"));
  EXPECT_TRUE(Mentions(FashionMlpWith({"strategy.compression.scheme=QSGD", "strategy.compression.levels=0"}),
                       "strategy.compression.levels must be >= 1 for qsgd, got 0"));
  // W2 is 256 x 10: rank 11 does not fit, 10 does.
  EXPECT_TRUE(Mentions(FashionMlpWith({"strategy.compression.scheme=POWER_SGD", "strategy.compression.rank=11"}),
                       "strategy.compression.rank 11 exceeds the smaller dimension 10 of weight matrix 1 (256 x 10)"));
  EXPECT_TRUE(FashionMlpWith({"strategy.compression.scheme=POWER_SGD", "strategy.compression.rank=10"}).empty());
  EXPECT_TRUE(Mentions(FashionMlpWith({"strategy.compression.scheme=TOP_K", "strategy.compression.levels=4"}),
                       "strategy.compression.levels: TOP_K has no levels"));
  EXPECT_TRUE(Mentions(FashionMlpWith({"workload.optimizer.kind=ADAM", "workload.optimizer.momentum=0.9"}),
                       "workload.optimizer.momentum: the ADAM optimizer has no momentum"));
  EXPECT_TRUE(Mentions(FashionMlpWith({"workload.optimizer.beta1=0.8"}),
                       "workload.optimizer.beta1: the SGD optimizer has no beta1"));
}

TEST(ScenarioValidation, CompressionAndOptimizerProblemsComeAtOnce) {
  const auto p = FashionMlpWith({"strategy.kind=SYNC_PS", "strategy.compression.scheme=POWER_SGD",
                                 "strategy.compression.rank=0", "strategy.compression.ratio=0.1",
                                 "strategy.compression.bucket_size=8", "workload.optimizer.kind=RMSPROP",
                                 "workload.optimizer.alpha=1", "workload.optimizer.beta2=0.9",
                                 "workload.optimizer.initial_accumulator=1", "workload.optimizer.epsilon=0"});
  EXPECT_TRUE(Mentions(p, "strategy.compression.ratio: POWER_SGD has no ratio"));
  EXPECT_TRUE(Mentions(p, "strategy.compression.bucket_size: POWER_SGD has no bucket_size"));
  EXPECT_TRUE(Mentions(p, "strategy.compression.rank must be >= 1 for power_sgd, got 0"));
  EXPECT_TRUE(Mentions(p, "strategy.compression.scheme: POWER_SGD's factors are all-reduced, which needs "
                          "SYNC_ALLREDUCE or LOCAL_SGD, got SYNC_PS"));
  EXPECT_TRUE(Mentions(p, "workload.optimizer.alpha must be in [0, 1), got 1"));
  EXPECT_TRUE(Mentions(p, "workload.optimizer.beta2: the RMSPROP optimizer has no beta2"));
  EXPECT_TRUE(Mentions(p, "workload.optimizer.initial_accumulator: the RMSPROP optimizer has no initial_accumulator"));
  EXPECT_TRUE(Mentions(p, "workload.optimizer.epsilon must be > 0, got 0"));
  EXPECT_EQ(p.size(), 8u);
}

TEST(ScenarioValidation, PowerSgdNeedsWeightMatrices) {
  const char* timing_only = "workload { model { timing_only { profile: 'resnet50' } } }";
  EXPECT_TRUE(Mentions(ValidateScenario(timing_only, {"strategy.compression.scheme=POWER_SGD"}),
                       "POWER_SGD compresses weight matrices, and a timing_only model has none"));
  EXPECT_TRUE(Mentions(ValidateScenario("workload { model { linear_regression {} } dataset { synthetic {} } }",
                                        {"strategy.compression.scheme=POWER_SGD"}),
                       "workload.model.linear_regression has none"));
  // A sparse code needs no matrix: top-k of a timing_only model is fine.
  EXPECT_TRUE(ValidateScenario(timing_only, {"strategy.compression.scheme=TOP_K"}).empty());
}

TEST(ScenarioValidation, ALayerWiseRunDoesNotCompress) {
  // An accelerator and a layer-wise profile make a layer-wise run
  // (sim/parallelism), whose buckets are dense: compression would be ignored.
  const char* layer_wise = R"(
    cluster { workers: 8 device: "v100_16gb" }
    workload { model { timing_only { profile: "resnet50" } } batch_size: 32 steps: 2 precision: FP16 }
  )";
  EXPECT_TRUE(ValidateScenario(layer_wise).empty());
  EXPECT_TRUE(Mentions(ValidateScenario(layer_wise, {"strategy.compression.scheme=TOP_K"}),
                       "strategy.compression: a layer-wise run exchanges dense gradients in buckets"));
}

TEST(ScenarioValidation, FlowShareSigmaRule) {
  EXPECT_TRUE(ValidateScenario(("cluster { network { flow_share_sigma: 0.4 } }")).empty());
  EXPECT_TRUE(ValidateScenario(("cluster { network { flow_share_sigma: 3 } }")).empty());
  auto p = ValidateScenario(("cluster { network { flow_share_sigma: 3.5 } }"));
  EXPECT_TRUE(Mentions(p, "network.flow_share_sigma must be in [0, 3], got 3.5"));
  EXPECT_EQ(p.size(), 1u);
  p = ValidateScenario(("cluster { network { flow_share_sigma: -0.5 } }"));
  EXPECT_TRUE(Mentions(p, "network.flow_share_sigma must be in [0, 3], got -0.5"));
}

TEST(ScenarioValidation, LinearRegressionNeedsSyntheticData) {
  auto p = ValidateScenario(("workload { model { linear_regression {} } }"));
  EXPECT_TRUE(Mentions(p, "linear_regression needs regression targets"));
}

}  // namespace
}  // namespace sim::scenario
