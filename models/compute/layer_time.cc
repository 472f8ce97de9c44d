#include "models/compute/layer_time.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sim::models {
namespace {

void CheckEfficiency(RooflineEfficiency efficiency) {
  const auto in_range = [](double fraction) { return fraction > 0.0 && fraction <= 1.0; };
  if (!in_range(efficiency.compute) || !in_range(efficiency.memory)) {
    throw std::invalid_argument("roofline efficiencies must be in (0, 1], got compute " +
                                std::to_string(efficiency.compute) + " and memory " +
                                std::to_string(efficiency.memory));
  }
}

}  // namespace

PassWork WorkOf(const Layer& layer, Pass pass, std::int64_t micro_batch, DataType weight_type) {
  const bool forward = pass == Pass::kForward;
  const auto b = static_cast<double>(micro_batch);
  const Flops per_sample = forward ? layer.forward_flops : layer.backward_flops;
  const Bytes activations = forward ? layer.forward_traffic : layer.backward_traffic;
  const std::int64_t weight_bytes = layer.dense_weights ? layer.parameters * BytesPerElement(weight_type) : 0;
  return PassWork{Flops{b * per_sample.count},
                  Bytes{micro_batch * activations.count + (forward ? 1 : 2) * weight_bytes}};
}

double RidgeIntensity(const Accelerator& accelerator, DataType type, RooflineEfficiency efficiency) {
  CheckEfficiency(efficiency);
  return accelerator.peak_at(type).value * efficiency.compute /
         (accelerator.memory_bandwidth.value * efficiency.memory);
}

Time LayerTime(const Layer& layer, Pass pass, std::int64_t micro_batch, const Accelerator& accelerator, DataType type,
               RooflineEfficiency efficiency) {
  CheckEfficiency(efficiency);
  if (micro_batch < 1) throw std::invalid_argument("micro-batch must be >= 1, got " + std::to_string(micro_batch));
  const PassWork work = WorkOf(layer, pass, micro_batch, type);
  const double compute_s = work.flops.count / (accelerator.peak_at(type).value * efficiency.compute);
  const double memory_s =
      static_cast<double>(work.traffic.count) / (accelerator.memory_bandwidth.value * efficiency.memory);
  return Seconds(std::max(compute_s, memory_s));
}

}  // namespace sim::models
