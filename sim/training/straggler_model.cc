#include "sim/training/straggler_model.h"

#include <cmath>
#include <string>

namespace sim {

ScenarioStragglers::ScenarioStragglers(const scenario::Stragglers& config, std::uint32_t workers, std::uint64_t seed)
    : config_(config), persistent_(workers, 1.0) {
  for (const auto& slow : config.slow_workers()) {
    if (slow.worker() < workers) persistent_[slow.worker()] *= slow.factor();
  }
  streams_.reserve(workers);
  for (std::uint32_t w = 0; w < workers; ++w) {
    streams_.push_back(NamedStream(seed, "straggler/worker/" + std::to_string(w)));
  }
}

double ScenarioStragglers::draw(RandomStream& rng) const {
  switch (config_.distribution()) {
    case scenario::EXPONENTIAL:
      return rng.exponential(config_.mean());
    case scenario::SHIFTED_EXPONENTIAL:
      return config_.shift() + rng.exponential(config_.mean());
    case scenario::LOGNORMAL:
      return std::exp(config_.mean() * rng.normal()) - 1.0;
    default:
      return 0.0;
  }
}

double ScenarioStragglers::next_slowdown(std::uint32_t worker) {
  RandomStream& rng = streams_[worker];
  double slowdown = persistent_[worker] * (1.0 + draw(rng));
  // Drawn only when enabled, so that a scenario without transients keeps
  // exactly the draws it had before transients existed.
  if (config_.transient_probability() > 0 && rng.bernoulli(config_.transient_probability())) {
    slowdown *= config_.transient_factor();
  }
  return slowdown;
}

std::unique_ptr<StragglerModel> MakeStragglerModel(const scenario::Stragglers& config, std::uint32_t workers,
                                                   std::uint64_t seed) {
  return std::make_unique<ScenarioStragglers>(config, workers, seed);
}

}  // namespace sim
