// The shape of a transformer language model: what a layer of it must carry
// so that tensor parallelism (Shoeybi et al. 2019, Megatron-LM) can divide
// its parameters and compute by t, count its all-reduces of b·s·h
// activations, and size its activations (Korthikanti et al. 2022).
//
// Symbols as in those papers: l layers, h hidden size, a attention heads, s
// sequence length, V vocabulary, f feed-forward size, b micro-batch, t
// tensor-parallel size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim::models {

enum class FeedForward {
  kGelu,    // h -> f, GeLU, f -> h (GPT, BERT)
  kSwiGlu,  // gate and up h -> f, SiLU(gate) * up, f -> h (Shazeer 2020; LLaMA)
};

enum class Normalization {
  kLayerNorm,  // scale and shift: 2h parameters
  kRmsNorm,    // scale only: h parameters (LLaMA)
};

struct TransformerShape {
  std::int64_t layers = 0;      // l
  std::int64_t hidden = 0;      // h
  std::int64_t heads = 0;       // a
  std::int64_t kv_heads = 0;    // key-value heads; 0 means a (multi-head); fewer is grouped-query attention
  std::int64_t sequence = 0;    // s, tokens per sample
  std::int64_t vocabulary = 0;  // V
  std::int64_t ffn = 0;         // f; 0 means 4h
  FeedForward feed_forward = FeedForward::kGelu;
  Normalization normalization = Normalization::kLayerNorm;
  bool biases = true;                  // every linear layer has a bias (GPT, BERT; not LLaMA)
  bool dropout = true;                 // dropout after attention scores, attention and MLP (not LLaMA)
  std::int64_t learned_positions = 0;  // rows of a learned position embedding; 0 for rotary (LLaMA)
  std::int64_t token_types = 0;        // rows of BERT's segment embedding
  bool tied_output = true;             // the logits reuse the token embedding matrix
  bool embedding_norm = false;         // a norm right after the embeddings (BERT, post-norm)
  bool final_norm = true;              // a norm before the logits (pre-norm GPT-2/3, LLaMA)

  [[nodiscard]] std::int64_t kv_head_count() const noexcept { return kv_heads > 0 ? kv_heads : heads; }
  [[nodiscard]] std::int64_t ffn_size() const noexcept { return ffn > 0 ? ffn : 4 * hidden; }
  [[nodiscard]] std::int64_t head_size() const noexcept { return heads > 0 ? hidden / heads : 0; }
  // Width of the key (or value) projection: kv heads x head size.
  [[nodiscard]] std::int64_t kv_width() const noexcept { return kv_head_count() * head_size(); }
  [[nodiscard]] std::int64_t norm_parameters() const noexcept {
    return normalization == Normalization::kLayerNorm ? 2 * hidden : hidden;
  }
};

// Every problem of a shape, one sentence each naming its field; empty when
// valid (all sizes > 0, h divisible by a, a by the kv heads).
[[nodiscard]] std::vector<std::string> TransformerShapeProblems(const TransformerShape& shape);

}  // namespace sim::models
