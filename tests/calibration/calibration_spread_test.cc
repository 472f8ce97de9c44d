// A calibration at a quantile of its probes' blocks
// (sim/calibration/calibration_spread.h). The blocks here are synthetic, made
// from the link model itself, t(m) = t(1 byte) + m / (efficiency x B), each
// block at its own efficiency, so that the calibration at a quantile has a
// closed form: the efficiency of the block at that order statistic.
#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/calibration/calibration.h"
#include "sim/calibration/calibration_spread.h"

namespace sim::calibration {
namespace {

constexpr double kB = 0.1e9 / 8.0;  // 100 Mbit/s in bytes per second
constexpr std::int64_t kChunk = 101770;

double SecondsAt(double efficiency) { return 50e-6 + static_cast<double>(kChunk) / (efficiency * kB); }

// One-way messages at efficiency 0.9 (no blocks: the one-way probe's
// spread is not what this checks) and a ring step whose five blocks ran at
// efficiencies 0.8, 0.95, 0.75, 0.9, 0.85, in that order.
HostMeasurements RingMeasurements() {
  HostMeasurements m;
  m.set_ranks(4);
  m.set_nominal_gbit_per_s(0.1);
  m.set_small_message_s(50e-6);
  SizeTime* one_way = m.add_one_way();
  one_way->set_bytes(kChunk);
  one_way->set_seconds(SecondsAt(0.9));
  one_way->add_block_seconds(SecondsAt(0.9));
  SizeTime* ring = m.add_ring_exchange();
  ring->set_bytes(kChunk);
  double sum = 0;
  for (double e : {0.8, 0.95, 0.75, 0.9, 0.85}) {
    ring->add_block_seconds(SecondsAt(e));
    sum += SecondsAt(e);
  }
  ring->set_seconds(sum / 5);
  return m;
}

double EfficiencyAt(const HostMeasurements& m, double q) {
  return FitLink(AtBlockQuantile(m, q), TrafficPattern::kRingExchange, {kChunk}).bandwidth_efficiency;
}

TEST(CalibrationSpread, AQuantileCalibratesAsTheBlockAtThatOrderStatistic) {
  const HostMeasurements m = RingMeasurements();
  // Sorted by time: 0.95, 0.9, 0.85, 0.8, 0.75. Quantile q sits at position
  // 4q (type 7): 0 the fastest block, 0.5 the middle one, 1 the slowest.
  EXPECT_NEAR(EfficiencyAt(m, 0.0), 0.95, 1e-9);
  EXPECT_NEAR(EfficiencyAt(m, 0.5), 0.85, 1e-9);
  EXPECT_NEAR(EfficiencyAt(m, 1.0), 0.75, 1e-9);
  // Between two blocks, their times interpolate: q = 0.125 is halfway
  // between the 0.95 and the 0.9 block's times.
  const double halfway = 0.5 * (SecondsAt(0.95) + SecondsAt(0.9));
  EXPECT_NEAR(AtBlockQuantile(m, 0.125).ring_exchange(0).seconds(), halfway, 1e-15);
  // The mean's calibration lies between the fastest and slowest blocks'.
  const double mean = FitLink(m, TrafficPattern::kRingExchange, {kChunk}).bandwidth_efficiency;
  EXPECT_GT(mean, EfficiencyAt(m, 1.0));
  EXPECT_LT(mean, EfficiencyAt(m, 0.0));
  // Only the seconds change.
  EXPECT_EQ(AtBlockQuantile(m, 0.3).ring_exchange(0).block_seconds_size(), 5);
  EXPECT_EQ(AtBlockQuantile(m, 0.3).small_message_s(), m.small_message_s());
}

TEST(CalibrationSpread, ASteadyClusterHasOneBehaviour) {
  // Every block equal to the mean: every quantile is the measurement itself.
  HostMeasurements m = RingMeasurements();
  SizeTime* ring = m.mutable_ring_exchange(0);
  ring->clear_block_seconds();
  for (int b = 0; b < 5; ++b) ring->add_block_seconds(ring->seconds());
  for (double q : {0.0, 0.05, 0.5, 0.95, 1.0}) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(AtBlockQuantile(m, q), m)) << q;
  }
}

TEST(CalibrationSpread, EveryRankCountOfAProfileIsTakenAtTheQuantile) {
  ClusterProfile profile;
  *profile.add_at_ranks() = RingMeasurements();
  HostMeasurements eight = RingMeasurements();
  eight.set_ranks(8);
  *profile.add_at_ranks() = eight;
  const ClusterProfile slow = AtBlockQuantile(profile, 1.0);
  ASSERT_EQ(slow.at_ranks_size(), 2);
  for (const HostMeasurements& m : slow.at_ranks()) {
    EXPECT_DOUBLE_EQ(m.ring_exchange(0).seconds(), SecondsAt(0.75)) << m.ranks();
  }
}

TEST(CalibrationSpread, ProbesWithoutBlocksAreAllNamedAndABadQuantileIsRefused) {
  HostMeasurements m = RingMeasurements();
  m.mutable_one_way(0)->clear_block_seconds();
  SizeTime* pair = m.add_pair_exchange();
  pair->set_bytes(2048);
  pair->set_seconds(1e-3);
  try {
    (void)AtBlockQuantile(m, 0.5);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("one_way at 101770 bytes on 4 ranks"), std::string::npos) << what;
    EXPECT_NE(what.find("pair_exchange at 2048 bytes on 4 ranks"), std::string::npos) << what;
    EXPECT_NE(what.find("measure again"), std::string::npos) << what;
  }
  for (double q : {-0.1, 1.5, std::nan("")}) {
    EXPECT_THROW((void)AtBlockQuantile(RingMeasurements(), q), std::invalid_argument) << q;
  }
}

}  // namespace
}  // namespace sim::calibration
