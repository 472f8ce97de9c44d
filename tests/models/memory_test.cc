// Per-device memory: ZeRO's model states against Figure 1 of Rajbhandari et
// al. 2020, activations in flight under pipeline schedules, and the
// breakdown a run prints against a device's capacity.
#include <gtest/gtest.h>

#include <stdexcept>

#include "models/compute/accelerators.h"
#include "models/layers/tensor_parallel_layer.h"
#include "models/layers/transformer.h"
#include "models/memory/activation_memory.h"
#include "sim/core/units.h"
#include "models/memory/device_memory.h"
#include "models/memory/zero.h"

namespace sim::models {
namespace {

TEST(Zero, ModelStatesMatchFigure1OfTheZeroPaper) {
  // Figure 1: Ψ = 7.5 B parameters, N_d = 64, K = 12.
  constexpr std::int64_t psi = 7'500'000'000, nd = 64;
  // Baseline (2 + 2 + K)·Ψ = 16 x 7.5e9 = 120 GB.
  EXPECT_EQ(ModelStatesPerDevice(psi, nd, ZeroStage::kNone).total(), Gigabytes(120));
  // Stage 1: 2Ψ + 2Ψ + K·Ψ/N_d = 15 + 15 + 1.40625 = 31.40625 GB ("31.4 GB").
  const ModelStates stage1 = ModelStatesPerDevice(psi, nd, ZeroStage::kOptimizerStates);
  EXPECT_EQ(stage1.total(), Gigabytes(31.40625));
  EXPECT_NEAR(InGigabytes(stage1.total()), 31.4, 0.05);
  // Stage 2: 2Ψ + (2 + K)·Ψ/N_d = 15 + 1.640625 = 16.640625 GB ("16.6 GB").
  const ModelStates stage2 = ModelStatesPerDevice(psi, nd, ZeroStage::kGradients);
  EXPECT_EQ(stage2.total(), Gigabytes(16.640625));
  EXPECT_NEAR(InGigabytes(stage2.total()), 16.6, 0.05);
  // Stage 3: (2 + 2 + K)·Ψ/N_d = 120 / 64 = 1.875 GB ("1.9 GB").
  const ModelStates stage3 = ModelStatesPerDevice(psi, nd, ZeroStage::kParameters);
  EXPECT_EQ(stage3.total(), Gigabytes(1.875));
  EXPECT_NEAR(InGigabytes(stage3.total()), 1.9, 0.05);
  // The parts: stage 2 keeps whole fp16 weights, shards gradients and optimizer state.
  EXPECT_EQ(stage2.parameters.count, 2 * psi);
  EXPECT_EQ(stage2.gradients.count, 2 * psi / nd);
  EXPECT_EQ(stage2.optimizer.count, 12 * psi / nd);
}

TEST(Zero, ShardsRoundUpAndBadSizesThrow) {
  // 10 parameters over 4 devices: the largest shard holds 3.
  EXPECT_EQ(ModelStatesPerDevice(10, 4, ZeroStage::kParameters).total().count, 3 * 16);
  EXPECT_EQ(ModelStatesPerDevice(10, 1, ZeroStage::kParameters).total().count, 10 * 16);
  EXPECT_THROW((void)ModelStatesPerDevice(10, 0, ZeroStage::kNone), std::invalid_argument);
  EXPECT_THROW((void)ModelStatesPerDevice(-1, 2, ZeroStage::kNone), std::invalid_argument);
}

TEST(PipelineMemory, MicroBatchesInFlight) {
  // GPipe keeps every micro-batch's activations until the backward passes.
  EXPECT_EQ(MicroBatchesInFlight(PipelineSchedule::kGPipe, 4, 3, 16), 16);
  // 1F1B: stage i of p runs p - i forward passes before its first backward.
  EXPECT_EQ(MicroBatchesInFlight(PipelineSchedule::kOneForwardOneBackward, 4, 0, 16), 4);
  EXPECT_EQ(MicroBatchesInFlight(PipelineSchedule::kOneForwardOneBackward, 4, 3, 16), 1);
  EXPECT_EQ(MicroBatchesInFlight(PipelineSchedule::kOneForwardOneBackward, 8, 0, 2), 2);
  EXPECT_THROW((void)MicroBatchesInFlight(PipelineSchedule::kGPipe, 4, 4, 16), std::invalid_argument);
}

TEST(PipelineMemory, ActivationsOfATensorParallelStage) {
  // 12 GPT-3 blocks on one stage, t = 8 with sequence parallelism, b = 1, 8
  // micro-batches in flight.
  const TransformerShape shape{
      .layers = 12, .hidden = 12'288, .heads = 96, .sequence = 2048, .vocabulary = 51'200, .learned_positions = 2048};
  const auto model = MakeTransformer(shape, DataType::kFp16);
  std::vector<Layer> stage;
  for (std::size_t i = 1; i <= 12; ++i) stage.push_back(ShardTensorParallel(model[i], {8, true}));
  const std::int64_t sbh = 2048LL * 12'288;
  // Selective recomputation: s·b·h·34/t per block (Korthikanti Table 2),
  // plus one block's recomputed scores 5·a·s²·b/t during its backward.
  const std::int64_t scores = 5LL * 96 * 2048 * 2048 / 8;
  EXPECT_EQ(ActivationBytes(stage, 1, 8, Recomputation::kSelective).count, 12 * 8 * (sbh * 34 / 8) + scores);
  // Without recomputation: s·b·h·(34 + 5·a·s/h)/t per block.
  EXPECT_EQ(ActivationBytes(stage, 1, 8, Recomputation::kNone).count, 12 * 8 * (sbh * 34 / 8 + scores));
  // Full: the input, 2·s·b·h/t with sequence parallelism, per block and
  // micro-batch, plus one block's whole activations rebuilt.
  EXPECT_EQ(ActivationBytes(stage, 1, 8, Recomputation::kFull).count,
            12 * 8 * (2 * sbh / 8) + (sbh * 34 / 8 + scores) - 2 * sbh / 8);
  // Layers without a transformer shape keep their own `saved` bytes.
  Layer conv;
  conv.saved = Bytes{1000};
  EXPECT_EQ(ActivationBytes({conv}, 4, 3, Recomputation::kFull).count, 12'000);
}

TEST(DeviceMemory, BreakdownAgainstCapacity) {
  const Accelerator& a100 = FindAccelerator("a100_80gb");
  // 7.5 B parameters, no ZeRO, on 64 devices: 120 GB of model states alone.
  MemoryBreakdown baseline =
      DeviceMemory(ModelStatesPerDevice(7'500'000'000, 64, ZeroStage::kNone), Gigabytes(10), Bytes{2 * 25'000'000});
  EXPECT_EQ(baseline.total(), Gigabytes(120 + 10 + 0.05));
  EXPECT_FALSE(baseline.fits_in(a100.memory));
  // 7.5e9 x 2 bytes = 13.97 GiB; 7.5e9 x 12 = 83.82 GiB; 10e9 = 9.31 GiB;
  // 50e6 = 0.05 GiB; total 130.05e9 / 2^30 = 121.12 GiB; capacity 80 GiB.
  EXPECT_EQ(DescribeFit(baseline, a100.memory),
            "does not fit: parameters 13.97 GiB + gradients 13.97 GiB + optimizer states 83.82 GiB + activations "
            "9.31 GiB + communication buffers 0.05 GiB = 121.12 GiB > 80.00 GiB");
  // ZeRO stage 3: 1.875 GB of model states + 10 GB = 11.875e9 / 2^30 = 11.06 GiB.
  const MemoryBreakdown stage3 =
      DeviceMemory(ModelStatesPerDevice(7'500'000'000, 64, ZeroStage::kParameters), Gigabytes(10), Bytes{});
  EXPECT_TRUE(stage3.fits_in(a100.memory));
  EXPECT_EQ(DescribeFit(stage3, a100.memory).substr(0, 5), "fits:");
  EXPECT_NE(DescribeFit(stage3, a100.memory).find("= 11.06 GiB of 80.00 GiB"), std::string::npos)
      << DescribeFit(stage3, a100.memory);
  ASSERT_EQ(stage3.parts.size(), 5u);
  EXPECT_EQ(stage3.parts[2].name, "optimizer states");
}

}  // namespace
}  // namespace sim::models
