// Which device computes: an inline device_profile (checked, each problem
// naming its field), a named datasheet profile, or `host`: this machine as
// `sim calibrate` measured it, read from a profile file, or the cpu_core
// default with a note saying so.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/compute/device_profiles.h"
#include "models/compute/host_calibration.h"
#include "models/nn/mlp.h"
#include "sim/scenario/device_profile_file.h"
#include "sim/scenario/device_resolution.h"

namespace sim::scenario {
namespace {

std::filesystem::path Missing() {
  const auto path = std::filesystem::path(::testing::TempDir()) / "no_host_profile.pbtxt";
  std::filesystem::remove(path);
  return path;
}

TEST(ResolveDevice, InlineProfileWinsAndIsChecked) {
  Cluster cluster;
  cluster.set_device("v100");
  cluster.mutable_device_profile()->set_peak_tflops(3.0);
  std::vector<std::string> problems;
  EXPECT_DOUBLE_EQ(InTeraflopsPerSecond(ResolveDevice(cluster, Missing(), problems).profile.peak), 3.0);
  EXPECT_TRUE(problems.empty());
  cluster.mutable_device_profile()->set_efficiency(1.5);
  cluster.mutable_device_profile()->set_step_overhead_us(-1);
  (void)ResolveDevice(cluster, Missing(), problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "cluster.device_profile.efficiency must be in (0, 1], got 1.5");
  EXPECT_EQ(problems[1], "cluster.device_profile.step_overhead_us must be >= 0, got -1");
  cluster.clear_device_profile();
  problems.clear();
  EXPECT_DOUBLE_EQ(InTeraflopsPerSecond(ResolveDevice(cluster, Missing(), problems).profile.peak), 15.7);
  EXPECT_TRUE(problems.empty());
}

// Issue 20 item 6: an explicit efficiency of 0 used to be read as "absent"
// (default 1) and accepted, though the rule is (0, 1]. Absent still means 1.
TEST(ResolveDevice, ExplicitZeroEfficiencyIsAnErrorAbsentIsOne) {
  Cluster cluster;
  cluster.mutable_device_profile()->set_peak_tflops(3.0);
  std::vector<std::string> problems;
  EXPECT_DOUBLE_EQ(ResolveDevice(cluster, Missing(), problems).profile.efficiency, 1.0);
  EXPECT_TRUE(problems.empty());
  cluster.mutable_device_profile()->set_efficiency(0.0);
  (void)ResolveDevice(cluster, Missing(), problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "cluster.device_profile.efficiency must be in (0, 1], got 0");
}

TEST(ResolveDevice, ExplicitZeroRooflineIsAnError) {
  Cluster cluster;
  cluster.set_device("a100_80gb");
  cluster.mutable_roofline()->set_compute(0.0);
  cluster.mutable_roofline()->set_memory(0.0);
  std::vector<std::string> problems;
  (void)ResolveDevice(cluster, Missing(), problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "cluster.roofline.compute must be in (0, 1], got 0.000000");
  EXPECT_EQ(problems[1], "cluster.roofline.memory must be in (0, 1], got 0.000000");
}

TEST(ResolveDevice, ProfileFileWithZeroEfficiencyIsRejected) {
  const auto path = std::filesystem::path(::testing::TempDir()) / "zero_efficiency.pbtxt";
  {
    std::ofstream out(path);
    out << "name: \"host\" peak_tflops: 0.1 efficiency: 0\n";
  }
  Cluster cluster;
  cluster.set_device("host");
  std::vector<std::string> problems;
  (void)ResolveDevice(cluster, path, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("efficiency must be in (0, 1], got 0"), std::string::npos) << problems[0];
}

TEST(ResolveDevice, UnknownNameListsTheKnownOnes) {
  Cluster cluster;
  cluster.set_device("tpu");
  std::vector<std::string> problems;
  (void)ResolveDevice(cluster, Missing(), problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cluster.device: unknown device 'tpu' (known: host, a100"), std::string::npos)
      << problems[0];
}

TEST(ResolveDevice, HostFallsBackWithANoteWithoutCalibration) {
  Cluster cluster;
  cluster.set_device("host");
  std::vector<std::string> problems;
  const ResolvedDevice host = ResolveDevice(cluster, Missing(), problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_TRUE(host.fallback);
  EXPECT_EQ(host.profile.name, "host");
  EXPECT_EQ(host.profile.peak.value, models::FindDeviceProfile("cpu_core")->profile.peak.value);
  EXPECT_NE(host.note.find("no calibration file"), std::string::npos) << host.note;
  EXPECT_NE(host.note.find("sim calibrate"), std::string::npos) << host.note;
}

TEST(ResolveDevice, MeasuredRateRoundTripsThroughAProfileFile) {
  // The measurement itself is wall-clock and not asserted beyond being a
  // positive finite rate; what is checked is that it becomes the `host` device.
  models::Mlp model(784, {64}, 10);
  const FlopsPerSecond rate = models::MeasureHostRate(model, 32, {.min_seconds_per_round = 0.02, .rounds = 3});
  ASSERT_TRUE(std::isfinite(rate.value));
  ASSERT_GT(rate.value, 0.0);
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "calib" / "host_device.pbtxt";
  WriteDeviceProfile(models::HostProfile(rate), file, "measured by device_resolution_test\non mlp 784-64-10");
  Cluster cluster;
  cluster.set_device("host");
  std::vector<std::string> problems;
  const ResolvedDevice host = ResolveDevice(cluster, file, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_FALSE(host.fallback);
  EXPECT_NEAR(models::SustainedRate(host.profile).value, rate.value, 1e-9 * rate.value);
  EXPECT_NE(host.note.find(file.string()), std::string::npos);
  // A damaged file is an error naming the file, not a silent fallback.
  WriteDeviceProfile(models::DeviceProfile{}, file);
  (void)ResolveDevice(cluster, file, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(file.string()), std::string::npos) << problems[0];
  EXPECT_THROW((void)models::MeasureHostRate(model, 0), std::invalid_argument);
}

}  // namespace
}  // namespace sim::scenario
