#include "models/optim/make_optimizer.h"

namespace sim::models {

SgdOptions SgdOptionsFrom(const sim::scenario::Optimizer& spec, std::int64_t global_batch, std::uint64_t total_steps) {
  SgdOptions options;
  double rate = spec.learning_rate() == 0.0 ? 0.1 : spec.learning_rate();
  if (spec.linear_scaling()) {
    const double reference = spec.reference_batch() == 0 ? 32.0 : static_cast<double>(spec.reference_batch());
    rate *= static_cast<double>(global_batch) / reference;
  }
  options.schedule.base_rate = rate;
  switch (spec.schedule()) {
    case sim::scenario::STEP:
      options.schedule.decay = Decay::kStep;
      break;
    case sim::scenario::COSINE:
      options.schedule.decay = Decay::kCosine;
      break;
    default:
      options.schedule.decay = Decay::kConstant;
      break;
  }
  options.schedule.step_every = spec.step_every();
  options.schedule.step_gamma = spec.step_gamma() == 0.0 ? 0.1 : spec.step_gamma();
  options.schedule.total_steps = total_steps;
  options.schedule.warmup_steps = spec.warmup_steps();
  options.momentum = spec.momentum();
  options.weight_decay = spec.weight_decay();
  options.clip_norm = spec.clip_norm();
  return options;
}

Sgd MakeOptimizer(const sim::scenario::Optimizer& spec, std::int64_t global_batch, std::uint64_t total_steps) {
  return Sgd(SgdOptionsFrom(spec, global_batch, total_steps));
}

}  // namespace sim::models
