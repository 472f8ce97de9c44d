// --sweep values: lists, ranges (a:b:xF doubling, a:b:+s steps), bracketed
// list values, and the errors a typo gets.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/sweep/sweep_axis.h"

namespace sim::sweep {
namespace {

using Values = std::vector<std::string>;

TEST(SweepAxis, DoublingRangeIncludesBothEnds) {
  // 1:1024:x2 is 2^0 .. 2^10: eleven values.
  const Values v = ExpandRange("1:1024:x2");
  ASSERT_EQ(v.size(), 11u);
  EXPECT_EQ(v.front(), "1");
  EXPECT_EQ(v[3], "8");
  EXPECT_EQ(v.back(), "1024");
}

TEST(SweepAxis, MultiplyingRangeStopsBelowAnEndItDoesNotReach) {
  EXPECT_EQ(ExpandRange("1:10:x3"), (Values{"1", "3", "9"}));
  EXPECT_EQ(ExpandRange("2:40:x1.5"), (Values{"2", "3", "4.5", "6.75", "10.125", "15.1875", "22.78125",
                                              "34.171875"}));
}

TEST(SweepAxis, SteppingRange) {
  EXPECT_EQ(ExpandRange("8:64:+8"), (Values{"8", "16", "24", "32", "40", "48", "56", "64"}));
  EXPECT_EQ(ExpandRange("1:7:+1"), (Values{"1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(ExpandRange("5:5:+1"), (Values{"5"}));
}

TEST(SweepAxis, DecimalStepsPrintWithoutRoundOff) {
  // 0.1 + 2 x 0.1 is 0.30000000000000004 in doubles; the value is 0.3.
  EXPECT_EQ(ExpandRange("0.1:0.5:+0.1"), (Values{"0.1", "0.2", "0.3", "0.4", "0.5"}));
}

TEST(SweepAxis, BadRangesAreRefusedWithTheReason) {
  for (const char* bad : {"1:0:x2", "1:8:x1", "0:8:x2", "1:8:+0", "1:8:+-1", "1:8:y2", "1:8:x", "1:8"}) {
    EXPECT_THROW((void)ParseSweepAxis(std::string("cluster.workers=") + bad), std::invalid_argument) << bad;
  }
  try {
    (void)ParseSweepAxis("cluster.workers=1:8:y2");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("xF (multiply by F) or +s"), std::string::npos) << e.what();
  }
}

TEST(SweepAxis, ListsMixLiteralsAndRanges) {
  const SweepAxis a = ParseSweepAxis("cluster.workers=1:4:x2,6,100");
  EXPECT_EQ(a.path, "cluster.workers");
  EXPECT_EQ(a.values, (Values{"1", "2", "4", "6", "100"}));
  EXPECT_EQ(ParseSweepAxis("strategy.kind=SYNC_PS,ASYNC_PS").values, (Values{"SYNC_PS", "ASYNC_PS"}));
}

TEST(SweepAxis, ABracketedItemIsOneListValue) {
  const SweepAxis a = ParseSweepAxis("workload.model.mlp.hidden=[128,64],[32],256");
  EXPECT_EQ(a.values, (Values{"128,64", "32", "256"}));
}

TEST(SweepAxis, AColonInATextValueIsNotARange) {
  EXPECT_EQ(ParseSweepAxis("name=a:b:c").values, (Values{"a:b:c"}));
}

TEST(SweepAxis, MalformedArgumentsAreRefused) {
  for (const char* bad : {"cluster.workers", "=1,2", "cluster.workers=", "cluster.workers=1,,2",
                          "cluster.workers=1,2,", "cluster.workers=[1,2", "cluster.workers=1,2,1"}) {
    EXPECT_THROW((void)ParseSweepAxis(bad), std::invalid_argument) << bad;
  }
}

TEST(SweepAxis, ARangeOfTooManyValuesIsATypo) {
  EXPECT_THROW((void)ExpandRange("0:1:+0.000001"), std::invalid_argument);
}

}  // namespace
}  // namespace sim::sweep
