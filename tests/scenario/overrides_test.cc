// --set path=value on every kind of field, and suggestions for unknown paths.
#include "sim/scenario/overrides.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/scenario_error.h"

namespace sim::scenario {
namespace {

TEST(Overrides, SetsScalarsOfEveryType) {
  Scenario s;
  ApplyOverride(s, "cluster.workers=8");                                          // uint32 (optional)
  ApplyOverride(s, "seed=42");                                                    // uint64
  ApplyOverride(s, "workload.optimizer.learning_rate=0.05");                      // double
  ApplyOverride(s, "workload.stop_at_target=true");                               // bool
  ApplyOverride(s, "name=my run");                                                // string, unquoted
  ApplyOverride(s, "strategy.kind=ASYNC_PS");                                     // enum by name
  ApplyOverride(s, "cluster.topology.fat_tree.k=16");                             // inside a oneof
  EXPECT_EQ(s.cluster().workers(), 8u);
  EXPECT_EQ(s.seed(), 42u);
  EXPECT_DOUBLE_EQ(s.workload().optimizer().learning_rate(), 0.05);
  EXPECT_TRUE(s.workload().stop_at_target());
  EXPECT_EQ(s.name(), "my run");
  EXPECT_EQ(s.strategy().kind(), ASYNC_PS);
  EXPECT_TRUE(s.cluster().topology().has_fat_tree());
  EXPECT_EQ(s.cluster().topology().fat_tree().k(), 16u);
}

TEST(Overrides, RepeatedFieldTakesACommaListAndReplaces) {
  Scenario s;
  s.mutable_workload()->mutable_model()->mutable_mlp()->add_hidden(7);
  ApplyOverride(s, "workload.model.mlp.hidden=128,64");
  ASSERT_EQ(s.workload().model().mlp().hidden_size(), 2);
  EXPECT_EQ(s.workload().model().mlp().hidden(0), 128u);
  EXPECT_EQ(s.workload().model().mlp().hidden(1), 64u);
}

TEST(Overrides, UnknownPathNamesNearestValidPaths) {
  Scenario s;
  try {
    ApplyOverride(s, "cluster.worker=8");
    FAIL() << "expected ScenarioError";
  } catch (const ScenarioError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("unknown field path 'cluster.worker'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nearest valid paths: cluster.workers"), std::string::npos) << msg;
  }
}

TEST(Overrides, PathToAMessageIsRejected) {
  Scenario s;
  EXPECT_THROW(ApplyOverride(s, "cluster=3"), ScenarioError);
  EXPECT_THROW(ApplyOverride(s, "cluster.workers.x=3"), ScenarioError);
}

TEST(Overrides, BadValuesSayWhatWasExpected) {
  Scenario s;
  try {
    ApplyOverride(s, "strategy.kind=FAST");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("enum StrategyKind"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ApplyOverride(s, "cluster.workers=-3"), ScenarioError);
  EXPECT_THROW(ApplyOverride(s, "workers"), ScenarioError);
}

TEST(Overrides, LeafPathsCoverTheSchema) {
  auto paths = LeafPaths(*Scenario::descriptor());
  auto has = [&](const char* p) { return std::find(paths.begin(), paths.end(), p) != paths.end(); };
  EXPECT_TRUE(has("cluster.workers"));
  EXPECT_TRUE(has("cluster.topology.fat_tree.edge_oversubscription"));
  EXPECT_TRUE(has("workload.model.mlp.hidden"));
  EXPECT_TRUE(has("stragglers.transient_probability"));
  EXPECT_FALSE(has("cluster"));
}

}  // namespace
}  // namespace sim::scenario
