// What a sweep says as its points finish: a line per point always (unless
// quiet), and on a terminal, below them, the progress line (points done,
// wall time, ETA) once two seconds have passed; cleared at the end. The
// clock is the test's; the stream a string.
#include <gtest/gtest.h>

#include <sstream>

#include "sim/sweep/sweep.h"
#include "tests/result/hand_clock.h"

namespace sim::sweep {
namespace {

using sim::testing::HandClock;

SweepPlan ThreePoints() {
  SweepOptions options;
  options.sweeps = {"cluster.workers=1,2,4"};
  return PlanSweep(options, false);
}

PointRow Finished(const SweepPlan& plan, std::size_t point) {
  result::RunResult r;
  r.set_wall_s(0.5);
  return RowOfResult(plan.points.at(point), r);
}

TEST(SweepProgress, ATerminalGetsTheLinePerPointAndBelowThemThePointsLineAfterTwoSeconds) {
  const SweepPlan plan = ThreePoints();
  HandClock clock;
  std::ostringstream err;
  Progress progress(plan, 3, false, err, clock.options(true));
  clock.at(1.0);
  progress.finished(Finished(plan, 0));
  const std::string first = "sim sweep: [1/3] point 0 (cluster.workers=1): 0.5 s\n";
  EXPECT_EQ(err.str(), first) << "no progress line before two seconds";
  clock.at(3.0);
  progress.finished(Finished(plan, 1));
  const std::string second = "sim sweep: [2/3] point 1 (cluster.workers=2): 0.5 s\n";
  // 2 points in 3 s: the last one takes 1.5 s at that pace.
  const std::string line = "sim: 2/3 points (66%), wall 3.0 s, ETA 1.5 s";
  EXPECT_EQ(err.str(), first + second + "\r" + line);
  clock.at(4.0);
  progress.finished(Finished(plan, 2));
  const std::string blank = "\r" + std::string(line.size(), ' ') + "\r";
  const std::string third = "sim sweep: [3/3] point 2 (cluster.workers=4): 0.5 s\n";
  const std::string last = "sim: 3/3 points (100%), wall 4.0 s, ETA 0.0 s";
  ASSERT_EQ(last.size(), line.size() + 1);
  // The line is cleared, the point's line printed, the line drawn again
  // (with the old text first, then the new one over it).
  EXPECT_EQ(err.str(), first + second + "\r" + line + blank + third + "\r" + line + "\r" + last);
  progress.finish();
  EXPECT_TRUE(err.str().ends_with(last + "\r" + std::string(last.size(), ' ') + "\r"));
}

TEST(SweepProgress, NotATerminalGetsTheLinesPerPointOnlyAndQuietNothing) {
  const SweepPlan plan = ThreePoints();
  HandClock clock;
  std::ostringstream log, quiet;
  Progress to_log(plan, 3, false, log, clock.options(false));
  Progress silent(plan, 3, true, quiet, clock.options(true));
  for (std::size_t p = 0; p < 3; ++p) {
    clock.at(10.0 * static_cast<double>(p + 1));
    to_log.finished(Finished(plan, p));
    silent.finished(Finished(plan, p));
  }
  to_log.finish();
  silent.finish();
  EXPECT_EQ(log.str(),
            "sim sweep: [1/3] point 0 (cluster.workers=1): 0.5 s\n"
            "sim sweep: [2/3] point 1 (cluster.workers=2): 0.5 s\n"
            "sim sweep: [3/3] point 2 (cluster.workers=4): 0.5 s\n");
  EXPECT_EQ(quiet.str(), "");
}

}  // namespace
}  // namespace sim::sweep
