// The run plan: one call from a file to typed values or every problem; the
// placement rule; files the scenario names read once; and the registries the
// schema's names resolve through, in step with the schema.
#include "sim/scenario/run_plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "sim/collectives/algorithms.h"
#include "sim/training/straggler_distributions.h"
#include "scenario_files.h"

namespace sim::scenario {
namespace {

using testing::WriteScenario;

TEST(RunPlan, TypedValuesComeFromTheEffectiveScenario) {
  const RunPlan plan = PlanFromText(R"(
    cluster { workers: 4 device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 25 latency_us: 2 } } }
              network { bandwidth_efficiency: 0.5 per_message_overhead_us: 3 duplex: HALF_DUPLEX
                        reduction_gbyte_per_s: 2 } }
    workload { model { mlp { hidden: 64 } } dataset { synthetic {} } batch_size: 16 steps: 7 }
    strategy { kind: SYNC_PS servers: 2 server_apply_gbyte_per_s: 4 }
    stragglers { distribution: EXPONENTIAL mean: 0.25 }
  )");
  EXPECT_EQ(plan.cluster.workers, 4u);
  EXPECT_EQ(plan.cluster.hosts, 6u);  // 4 workers + 2 dedicated servers
  EXPECT_EQ(plan.cluster.topology->endpoint_count(), 6u);
  EXPECT_DOUBLE_EQ(plan.cluster.network.bandwidth_efficiency, 0.5);
  EXPECT_EQ(plan.cluster.network.per_message_overhead, Microseconds(3));
  EXPECT_EQ(plan.cluster.network.duplex, net::Duplex::kHalf);
  EXPECT_EQ(plan.cluster.reduction_rate.value, GigabytesPerSecond(2).value);
  EXPECT_EQ(plan.cluster.device.name, "v100");
  EXPECT_EQ(plan.strategy.kind, sim::StrategyKind::kSyncPs);
  EXPECT_EQ(plan.strategy.server_apply_rate.value, GigabytesPerSecond(4).value);
  EXPECT_EQ(plan.stragglers.distribution, sim::StragglerDistribution::kExponential);
  EXPECT_DOUBLE_EQ(plan.stragglers.parameters.mean, 0.25);
  EXPECT_EQ(plan.workload.batch_size, 16u);
  EXPECT_EQ(plan.steps(0), 7u);
  ASSERT_TRUE(plan.workload.model.has_value());
  EXPECT_EQ(std::get<models::MlpSpec>(*plan.workload.model).hidden, (std::vector<Eigen::Index>{64}));
  // Synchronous: one update consumes the global batch.
  EXPECT_EQ(plan.samples_per_update(), 4u * 16u);
}

TEST(RunPlan, PlacesDedicatedServersAfterTheWorkersAndColocatedOnThem) {
  const RunPlan dedicated = PlanFromText("cluster { workers: 3 } strategy { kind: ASYNC_PS servers: 2 }");
  EXPECT_EQ(dedicated.placement.workers, (std::vector<EndpointId>{0, 1, 2}));
  EXPECT_EQ(dedicated.placement.servers, (std::vector<EndpointId>{3, 4}));
  EXPECT_EQ(dedicated.placement.endpoints, 5u);
  const RunPlan colocated =
      PlanFromText("cluster { workers: 3 } strategy { kind: ASYNC_PS servers: 4 colocated_servers: true }");
  EXPECT_EQ(colocated.placement.servers, (std::vector<EndpointId>{0, 1, 2, 0}));
  EXPECT_EQ(colocated.placement.endpoints, 3u);
  const RunPlan spread =
      PlanFromText("cluster { workers: 8 } strategy { kind: SYNC_PS servers: 2 colocated_servers: true }");
  EXPECT_EQ(spread.placement.servers, (std::vector<EndpointId>{0, 4}));
  const RunPlan ring = PlanFromText("cluster { workers: 3 }");
  EXPECT_TRUE(ring.placement.servers.empty());
}

TEST(RunPlan, ReadsEachFileItNamesOnce) {
  const auto dir = std::filesystem::temp_directory_path() / "sim-run-plan-files";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pair.edges") << "a sw 10 5\nb sw 10 5\n";
  std::ofstream(dir / "pair.pbtxt") << R"(cluster { topology { edges { hosts: ["a", "b"] file: "pair.edges" } } }
                                         workload { model { mlp { hidden: 8 } } dataset { synthetic {} } })";
  std::map<std::string, int> reads;
  LoadOptions options;
  options.read_file = [&reads](const std::string& path) {
    ++reads[std::filesystem::path(path).filename().string()];
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const RunPlan plan = LoadPlan((dir / "pair.pbtxt").string(), {}, options);
  EXPECT_EQ(reads["pair.pbtxt"], 1);
  EXPECT_EQ(reads["pair.edges"], 1);
  EXPECT_EQ(reads.size(), 2u);
  EXPECT_EQ(plan.cluster.topology->endpoint_count(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(RunPlan, ProblemsOfEveryPartComeTogether) {
  try {
    (void)LoadPlan(WriteScenario(R"(
      cluster { workers: 2 device: "tpu" network { bandwidth_efficiency: 2 } }
      workload { optimizer { momentum: 1 } }
      strategy { kind: SYNC_BACKUP backup_workers: 5 }
      stragglers { transient_factor: 0.5 }
    )"));
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    const auto& p = e.problems();
    ASSERT_EQ(p.size(), 5u) << e.what();
    EXPECT_NE(p[0].find("network.bandwidth_efficiency must be in (0, 1], got 2"), std::string::npos) << p[0];
    EXPECT_NE(p[1].find("cluster.device: unknown device 'tpu'"), std::string::npos) << p[1];
    EXPECT_NE(p[2].find("workload.optimizer.momentum must be in [0, 1), got 1"), std::string::npos) << p[2];
    EXPECT_NE(p[3].find("strategy.backup_workers must be < cluster.workers (2), got 5"), std::string::npos) << p[3];
    EXPECT_NE(p[4].find("stragglers.transient_factor must be >= 1, got 0.5"), std::string::npos) << p[4];
  }
}

// Each registry answers for every value of its enum in the schema, by the
// value's name, so that a kind added to one and not the other fails here.
template <typename Names>
void ExpectEveryValueNamed(const google::protobuf::EnumDescriptor* schema, Names registered) {
  for (int i = 0; i < schema->value_count(); ++i) {
    const std::string name = schema->value(i)->name();
    if (name.ends_with("UNSPECIFIED")) continue;
    EXPECT_TRUE(registered(name)) << schema->name() << " value " << name << " has no registry entry";
  }
}

TEST(Registries, NameEveryValueOfTheSchema) {
  ExpectEveryValueNamed(StrategyKind_descriptor(), [](const std::string& name) {
    for (const auto& e : StrategyKinds()) {
      if (e.name == name) return true;
    }
    return false;
  });
  ExpectEveryValueNamed(StragglerDistribution_descriptor(), [](const std::string& name) {
    for (const auto& e : StragglerDistributions()) {
      if (e.name == name) return true;
    }
    return false;
  });
  ExpectEveryValueNamed(AllReduceAlgorithm_descriptor(), [](std::string name) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto a = collectives::ParseAlgorithm(name);
    return a.has_value() && collectives::Supports(collectives::Op::kAllReduce, *a);
  });
  // And the other way: every registered strategy kind is in the schema.
  for (const auto& e : StrategyKinds()) {
    EXPECT_NE(StrategyKind_descriptor()->FindValueByName(std::string(e.name)), nullptr) << e.name;
  }
}

TEST(Registries, RecursiveDoublingIsAScenarioAllReduce) {
  const RunPlan plan = PlanFromText("cluster { workers: 4 } strategy { allreduce: RECURSIVE_DOUBLING }");
  EXPECT_EQ(plan.strategy.allreduce, collectives::Algorithm::kRecursiveDoubling);
  EXPECT_EQ(StrategyName(plan.strategy), "SYNC_ALLREDUCE/RECURSIVE_DOUBLING");
}

}  // namespace
}  // namespace sim::scenario
