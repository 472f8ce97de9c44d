#include "models/layers/transformer.h"

#include <stdexcept>

#include "models/layers/transformer_activations.h"

namespace sim::models {
namespace {

std::int64_t VocabularyShare(const TransformerShape& shape, std::int64_t t) { return (shape.vocabulary + t - 1) / t; }

// Weights of the block's matrix multiplications on one rank.
std::int64_t BlockMatrixWeights(const TransformerShape& shape, std::int64_t t) {
  const std::int64_t h = shape.hidden;
  const std::int64_t k = shape.kv_width();
  const std::int64_t f = shape.ffn_size();
  const std::int64_t attention = h * h + 2 * h * k + h * h;  // Q, K, V, output projection
  const std::int64_t mlp = (shape.feed_forward == FeedForward::kSwiGlu ? 3 : 2) * h * f;
  return (attention + mlp) / t;
}

std::string Joined(const std::vector<std::string>& problems) {
  std::string joined;
  for (const auto& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
  return joined;
}

}  // namespace

std::int64_t BlockParameters(const TransformerShape& shape, std::int64_t t) {
  const std::int64_t h = shape.hidden;
  std::int64_t biases = 0;
  if (shape.biases) {
    const std::int64_t column_parallel =
        h + 2 * shape.kv_width() + (shape.feed_forward == FeedForward::kSwiGlu ? 2 : 1) * shape.ffn_size();
    const std::int64_t row_parallel = 2 * h;  // output projection and second MLP linear: added after the all-reduce
    biases = column_parallel / t + row_parallel;
  }
  return BlockMatrixWeights(shape, t) + biases + 2 * shape.norm_parameters();
}

std::int64_t EmbeddingParameters(const TransformerShape& shape, std::int64_t t) {
  const std::int64_t h = shape.hidden;
  return VocabularyShare(shape, t) * h + shape.learned_positions * h + shape.token_types * h +
         (shape.embedding_norm ? shape.norm_parameters() : 0);
}

std::int64_t LogitsParameters(const TransformerShape& shape, std::int64_t t) {
  return (shape.final_norm ? shape.norm_parameters() : 0) +
         (shape.tied_output ? 0 : VocabularyShare(shape, t) * shape.hidden);
}

Flops AttentionScoreForwardFlops(const TransformerShape& shape, std::int64_t t) {
  const auto s = static_cast<double>(shape.sequence);
  return Flops{4.0 * s * s * static_cast<double>(shape.hidden) / static_cast<double>(t)};
}

Flops BlockForwardFlops(const TransformerShape& shape, std::int64_t t) {
  return Flops{2.0 * static_cast<double>(shape.sequence) * static_cast<double>(BlockMatrixWeights(shape, t)) +
               AttentionScoreForwardFlops(shape, t).count};
}

Flops LogitsForwardFlops(const TransformerShape& shape, std::int64_t t) {
  return Flops{2.0 * static_cast<double>(shape.sequence) * static_cast<double>(shape.hidden) *
               static_cast<double>(VocabularyShare(shape, t))};
}

Layer MakeTransformerLayer(std::string name, LayerKind kind, const TransformerShape& shape, DataType activation_type,
                           TensorParallelism parallelism) {
  std::vector<std::string> problems = TransformerShapeProblems(shape);
  if (problems.empty()) problems = TensorParallelismProblems(shape, parallelism);
  if (!problems.empty()) throw std::invalid_argument(Joined(problems));
  const std::int64_t t = parallelism.size;
  const std::int64_t p = BytesPerElement(activation_type);
  const std::int64_t sh = shape.sequence * shape.hidden;
  // The residual stream between layers, split along the sequence with
  // sequence parallelism.
  const Bytes stream{p * sh / (parallelism.sequence_parallel ? t : 1)};

  Layer layer;
  layer.name = std::move(name);
  layer.kind = kind;
  layer.activation_type = activation_type;
  layer.transformer = shape;
  layer.tensor_parallelism = parallelism;
  layer.pipeline_cut = true;
  layer.saved = TransformerActivationBytes(kind, shape, activation_type, 1, parallelism, Recomputation::kNone);
  switch (kind) {
    case LayerKind::kEmbedding: {
      // A lookup: no FLOPs counted. Its traffic is the rows it reads (token,
      // position, token type) and the stream it writes (plus BERT's norm).
      layer.parameters = EmbeddingParameters(shape, t);
      layer.dense_weights = false;
      layer.output = stream;
      const std::int64_t tables = 1 + (shape.learned_positions > 0 ? 1 : 0) + (shape.token_types > 0 ? 1 : 0);
      const std::int64_t norm = shape.embedding_norm ? 2 * stream.count : 0;
      layer.forward_traffic = Bytes{tables * p * sh + stream.count + norm};
      layer.backward_traffic = layer.forward_traffic;
      break;
    }
    case LayerKind::kTransformerBlock:
      layer.parameters = BlockParameters(shape, t);
      layer.forward_flops = BlockForwardFlops(shape, t);
      layer.output = stream;
      // Each kept tensor is written once and read once forward, and read once
      // backward, where its gradient is written and read once; the stream
      // comes in and goes out once each way.
      layer.forward_traffic = Bytes{2 * layer.saved.count + stream.count};
      layer.backward_traffic = Bytes{3 * layer.saved.count + 2 * stream.count};
      break;
    case LayerKind::kLogits: {
      layer.parameters = LogitsParameters(shape, t);
      layer.forward_flops = LogitsForwardFlops(shape, t);
      // The per-token losses, in fp32.
      layer.output = Bytes{4 * shape.sequence};
      const std::int64_t logits = 4 * shape.sequence * VocabularyShare(shape, t);
      const std::int64_t norm = shape.final_norm ? 2 * p * sh : 0;
      layer.forward_traffic = Bytes{norm + p * sh + 2 * logits};
      layer.backward_traffic = layer.forward_traffic;
      break;
    }
    default:
      throw std::invalid_argument("MakeTransformerLayer: kind " + std::string(LayerKindName(kind)) +
                                  " is not a transformer layer");
  }
  layer.backward_flops = Flops{2.0 * layer.forward_flops.count};
  return layer;
}

std::vector<Layer> MakeTransformer(const TransformerShape& shape, DataType activation_type) {
  if (const auto problems = TransformerShapeProblems(shape); !problems.empty()) {
    throw std::invalid_argument(Joined(problems));
  }
  std::vector<Layer> layers;
  layers.reserve(static_cast<std::size_t>(shape.layers) + 2);
  layers.push_back(MakeTransformerLayer("embedding", LayerKind::kEmbedding, shape, activation_type));
  for (std::int64_t i = 0; i < shape.layers; ++i) {
    layers.push_back(
        MakeTransformerLayer("block_" + std::to_string(i), LayerKind::kTransformerBlock, shape, activation_type));
  }
  layers.push_back(MakeTransformerLayer("logits", LayerKind::kLogits, shape, activation_type));
  return layers;
}

}  // namespace sim::models
