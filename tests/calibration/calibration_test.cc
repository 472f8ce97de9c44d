// From measurements to the simulator's calibration (sim/calibration/calibration.h).
// The measurements here are synthetic, made from the link model itself,
//   t(m) = t(1 byte) + m / (efficiency x B)               (one message)
//   t(m) = t(1 byte) + directions x m / (efficiency x B)  (an exchange),
// so that every fitted number has a closed form to be checked against.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "sim/scenario/run_plan.h"
#include "sim/scenario/overrides.h"
#include "sim/calibration/calibration.h"
#include "sim/calibration/flow_share_fit.h"

namespace sim::calibration {
namespace {

constexpr double kTolerance = 1e-9;       // relative, for closed forms in doubles
constexpr double kB = 0.1e9 / 8.0;         // 100 Mbit/s in bytes per second
constexpr std::int64_t kGradient = 407080;  // MLP-128 on Fashion-MNIST, bytes

std::string Source() {
  const char* dir = std::getenv("SIM_SOURCE_DIR");
  return dir ? dir : ".";
}

scenario::RunPlan Scenario(const std::string& file, std::uint32_t workers) {
  return scenario::LoadPlan(Source() + "/validate/scenarios/" + file, {"cluster.workers=" + std::to_string(workers)});
}

void Add(google::protobuf::RepeatedPtrField<SizeTime>* times, std::int64_t bytes, double seconds) {
  SizeTime* t = times->Add();
  t->set_bytes(bytes);
  t->set_seconds(seconds);
}

// One-way messages at efficiency 0.9: t(m) = 50 us + m / (0.9 B), 1-byte
// messages taking the 50 us.
HostMeasurements LinkMeasurements(const std::vector<std::int64_t>& sizes) {
  HostMeasurements m;
  m.set_nominal_gbit_per_s(0.1);
  m.set_small_message_s(50e-6);
  for (std::int64_t b : sizes) Add(m.mutable_one_way(), b, 50e-6 + static_cast<double>(b) / (0.9 * kB));
  return m;
}

// A parameter server and `workers` workers on such links: the server's
// fan-in and fan-out of one gradient each take 50 us + p m / (0.9 B).
HostMeasurements ServerMeasurements(std::uint32_t workers) {
  HostMeasurements m = LinkMeasurements({kGradient});
  m.set_workers(workers);
  m.set_flops_per_step(1e7);
  m.set_gradient_bytes(kGradient);
  Add(m.mutable_fan_in(), kGradient, 50e-6 + workers * static_cast<double>(kGradient) / (0.9 * kB));
  Add(m.mutable_fan_out(), kGradient, 50e-6 + workers * static_cast<double>(kGradient) / (0.9 * kB));
  return m;
}

TEST(Calibration, PatternFollowsStrategyAndImplementation) {
  const auto ring2 = Scenario("mlp_ring_100mbit.pbtxt", 2), ring4 = Scenario("mlp_ring_100mbit.pbtxt", 4);
  EXPECT_EQ(PatternOf(ring2, AllreduceImplementation::kPointToPointRing, kGradient), TrafficPattern::kPairExchange);
  EXPECT_EQ(PatternOf(ring4, AllreduceImplementation::kPointToPointRing, kGradient), TrafficPattern::kRingExchange);
  // Open MPI runs Rabenseifner here: pairwise exchanges.
  EXPECT_EQ(PatternOf(ring4, AllreduceImplementation::kMpiAllreduce, kGradient), TrafficPattern::kPairExchange);
  EXPECT_EQ(PatternOf(Scenario("mlp_ring_100mbit.pbtxt", 1), AllreduceImplementation::kPointToPointRing, kGradient),
            TrafficPattern::kNone);
  EXPECT_EQ(PatternOf(Scenario("mlp_sync_ps_100mbit.pbtxt", 1), AllreduceImplementation::kPointToPointRing, kGradient),
            TrafficPattern::kFanInOut);
  // A reduce + broadcast (Open MPI's choice for 1 kB on 300 ranks) is
  // fitted on one-way times, which every calibration measures.
  const auto ring300 = Scenario("mlp_ring_100mbit.pbtxt", 300);
  EXPECT_EQ(PatternOf(ring300, AllreduceImplementation::kMpiAllreduce, 1024), TrafficPattern::kOneWay);
  const LinkFit fit = FitLink(LinkMeasurements({1024}), TrafficPattern::kOneWay, {1024});
  EXPECT_EQ(fit.duplex, scenario::FULL_DUPLEX);
  EXPECT_GT(fit.bandwidth_efficiency, 0.0);
  // Local SGD all-reduces its parameters as many bytes as a gradient; SSP
  // talks to its server as ASYNC_PS does.
  auto local = ring4;
  local.strategy.kind = StrategyKind::kLocalSgd;
  EXPECT_EQ(PatternOf(local, AllreduceImplementation::kPointToPointRing, kGradient), TrafficPattern::kRingExchange);
  auto ssp = Scenario("mlp_async_ps_100mbit.pbtxt", 4);
  ssp.strategy.kind = StrategyKind::kSsp;
  EXPECT_EQ(PatternOf(ssp, AllreduceImplementation::kPointToPointRing, kGradient), TrafficPattern::kFanInOut);
}

TEST(Calibration, SizesAreThoseTheRunSends) {
  // Ring chunks: ceil(407080 / 4) = 101770.
  EXPECT_EQ(MessageSizes(Scenario("mlp_ring_100mbit.pbtxt", 4), AllreduceImplementation::kPointToPointRing, kGradient),
            (std::vector<std::int64_t>{101770}));
  // Recursive halving on 8 ranks: n/8, n/4, n/2.
  EXPECT_EQ(MessageSizes(Scenario("mlp_ring_100mbit.pbtxt", 8), AllreduceImplementation::kMpiAllreduce, kGradient),
            (std::vector<std::int64_t>{50885, 101770, 203540}));
  // Open MPI 4.1 runs recursive doubling for 4,096 bytes on 8 ranks
  // (openmpi_allreduce_choice.h): every step sends the whole vector.
  EXPECT_EQ(MessageSizes(Scenario("mlp_ring_100mbit.pbtxt", 8), AllreduceImplementation::kMpiAllreduce, 4096),
            (std::vector<std::int64_t>{4096}));
  // One server: whole gradients.
  EXPECT_EQ(MessageSizes(Scenario("mlp_sync_ps_100mbit.pbtxt", 4), AllreduceImplementation::kPointToPointRing,
                         kGradient),
            (std::vector<std::int64_t>{407080}));
  EXPECT_TRUE(MessageSizes(Scenario("mlp_ring_100mbit.pbtxt", 1), AllreduceImplementation::kPointToPointRing, kGradient)
                  .empty());
}

TEST(Calibration, ServerLinkIsSharedByTheWorkersFlows) {
  // The server sends 407,080 bytes to each of 4 workers at once through its
  // link: t = 50 us + 4 m / (0.9 B). The fan-in, slower here as with 8
  // workers at 100 Mbit/s (its senders overflow the queue at once), is not
  // fitted.
  HostMeasurements m = LinkMeasurements({407080});
  m.set_workers(4);
  Add(m.mutable_fan_in(), 407080, 50e-6 + 1.25 * 4 * 407080.0 / (0.9 * kB));
  Add(m.mutable_fan_out(), 407080, 50e-6 + 4 * 407080.0 / (0.9 * kB));
  const LinkFit fit = FitLink(m, TrafficPattern::kFanInOut, {407080});
  EXPECT_NEAR(fit.bandwidth_efficiency, 0.9, 0.9 * kTolerance);
  EXPECT_EQ(fit.duplex, scenario::FULL_DUPLEX);
  // Two links per path: latency = 50 us / 2; no overhead.
  EXPECT_NEAR(fit.latency_us, 25.0, 25.0 * kTolerance);
  EXPECT_EQ(fit.per_message_overhead_us, 0.0);
}

TEST(Calibration, UnevenFanOutFitsTheFlowShareSigma) {
  const auto ps = Scenario("mlp_sync_ps_100mbit.pbtxt", 4);
  HostMeasurements m = ServerMeasurements(4);
  m.set_lockstep_step_s(1e-3);
  const auto sigma_override = [](const Calibration& c) {
    for (const auto& o : CalibrationOverrides(c)) {
      if (o.rfind("cluster.network.flow_share_sigma=", 0) == 0) return std::stod(o.substr(o.find('=') + 1));
    }
    return -1.0;
  };
  // Not measured (a ring's calibration): no override, the scenario's own value stands.
  EXPECT_EQ(sigma_override(Calibrate(m, ps, AllreduceImplementation::kPointToPointRing)), -1.0);
  // Fair: all four receivers done together (net of the 50 us 1-byte time).
  SizeTimes* fan = m.add_fan_out_completions();
  fan->set_bytes(407080);
  for (double t : {0.140, 0.140, 0.140, 0.140}) fan->add_seconds(t);
  EXPECT_EQ(sigma_override(Calibrate(m, ps, AllreduceImplementation::kPointToPointRing)), 0.0);
  // As measured on the emulated cluster with 4 receivers: first at ~0.6 of the last.
  fan->set_seconds(0, 50e-6 + 0.6 * (0.140 - 50e-6));
  const Calibration uneven = Calibrate(m, ps, AllreduceImplementation::kPointToPointRing);
  EXPECT_NEAR(uneven.fan_out_first_fraction, 0.6, 1e-12);
  ASSERT_TRUE(uneven.flow_share_sigma.has_value());
  EXPECT_NEAR(*uneven.flow_share_sigma, FitFlowShareSigma(4, 0.6), 1e-12);
  EXPECT_NEAR(ExpectedFirstFraction(4, *uneven.flow_share_sigma), 0.6, 1e-6);
  EXPECT_NEAR(sigma_override(uneven), *uneven.flow_share_sigma, 1e-6 * *uneven.flow_share_sigma);
}

TEST(Calibration, TwoWayFanMeasuresTheCablesTwoWayCapacity) {
  // 2 pushes and 2 pulls at once took 1.28x 2 pulls alone (4 workers):
  // two_way_capacity = 2 / 1.28 = 1.5625, noted and an override, and the
  // link's efficiency still comes from the fan-out.
  const auto ps = Scenario("mlp_async_ps_100mbit.pbtxt", 4);
  HostMeasurements m = ServerMeasurements(4);
  m.add_free_running_step_s(1e-3);
  m.set_optimizer_step_s(1e-4);
  Add(m.mutable_fan_half_each(), 407080, 50e-6 + 1.28 * 2 * 407080.0 / (0.9 * kB));
  const Calibration c = Calibrate(m, ps, AllreduceImplementation::kPointToPointRing);
  EXPECT_NEAR(c.link.bandwidth_efficiency, 0.9, 0.9 * kTolerance);
  ASSERT_TRUE(c.two_way_capacity.has_value());
  EXPECT_NEAR(*c.two_way_capacity, 2.0 / 1.28, 1e-9);
  bool said = false, applied = false;
  for (const auto& note : c.notes) {
    said = said || note.find("-> two_way_capacity 1.5625") != std::string::npos;
  }
  for (const auto& o : CalibrationOverrides(c)) {
    applied = applied || o == "cluster.network.two_way_capacity=1.5625";
  }
  EXPECT_TRUE(said);
  EXPECT_TRUE(applied);
  // Faster both ways than one way (noise): full duplex, not above.
  m.mutable_fan_half_each(0)->set_seconds(50e-6 + 0.9 * 2 * 407080.0 / (0.9 * kB));
  EXPECT_EQ(*Calibrate(m, ps, AllreduceImplementation::kPointToPointRing).two_way_capacity, 2.0);
}

TEST(Calibration, EfficiencyMakesTheSummedTimeOfTheRunsSizesExact) {
  // A 200 us handshake on top of the line: t(m) = 250 us + m / (0.9 B). With
  // no overhead in the model, the efficiency absorbs it so that
  //   sum (2 latency + m / (efficiency B)) = sum t(m)
  // over the run's sizes.
  HostMeasurements m;
  m.set_nominal_gbit_per_s(0.1);
  m.set_small_message_s(50e-6);
  const std::vector<std::int64_t> sizes = {101770, 203540};
  double measured = 0;
  for (std::int64_t b : sizes) {
    const double t = 250e-6 + static_cast<double>(b) / (0.9 * kB);
    Add(m.mutable_one_way(), b, t);
    Add(m.mutable_ring_exchange(), b, t);
    measured += t;
  }
  const LinkFit fit = FitLink(m, TrafficPattern::kRingExchange, sizes);
  EXPECT_EQ(fit.duplex, scenario::FULL_DUPLEX);
  double predicted = 0;
  for (std::int64_t b : sizes) {
    predicted += 2 * fit.latency_us * 1e-6 + static_cast<double>(b) / (fit.bandwidth_efficiency * kB);
  }
  EXPECT_NEAR(predicted, measured, measured * kTolerance);
  EXPECT_LT(fit.bandwidth_efficiency, 0.9);
}

TEST(Calibration, ExchangeAtHalfSpeedIsHalfDuplex) {
  HostMeasurements m = LinkMeasurements({101770, 203540});
  // Both directions in 2m / (0.9 B): exactly half speed each.
  for (std::int64_t b : {101770, 203540}) {
    Add(m.mutable_pair_exchange(), b, 50e-6 + 2.0 * static_cast<double>(b) / (0.9 * kB));
  }
  const LinkFit fit = FitLink(m, TrafficPattern::kPairExchange, {101770, 203540});
  EXPECT_NEAR(fit.exchange_ratio, 2.0, 2.0 * kTolerance);
  EXPECT_EQ(fit.duplex, scenario::HALF_DUPLEX);
  EXPECT_NEAR(fit.bandwidth_efficiency, 0.9, 0.9 * kTolerance);
}

TEST(Calibration, ExchangeBetweenOneAndTwoTimesIsASlowerFullDuplexLink) {
  HostMeasurements m = LinkMeasurements({101770});
  // 1.6x the one-way seconds per byte: as half duplex that would be an
  // efficiency of 2 x 0.9 / 1.6 = 1.125 > 1, so it is full duplex at
  // 0.9 / 1.6 = 0.5625.
  Add(m.mutable_ring_exchange(), 101770, 50e-6 + 1.6 * 101770.0 / (0.9 * kB));
  const LinkFit fit = FitLink(m, TrafficPattern::kRingExchange, {101770});
  EXPECT_NEAR(fit.exchange_ratio, 1.6, 1.6 * kTolerance);
  EXPECT_EQ(fit.duplex, scenario::FULL_DUPLEX);
  EXPECT_NEAR(fit.bandwidth_efficiency, 0.5625, 0.5625 * kTolerance);
}

TEST(Calibration, MissingMeasurementsAreAllReported) {
  HostMeasurements m;
  m.set_nominal_gbit_per_s(0.1);
  try {
    (void)FitLink(m, TrafficPattern::kRingExchange, {101770, 203540});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("small_message_s"), std::string::npos) << what;
    EXPECT_NE(what.find("need ring exchange times at every size"), std::string::npos) << what;
    EXPECT_NE(what.find("need one-way times at every size"), std::string::npos) << what;
  }
}

// Two workers: the ring's chunks are 203,540 bytes; so are Rabenseifner's.
HostMeasurements FullMeasurements() {
  HostMeasurements m = LinkMeasurements({203540});
  Add(m.mutable_pair_exchange(), 203540, 50e-6 + 2.0 * 203540.0 / (0.9 * kB));
  m.set_workers(2);
  m.set_ranks(2);
  m.set_gradient_bytes(kGradient);
  m.set_flops_per_step(13099648);  // MLP-128 x batch 32
  m.set_lockstep_step_s(0.5e-3);
  m.set_optimizer_step_s(80e-6);
  m.set_add_gradient_s(10e-6);
  return m;
}

TEST(Calibration, DeviceAndArithmeticComeFromTheComputeMeasurements) {
  const Calibration c =
      Calibrate(FullMeasurements(), Scenario("mlp_ring_100mbit.pbtxt", 2), AllreduceImplementation::kPointToPointRing);
  // 13,099,648 FLOP in 0.5 ms = 26.2 GFLOP/s = 0.0261993 TFLOP/s.
  EXPECT_NEAR(c.device.peak_tflops(), 13099648 / 0.5e-3 / 1e12, 1e-15);
  // Copy + scale (two passes of adding speed) + optimizer: 10 + 10 + 80 us.
  EXPECT_NEAR(c.device.step_overhead_us(), 100.0, 100.0 * kTolerance);
  // 407,080 bytes added in 10 us = 40.708 GB/s.
  EXPECT_NEAR(c.reduction_gbyte_per_s, 40.708, 40.708 * kTolerance);
  EXPECT_EQ(c.pattern, TrafficPattern::kPairExchange);
  EXPECT_EQ(c.link.duplex, scenario::HALF_DUPLEX);
  EXPECT_EQ(c.allreduce, scenario::ALLREDUCE_UNSPECIFIED);  // our ring: the scenario's own RING
}

TEST(Calibration, LocalSgdCopiesAndScalesOncePerRound) {
  auto local = Scenario("mlp_ring_100mbit.pbtxt", 2);
  local.strategy.kind = StrategyKind::kLocalSgd;
  local.strategy.local_steps = 4;
  const Calibration c = Calibrate(FullMeasurements(), local, AllreduceImplementation::kPointToPointRing);
  // An optimizer step every local step (80 us), copy + scale (10 + 10 us)
  // once per 4: 80 + 20 / 4 = 85 us per step; the reduction as the ring's.
  EXPECT_NEAR(c.device.step_overhead_us(), 85.0, 85.0 * kTolerance);
  EXPECT_NEAR(c.reduction_gbyte_per_s, 40.708, 40.708 * kTolerance);
  EXPECT_EQ(c.pattern, TrafficPattern::kPairExchange);
}

TEST(Calibration, MpiAllreduceIsSimulatedAsOpenMpisChoice) {
  const Calibration c =
      Calibrate(FullMeasurements(), Scenario("mlp_ring_100mbit.pbtxt", 2), AllreduceImplementation::kMpiAllreduce);
  EXPECT_EQ(c.allreduce, scenario::HALVING_DOUBLING);
  const auto overrides = CalibrationOverrides(c);
  EXPECT_EQ(overrides.back(), "strategy.allreduce=HALVING_DOUBLING");
}

TEST(Calibration, OverridesLoadIntoTheScenario) {
  const Calibration c =
      Calibrate(FullMeasurements(), Scenario("mlp_ring_100mbit.pbtxt", 2), AllreduceImplementation::kPointToPointRing);
  std::vector<std::string> overrides = CalibrationOverrides(c);
  overrides.push_back("cluster.workers=2");
  const auto loaded = scenario::LoadPlan(Source() + "/validate/scenarios/mlp_ring_100mbit.pbtxt", overrides);
  const auto& cluster = loaded.effective.cluster();
  EXPECT_EQ(cluster.network().duplex(), scenario::HALF_DUPLEX);
  EXPECT_NEAR(cluster.network().bandwidth_efficiency(), 0.9, 1e-8);
  EXPECT_NEAR(cluster.topology().star().host_link().latency_us(), 25.0, 1e-6);
  EXPECT_NEAR(cluster.topology().star().host_link().bandwidth_gbit_per_s(), 0.1, 1e-12);
  EXPECT_NEAR(cluster.device_profile().peak_tflops(), c.device.peak_tflops(), 1e-12);
}

TEST(Calibration, FileTextRoundTripsThroughTheParser) {
  const Calibration c =
      Calibrate(FullMeasurements(), Scenario("mlp_ring_100mbit.pbtxt", 2), AllreduceImplementation::kPointToPointRing);
  const std::string text = CalibrationFileText(c, "first line\nsecond line");
  EXPECT_EQ(text.rfind("# first line\n# second line\n", 0), 0u) << text;
  EXPECT_EQ(ParseOverridesFile(text), CalibrationOverrides(c));
  EXPECT_EQ(ParseOverridesFile("  # comment\n\n  a.b=1  \r\n"), (std::vector<std::string>{"a.b=1"}));
}

TEST(Calibration, BackupWorkersAreCalibratedAsTheSynchronousServer) {
  // SYNC_BACKUP: every worker still pushes its gradient to the server and
  // pulls the parameters (the server drops the late ones after they cross),
  // so the fan-in/out of whole gradients, fitted on the fan-out as for
  // SYNC_PS: t = 50 us + 4 m / (0.9 B) -> efficiency 0.9. Synchronous: the
  // compute rate is the lockstep phase's, 10 MFLOP in 0.5 ms = 0.02 TFLOP/s,
  // and the server's work per gradient is adding it in, 407,080 bytes in
  // 10 us = 40.708 GB/s.
  const auto backup = Scenario("mlp_sync_ps_backup_100mbit.pbtxt", 4);
  ASSERT_EQ(backup.strategy.kind, StrategyKind::kSyncBackup);
  ASSERT_EQ(backup.strategy.backup_workers, 1u);
  EXPECT_EQ(PatternOf(backup, AllreduceImplementation::kPointToPointRing, kGradient), TrafficPattern::kFanInOut);
  EXPECT_EQ(MessageSizes(backup, AllreduceImplementation::kPointToPointRing, kGradient),
            (std::vector<std::int64_t>{407080}));
  HostMeasurements m = ServerMeasurements(4);
  m.set_lockstep_step_s(0.5e-3);
  m.add_free_running_step_s(0.9e-3);  // would be used were it not synchronous
  m.set_add_gradient_s(10e-6);
  m.set_optimizer_step_s(80e-6);
  const Calibration c = Calibrate(m, backup, AllreduceImplementation::kPointToPointRing);
  EXPECT_EQ(c.pattern, TrafficPattern::kFanInOut);
  EXPECT_NEAR(c.link.bandwidth_efficiency, 0.9, 0.9 * kTolerance);
  EXPECT_NEAR(c.device.peak_tflops(), 1e7 / 0.5e-3 / 1e12, 1e-15);
  EXPECT_EQ(c.device.step_overhead_us(), 0.0);  // the server does the arithmetic
  EXPECT_NEAR(c.server_apply_gbyte_per_s, 40.708, 40.708 * kTolerance);
}

}  // namespace
}  // namespace sim::calibration
