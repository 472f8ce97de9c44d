// One median and quantile for the whole report (validate/quantile.h).
#include "sim/core/quantile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sim::validate {
namespace {

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
  // Type 7 (numpy.quantile's default): position q (n - 1) in the sorted values.
  const std::vector<double> v = {5, 1, 4, 2, 3};  // sorted 1..5
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.1), 1.4);  // 1 + 0.4 x (2 - 1)
  EXPECT_DOUBLE_EQ(Quantile(v, 0.9), 4.6);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Quantile(v, 1.0), 5.0);
  EXPECT_DOUBLE_EQ(Quantile({2, 4}, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(Quantile({7}, 0.9), 7.0);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
}

TEST(Quantile, MedianIsTheMiddleValueOrTheMeanOfTheMiddleTwoToTheBit) {
  // The definition the report used before there was one function: the
  // middle of an odd count, (a + b) / 2 of the middle two of an even one.
  EXPECT_EQ(Median({0.3, 0.1, 0.2}), 0.2);
  const double a = 0.1, b = 0.7;
  EXPECT_EQ(Median({b, 0.05, a, 0.9}), 0.5 * (a + b));
  // A diverged run's loss is infinite: it orders last and never turns the
  // median of the others into NaN.
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Median({1.0, inf, 2.0}), 2.0);
  EXPECT_EQ(Median({1.0, 2.0, inf}), 2.0);
  EXPECT_EQ(Median({1.0, inf}), inf);
}

}  // namespace
}  // namespace sim::validate
