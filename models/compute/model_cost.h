// What one training step of a model costs, whether the model has numerics
// (the Eigen models) or only a size (timing-only profiles of large models):
// the bytes a gradient occupies on the wire and the FLOPs of a sample.
#pragma once

#include <cstdint>
#include <string>

#include "models/nn/model.h"
#include "sim/core/units.h"

namespace sim::models {

struct ModelCost {
  std::string name;
  std::int64_t parameters = 0;
  std::int64_t bytes_per_parameter = 4;  // fp32
  Flops flops_per_sample;                // forward + backward

  [[nodiscard]] Bytes gradient_bytes() const noexcept { return Bytes{parameters * bytes_per_parameter}; }
  [[nodiscard]] Flops flops_per_step(std::int64_t batch) const noexcept {
    return Flops{flops_per_sample.count * static_cast<double>(batch)};
  }
};

// The cost of a trainable model: its parameter count, 4 bytes each (float),
// and its own FLOP formula.
[[nodiscard]] ModelCost CostOf(const Model& model);

}  // namespace sim::models
