// Time and unit conversions: exact integer picoseconds, one rounding.
#include "sim/core/time.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "sim/core/units.h"

namespace sim {
namespace {

TEST(TimeType, ConstructorsAgree) {
  EXPECT_EQ(Seconds(1.0), Picoseconds(1'000'000'000'000));
  EXPECT_EQ(Milliseconds(3), Microseconds(3'000));
  EXPECT_EQ(Microseconds(2), Nanoseconds(2'000));
  EXPECT_DOUBLE_EQ(Milliseconds(250).seconds(), 0.25);
}

TEST(TimeType, SecondsRoundsToNearestPicosecond) {
  EXPECT_EQ(Seconds(1.4e-12), Picoseconds(1));
  EXPECT_EQ(Seconds(1.6e-12), Picoseconds(2));
}

TEST(TimeType, RatioIsPlainNumberAndNoImplicitConversion) {
  EXPECT_DOUBLE_EQ(Milliseconds(3) / Milliseconds(2), 1.5);
  static_assert(!std::is_convertible_v<std::int64_t, Time>);
  static_assert(!std::is_convertible_v<Time, std::int64_t>);
}

TEST(TimeType, RangeCoversMonthsOfSimulatedTime) {
  // int64 picoseconds: 2^63 ps = 9.22e6 s = 106.75 days.
  EXPECT_GT(Time::max().seconds() / 86400.0, 106.0);
}

TEST(Units, TransferTimeIsBytesOverRate) {
  // 100 MB over 1.25 GB/s = 0.08 s exactly.
  EXPECT_EQ(TransferTime(Bytes{100'000'000}, GigabytesPerSecond(1.25)), Milliseconds(80));
  // 10 Gbit/s = 1.25e9 B/s.
  EXPECT_DOUBLE_EQ(GigabitsPerSecond(10).value, 1.25e9);
  EXPECT_EQ(ComputeTime(Flops{2e12}, FlopsPerSecond{1e12}), Seconds(2.0));
}

}  // namespace
}  // namespace sim
