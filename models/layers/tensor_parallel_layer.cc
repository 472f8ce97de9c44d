#include "models/layers/tensor_parallel_layer.h"

#include <stdexcept>

#include "models/layers/transformer.h"

namespace sim::models {

Layer ShardTensorParallel(const Layer& layer, TensorParallelism parallelism) {
  if (!layer.transformer) {
    throw std::invalid_argument("tensor parallelism: layer '" + layer.name + "' (" +
                                std::string(LayerKindName(layer.kind)) + ") has no transformer shape");
  }
  if (layer.tensor_parallelism.size != 1) {
    throw std::invalid_argument("tensor parallelism: layer '" + layer.name + "' is already split " +
                                std::to_string(layer.tensor_parallelism.size) + " ways");
  }
  return MakeTransformerLayer(layer.name, layer.kind, *layer.transformer, layer.activation_type, parallelism);
}

TensorParallelCommunication TensorParallelCollectives(const Layer& layer, std::int64_t micro_batch,
                                                      Recomputation recomputation) {
  TensorParallelCommunication communication;
  if (!layer.transformer || layer.tensor_parallelism.size <= 1) return communication;
  const TransformerShape& shape = *layer.transformer;
  const bool sequence_parallel = layer.tensor_parallelism.sequence_parallel;
  const Bytes stream{micro_batch * shape.sequence * shape.hidden * BytesPerElement(layer.activation_type)};
  // Entering a tensor-parallel region: identity forward (all-gather with
  // sequence parallelism); leaving it: all-reduce (reduce-scatter).
  const auto enter = [&](std::vector<TensorParallelCollective>& pass) {
    if (sequence_parallel) pass.push_back({CollectiveKind::kAllGather, stream});
  };
  const auto leave = [&](std::vector<TensorParallelCollective>& pass) {
    pass.push_back({sequence_parallel ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, stream});
  };
  // Backward runs the conjugates: a forward all-gather's gradient is a
  // reduce-scatter, a forward identity's an all-reduce, and a forward
  // all-reduce's (or reduce-scatter's) an identity (all-gather).
  const auto enter_backward = [&](std::vector<TensorParallelCollective>& pass) {
    pass.push_back({sequence_parallel ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce, stream});
  };
  const auto leave_backward = [&](std::vector<TensorParallelCollective>& pass) {
    if (sequence_parallel) pass.push_back({CollectiveKind::kAllGather, stream});
  };
  switch (layer.kind) {
    case LayerKind::kEmbedding:
      leave(communication.forward);
      leave_backward(communication.backward);
      break;
    case LayerKind::kTransformerBlock:
      if (recomputation == Recomputation::kFull) {
        for (int region = 0; region < 2; ++region) {
          enter(communication.backward);
          leave(communication.backward);
        }
      }
      for (int region = 0; region < 2; ++region) {  // attention, MLP
        enter(communication.forward);
        leave(communication.forward);
      }
      for (int region = 0; region < 2; ++region) {  // MLP, attention
        leave_backward(communication.backward);
        enter_backward(communication.backward);
      }
      break;
    case LayerKind::kLogits: {
      enter(communication.forward);
      const Bytes per_token{micro_batch * shape.sequence * 4};
      for (int i = 0; i < 3; ++i) communication.forward.push_back({CollectiveKind::kAllReduce, per_token});
      enter_backward(communication.backward);
      break;
    }
    default:
      break;
  }
  return communication;
}

}  // namespace sim::models
