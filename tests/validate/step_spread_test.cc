// The spread of a real run's steps across ranks (validate/step_spread.h),
// on hand-made records whose figures are known.
#include "validate/step_spread.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/scenario/scenario_error.h"

namespace sim::validate {
namespace {

StepSpread Read(const std::string& text, std::uint64_t skip = 0) {
  std::istringstream in(text);
  return ReadStepSpread(in, "steps.csv", skip);
}

TEST(StepSpread, MeasuresEntryExitComputeAndPeriodAcrossRanks) {
  // Two ranks, three steps. Step 1 (skipped) is start-up. Step 2: rank 0
  // computes 1 ms and enters at 11 ms, rank 1 computes 3 ms and enters at
  // 13; they leave at 20 and 24 ms. Step 3: computes 2 and 2 ms, enters at
  // 26 and 27, leaves at 40 and 40.
  const StepSpread s = Read(
      "rank,step,start_s,computed_s,end_s,gradient_s\n"
      "0,1,0,0.001,0.010,0\n"
      "1,1,0,0.001,0.010,0\n"
      "0,2,0.010,0.011,0.020,0\n"
      "1,2,0.010,0.013,0.024,0\n"
      "0,3,0.024,0.026,0.040,0\n"
      "1,3,0.025,0.027,0.040,0\n",
      1);
  EXPECT_EQ(s.ranks, 2u);
  EXPECT_EQ(s.steps, 2u);
  EXPECT_NEAR(s.compute_median_s, 0.002, 1e-12);  // of 1, 3, 2, 2 ms
  EXPECT_NEAR(s.entry_spread_median_s, 0.0015, 1e-12);  // of 2 and 1 ms
  EXPECT_NEAR(s.exit_spread_median_s, 0.002, 1e-12);    // of 4 and 0 ms
  EXPECT_NEAR(s.exit_spread_p90_s, 0.0036, 1e-12);      // 0 + 0.9 x 4 ms
  EXPECT_NEAR(s.period_median_s, 0.016, 1e-12);         // 24 -> 40 ms
  EXPECT_NEAR(s.period_max_s, 0.016, 1e-12);
}

TEST(StepSpread, LeavesOutStepsNotEveryRankRecorded) {
  const StepSpread s = Read(
      "rank,step,start_s,computed_s,end_s,gradient_s\n"
      "0,1,0,0.001,0.010,0\n"
      "1,1,0,0.002,0.012,0\n"
      "0,2,0.010,0.011,0.020,0\n");
  EXPECT_EQ(s.steps, 1u);
  EXPECT_NEAR(s.exit_spread_median_s, 0.002, 1e-12);
}

TEST(StepSpread, ListsEveryMalformedFieldWithLineAndColumn) {
  try {
    (void)Read(
        "rank,step,start_s,computed_s,end_s,gradient_s\n"
        "0,1,0,x,0.010,0\n"
        "1.5,1,0,0.001,0.010,0\n"
        "0,2,0.010\n");
    FAIL() << "no error";
  } catch (const scenario::ScenarioError& e) {
    ASSERT_EQ(e.problems().size(), 3u) << e.what();
    EXPECT_EQ(e.problems()[0], "steps.csv:2:7: field 'computed_s': 'x' is not a number of seconds >= 0");
    EXPECT_EQ(e.problems()[1], "steps.csv:3:1: field 'rank': '1.5' is not a whole number >= 0");
    EXPECT_EQ(e.problems()[2], "steps.csv:4:1: 3 fields, expected 6");
  }
  EXPECT_THROW((void)Read("rank,step\n0,1\n"), scenario::ScenarioError);
  EXPECT_THROW((void)Read(""), scenario::ScenarioError);
  EXPECT_THROW((void)Read("rank,step,start_s,computed_s,end_s,gradient_s\n0,1,0,0.001,0.010,0\n", 1),
               scenario::ScenarioError);
}

}  // namespace
}  // namespace sim::validate
