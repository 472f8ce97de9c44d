#include "sim/strategy/training_progress.h"

namespace sim {

void TrainingProgress::start() {
  evaluate();
  if (context_.steps == 0) finished_ = true;
}

void TrainingProgress::update_applied(std::uint64_t samples) {
  ++updates_;
  samples_ += samples;
  const bool last = updates_ >= context_.steps;
  context_.log.stepped(updates_, context_.engine.now());
  if (last || updates_ % context_.eval_every == 0) evaluate();
  if (last) finished_ = true;
  if (context_.on_step) context_.on_step(updates_, context_.steps, context_.engine.now());
}

void TrainingProgress::evaluate() {
  if (auto score = context_.numerics.evaluate()) {
    context_.log.evaluated(updates_, context_.engine.now(), score->loss, score->accuracy);
    if (context_.log.diverged()) finished_ = true;
    if (context_.log.target_reached() && context_.stop_at_target) finished_ = true;
  }
}

}  // namespace sim
