// Transformer layers: FLOPs against Narayanan et al. 2021 (eq. 3),
// parameters against their eq. 2, activation memory against Korthikanti et
// al. 2022 (Table 2), and the tensor-parallel split (Shoeybi et al. 2019).
#include "models/layers/transformer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "models/layers/layer_profiles.h"
#include "models/layers/tensor_parallel_layer.h"
#include "models/layers/training_flops.h"
#include "models/layers/transformer_activations.h"

namespace sim::models {
namespace {

// GPT-3 175B as Narayanan et al. 2021 (Table 1) train it.
constexpr std::int64_t kL = 96, kH = 12'288, kA = 96, kS = 2048, kV = 51'200;

TransformerShape Gpt3() {
  return {.layers = kL, .hidden = kH, .heads = kA, .sequence = kS, .vocabulary = kV, .learned_positions = kS};
}

TEST(Transformer, Gpt3FlopsEqualNarayananEquation3) {
  const auto layers = MakeTransformer(Gpt3());
  constexpr std::int64_t kBatch = 1536;
  const double B = kBatch, s = kS, l = kL, h = kH, V = kV;
  // Eq. 3, full recomputation: 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)).
  const double with_recomputation = 96.0 * B * s * l * h * h * (1.0 + s / (6.0 * h) + V / (16.0 * l * h));
  // Without recomputation the blocks run forward 3 times instead of 4 (the
  // logits 3 times either way): 72·B·s·l·h²·(1 + s/(6h)) + 6·B·s·h·V
  // = 72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h)).
  const double without_recomputation = 72.0 * B * s * l * h * h * (1.0 + s / (6.0 * h) + V / (12.0 * l * h));
  const IterationFlops full = TrainingIterationFlops(layers, kBatch, Recomputation::kFull);
  const IterationFlops none = TrainingIterationFlops(layers, kBatch, Recomputation::kNone);
  EXPECT_NEAR(full.hardware.count / with_recomputation, 1.0, 1e-12);
  EXPECT_NEAR(none.hardware.count / without_recomputation, 1.0, 1e-12);
  // Model FLOPs do not count recomputation.
  EXPECT_NEAR(full.model.count / without_recomputation, 1.0, 1e-12);
}

TEST(Transformer, SelectiveRecomputationRedoesOnlyTheAttentionScores) {
  const auto layers = MakeTransformer(Gpt3());
  const IterationFlops selective = TrainingIterationFlops(layers, 1, Recomputation::kSelective);
  // Q·Kᵀ and scores·V forward again: 4·s²·h per block and sequence.
  const double s = kS, h = kH;
  EXPECT_NEAR((selective.hardware.count - selective.model.count) / (kL * 4.0 * s * s * h), 1.0, 1e-12);
}

TEST(Transformer, Gpt3ParametersAreNarayananEquation2PlusTheFinalNorm) {
  const auto layers = MakeTransformer(Gpt3());
  // Eq. 2: P = 12·l·h²·(1 + 13/(12h) + (V + s)/(12·l·h)) = 12·l·h² + 13·l·h + (V + s)·h:
  // per block 12h² weights + 13h biases and norms; token and position
  // embeddings (the logits reuse the token embedding). Plus the final layer
  // norm, 2h, which eq. 2 leaves out.
  const std::int64_t eq2 = 12 * kL * kH * kH + 13 * kL * kH + (kV + kS) * kH;
  EXPECT_EQ(TotalParameters(layers), eq2 + 2 * kH);
  // "175B" (Brown et al. 2020): 174.6e9, within 0.5%.
  EXPECT_NEAR(static_cast<double>(TotalParameters(layers)) / 175e9, 1.0, 0.005);
  ASSERT_EQ(layers.size(), static_cast<std::size_t>(kL + 2));
  EXPECT_EQ(layers.front().kind, LayerKind::kEmbedding);
  EXPECT_EQ(layers[1].name, "block_0");
  EXPECT_EQ(layers.back().kind, LayerKind::kLogits);
  for (const auto& layer : layers) {
    EXPECT_TRUE(layer.transformer.has_value()) << layer.name;
    EXPECT_TRUE(layer.pipeline_cut) << layer.name;
    EXPECT_DOUBLE_EQ(layer.backward_flops.count, 2.0 * layer.forward_flops.count) << layer.name;
  }
  // What crosses a pipeline boundary between blocks: s·h at 2 bytes.
  EXPECT_EQ(layers[1].output.count, 2 * kS * kH);
}

TEST(Transformer, ActivationsMatchKorthikantiTable2) {
  const TransformerShape shape = Gpt3();
  constexpr std::int64_t b = 4, t = 8;
  const double sbh = static_cast<double>(kS) * b * kH;
  const double scores = 5.0 * kA * kS / kH;  // 5·a·s/h = 80
  const auto bytes = [&](TensorParallelism tp, Recomputation r) {
    return static_cast<double>(
        TransformerActivationBytes(LayerKind::kTransformerBlock, shape, DataType::kFp16, b, tp, r).count);
  };
  // Table 2, per layer, 16-bit activations.
  EXPECT_DOUBLE_EQ(bytes({1, false}, Recomputation::kNone), sbh * (34.0 + scores));
  EXPECT_DOUBLE_EQ(bytes({t, false}, Recomputation::kNone), sbh * (10.0 + 24.0 / t + scores / t));
  EXPECT_DOUBLE_EQ(bytes({t, true}, Recomputation::kNone), sbh * (34.0 / t + scores / t));
  EXPECT_DOUBLE_EQ(bytes({t, false}, Recomputation::kSelective), sbh * (10.0 + 24.0 / t));
  EXPECT_DOUBLE_EQ(bytes({t, true}, Recomputation::kSelective), sbh * (34.0 / t));
  EXPECT_DOUBLE_EQ(bytes({1, false}, Recomputation::kFull), sbh * 2.0);
  EXPECT_DOUBLE_EQ(bytes({t, false}, Recomputation::kFull), sbh * 2.0);
  // The layer itself carries the no-parallelism figure per sample.
  EXPECT_DOUBLE_EQ(static_cast<double>(MakeTransformer(shape, DataType::kFp16)[1].saved.count),
                   sbh / b * (34.0 + scores));
}

// LLaMA 2 70B's shape, as its profile builds it: SwiGLU, RMSNorm, no biases,
// no dropout, output not tied, 8 kv heads.
TransformerShape Llama2_70b() { return *MakeLayerProfile("llama2_70b").layers.at(1).transformer; }

TEST(Transformer, ActivationsFollowTheShapeWithoutDropoutAndWithSwiGlu) {
  // No dropout (no masks, no dropout output: scores 2·a·s²), SwiGLU keeps
  // 3·s·f, 8 kv heads of 128 (K and V 2·s·1024 each); sequences of 1024 here.
  TransformerShape shape = Llama2_70b();
  shape.sequence = 1024;
  const std::int64_t s = 1024, h = 8192, f = 28'672, k = 1024, a = 64;
  const std::int64_t replicated = 4 * 2 * s * h;            // two norm inputs, QKV and first-linear inputs
  const std::int64_t split = 2 * 2 * s * h + 2 * 2 * s * k  // Q, output-projection input; K, V
                             + 3 * 2 * s * f;               // gate, up, product
  const std::int64_t scores = 2 * a * s * s;                // softmax output only
  const auto bytes = [&](DataType type, TensorParallelism tp) {
    return TransformerActivationBytes(LayerKind::kTransformerBlock, shape, type, 1, tp, Recomputation::kNone).count;
  };
  EXPECT_EQ(bytes(DataType::kBf16, {}), replicated + split + scores);
  EXPECT_EQ(bytes(DataType::kBf16, {8, false}), replicated + (split + scores) / 8);
  // fp32 activations double the 16-bit ones (no masks here).
  EXPECT_EQ(bytes(DataType::kFp32, {}), 2 * (replicated + split + scores));
}

TEST(Transformer, GroupedQueryAttentionAndSwiGluParametersAndFlops) {
  // LLaMA 2 70B block: Q and output h² each, K and V h·(8·128) each, SwiGLU
  // 3·h·f, two RMSNorms of h; no biases.
  const TransformerShape shape = Llama2_70b();
  const std::int64_t h = 8192, f = 28'672, k = 1024, s = 4096;
  const std::int64_t weights = 2 * h * h + 2 * h * k + 3 * h * f;
  EXPECT_EQ(BlockParameters(shape), weights + 2 * h);
  EXPECT_DOUBLE_EQ(BlockForwardFlops(shape).count,
                   2.0 * s * static_cast<double>(weights) + 4.0 * static_cast<double>(s) * s * h);
  // Untied output: V·h in the embedding and again in the logits, plus the final norm.
  EXPECT_EQ(EmbeddingParameters(shape), 32'000 * h);
  EXPECT_EQ(LogitsParameters(shape), 32'000 * h + h);
}

TEST(TensorParallel, ShardDividesWeightsAndComputeAndKeepsReplicatedParts) {
  const auto layers = MakeTransformer(Gpt3());
  const Layer& block = layers[1];
  constexpr std::int64_t t = 8;
  const Layer shard = ShardTensorParallel(block, {t, false});
  // Per rank: 12h²/t weights, QKV and first-MLP biases (3h + 4h)/t; the
  // output-projection and second-MLP biases (2h) and two layer norms (4h)
  // whole on every rank.
  EXPECT_EQ(shard.parameters, 12 * kH * kH / t + 7 * kH / t + 2 * kH + 4 * kH);
  EXPECT_DOUBLE_EQ(shard.forward_flops.count * t, block.forward_flops.count);
  EXPECT_DOUBLE_EQ(shard.backward_flops.count * t, block.backward_flops.count);
  EXPECT_EQ(shard.tensor_parallelism.size, t);
  // Korthikanti et al. Table 2 at b = 1, tensor parallel without sequence parallelism.
  const double sh = static_cast<double>(kS) * kH;
  EXPECT_DOUBLE_EQ(static_cast<double>(shard.saved.count), sh * (10.0 + 24.0 / t + 5.0 * kA * kS / (kH * t)));
  EXPECT_EQ(shard.output, block.output);  // the whole stream on every rank
  // With sequence parallelism the stream between stages is split too.
  EXPECT_EQ(ShardTensorParallel(block, {t, true}).output.count * t, block.output.count);
  // Vocabulary-parallel embedding: V·h/t token rows, positions whole.
  EXPECT_EQ(ShardTensorParallel(layers.front(), {t, false}).parameters, kV / t * kH + kS * kH);
  EXPECT_DOUBLE_EQ(ShardTensorParallel(layers.back(), {t, false}).forward_flops.count * t,
                   layers.back().forward_flops.count);
  EXPECT_THROW((void)ShardTensorParallel(shard, {2, false}), std::invalid_argument);  // already split
  EXPECT_THROW((void)ShardTensorParallel(block, {5, false}), std::invalid_argument);  // 96 heads
}

TEST(TensorParallel, CollectivesPerBlockAreTwoAllReducesEachWay) {
  const auto layers = MakeTransformer(Gpt3(), DataType::kFp16);
  constexpr std::int64_t b = 2;
  const Bytes stream{b * kS * kH * 2};  // b·s·h at 2 bytes
  const TensorParallelCollective all_reduce{CollectiveKind::kAllReduce, stream};
  const Layer block = ShardTensorParallel(layers[1], {8, false});
  TensorParallelCommunication c = TensorParallelCollectives(block, b, Recomputation::kNone);
  EXPECT_EQ(c.forward, (std::vector<TensorParallelCollective>{all_reduce, all_reduce}));
  EXPECT_EQ(c.backward, (std::vector<TensorParallelCollective>{all_reduce, all_reduce}));
  // Full recomputation reruns the forward pass and its two all-reduces in backward.
  EXPECT_EQ(TensorParallelCollectives(block, b, Recomputation::kFull).backward.size(), 4u);
  // Sequence parallelism: each all-reduce becomes all-gather + reduce-scatter.
  c = TensorParallelCollectives(ShardTensorParallel(layers[1], {8, true}), b, Recomputation::kNone);
  const TensorParallelCollective gather{CollectiveKind::kAllGather, stream};
  const TensorParallelCollective scatter{CollectiveKind::kReduceScatter, stream};
  EXPECT_EQ(c.forward, (std::vector<TensorParallelCollective>{gather, scatter, gather, scatter}));
  EXPECT_EQ(c.backward, (std::vector<TensorParallelCollective>{gather, scatter, gather, scatter}));
  // Embedding: one all-reduce of the partial lookups forward.
  c = TensorParallelCollectives(ShardTensorParallel(layers.front(), {8, false}), b, Recomputation::kNone);
  EXPECT_EQ(c.forward, (std::vector<TensorParallelCollective>{all_reduce}));
  EXPECT_TRUE(c.backward.empty());
  // Logits: the cross-entropy's three b·s fp32 all-reduces forward, the
  // input's gradient backward.
  c = TensorParallelCollectives(ShardTensorParallel(layers.back(), {8, false}), b, Recomputation::kNone);
  EXPECT_EQ(c.forward.size(), 3u);
  EXPECT_EQ(c.forward.front().size.count, b * kS * 4);
  EXPECT_EQ(c.backward, (std::vector<TensorParallelCollective>{all_reduce}));
  // Unsplit layers talk to no one.
  c = TensorParallelCollectives(layers[1], b, Recomputation::kNone);
  EXPECT_TRUE(c.forward.empty() && c.backward.empty());
}

TEST(Transformer, InvalidShapesAreReportedWhole) {
  try {
    (void)MakeTransformer({.layers = 0, .hidden = 100, .heads = 3, .sequence = 8, .vocabulary = 10});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("layers must be > 0"), std::string::npos) << message;
    EXPECT_NE(message.find("hidden (100) must be divisible by heads (3)"), std::string::npos) << message;
  }
  EXPECT_THROW(
      (void)MakeTransformer(
          {.layers = 1, .hidden = 64, .heads = 8, .sequence = 2048, .vocabulary = 10, .learned_positions = 1024}),
      std::invalid_argument);
}

}  // namespace
}  // namespace sim::models
