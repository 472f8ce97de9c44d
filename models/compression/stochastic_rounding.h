// Unbiased rounding to an integer: floor(x) + 1 with probability x - floor(x),
// so that E[round(x)] = x (QSGD, Alistarh et al. 2017; Gupta et al. 2015).
// One uniform draw per call, whatever x, so that a stream's position does not
// depend on the data.
#pragma once

#include <cmath>

#include "sim/core/random.h"

namespace sim::models {

[[nodiscard]] inline double StochasticRound(double x, RandomStream& rng) noexcept {
  const double below = std::floor(x);
  return rng.uniform() < x - below ? below + 1.0 : below;
}

}  // namespace sim::models
