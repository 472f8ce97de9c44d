#include "models/layers/transformer_shape.h"

namespace sim::models {

std::vector<std::string> TransformerShapeProblems(const TransformerShape& shape) {
  std::vector<std::string> problems;
  const auto positive = [&](const char* field, std::int64_t value) {
    if (value <= 0)
      problems.push_back(std::string("transformer ") + field + " must be > 0, got " + std::to_string(value));
  };
  positive("layers", shape.layers);
  positive("hidden", shape.hidden);
  positive("heads", shape.heads);
  positive("sequence", shape.sequence);
  positive("vocabulary", shape.vocabulary);
  if (shape.kv_heads < 0)
    problems.push_back("transformer kv_heads must be >= 0 (0: as many as heads), got " +
                       std::to_string(shape.kv_heads));
  if (shape.ffn < 0)
    problems.push_back("transformer ffn must be >= 0 (0: 4 x hidden), got " + std::to_string(shape.ffn));
  if (shape.learned_positions < 0)
    problems.push_back("transformer learned_positions must be >= 0, got " + std::to_string(shape.learned_positions));
  if (shape.token_types < 0)
    problems.push_back("transformer token_types must be >= 0, got " + std::to_string(shape.token_types));
  if (shape.hidden > 0 && shape.heads > 0 && shape.hidden % shape.heads != 0) {
    problems.push_back("transformer hidden (" + std::to_string(shape.hidden) + ") must be divisible by heads (" +
                       std::to_string(shape.heads) + ")");
  }
  if (shape.heads > 0 && shape.kv_heads > 0 && shape.heads % shape.kv_heads != 0) {
    problems.push_back("transformer heads (" + std::to_string(shape.heads) + ") must be divisible by kv_heads (" +
                       std::to_string(shape.kv_heads) + ")");
  }
  if (shape.learned_positions > 0 && shape.sequence > shape.learned_positions) {
    problems.push_back("transformer sequence (" + std::to_string(shape.sequence) +
                       ") exceeds the learned position embedding (" + std::to_string(shape.learned_positions) +
                       " rows)");
  }
  return problems;
}

}  // namespace sim::models
