// Tensor (intra-layer) parallelism of a transformer (Shoeybi et al. 2019,
// Megatron-LM): each of t ranks holds 1/t of the attention heads and of the
// feed-forward columns; sequence parallelism (Korthikanti et al. 2022) also
// splits the norms and dropouts along the sequence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/layers/transformer_shape.h"

namespace sim::models {

struct TensorParallelism {
  std::int64_t size = 1;  // t
  bool sequence_parallel = false;
};

// Every reason the shape cannot be split t ways: heads, kv heads and the
// feed-forward size must divide by t (and the sequence too with sequence
// parallelism). The vocabulary need not: it is padded to a multiple of t, as
// Megatron-LM does.
[[nodiscard]] std::vector<std::string> TensorParallelismProblems(const TransformerShape& shape,
                                                                 TensorParallelism parallelism);

}  // namespace sim::models
