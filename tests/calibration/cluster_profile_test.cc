// A run's measurements read off a cluster profile (sim/calibration/cluster_profile.h).
// The profile's times are made from the link model itself, affine in the
// size, t(m) = t(1 byte) + m / (efficiency x B), so that interpolation has a
// closed form to meet; and a profile that holds exactly a run's own
// measurements must calibrate that run exactly as the per-run calibration
// does (the shortcut equal to the full calibration).
#include "sim/calibration/cluster_profile.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/calibration/calibration_spread.h"
#include "sim/scenario/run_plan.h"

namespace sim::calibration {
namespace {

constexpr double kB = 0.1e9 / 8.0;          // 100 Mbit/s in bytes per second
constexpr std::int64_t kGradient = 407080;  // MLP-128 on Fashion-MNIST, bytes
constexpr double kFlops = 13099648;         // its FLOPs per step at batch 32 (mpi_calibrate's log)

std::string Source() {
  const char* dir = std::getenv("SIM_SOURCE_DIR");
  return dir ? dir : ".";
}

scenario::RunPlan Scenario(const std::string& file, std::uint32_t workers) {
  return scenario::LoadPlan(Source() + "/validate/scenarios/" + file, {"cluster.workers=" + std::to_string(workers)});
}

double Affine(std::int64_t bytes, double efficiency, double directions = 1) {
  return 50e-6 + directions * static_cast<double>(bytes) / (efficiency * kB);
}

void Add(google::protobuf::RepeatedPtrField<SizeTime>* times, std::int64_t bytes, double seconds) {
  SizeTime* t = times->Add();
  t->set_bytes(bytes);
  t->set_seconds(seconds);
}

// What mpi_calibrate --profile-sizes writes on `ranks` ranks, all computing:
// every pattern at `sizes`, the fans with ranks - 1 workers. `scale` makes
// the entries of different rank counts tell apart.
HostMeasurements Entry(std::uint32_t ranks, const std::vector<std::int64_t>& sizes, double scale = 1) {
  HostMeasurements m;
  m.set_ranks(ranks);
  m.set_workers(ranks);
  m.set_nominal_gbit_per_s(0.1);
  m.set_small_message_s(50e-6 * scale);
  m.set_flops_per_step(kFlops);
  m.set_gradient_bytes(kGradient);
  m.set_lockstep_step_s(1e-3 * scale);
  m.add_free_running_step_s(0.9e-3 * scale);
  m.set_optimizer_step_s(40e-6 * scale);
  m.set_add_gradient_s(20e-6 * scale);
  const double fan = ranks - 1;
  for (std::int64_t b : sizes) {
    Add(m.mutable_one_way(), b, Affine(b, 0.9 / scale));
    Add(m.mutable_pair_exchange(), b, Affine(b, 0.8 / scale));
    if (ranks >= 3) Add(m.mutable_ring_exchange(), b, Affine(b, 0.7 / scale));
    Add(m.mutable_fan_in(), b, Affine(b, 0.95 / scale, fan));
    Add(m.mutable_fan_out(), b, Affine(b, 0.9 / scale, fan));
    if (ranks >= 3) {
      Add(m.mutable_fan_half_each(), b, Affine(b, 0.6 / scale, fan / 2));
      SizeTimes* completions = m.add_fan_out_completions();
      completions->set_bytes(b);
      for (int i = 1; i <= static_cast<int>(fan); ++i) {
        completions->add_seconds(Affine(b, 0.9 / scale, fan) * (0.5 + 0.5 * i / fan));
      }
    }
  }
  return m;
}

const std::vector<std::int64_t> kGrid = {32768, 131072, 524288, 2097152};

TEST(ClusterProfile, InterpolationOfAnAffineTimeIsExact) {
  HostMeasurements m = Entry(2, kGrid);
  // Inside the grid, on a grid size, and beyond its largest size.
  for (std::int64_t b : {50885, 131072, 203540, 407080, 4000000}) {
    const double expected = Affine(b, 0.9);
    EXPECT_NEAR(InterpolatedSeconds(m.one_way(), b, 50e-6), expected, expected * 1e-12) << b;
  }
  // Below the smallest size: on the line from the 1-byte time (50 us) to
  // the smallest size's time, never below the 1-byte time.
  const double expected = 50e-6 + (Affine(32768, 0.9) - 50e-6) * (1000.0 - 1) / (32768.0 - 1);
  EXPECT_NEAR(InterpolatedSeconds(m.one_way(), 1000, 50e-6), expected, expected * 1e-12);
}

TEST(ClusterProfile, SizesBelowTheGridNeverTakeLessThanOneByte) {
  // A noisy grid whose line through its two smallest sizes would cross
  // below the 1-byte time (as tiny sizes on a loaded loopback do).
  google::protobuf::RepeatedPtrField<SizeTime> grid;
  Add(&grid, 4096, 100e-6);
  Add(&grid, 16384, 400e-6);
  EXPECT_GE(InterpolatedSeconds(grid, 453, 60e-6), 60e-6);
}

TEST(ClusterProfile, InterpolationUsesTheNearestSizesOnly) {
  // A kink at 131072 (as at an eager limit): a size below it reads the line
  // below, one above it the line above.
  google::protobuf::RepeatedPtrField<SizeTime> grid;
  Add(&grid, 32768, 1.0);
  Add(&grid, 131072, 2.0);
  Add(&grid, 524288, 8.0);
  EXPECT_DOUBLE_EQ(InterpolatedSeconds(grid, 81920, 0.5), 1.5);
  EXPECT_DOUBLE_EQ(InterpolatedSeconds(grid, 327680, 0.5), 5.0);
  EXPECT_THROW((void)InterpolatedSeconds(google::protobuf::RepeatedPtrField<SizeTime>(), 1, 0.5),
               std::invalid_argument);
}

TEST(ClusterProfile, AProfileHoldingTheRunsOwnMeasurementsCalibratesItAsThePerRunCalibration) {
  // Ring of 4: one chunk size n/4 = 101770. The per-run measurements at that
  // size; the profile's entry on 4 ranks has it among its grid sizes, and
  // the reference model is the run's.
  const scenario::RunPlan plan = Scenario("mlp_ring_100mbit.pbtxt", 4);
  const std::vector<std::int64_t> run_sizes = MessageSizes(plan, AllreduceImplementation::kPointToPointRing, kGradient);
  ASSERT_EQ(run_sizes, std::vector<std::int64_t>{101770});
  HostMeasurements per_run = Entry(4, run_sizes);
  ClusterProfile profile;
  *profile.add_at_ranks() = Entry(2, kGrid, 1.3);
  *profile.add_at_ranks() = Entry(4, {32768, 101770, 524288});
  std::vector<std::string> notes;
  const HostMeasurements read = MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing,
                                                        kGradient, kFlops, notes);
  EXPECT_EQ(CalibrationOverrides(Calibrate(read, plan, AllreduceImplementation::kPointToPointRing)),
            CalibrationOverrides(Calibrate(per_run, plan, AllreduceImplementation::kPointToPointRing)));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("4-rank"), std::string::npos) << notes[0];
}

TEST(ClusterProfile, ParameterServersReadTheNetworkOnWorkersPlusServerAndComputeOnTheWorkers) {
  // SYNC_PS with 4 workers: 5 ranks on the network, 4 computing at once.
  const scenario::RunPlan plan = Scenario("mlp_sync_ps_100mbit.pbtxt", 4);
  ASSERT_EQ(plan.placement.endpoints, 5u);
  ClusterProfile profile;
  *profile.add_at_ranks() = Entry(4, kGrid, 2.0);
  *profile.add_at_ranks() = Entry(5, kGrid, 1.0);
  std::vector<std::string> notes;
  const HostMeasurements m =
      MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing, kGradient, kFlops, notes);
  EXPECT_DOUBLE_EQ(m.small_message_s(), 50e-6);  // the 5-rank entry's
  EXPECT_DOUBLE_EQ(m.lockstep_step_s(), 2e-3);   // the 4-rank entry's
  ASSERT_EQ(m.fan_out_size(), 1);
  EXPECT_EQ(m.fan_out(0).bytes(), kGradient);
  EXPECT_NEAR(m.fan_out(0).seconds(), Affine(kGradient, 0.9, 4), 1e-12);
  // Each receiver of the fan-out on its own line: the first at 5/8 of the
  // last (0.5 + 0.5 x 1/4).
  ASSERT_EQ(m.fan_out_completions_size(), 1);
  ASSERT_EQ(m.fan_out_completions(0).seconds_size(), 4);
  EXPECT_NEAR(m.fan_out_completions(0).seconds(0) / m.fan_out_completions(0).seconds(3), 0.625, 1e-12);
  // The calibration then fits the server's link, its sharing and its two-way
  // capacity from them, as from a per-run measurement.
  const Calibration c = Calibrate(m, plan, AllreduceImplementation::kPointToPointRing);
  EXPECT_NEAR(c.link.bandwidth_efficiency, 0.9, 1e-9);
  EXPECT_TRUE(c.flow_share_sigma.has_value());
  EXPECT_TRUE(c.two_way_capacity.has_value());
}

TEST(ClusterProfile, ComputeScalesWithTheModelsFlopsAndArithmeticWithItsBytes) {
  const scenario::RunPlan plan = Scenario("mlp_ring_100mbit.pbtxt", 2);
  ClusterProfile profile;
  *profile.add_at_ranks() = Entry(2, kGrid);
  std::vector<std::string> notes;
  // A model with 4x the FLOPs per step and 2x the parameters.
  const HostMeasurements m = MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing,
                                                     2 * kGradient, 4 * kFlops, notes);
  EXPECT_DOUBLE_EQ(m.lockstep_step_s(), 4e-3);
  EXPECT_DOUBLE_EQ(m.free_running_step_s(0), 3.6e-3);
  EXPECT_DOUBLE_EQ(m.optimizer_step_s(), 80e-6);
  EXPECT_DOUBLE_EQ(m.add_gradient_s(), 40e-6);
  EXPECT_EQ(m.gradient_bytes(), 2 * kGradient);
  // The pair exchange of the ring of 2 at its own size, n/2 = 407080.
  ASSERT_EQ(m.pair_exchange_size(), 1);
  EXPECT_EQ(m.pair_exchange(0).bytes(), kGradient);
  EXPECT_NEAR(m.pair_exchange(0).seconds(), Affine(kGradient, 0.8), 1e-12);
  // The device rate the calibration derives is the profile's: FLOPs per second unchanged.
  const Calibration c = Calibrate(m, plan, AllreduceImplementation::kPointToPointRing);
  EXPECT_NEAR(c.device.peak_tflops(), kFlops / 1e-3 / 1e12, 1e-15);
}

TEST(ClusterProfile, RankCountsTheProfileLacksAreAllNamed) {
  const scenario::RunPlan plan = Scenario("mlp_sync_ps_100mbit.pbtxt", 4);  // needs 5 and 4
  ClusterProfile profile;
  *profile.add_at_ranks() = Entry(3, kGrid);
  *profile.add_at_ranks() = Entry(2, kGrid);
  std::vector<std::string> notes;
  try {
    (void)MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing, kGradient, kFlops, notes);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no measurements on 5 ranks"), std::string::npos) << what;
    EXPECT_NE(what.find("no measurements on 4 ranks"), std::string::npos) << what;
    EXPECT_NE(what.find("measured: 2, 3"), std::string::npos) << what;
  }
}

TEST(ClusterProfile, APatternMeasuredAtOneSizeOnlyIsAProblem) {
  const scenario::RunPlan plan = Scenario("mlp_ring_100mbit.pbtxt", 2);
  ClusterProfile profile;
  *profile.add_at_ranks() = Entry(2, {65536});
  std::vector<std::string> notes;
  try {
    (void)MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing, kGradient, kFlops, notes);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("one-way: measured at 1 size, needs two or more"), std::string::npos)
        << e.what();
  }
}

ClusterProfile ShippedProfile(const std::string& name) {
  std::ifstream in(Source() + "/validate/profiles/" + name);
  EXPECT_TRUE(in) << name << ": shipped profile not found";
  std::stringstream text;
  text << in.rdbuf();
  ClusterProfile profile;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &profile).ok()) << name;
  return profile;
}

// Every validation scenario at p = 2, 4, 8 reads a calibration off `profile`
// whose link runs at 0.5-1 of line rate and whose device computes.
void ExpectEveryValidationScenarioCalibrates(const ClusterProfile& profile, const std::string& label) {
  EXPECT_EQ(profile.at_ranks_size(), 6) << label;
  for (const char* file : {"mlp_ring_100mbit.pbtxt", "mlp_sync_ps_100mbit.pbtxt", "mlp_async_ps_100mbit.pbtxt",
                           "mlp_ssp_100mbit.pbtxt", "mlp_local_sgd_100mbit.pbtxt",
                           "mlp_sync_ps_backup_100mbit.pbtxt", "mlp_sync_ps_stragglers_100mbit.pbtxt"}) {
    for (std::uint32_t p : {2u, 4u, 8u}) {
      const scenario::RunPlan plan = Scenario(file, p);
      std::vector<std::string> notes;
      const HostMeasurements m = MeasurementsFromProfile(profile, plan, AllreduceImplementation::kPointToPointRing,
                                                         kGradient, kFlops, notes);
      const Calibration c = Calibrate(m, plan, AllreduceImplementation::kPointToPointRing);
      EXPECT_GT(c.link.bandwidth_efficiency, 0.5) << label << " " << file << " p = " << p;
      EXPECT_LE(c.link.bandwidth_efficiency, 1.0) << label << " " << file << " p = " << p;
      EXPECT_GT(c.device.peak_tflops(), 0.0) << label << " " << file << " p = " << p;
    }
  }
}

TEST(ClusterProfile, TheShippedProfilesCalibrateEveryValidationScenario) {
  // validate/profiles/: the profile of 2026-12-02 behind validate/README.md's
  // earlier tables, and that of 2026-12-03 (evening), whose probes kept
  // their blocks, behind its table of calibrated behaviours: the latter at
  // its 10th and 90th percentile blocks too (calibration_spread.h).
  ExpectEveryValidationScenarioCalibrates(ShippedProfile("emulated_cluster_100mbit.json"), "2026-12-02");
  const ClusterProfile blocks = ShippedProfile("emulated_cluster_100mbit_2026-12-03.json");
  ExpectEveryValidationScenarioCalibrates(blocks, "2026-12-03");
  ExpectEveryValidationScenarioCalibrates(AtBlockQuantile(blocks, 0.1), "2026-12-03 at q = 0.1");
  ExpectEveryValidationScenarioCalibrates(AtBlockQuantile(blocks, 0.9), "2026-12-03 at q = 0.9");
}

}  // namespace
}  // namespace sim::calibration
