// How many updates of the global model a run makes: a number of steps, or
// epochs over the training set at the strategy's samples per update.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>

#include "sim/core/time.h"

namespace sim {

struct RunLength {
  std::uint64_t steps = 0;  // > 0: the length in updates
  double epochs = 0.0;      // else: passes over the training set

  // The run's updates for a training set of `training_samples` and a strategy
  // consuming `samples_per_update` per update (StrategyKindEntry).
  [[nodiscard]] std::uint64_t steps_for(std::int64_t training_samples, std::uint64_t samples_per_update) const {
    if (steps > 0) return steps;
    return static_cast<std::uint64_t>(std::ceil(epochs * static_cast<double>(training_samples) / samples_per_update));
  }
};

// Told after each step (update of the global model): steps done, the run's
// steps, and the simulated time then. For a progress line (it must not
// change the run).
using OnStep = std::function<void(std::uint64_t steps_done, std::uint64_t steps, Time simulated)>;

}  // namespace sim
