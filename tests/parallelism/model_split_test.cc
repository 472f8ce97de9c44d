// How a model is divided among tensor x pipeline x data GPUs: the balanced
// cut (as Megatron-LM places GPT-3's layers), the problems of a split, and
// the memory of each stage against Korthikanti et al. 2022 (Table 2) and
// Narayanan et al. 2021 (section 2.2: GPipe keeps m micro-batches, 1F1B at
// most p).
#include <gtest/gtest.h>

#include <numeric>

#include "models/layers/layer_profiles.h"
#include "sim/parallelism/model_split.h"

namespace sim::parallelism {
namespace {

const std::vector<models::Layer>& Gpt3() {
  static const std::vector<models::Layer> layers = models::MakeLayerProfile("gpt3_175b").layers;
  return layers;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(BalancedStages, Gpt3OnSixteenStagesHasSixBlocksEach) {
  // 98 layers: the embedding, 96 blocks, the logits. A block's compute is ~3x
  // the logits' (24h^2 + 4sh vs 2hV per token), so the best cut puts 6 blocks
  // on every stage, the embedding with the first and the logits with the
  // last, as Megatron-LM does.
  const auto sizes = BalancedStageLayers(Gpt3(), 16);
  ASSERT_EQ(sizes.size(), 16u);
  EXPECT_EQ(sizes.front(), 7u);
  EXPECT_EQ(sizes.back(), 7u);
  for (std::size_t s = 1; s + 1 < sizes.size(); ++s) EXPECT_EQ(sizes[s], 6u) << "stage " << s;
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), 0u), Gpt3().size());
}

TEST(BalancedStages, MinimisesTheLargestStage) {
  // Layer costs 1, 1, 1, 4 (forward + backward): two groups are best cut as
  // [1 1 1] [4] (largest 4), not [1 1] [1 4] (largest 5).
  std::vector<models::Layer> layers(4);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers[i].name = "l" + std::to_string(i);
    layers[i].forward_flops = Flops{i == 3 ? 4.0 : 1.0};
    layers[i].pipeline_cut = true;
  }
  EXPECT_EQ(BalancedStageLayers(layers, 2), (std::vector<std::uint32_t>{3, 1}));
  // Only cut points count: if the layer before the heavy one cannot end a
  // stage, the cut moves earlier.
  layers[2].pipeline_cut = false;
  EXPECT_EQ(BalancedStageLayers(layers, 2), (std::vector<std::uint32_t>{2, 2}));
  EXPECT_THROW((void)BalancedStageLayers(layers, 4), std::invalid_argument);
}

TEST(ModelSplit, ProblemsAreListedTogether) {
  ModelSplit split;
  split.pipeline = 4;
  split.chunks = 2;  // without the interleaved schedule
  split.micro_batches = 6;
  split.stage_layers = {10, 10, 10};  // 3 for 8 virtual stages
  const auto problems = ModelSplitProblems(Gpt3(), split);
  EXPECT_TRUE(Mentions(problems, "INTERLEAVED")) << problems.front();
  EXPECT_TRUE(Mentions(problems, "3 entries for 8 virtual stages"));

  split = {};
  split.pipeline = 4;
  split.schedule = PipelineScheduleKind::kInterleaved;
  split.chunks = 2;
  split.micro_batches = 6;  // not a multiple of 4
  EXPECT_TRUE(Mentions(ModelSplitProblems(Gpt3(), split), "not a multiple of 4"));

  split = {};
  split.pipeline = 2;
  split.stage_layers = {50, 40};  // 90 of 98
  EXPECT_TRUE(Mentions(ModelSplitProblems(Gpt3(), split), "add up to 90 layers; the model has 98"));

  split = {};
  split.tensor = 7;  // 96 heads do not divide by 7
  EXPECT_TRUE(Mentions(ModelSplitProblems(Gpt3(), split), "tensor: "));

  split = {};
  split.tensor = 2;  // a convolutional network has no tensor-parallel layers
  EXPECT_TRUE(Mentions(ModelSplitProblems(models::MakeLayerProfile("resnet50").layers, split), "not one"));

  split = {};
  split.pipeline = 200;
  EXPECT_TRUE(Mentions(ModelSplitProblems(Gpt3(), split), "at most 98 stages"));
}

TEST(StageMemory, ActivationsOfOneFOneBAgainstKorthikanti) {
  // GPT-3 175B, t = 8, p = 16, 1F1B, micro-batch 1, m = 96, bf16.
  // Korthikanti et al. 2022, Table 2, tensor parallel without sequence
  // parallelism: s·b·h·(10 + 24/t + 5·a·s/(h·t)) bytes per block
  //   = 2048·12288·(10 + 3 + 5·96·2048/(12288·8)) = 2048·12288·23.
  // Stage 1 holds p - s = 15 micro-batches (Narayanan et al. 2021, 2.2.1) of
  // its 6 blocks.
  ModelSplit split;
  split.tensor = 8;
  split.pipeline = 16;
  split.micro_batches = 96;
  const auto shards = StageShards(Gpt3(), split);
  const auto stages = StageMemories(shards, split, {});
  const std::int64_t sbh = 2048LL * 12288;
  const auto activations = [](const StageMemory& m) { return m.breakdown.parts[3].size.count; };
  EXPECT_EQ(stages[1].peak_in_flight, 15u);
  EXPECT_EQ(activations(stages[1]), 15 * 6 * sbh * 23);
  EXPECT_EQ(stages[15].peak_in_flight, 1u);

  // Full recomputation keeps each block's input, 2·s·b·h bytes, and rebuilds
  // one block's activations during its backward pass (23 - 2 = 21 s·b·h more).
  split.recomputation = models::Recomputation::kFull;
  const auto full = StageMemories(StageShards(Gpt3(), split), split, {});
  EXPECT_EQ(activations(full[1]), 15 * 6 * 2 * sbh + 21 * sbh);

  // GPipe keeps all m micro-batches.
  split.recomputation = models::Recomputation::kNone;
  split.schedule = PipelineScheduleKind::kGPipe;
  const auto gpipe = StageMemories(StageShards(Gpt3(), split), split, {});
  EXPECT_EQ(gpipe[1].peak_in_flight, 96u);
  EXPECT_EQ(activations(gpipe[1]), 96 * 6 * sbh * 23);
}

TEST(StageMemory, ModelStatesAreTheStagesShareShardedByZero) {
  // Stage 1's 6 blocks, split 8 ways: 6·(12h² + 13h)/8 parameters per GPU
  // (Narayanan et al. 2021, eq. 2 per layer, biases and norms split or
  // replicated as Megatron-LM does: counted by the model, not here), 16 bytes
  // each without ZeRO; ZeRO-1 over d = 8 keeps 4 + 12/8 bytes a parameter
  // (Rajbhandari et al. 2020, section 5.1).
  ModelSplit split;
  split.tensor = 8;
  split.pipeline = 16;
  split.data = 8;
  split.micro_batches = 8;
  const auto shards = StageShards(Gpt3(), split);
  const auto plain = StageMemories(shards, split, {});
  const std::int64_t psi = plain[1].parameters;
  EXPECT_EQ(psi, models::TotalParameters(shards[1]));
  EXPECT_NEAR(static_cast<double>(psi), 6.0 * 12 * 12288.0 * 12288 / 8, 0.001 * psi);
  const auto total = [](const StageMemory& m) {
    return m.breakdown.parts[0].size.count + m.breakdown.parts[1].size.count + m.breakdown.parts[2].size.count;
  };
  EXPECT_EQ(total(plain[1]), 16 * psi);
  MemoryOptions zero1_options;
  zero1_options.zero = models::ZeroStage::kOptimizerStates;
  const auto zero1 = StageMemories(shards, split, zero1_options);
  EXPECT_EQ(total(zero1[1]), 4 * psi + 12 * ((psi + 7) / 8));
}

}  // namespace
}  // namespace sim::parallelism
