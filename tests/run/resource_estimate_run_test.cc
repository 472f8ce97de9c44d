// The event-count estimate (sim/scenario/resource_estimate.h) against the
// events real runs fire: within a factor of 2 for every strategy kind and
// all-reduce on small timing-only runs. (Peak memory against a measured
// process: tests/cli/sim_command_test.cc.)
#include <gtest/gtest.h>

#include <string>

#include "sim/run/training_run.h"
#include "sim/scenario/resource_estimate.h"
#include "sim/scenario/run_plan.h"

namespace sim {
namespace {

TEST(ResourceEstimateRun, EventEstimateIsWithinAFactorOfTwoOfTheRun) {
  const std::string text = R"(
    cluster { device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 10 latency_us: 5 } } } }
    workload { model { timing_only { profile: "resnet50" } } steps: 20 })";
  for (const char* strategy :
       {"strategy.kind=SYNC_ALLREDUCE", "strategy.allreduce=HALVING_DOUBLING", "strategy.allreduce=BINARY_TREE",
        "strategy.allreduce=DOUBLE_BINARY_TREE", "strategy.kind=SYNC_PS", "strategy.kind=ASYNC_PS",
        "strategy.kind=SSP", "strategy.kind=LOCAL_SGD"}) {
    for (const char* workers : {"cluster.workers=4", "cluster.workers=16", "cluster.workers=48"}) {
      const scenario::RunPlan plan = scenario::PlanFromText(text, {strategy, workers});
      const double estimate = scenario::EstimateResources(plan.effective, plan.strategy, false, false).events;
      const double fired = RunTraining(plan).result.events();
      EXPECT_LE(estimate, 2.0 * fired) << strategy << " " << workers;
      EXPECT_GE(estimate, 0.5 * fired) << strategy << " " << workers;
    }
  }
}

}  // namespace
}  // namespace sim
