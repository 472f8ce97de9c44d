// Accelerators by datasheet, and a layer's time on them: the roofline
// against its own closed form, and the switch between its two regimes.
#include "models/compute/layer_time.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/compute/accelerators.h"
#include "models/layers/conv_net_builder.h"
#include "models/layers/resnet.h"
#include "sim/core/units.h"

namespace sim::models {
namespace {

TEST(Accelerators, DatasheetFigures) {
  // NVIDIA datasheets, dense: V100 SXM2 15.7 fp32 / 125 fp16 tensor, 900 GB/s;
  // A100 SXM4 19.5 fp32 / 156 tf32 / 312 bf16, 1,555 GB/s (40 GB) or 2,039
  // GB/s (80 GB); H100 SXM5 67 fp32 / 989.5 bf16 (1,979 sparse) / 1,979 fp8
  // (3,958 sparse), 3.35 TB/s.
  const Accelerator& v100 = FindAccelerator("v100_16gb");
  EXPECT_DOUBLE_EQ(v100.peak_at(DataType::kFp32).value, 15.7e12);
  EXPECT_DOUBLE_EQ(v100.peak_at(DataType::kFp16).value, 125e12);
  EXPECT_DOUBLE_EQ(v100.memory_bandwidth.value, 900e9);
  EXPECT_EQ(v100.memory, Gibibytes(16));
  EXPECT_EQ(FindAccelerator("v100_32gb").memory, Gibibytes(32));
  const Accelerator& a100 = FindAccelerator("a100_40gb");
  EXPECT_DOUBLE_EQ(a100.peak_at(DataType::kTf32).value, 156e12);
  EXPECT_DOUBLE_EQ(a100.peak_at(DataType::kBf16).value, 312e12);
  EXPECT_DOUBLE_EQ(a100.memory_bandwidth.value, 1555e9);
  EXPECT_DOUBLE_EQ(FindAccelerator("a100_80gb").memory_bandwidth.value, 2039e9);
  EXPECT_EQ(FindAccelerator("a100_80gb").memory, Gibibytes(80));
  const Accelerator& h100 = FindAccelerator("h100_80gb");
  EXPECT_DOUBLE_EQ(h100.peak_at(DataType::kFp32).value, 67e12);
  EXPECT_DOUBLE_EQ(h100.peak_at(DataType::kBf16).value, 989.5e12);
  EXPECT_DOUBLE_EQ(h100.peak_at(DataType::kFp8).value, 1979e12);
  EXPECT_DOUBLE_EQ(h100.memory_bandwidth.value, 3350e9);
  ASSERT_EQ(Accelerators().size(), 6u);
  for (const auto& accelerator : Accelerators()) EXPECT_FALSE(accelerator.source.empty()) << accelerator.name;
}

TEST(Accelerators, MissingTypesAndNamesAreExplained) {
  try {
    (void)FindAccelerator("v100_16gb").peak_at(DataType::kBf16);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "v100_16gb has no bf16 rate (datasheet: fp32, fp16)");
  }
  EXPECT_THROW((void)FindAccelerator("a100_40gb").peak_at(DataType::kFp8), std::invalid_argument);
  try {
    (void)FindAccelerator("a100");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: a100_40gb, a100_80gb, h100_80gb, p100_16gb, v100_16gb, v100_32gb"),
              std::string::npos)
        << e.what();
  }
}

// A fully connected layer n -> n with bias, 16-bit activations.
Layer Dense(std::int64_t n) {
  ConvNetBuilder net(DataType::kBf16);
  net.FullyConnected("fc", net.Input(n, 1, 1), n);
  return net.Layers().front();
}

TEST(LayerTime, RooflineClosedForm) {
  constexpr std::int64_t n = 4096, b = 64;
  const Layer fc = Dense(n);
  const Accelerator& a100 = FindAccelerator("a100_40gb");
  const double weights = static_cast<double>(n * n + n) * 2;  // bf16 weights and bias
  // Forward: 2·b·n² FLOPs; weights read once, b x (n in + n out) x 2 bytes.
  double flops = 2.0 * b * n * n;
  double bytes = weights + b * 4.0 * n;
  EXPECT_EQ(LayerTime(fc, Pass::kForward, b, a100, DataType::kBf16), Seconds(std::max(flops / 312e12, bytes / 1555e9)));
  // Backward: 4·b·n²; weights read and their gradient written; per sample the
  // output gradient read, input gradient written, kept input read: 3 x n x 2.
  flops = 4.0 * b * n * n;
  bytes = 2.0 * weights + b * 6.0 * n;
  EXPECT_EQ(LayerTime(fc, Pass::kBackward, b, a100, DataType::kBf16),
            Seconds(std::max(flops / 312e12, bytes / 1555e9)));
  // Achieved fractions scale their own ceiling.
  const RooflineEfficiency half{0.5, 0.8};
  EXPECT_EQ(LayerTime(fc, Pass::kBackward, b, a100, DataType::kBf16, half),
            Seconds(std::max(flops / (312e12 * 0.5), bytes / (1555e9 * 0.8))));
  EXPECT_THROW((void)LayerTime(fc, Pass::kForward, 0, a100, DataType::kBf16), std::invalid_argument);
  EXPECT_THROW((void)LayerTime(fc, Pass::kForward, 1, a100, DataType::kBf16, {1.5, 1.0}), std::invalid_argument);
}

TEST(LayerTime, GemmSwitchesFromMemoryToComputeBoundAtTheRidge) {
  // An 8192 x 8192 bf16 GEMM with bias forward on an A100: time =
  // max(2·b·N²/P, (2·(N² + N) + 4·b·N)/W). The two are equal at
  // b* = (N + 1)·P / (N·W - 2P) = 8193 x 312e12 / (8192 x 1555e9 - 624e12) = 211.004.
  constexpr std::int64_t n = 8192;
  const Layer fc = Dense(n);
  const Accelerator& a100 = FindAccelerator("a100_40gb");
  const auto compute_bound = [&](std::int64_t b) {
    const PassWork work = WorkOf(fc, Pass::kForward, b, DataType::kBf16);
    return work.flops.count / static_cast<double>(work.traffic.count) >= RidgeIntensity(a100, DataType::kBf16);
  };
  std::int64_t first_compute_bound = 1;
  while (!compute_bound(first_compute_bound)) ++first_compute_bound;
  const double predicted = (n + 1) * 312e12 / (n * 1555e9 - 2 * 312e12);
  EXPECT_EQ(first_compute_bound, static_cast<std::int64_t>(std::ceil(predicted)));  // 212
  // Below the ridge, time is the memory traffic's (the weights dominate:
  // almost flat in b); above it, FLOPs / peak (linear in b).
  const auto time = [&](std::int64_t b) { return LayerTime(fc, Pass::kForward, b, a100, DataType::kBf16); };
  const auto memory_time = [&](std::int64_t b) {
    return Seconds(static_cast<double>(WorkOf(fc, Pass::kForward, b, DataType::kBf16).traffic.count) / 1555e9);
  };
  const auto compute_time = [&](std::int64_t b) { return Seconds(2.0 * b * n * n / 312e12); };
  for (std::int64_t b : std::initializer_list<std::int64_t>{1, 8, 64, first_compute_bound - 1})
    EXPECT_EQ(time(b), memory_time(b)) << b;
  for (std::int64_t b : std::initializer_list<std::int64_t>{first_compute_bound + 1, 512, 4096})
    EXPECT_EQ(time(b), compute_time(b)) << b;
  EXPECT_LT(time(64) / time(1), 1.2);
  EXPECT_NEAR(time(4096) / time(512), 8.0, 1e-6);
}

TEST(LayerTime, BatchNormIsMemoryBoundAtAnyBatch) {
  // 7 FLOPs per element against 2 + 2 bytes read and written: 1.75 FLOP/byte,
  // far below any ridge (A100 bf16: 312e12 / 1555e9 = 201).
  const auto resnet = MakeResNet50(DataType::kBf16);
  const Layer& bn = *std::find_if(resnet.begin(), resnet.end(), [](const Layer& l) { return l.name == "bn1"; });
  const Accelerator& a100 = FindAccelerator("a100_40gb");
  EXPECT_NEAR(RidgeIntensity(a100, DataType::kBf16), 312e12 / 1555e9, 1e-9);
  for (std::int64_t b : {1, 32, 256}) {
    const PassWork work = WorkOf(bn, Pass::kForward, b, DataType::kBf16);
    EXPECT_LT(work.flops.count / static_cast<double>(work.traffic.count), 2.0);
    EXPECT_EQ(LayerTime(bn, Pass::kForward, b, a100, DataType::kBf16),
              Seconds(static_cast<double>(work.traffic.count) / 1555e9));
  }
}

}  // namespace
}  // namespace sim::models
