// The grid of a sweep: points numbered as nested loops (first --sweep
// outermost), their --set assignments, and each point's baseline.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/sweep/baseline.h"
#include "sim/sweep/sweep_points.h"

namespace sim::sweep {
namespace {

using Values = std::vector<std::string>;

const std::vector<SweepAxis> kAxes = {{"cluster.workers", {"1", "2", "4"}},
                                      {"strategy.kind", {"SYNC_ALLREDUCE", "ASYNC_PS"}}};

TEST(SweepPoints, ProductInNestedLoopOrderLastAxisFastest) {
  const auto points = PointsOf(kAxes);
  ASSERT_EQ(points.size(), 6u);  // 3 x 2
  EXPECT_EQ(points[0].values, (Values{"1", "SYNC_ALLREDUCE"}));
  EXPECT_EQ(points[1].values, (Values{"1", "ASYNC_PS"}));
  EXPECT_EQ(points[2].values, (Values{"2", "SYNC_ALLREDUCE"}));
  EXPECT_EQ(points[5].values, (Values{"4", "ASYNC_PS"}));
  for (std::size_t i = 0; i < points.size(); ++i) EXPECT_EQ(points[i].index, i);
}

TEST(SweepPoints, LabelAndOverridesSweptValuesAfterTheFixedOnes) {
  const auto points = PointsOf(kAxes);
  EXPECT_EQ(Label(kAxes, points[3]), "cluster.workers=2, strategy.kind=ASYNC_PS");
  EXPECT_EQ(OverridesOf(kAxes, points[3], {"workload.steps=5", "cluster.workers=9"}),
            (Values{"workload.steps=5", "cluster.workers=9", "cluster.workers=2", "strategy.kind=ASYNC_PS"}));
}

TEST(SweepPoints, APathSweptTwiceIsRefused) {
  EXPECT_THROW((void)PointsOf({{"cluster.workers", {"1"}}, {"cluster.workers", {"2"}}}), std::invalid_argument);
}

TEST(SweepPoints, TooLargeAGridIsRefused) {
  std::vector<SweepAxis> axes;
  for (int a = 0; a < 3; ++a) axes.push_back({"p" + std::to_string(a), Values(1000, "x")});
  EXPECT_THROW((void)PointsOf(axes), std::invalid_argument);  // 10^9 > kMaxSweepPoints
}

TEST(Baseline, DefaultIsThePointZeroForEveryPoint) {
  const auto points = PointsOf(kAxes);
  EXPECT_EQ(BaselinesOf(kAxes, points, ""), (std::vector<std::size_t>(6, 0)));
}

TEST(Baseline, PinningOnePathKeepsThePointsOtherValues) {
  // Each strategy against its own 1-worker point: SYNC_ALLREDUCE rows -> 0,
  // ASYNC_PS rows -> 1.
  const auto points = PointsOf(kAxes);
  EXPECT_EQ(BaselinesOf(kAxes, points, "cluster.workers=1"), (std::vector<std::size_t>{0, 1, 0, 1, 0, 1}));
  // Against 2 workers: points 2 and 3.
  EXPECT_EQ(BaselinesOf(kAxes, points, "cluster.workers=2"), (std::vector<std::size_t>{2, 3, 2, 3, 2, 3}));
}

TEST(Baseline, PinningEveryPathNamesOnePoint) {
  const auto points = PointsOf(kAxes);
  EXPECT_EQ(BaselinesOf(kAxes, points, "cluster.workers=2,strategy.kind=ASYNC_PS"),
            (std::vector<std::size_t>(6, 3)));
}

TEST(Baseline, UnsweptPathsAndUnsweptValuesAreRefused) {
  const auto points = PointsOf(kAxes);
  EXPECT_THROW((void)BaselinesOf(kAxes, points, "workload.steps=5"), std::invalid_argument);
  EXPECT_THROW((void)BaselinesOf(kAxes, points, "cluster.workers=3"), std::invalid_argument);
  EXPECT_THROW((void)BaselinesOf(kAxes, points, "cluster.workers"), std::invalid_argument);
}

}  // namespace
}  // namespace sim::sweep
