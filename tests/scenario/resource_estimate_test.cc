// The resource estimate's arithmetic and its refusal message (the estimate
// against measured runs: tests/run/resource_estimate_run_test.cc and
// tests/cli/sim_command_test.cc).
#include <gtest/gtest.h>

#include "sim/scenario/resource_estimate.h"

namespace sim::scenario {
namespace {

TEST(ResourceEstimate, ReadsMemAvailableInBytes) {
  const std::string meminfo = "MemTotal:       24684772 kB\nMemFree:        21930000 kB\n"
                              "MemAvailable:   22789320 kB\nBuffers:            1000 kB\n";
  EXPECT_DOUBLE_EQ(MemAvailableBytes(meminfo), 22789320.0 * 1024);
  EXPECT_DOUBLE_EQ(MemAvailableBytes("MemTotal: 1 kB\n"), 0.0);
}

TEST(ResourceEstimate, ShowsBytesInDecimalUnits) {
  EXPECT_EQ(ShowBytes(512), "512 B");
  EXPECT_EQ(ShowBytes(220e6), "220 MB");
  EXPECT_EQ(ShowBytes(3.94e12), "3.9 TB");
}

TEST(ResourceEstimate, RefusesOverEitherLimitNamingTheLargestPartsField) {
  ResourceEstimate e;
  e.memory = {{"the data set", 2e8, "workload.dataset"}, {"activations of a batch", 3e9, "workload.batch_size"}};
  e.events = 5e10;
  e.events_note = "about 50 per step x 1e+09 steps";
  std::vector<std::string> problems;
  CheckResources(e, ResourceLimits{.memory_bytes = 4e9, .events = 1e11, .memory_source = "m"}, problems);
  EXPECT_TRUE(problems.empty());
  CheckResources(e, ResourceLimits{.memory_bytes = 1e9, .events = 1e10, .memory_source = "the limit"}, problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0],
            "workload.batch_size: the run would need about 3.2 GB of memory (activations of a batch 3 GB, the data "
            "set 200 MB), more than the limit of 1 GB; make workload.batch_size smaller");
  EXPECT_EQ(problems[1],
            "workload.steps: the run would fire about 5e+10 events (about 50 per step x 1e+09 steps), more than "
            "the limit of 1e+10 (--max-events); make workload.steps (or cluster.workers) smaller");
  problems.clear();
  CheckResources(e, ResourceLimits{}, problems);  // 0: no limits
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace sim::scenario
