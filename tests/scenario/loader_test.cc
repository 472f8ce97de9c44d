// Loading a scenario: text format and JSON, syntax errors with
// file:line:column and the field, defaults filled in and echoed.
#include "sim/scenario/run_plan.h"

#include <gtest/gtest.h>

#include "scenario_files.h"

namespace sim::scenario {
namespace {

using testing::WriteScenario;

std::vector<std::string> ProblemsOf(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    (void)LoadPlan(path, overrides);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

TEST(ScenarioLoader, ReadsTextFormat) {
  auto path = WriteScenario(R"(
    name: "eight"
    cluster { workers: 8 topology { star { host_link { bandwidth_gbit_per_s: 25 latency_us: 2 } } } }
    workload { batch_size: 64 steps: 10 }
  )");
  auto loaded = LoadPlan(path);
  EXPECT_EQ(loaded.effective.name(), "eight");
  EXPECT_EQ(loaded.effective.cluster().workers(), 8u);
  EXPECT_EQ(loaded.effective.cluster().hosts(), 8u);  // default: enough hosts for the workers
  EXPECT_DOUBLE_EQ(loaded.effective.cluster().topology().star().host_link().bandwidth_gbit_per_s(), 25.0);
  EXPECT_EQ(loaded.effective.workload().batch_size(), 64u);
}

TEST(ScenarioLoader, ReadsJson) {
  auto path = WriteScenario(R"({"cluster": {"workers": 4}, "strategy": {"kind": "ASYNC_PS", "servers": 2}})", ".json");
  auto loaded = LoadPlan(path);
  EXPECT_EQ(loaded.effective.cluster().workers(), 4u);
  EXPECT_EQ(loaded.effective.strategy().kind(), ASYNC_PS);
}

TEST(ScenarioLoader, DefaultsAreFilledAndDocumentedValuesHold) {
  auto loaded = LoadPlan(WriteScenario("cluster { workers: 2 }"));
  const Scenario& s = loaded.effective;
  EXPECT_EQ(s.seed(), 1u);
  EXPECT_EQ(s.name(), "ScenarioLoader.DefaultsAreFilledAndDocumentedValuesHold");  // the file's stem
  EXPECT_TRUE(s.cluster().topology().has_star());
  EXPECT_DOUBLE_EQ(s.cluster().topology().star().host_link().bandwidth_gbit_per_s(), 10.0);
  EXPECT_DOUBLE_EQ(s.cluster().topology().star().host_link().latency_us(), 5.0);
  EXPECT_EQ(s.cluster().devices_per_host(), 1u);
  EXPECT_EQ(s.cluster().device(), "host");
  EXPECT_DOUBLE_EQ(s.cluster().network().bandwidth_efficiency(), 1.0);
  EXPECT_EQ(s.workload().batch_size(), 32u);
  EXPECT_EQ(s.workload().steps(), 100u);
  EXPECT_TRUE(s.workload().model().has_softmax_regression());
  EXPECT_EQ(s.workload().dataset().fashion_mnist().path(), "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(s.strategy().kind(), SYNC_ALLREDUCE);
  EXPECT_EQ(s.strategy().allreduce(), RING);
  EXPECT_DOUBLE_EQ(s.workload().optimizer().learning_rate(), 0.1);
}

TEST(ScenarioLoader, FatTreeImpliesHostsAndWorkers) {
  // k-ary fat-tree: k^3/4 hosts (Al-Fares et al. 2008); k = 4 gives 16.
  auto s = LoadPlan(WriteScenario("cluster { topology { fat_tree { k: 4 link { bandwidth_gbit_per_s: 10 } } } }")).effective;
  EXPECT_EQ(s.cluster().hosts(), 16u);
  EXPECT_EQ(s.cluster().workers(), 16u);
}

TEST(ScenarioLoader, SyntaxErrorNamesFileLineColumnAndField) {
  auto path = WriteScenario("cluster {\n  workers: 4\n  wrokers: 5\n}\n");
  auto problems = ProblemsOf(path);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(path + ":3:3"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("wrokers"), std::string::npos) << problems[0];
}

TEST(ScenarioLoader, BadValueTypeNamesTheField) {
  auto path = WriteScenario("cluster {\n  workers: \"many\"\n}\n");
  auto problems = ProblemsOf(path);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(":2:"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("workers"), std::string::npos) << problems[0];
}

TEST(ScenarioLoader, MissingFileIsAClearError) {
  auto problems = ProblemsOf("/nonexistent/scenario.pbtxt");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("/nonexistent/scenario.pbtxt"), std::string::npos);
}

TEST(ScenarioLoader, ThreeSemanticErrorsAreReportedTogether) {
  auto path = WriteScenario(R"(
    cluster { workers: 0 }
    workload { optimizer { learning_rate: -1 momentum: 1.5 } }
  )");
  auto problems = ProblemsOf(path);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("cluster.workers must be >= 1, got 0"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("workload.optimizer.learning_rate must be >= 0, got -1"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("workload.optimizer.momentum must be in [0, 1), got 1.5"), std::string::npos)
      << problems[2];
  for (const auto& p : problems) EXPECT_EQ(p.rfind(path, 0), 0u) << "each problem starts with the file: " << p;
}

TEST(ScenarioLoader, OverridesApplyBeforeDefaultsAndValidation) {
  auto path = WriteScenario("cluster { workers: 2 }");
  auto s = LoadPlan(path, {"cluster.workers=8", "strategy.kind=SYNC_PS"}).effective;
  EXPECT_EQ(s.cluster().workers(), 8u);
  // Dedicated parameter server: one more host than workers by default? No:
  // hosts come from workers alone; 8 workers + 1 server need 9 endpoints.
  auto problems = ProblemsOf(path, {"cluster.workers=8", "cluster.hosts=8", "strategy.kind=SYNC_PS"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("must fit on hosts x devices_per_host = 8 endpoints, got 9"), std::string::npos)
      << problems[0];
}

TEST(ScenarioLoader, AllBadOverridesAreReportedTogether) {
  auto problems = ProblemsOf(WriteScenario("cluster { workers: 2 }"), {"cluster.wrkers=8", "seed=abc"});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("cluster.workers"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("seed"), std::string::npos) << problems[1];
}

}  // namespace
}  // namespace sim::scenario
