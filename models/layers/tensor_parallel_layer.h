// A transformer layer split over t tensor-parallel ranks (Shoeybi et al.
// 2019; Korthikanti et al. 2022 for sequence parallelism): what one rank holds
// and computes, and the collectives the ranks run inside the layer.
//
// Megatron-LM's block has two tensor-parallel regions, attention and MLP;
// each ends in an all-reduce of the b·s·h activations forward, and each
// starts with one of their gradients backward: 2 all-reduces forward, 2
// backward. With sequence parallelism every all-reduce becomes an all-gather
// into the region and a reduce-scatter out of it (same bytes on the wire).
// Full recomputation reruns the forward pass, and its collectives, in
// backward. The vocabulary-parallel embedding all-reduces its partial lookups
// forward; the vocabulary-parallel logits all-reduce their input's gradient
// backward and three b·s fp32 vectors (max, sum of exponentials, target
// logit) in the cross-entropy forward.
#pragma once

#include <cstdint>
#include <vector>

#include "models/layers/layer.h"
#include "models/layers/recomputation.h"
#include "models/layers/tensor_parallelism.h"
#include "sim/core/units.h"

namespace sim::models {

// One rank's share of a whole transformer layer: its parameters, FLOPs,
// activations (transformer_activations.h), output and traffic. Throws
// std::invalid_argument for a layer without a transformer shape, one already
// split, or a split its shape does not allow (TensorParallelismProblems).
[[nodiscard]] Layer ShardTensorParallel(const Layer& layer, TensorParallelism parallelism);

enum class CollectiveKind { kAllReduce, kAllGather, kReduceScatter };

struct TensorParallelCollective {
  CollectiveKind kind = CollectiveKind::kAllReduce;
  Bytes size;  // the whole tensor, all ranks' shares together
  friend bool operator==(const TensorParallelCollective&, const TensorParallelCollective&) = default;
};

// In execution order within each pass.
struct TensorParallelCommunication {
  std::vector<TensorParallelCollective> forward;
  std::vector<TensorParallelCollective> backward;
};

// The collectives of a micro-batch through a layer split by
// ShardTensorParallel (none when its size is 1 or it is not a transformer
// layer), activations at the layer's activation type.
[[nodiscard]] TensorParallelCommunication TensorParallelCollectives(const Layer& layer, std::int64_t micro_batch,
                                                                    Recomputation recomputation);

}  // namespace sim::models
