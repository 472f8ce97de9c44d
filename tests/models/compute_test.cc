// Compute cost: timing-only workload profiles, device profiles, the simulated
// duration of a step, and the host calibration file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "models/compute/device_profile_file.h"
#include "models/compute/device_profiles.h"
#include "models/compute/host_calibration.h"
#include "models/compute/workload_profiles.h"
#include "models/nn/mlp.h"

namespace sim::models {
namespace {

TEST(WorkloadProfiles, PublishedSizesAndCosts) {
  // ResNet-50: 25,557,032 parameters; 4.09e9 multiply-adds forward per
  // 224x224 image -> 2 x 4.09e9 FLOPs forward, x 3 for forward + backward
  // = 24.54e9 FLOPs per sample.
  const auto resnet = FindWorkloadProfile("resnet50");
  ASSERT_TRUE(resnet.has_value());
  EXPECT_EQ(resnet->cost.parameters, 25'557'032);
  EXPECT_DOUBLE_EQ(resnet->cost.flops_per_sample.count, 24.54e9);
  EXPECT_EQ(resnet->cost.gradient_bytes().count, 4 * 25'557'032LL);
  // GPT-2 small: 6 N T = 6 x 124,439,808 x 1,024 (Kaplan et al. 2020).
  EXPECT_DOUBLE_EQ(FindWorkloadProfile("gpt2_small")->cost.flops_per_sample.count, 6.0 * 124'439'808.0 * 1024.0);
  EXPECT_EQ(FindWorkloadProfile("bert_large")->cost.parameters, 340'000'000);
  EXPECT_EQ(FindWorkloadProfile("vgg16")->cost.parameters, 138'357'544);
  EXPECT_FALSE(FindWorkloadProfile("resnet51").has_value());
}

TEST(WorkloadProfiles, TimingOnlyFieldsOverrideAndDefault) {
  sim::scenario::TimingOnly spec;
  spec.set_parameters(1'000'000);
  // No profile: bytes 4, FLOPs 6 x parameters.
  ModelCost cost = ResolveTimingOnly(spec);
  EXPECT_EQ(cost.bytes_per_parameter, 4);
  EXPECT_DOUBLE_EQ(cost.flops_per_sample.count, 6e6);
  // A profile with fp16 on the wire: resnet50's FLOPs, 2 bytes per parameter.
  spec.Clear();
  spec.set_profile("resnet50");
  spec.set_bytes_per_parameter(2);
  cost = ResolveTimingOnly(spec);
  EXPECT_EQ(cost.gradient_bytes().count, 2 * 25'557'032LL);
  EXPECT_DOUBLE_EQ(cost.flops_per_sample.count, 24.54e9);
  spec.set_profile("nope");
  try {
    (void)ResolveTimingOnly(spec);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: bert_base, bert_large, gpt2_small, resnet50, vgg16"),
              std::string::npos)
        << e.what();
  }
}

TEST(DeviceProfiles, DatasheetPeaks) {
  // NVIDIA datasheets: V100 SXM2 15.7 FP32; A100 19.5 FP32 / 156 TF32;
  // H100 SXM5 67 FP32 / 989 TF32 with sparsity = 494.5 dense.
  EXPECT_DOUBLE_EQ(ResolveDevice("v100").profile.peak_tflops(), 15.7);
  EXPECT_DOUBLE_EQ(ResolveDevice("a100").profile.peak_tflops(), 19.5);
  EXPECT_DOUBLE_EQ(ResolveDevice("a100_tf32").profile.peak_tflops(), 156.0);
  EXPECT_DOUBLE_EQ(ResolveDevice("h100").profile.peak_tflops(), 67.0);
  EXPECT_DOUBLE_EQ(ResolveDevice("h100_tf32").profile.peak_tflops(), 494.5);
  EXPECT_GT(SustainedRate(ResolveDevice("cpu_core").profile).value, 0.0);
  try {
    (void)ResolveDevice("tpu");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'tpu'"), std::string::npos) << message;
    EXPECT_NE(message.find("host, a100"), std::string::npos) << message;
  }
}

TEST(DeviceProfiles, StepTimeIsFlopsOverSustainedRatePlusOverhead) {
  // ResNet-50 batch 32 on a V100 at efficiency 0.5 with 20 us overhead:
  // 32 x 24.54e9 / (15.7e12 x 0.5) s + 20 us = 100.0306 ms + 0.020 ms.
  sim::scenario::DeviceProfile v100 = ResolveDevice("v100").profile;
  v100.set_efficiency(0.5);
  v100.set_step_overhead_us(20);
  const Time t = ComputeTimeOn(v100, FindWorkloadProfile("resnet50")->cost.flops_per_step(32));
  EXPECT_NEAR(t.seconds(), 32 * 24.54e9 / (15.7e12 * 0.5) + 20e-6, 1e-12);
  // Efficiency 0 means the default 1.
  sim::scenario::DeviceProfile plain;
  plain.set_peak_tflops(1.0);
  EXPECT_EQ(ComputeTimeOn(plain, Flops{1e12}), Seconds(1.0));
}

TEST(DeviceProfiles, InlineProfileWinsAndIsChecked) {
  sim::scenario::Cluster cluster;
  cluster.set_device("v100");
  cluster.mutable_device_profile()->set_peak_tflops(3.0);
  EXPECT_DOUBLE_EQ(ResolveDevice(cluster).profile.peak_tflops(), 3.0);
  cluster.mutable_device_profile()->set_efficiency(1.5);
  cluster.mutable_device_profile()->set_step_overhead_us(-1);
  try {
    (void)ResolveDevice(cluster);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("efficiency"), std::string::npos) << message;
    EXPECT_NE(message.find("step_overhead_us"), std::string::npos) << message;
  }
  cluster.clear_device_profile();
  EXPECT_DOUBLE_EQ(ResolveDevice(cluster).profile.peak_tflops(), 15.7);
}

TEST(HostDevice, FallsBackWithANoteWithoutCalibration) {
  const std::filesystem::path missing = std::filesystem::path(testing::TempDir()) / "no_host_profile.pbtxt";
  std::filesystem::remove(missing);
  const ResolvedDevice host = ResolveDevice("host", missing);
  EXPECT_TRUE(host.fallback);
  EXPECT_EQ(host.profile.name(), "host");
  EXPECT_DOUBLE_EQ(host.profile.peak_tflops(), ResolveDevice("cpu_core").profile.peak_tflops());
  EXPECT_NE(host.note.find("no calibration file"), std::string::npos) << host.note;
  EXPECT_NE(host.note.find("sim calibrate"), std::string::npos) << host.note;
}

TEST(HostDevice, MeasuredRateRoundTripsThroughAProfileFile) {
  // The measurement itself is wall-clock and not asserted beyond being a
  // positive finite rate; what is checked is that it becomes the `host` device.
  Mlp model(784, {64}, 10);
  const FlopsPerSecond rate = MeasureHostRate(model, 32, {.min_seconds_per_round = 0.02, .rounds = 3});
  ASSERT_TRUE(std::isfinite(rate.value));
  ASSERT_GT(rate.value, 0.0);
  const std::filesystem::path file = std::filesystem::path(testing::TempDir()) / "calib" / "host_device.pbtxt";
  WriteDeviceProfile(HostProfile(rate), file, "measured by compute_test\non mlp 784-64-10, batch 32");
  const ResolvedDevice host = ResolveDevice("host", file);
  EXPECT_FALSE(host.fallback);
  EXPECT_NEAR(SustainedRate(host.profile).value, rate.value, 1e-9 * rate.value);
  EXPECT_NE(host.note.find(file.string()), std::string::npos);
  // A damaged file is an error naming the file, not a silent fallback.
  WriteDeviceProfile(sim::scenario::DeviceProfile{}, file);
  EXPECT_THROW((void)ResolveDevice("host", file), std::runtime_error);
  EXPECT_THROW((void)MeasureHostRate(model, 0), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models
