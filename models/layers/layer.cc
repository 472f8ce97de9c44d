#include "models/layers/layer.h"

namespace sim::models {

std::string_view LayerKindName(LayerKind kind) noexcept {
  switch (kind) {
    case LayerKind::kConvolution:
      return "convolution";
    case LayerKind::kFullyConnected:
      return "fully_connected";
    case LayerKind::kNormalization:
      return "normalization";
    case LayerKind::kElementwise:
      return "elementwise";
    case LayerKind::kPooling:
      return "pooling";
    case LayerKind::kEmbedding:
      return "embedding";
    case LayerKind::kTransformerBlock:
      return "transformer_block";
    case LayerKind::kLogits:
      return "logits";
  }
  return "?";
}

std::int64_t TotalParameters(const std::vector<Layer>& layers) noexcept {
  std::int64_t total = 0;
  for (const auto& layer : layers) total += layer.parameters;
  return total;
}

Flops TotalForwardFlops(const std::vector<Layer>& layers) noexcept {
  Flops total;
  for (const auto& layer : layers) total.count += layer.forward_flops.count;
  return total;
}

Flops TotalBackwardFlops(const std::vector<Layer>& layers) noexcept {
  Flops total;
  for (const auto& layer : layers) total.count += layer.backward_flops.count;
  return total;
}

}  // namespace sim::models
