// The semantic check of a scenario as the run plan makes it: each rule, and
// that all problems come back at once.
#include <gtest/gtest.h>

#include "sim/scenario/run_plan.h"

namespace sim::scenario {
namespace {

// Every problem the plan of `text` has (none: it resolves).
std::vector<std::string> ValidateScenario(const std::string& text) {
  try {
    (void)PlanFromText(text, {}, "test");
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
