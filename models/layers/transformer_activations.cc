#include "models/layers/transformer_activations.h"

#include <stdexcept>
#include <string>

namespace sim::models {
namespace {

// Bytes per sample (b = 1) of one layer, grouped by how tensor and sequence
// parallelism divide them.
struct ActivationParts {
  std::int64_t replicated = 0;  // outside the tensor-parallel region: whole on every rank, /t with sequence parallelism
  std::int64_t split = 0;       // inside it: /t
  std::int64_t scores = 0;      // attention scores: /t, dropped by selective recomputation
};

ActivationParts Parts(LayerKind kind, const TransformerShape& shape, DataType activation_type, std::int64_t t) {
  const std::int64_t p = BytesPerElement(activation_type);
  const std::int64_t m = shape.dropout ? 1 : 0;  // dropout masks: 1 byte per element
  const std::int64_t s = shape.sequence;
  const std::int64_t h = shape.hidden;
  const std::int64_t sh = s * h;
  ActivationParts parts;
  switch (kind) {
    case LayerKind::kEmbedding:
      parts.replicated = m * sh + (shape.embedding_norm ? p * sh : 0);
      return parts;
    case LayerKind::kTransformerBlock: {
      const std::int64_t k = shape.kv_width();
      const std::int64_t f = shape.ffn_size();
      const std::int64_t a = shape.heads;
      parts.replicated = (p * sh + p * sh + m * sh)     // attention: norm input, QKV input, dropout mask
                         + (p * sh + p * sh + m * sh);  // MLP: norm input, first linear input, dropout mask
      parts.split = (p * sh + 2 * p * s * k + p * sh)   // Q, K and V, output-projection input
                    + (shape.feed_forward == FeedForward::kSwiGlu ? 3 : 2) * p * s * f;
      parts.scores = (p + m + m * p) * a * s * s;  // softmax output, dropout mask, dropout output
      return parts;
    }
    case LayerKind::kLogits: {
      const std::int64_t vocabulary_share = (shape.vocabulary + t - 1) / t;
      parts.replicated = (shape.final_norm ? p * sh : 0) + p * sh;
      parts.split = 4 * s * vocabulary_share * t;  // fp32 logits; divided by t below
      return parts;
    }
    default:
      throw std::invalid_argument("transformer activations: layer kind " + std::string(LayerKindName(kind)) +
                                  " is not part of a transformer");
  }
}

}  // namespace

Bytes TransformerActivationBytes(LayerKind kind, const TransformerShape& shape, DataType activation_type,
                                 std::int64_t micro_batch, TensorParallelism parallelism, Recomputation recomputation) {
  if (const auto problems = TensorParallelismProblems(shape, parallelism); !problems.empty()) {
    throw std::invalid_argument("transformer activations: " + problems.front());
  }
  const std::int64_t t = parallelism.size;
  const std::int64_t replicated_divisor = parallelism.sequence_parallel ? t : 1;
  if (kind == LayerKind::kTransformerBlock && recomputation == Recomputation::kFull) {
    // Only the block's input, p·s·b·h (2·s·b·h at 16 bits); it is split along
    // the sequence when sequence parallelism is on.
    const std::int64_t input = BytesPerElement(activation_type) * shape.sequence * shape.hidden;
    return Bytes{micro_batch * input / replicated_divisor};
  }
  const ActivationParts parts = Parts(kind, shape, activation_type, t);
  std::int64_t per_sample = parts.replicated / replicated_divisor + parts.split / t;
  if (recomputation != Recomputation::kSelective) per_sample += parts.scores / t;
  return Bytes{micro_batch * per_sample};
}

}  // namespace sim::models
