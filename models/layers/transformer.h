// A transformer language model as layers: an embedding, l blocks (attention
// + MLP), and the logits with their cross-entropy.
//
// FLOPs count the matrix multiplications only, as Narayanan et al. 2021
// ("Efficient large-scale language model training on GPU clusters using
// Megatron-LM", appendix) do: per block and sequence, 2 FLOPs per weight of
// the Q, K, V, output and MLP projections and token, plus 4·s²·h for the
// attention scores (Q·Kᵀ and scores·V; no causal halving). For GPT (k = h,
// f = 4h, GeLU) that is 24·s·h² + 4·s²·h; the logits add 2·s·h·V. With
// backward = 2 x forward, a batch of B costs
//   72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h))   without recomputation, and
//   96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))   with full recomputation (their eq. 3),
// the blocks' forward being run a second time, the logits' not.
// Norms, activations, softmax and embeddings are left out of the FLOPs (under
// 1% at these sizes) but not out of the memory traffic.
//
// Parameters: per block 4h² + 4h (attention with biases; 2h² + 2·h·k with
// grouped-query attention) + 8h² + 5h (GeLU MLP; 3·h·f for SwiGLU) + two
// norms; then V·h token embedding, learned positions and token types x h,
// the final norm, and V·h again when the output is not tied. For GPT that is
// 12·l·h² + 13·l·h + (V + s)·h + 2h: Narayanan et al.'s eq. 2 plus the final
// layer norm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"
#include "models/layers/tensor_parallelism.h"
#include "models/layers/transformer_shape.h"
#include "sim/core/units.h"

namespace sim::models {

// On one of t tensor-parallel ranks (t = 1: the whole layer). Each rank holds
// 1/t of the projections and of their column-parallel biases; norms and
// row-parallel biases are replicated; the vocabulary is padded up to a
// multiple of t (Megatron-LM).
[[nodiscard]] std::int64_t BlockParameters(const TransformerShape& shape, std::int64_t t = 1);
[[nodiscard]] std::int64_t EmbeddingParameters(const TransformerShape& shape, std::int64_t t = 1);
[[nodiscard]] std::int64_t LogitsParameters(const TransformerShape& shape, std::int64_t t = 1);
// Per sequence.
[[nodiscard]] Flops BlockForwardFlops(const TransformerShape& shape, std::int64_t t = 1);
[[nodiscard]] Flops AttentionScoreForwardFlops(const TransformerShape& shape, std::int64_t t = 1);
[[nodiscard]] Flops LogitsForwardFlops(const TransformerShape& shape, std::int64_t t = 1);

// One transformer layer (kind kEmbedding, kTransformerBlock or kLogits) as
// one rank of `parallelism` holds it. Throws std::invalid_argument for an
// invalid shape, another kind, or a split the shape does not allow.
[[nodiscard]] Layer MakeTransformerLayer(std::string name, LayerKind kind, const TransformerShape& shape,
                                         DataType activation_type, TensorParallelism parallelism = {});

// The whole model: "embedding", "block_0" ... "block_<l-1>", "logits".
// Throws std::invalid_argument listing every problem of the shape.
[[nodiscard]] std::vector<Layer> MakeTransformer(const TransformerShape& shape,
                                                 DataType activation_type = DataType::kBf16);

}  // namespace sim::models
