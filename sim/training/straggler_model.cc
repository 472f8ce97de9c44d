#include "sim/training/straggler_model.h"

#include <string>

namespace sim {

SpecStragglers::SpecStragglers(StragglerSpec spec, std::uint32_t workers, std::uint64_t seed)
    : spec_(std::move(spec)), draw_(Entry(spec_.distribution).draw), persistent_(workers, 1.0) {
  for (const SlowWorker& slow : spec_.slow_workers) {
    if (slow.worker < workers) persistent_[slow.worker] *= slow.factor;
  }
  streams_.reserve(workers);
  for (std::uint32_t w = 0; w < workers; ++w) {
    streams_.push_back(NamedStream(seed, "straggler/worker/" + std::to_string(w)));
  }
}

double SpecStragglers::next_slowdown(std::uint32_t worker) {
  RandomStream& rng = streams_[worker];
  double slowdown = persistent_[worker] * (1.0 + draw_(spec_.parameters, rng));
  // Drawn only when enabled, so that a scenario without transients keeps
  // exactly the draws it had before transients existed.
  if (spec_.transient_probability > 0 && rng.bernoulli(spec_.transient_probability)) {
    slowdown *= spec_.transient_factor;
  }
  return slowdown;
}

std::unique_ptr<StragglerModel> MakeStragglerModel(const StragglerSpec& spec, std::uint32_t workers,
                                                   std::uint64_t seed) {
  return std::make_unique<SpecStragglers>(spec, workers, seed);
}

}  // namespace sim
