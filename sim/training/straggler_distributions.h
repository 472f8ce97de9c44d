// The registry of straggler distributions: the law of X in a step's slowdown
// 1 + X (straggler_model.h), one entry each.
//   exponential          X ~ Exp(mean): Dutta et al. 2018, "Slow and stale
//                        gradients can win the race"
//   shifted exponential  X = shift + Exp(mean): Lee et al. 2018, "Speeding up
//                        distributed machine learning using codes"
//   log-normal           1 + X = exp(sigma Z), Z ~ N(0, 1), sigma = mean:
//                        measured cloud latency tails
// Adding one: a StragglerDistribution value, its draw and its entry in
// straggler_distributions.cc, and (to name it in scenarios) the value of
// scenario.proto's StragglerDistribution with the same name.
#pragma once

#include <span>
#include <string_view>

#include "sim/core/random.h"

namespace sim {

enum class StragglerDistribution { kNone, kExponential, kShiftedExponential, kLognormal };

struct DistributionParameters {
  double mean = 0.0;   // exponential part's mean; log-normal: sigma
  double shift = 0.0;  // shifted exponential's fixed part
};

using DrawSlowdown = double (*)(const DistributionParameters& parameters, RandomStream& rng);

struct StragglerDistributionEntry {
  StragglerDistribution id;
  std::string_view name;  // the schema's value name: "EXPONENTIAL"
  DrawSlowdown draw;      // X; draws nothing for kNone
  bool needs_mean;        // mean > 0 required
};

[[nodiscard]] std::span<const StragglerDistributionEntry> StragglerDistributions() noexcept;
[[nodiscard]] const StragglerDistributionEntry& Entry(StragglerDistribution distribution) noexcept;

}  // namespace sim
