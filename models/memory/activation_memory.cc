#include "models/memory/activation_memory.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/layers/transformer_activations.h"

namespace sim::models {

std::int64_t MicroBatchesInFlight(PipelineSchedule schedule, std::int64_t stages, std::int64_t stage,
                                  std::int64_t micro_batches) {
  if (stages < 1 || stage < 0 || stage >= stages || micro_batches < 1) {
    throw std::invalid_argument("pipeline: need 0 <= stage < stages and micro_batches >= 1, got stage " +
                                std::to_string(stage) + " of " + std::to_string(stages) + " with " +
                                std::to_string(micro_batches) + " micro-batches");
  }
  if (schedule == PipelineSchedule::kGPipe) return micro_batches;
  return std::min(stages - stage, micro_batches);
}

Bytes ActivationBytes(const std::vector<Layer>& layers, std::int64_t micro_batch, std::int64_t micro_batches_in_flight,
                      Recomputation recomputation) {
  Bytes kept;
  Bytes rebuilt;  // the largest block's recomputed activations, live during its backward
  for (const auto& layer : layers) {
    if (!layer.transformer) {
      kept = kept + Bytes{micro_batch * layer.saved.count};
      continue;
    }
    const auto bytes = [&](Recomputation r) {
      return TransformerActivationBytes(layer.kind, *layer.transformer, layer.activation_type, micro_batch,
                                        layer.tensor_parallelism, r);
    };
    const Bytes with = bytes(recomputation);
    kept = kept + with;
    rebuilt = std::max(rebuilt, bytes(Recomputation::kNone) - with);
  }
  return Bytes{kept.count * micro_batches_in_flight} + rebuilt;
}

}  // namespace sim::models
