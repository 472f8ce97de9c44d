// What one device holds during training, part by part, against its
// capacity: model states (zero.h), activations (activation_memory.h) and
// communication buffers (for instance PyTorch DDP's gradient buckets, 25 MB
// each by default, or ZeRO's all-gather and reduce buckets).
#pragma once

#include <string>
#include <vector>

#include "models/memory/zero.h"
#include "sim/core/units.h"

namespace sim::models {

struct MemoryPart {
  std::string name;
  Bytes size;
};

struct MemoryBreakdown {
  std::vector<MemoryPart> parts;

  [[nodiscard]] Bytes total() const noexcept;
  [[nodiscard]] bool fits_in(Bytes capacity) const noexcept { return total() <= capacity; }
};

// Parts "parameters", "gradients", "optimizer states", "activations",
// "communication buffers", in that order.
[[nodiscard]] MemoryBreakdown DeviceMemory(const ModelStates& model_states, Bytes activations,
                                           Bytes communication_buffers);

// One line for a run's log, in GiB with two decimals, e.g.
// "does not fit: parameters 13.97 GiB + gradients 13.97 GiB + optimizer states 83.82 GiB + activations 0.00 GiB +
// communication buffers 0.00 GiB = 111.76 GiB > 80.00 GiB", or "fits: ... = 1.75 GiB of 80.00 GiB".
[[nodiscard]] std::string DescribeFit(const MemoryBreakdown& breakdown, Bytes capacity);

}  // namespace sim::models
