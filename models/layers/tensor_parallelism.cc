#include "models/layers/tensor_parallelism.h"

namespace sim::models {

std::vector<std::string> TensorParallelismProblems(const TransformerShape& shape, TensorParallelism parallelism) {
  std::vector<std::string> problems;
  const std::int64_t t = parallelism.size;
  if (t < 1) {
    problems.push_back("tensor-parallel size must be >= 1, got " + std::to_string(t));
    return problems;
  }
  const auto divisible = [&](const char* what, std::int64_t value) {
    if (value % t != 0) {
      problems.push_back(std::string(what) + " (" + std::to_string(value) +
                         ") must be divisible by the tensor-parallel size (" + std::to_string(t) + ")");
    }
  };
  divisible("heads", shape.heads);
  divisible("kv heads", shape.kv_head_count());
  divisible("ffn", shape.ffn_size());
  if (parallelism.sequence_parallel) divisible("sequence (with sequence parallelism)", shape.sequence);
  return problems;
}

}  // namespace sim::models
