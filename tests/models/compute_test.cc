// Compute cost: timing-only workload profiles, device profiles and the
// simulated duration of a step.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

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

TEST(DeviceProfiles, DatasheetPeaks) {
  // NVIDIA datasheets: V100 SXM2 15.7 FP32; A100 19.5 FP32 / 156 TF32;
  // H100 SXM5 67 FP32 / 989 TF32 with sparsity = 494.5 dense.
  auto peak = [](const char* name) { return InTeraflopsPerSecond(FindDeviceProfile(name)->profile.peak); };
  EXPECT_DOUBLE_EQ(peak("v100"), 15.7);
  EXPECT_DOUBLE_EQ(peak("a100"), 19.5);
  EXPECT_DOUBLE_EQ(peak("a100_tf32"), 156.0);
  EXPECT_DOUBLE_EQ(peak("h100"), 67.0);
  EXPECT_DOUBLE_EQ(peak("h100_tf32"), 494.5);
  EXPECT_GT(SustainedRate(FindDeviceProfile("cpu_core")->profile).value, 0.0);
  EXPECT_FALSE(FindDeviceProfile("tpu").has_value());
  EXPECT_NE(KnownDeviceNames().find("host, a100"), std::string::npos) << KnownDeviceNames();
}

TEST(DeviceProfiles, StepTimeIsFlopsOverSustainedRatePlusOverhead) {
  // ResNet-50 batch 32 on a V100 at efficiency 0.5 with 20 us overhead:
  // 32 x 24.54e9 / (15.7e12 x 0.5) s + 20 us = 100.0306 ms + 0.020 ms.
  DeviceProfile v100 = FindDeviceProfile("v100")->profile;
  v100.efficiency = 0.5;
  v100.step_overhead_us = 20;
  const Time t = ComputeTimeOn(v100, FindWorkloadProfile("resnet50")->cost.flops_per_step(32));
  EXPECT_NEAR(t.seconds(), 32 * 24.54e9 / (15.7e12 * 0.5) + 20e-6, 1e-12);
  const DeviceProfile plain{"plain", TeraflopsPerSecond(1.0)};
  EXPECT_EQ(ComputeTimeOn(plain, Flops{1e12}), Seconds(1.0));
}

TEST(DeviceProfiles, EveryProblemNamesItsField) {
  const DeviceProfile bad{"x", FlopsPerSecond{0.0}, 1.5, -1.0};
  const auto problems = DeviceProfileProblems(bad, "cluster.device_profile.");
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "cluster.device_profile.peak_tflops must be > 0, got 0");
  EXPECT_EQ(problems[1], "cluster.device_profile.efficiency must be in (0, 1], got 1.5");
  EXPECT_EQ(problems[2], "cluster.device_profile.step_overhead_us must be >= 0, got -1");
}

}  // namespace
}  // namespace sim::models
