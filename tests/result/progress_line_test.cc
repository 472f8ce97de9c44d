// The progress line with a clock the test moves by hand and a string stream
// standing for stderr: silent until two seconds have passed, silent on a
// stream that is not a terminal, redrawn in place at most every interval,
// cleared by finish(); its text (counts, percent, simulated and wall time,
// ETA at the pace since the first update).
#include "sim/result/progress_line.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/result/hand_clock.h"

namespace sim {
namespace {

using testing::HandClock;

TEST(ProgressText, SaysCountsPercentSimulatedAndWallTimeAndTheEta) {
  EXPECT_EQ(ProgressText("steps", 10, 100, Seconds(1.5), 2.5, 22.5),
            "sim: 10/100 steps (10%), simulated 1.5 s, wall 2.5 s, ETA 22.5 s");
  EXPECT_EQ(ProgressText("points", 3, 7, std::nullopt, 90.0, 120.0),
            "sim: 3/7 points (42%), wall 1 min 30 s, ETA 2 min 00 s");
  EXPECT_EQ(ProgressText("steps", 0, 5, Seconds(0), 3.0, std::nullopt),
            "sim: 0/5 steps (0%), simulated 0 s, wall 3.0 s, ETA ?");
  EXPECT_EQ(ProgressText("steps", 5, 5, Seconds(0.000125), 3.0, 0.0),
            "sim: 5/5 steps (100%), simulated 0.000125 s, wall 3.0 s, ETA 0.0 s");
}

TEST(ProgressText, WallDurationsReadAsPeopleSayThem) {
  EXPECT_EQ(WallDuration(4.24), "4.2 s");
  EXPECT_EQ(WallDuration(59.9), "59.9 s");
  EXPECT_EQ(WallDuration(187.0), "3 min 07 s");
  EXPECT_EQ(WallDuration(7500.0), "2 h 05 min");
}

TEST(ProgressLine, ATerminalSeesNothingBeforeTwoSecondsThenTheLineInPlace) {
  HandClock clock;
  std::ostringstream err;
  ProgressLine line(err, "steps", clock.options(true));
  clock.at(1.9);  // 1.9 s to set up (load the data) and take the first step
  line.update(1, 100, Seconds(0.1));
  EXPECT_EQ(err.str(), "") << "a run shorter than two seconds shows nothing";
  clock.at(2.5);
  line.update(10, 100, Seconds(1.5));
  // 9 steps in the 0.6 s since the first: the other 90 take 6 s at that
  // pace (the set-up does not count).
  EXPECT_EQ(err.str(), "\rsim: 10/100 steps (10%), simulated 1.5 s, wall 2.5 s, ETA 6.0 s");
}

TEST(ProgressLine, RedrawsAtMostEveryIntervalAndBlanksWhatALongerLineLeft) {
  HandClock clock;
  std::ostringstream err;
  ProgressLine line(err, "steps", clock.options(true));
  clock.at(0.0);
  line.update(0, 1000, std::nullopt);
  clock.at(2.0);
  line.update(1, 1000, Seconds(1.25));
  const std::string first = err.str();
  EXPECT_EQ(first, "\rsim: 1/1000 steps (0%), simulated 1.25 s, wall 2.0 s, ETA 33 min 18 s");
  clock.at(2.1);
  line.update(2, 1000, std::nullopt);
  EXPECT_EQ(err.str(), first) << "redrawn 0.1 s later";
  clock.at(2.4);
  line.update(1000, 1000, std::nullopt);
  const std::string second = "sim: 1000/1000 steps (100%), wall 2.4 s, ETA 0.0 s";
  ASSERT_LT(second.size(), first.size() - 1);
  EXPECT_EQ(err.str(), first + "\r" + second + std::string(first.size() - 1 - second.size(), ' '));
}

TEST(ProgressLine, FinishClearsTheLineAndLaterUpdatesDrawNothing) {
  HandClock clock;
  std::ostringstream err;
  ProgressLine line(err, "steps", clock.options(true));
  clock.at(3.0);
  line.update(1, 2, Seconds(1));
  const std::size_t width = err.str().size() - 1;  // without the '\r'
  line.finish();
  EXPECT_EQ(err.str().substr(width + 1), "\r" + std::string(width, ' ') + "\r");
  const std::string cleared = err.str();
  clock.at(10.0);
  line.update(2, 2, Seconds(2));
  line.finish();
  EXPECT_EQ(err.str(), cleared);
}

TEST(ProgressLine, AStreamThatIsNotATerminalGetsNoLineEver) {
  HandClock clock;
  std::ostringstream err;
  {
    ProgressLine line(err, "steps", clock.options(false));
    for (int s = 0; s < 100; ++s) {
      clock.at(s);
      line.update(static_cast<std::uint64_t>(s), 100, Seconds(s));
    }
    line.print_above("sim sweep: [1/2] point 0: 0.5 s\n");
  }
  EXPECT_EQ(err.str(), "sim sweep: [1/2] point 0: 0.5 s\n") << "only what is printed above it";
}

TEST(ProgressLine, TextPrintedAboveClearsTheLineAndDrawsItAgainBelow) {
  HandClock clock;
  std::ostringstream err;
  ProgressLine line(err, "points", clock.options(true));
  clock.at(5.0);
  line.update(1, 2, std::nullopt);
  const std::string drawn = err.str().substr(1);
  line.print_above("point 0 done\n");
  EXPECT_EQ(err.str(), "\r" + drawn + "\r" + std::string(drawn.size(), ' ') + "\rpoint 0 done\n\r" + drawn);
}

}  // namespace
}  // namespace sim
