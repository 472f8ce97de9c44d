#include "models/layers/training_flops.h"

#include "models/layers/transformer.h"

namespace sim::models {

Flops RecomputedFlops(const Layer& layer, Recomputation recomputation) {
  if (layer.kind != LayerKind::kTransformerBlock || !layer.transformer) return Flops{};
  switch (recomputation) {
    case Recomputation::kNone:
      return Flops{};
    case Recomputation::kSelective:
      return AttentionScoreForwardFlops(*layer.transformer, layer.tensor_parallelism.size);
    case Recomputation::kFull:
      return layer.forward_flops;
  }
  return Flops{};
}

IterationFlops TrainingIterationFlops(const std::vector<Layer>& layers, std::int64_t batch,
                                      Recomputation recomputation) {
  double model = 0.0;
  double recomputed = 0.0;
  for (const auto& layer : layers) {
    model += layer.forward_flops.count + layer.backward_flops.count;
    recomputed += RecomputedFlops(layer, recomputation).count;
  }
  const auto b = static_cast<double>(batch);
  return IterationFlops{Flops{b * model}, Flops{b * (model + recomputed)}};
}

}  // namespace sim::models
