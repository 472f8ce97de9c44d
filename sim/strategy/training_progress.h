// The bookkeeping every strategy shares: counting updates and samples,
// logging staleness, evaluating the test set when due (at no simulated time),
// and deciding when the run is over (all steps done, target reached with
// stop_at_target, or divergence).
#pragma once

#include <cstdint>
#include <optional>

#include "sim/strategy/strategy.h"

namespace sim {

class TrainingProgress {
 public:
  explicit TrainingProgress(TrainingContext& context) : context_(context) {}

  // Scores the initial model, so that the series starts at step 0.
  void start();
  // One update of the global model was applied: `samples` samples went into
  // it. Call gradient_applied() for each gradient in it before.
  void update_applied(std::uint64_t samples);
  // `batch_loss`: the training loss on the gradient's mini-batch, if known.
  void gradient_applied(std::uint64_t staleness, std::optional<double> batch_loss) {
    context_.log.gradient_applied(staleness, batch_loss);
  }

  // No more updates should start: steps done, diverged, or target reached
  // with stop_at_target.
  [[nodiscard]] bool finished() const noexcept { return finished_; }
  [[nodiscard]] std::uint64_t updates() const noexcept { return updates_; }
  [[nodiscard]] std::uint64_t samples() const noexcept { return samples_; }

 private:
  void evaluate();
  TrainingContext& context_;
  std::uint64_t updates_ = 0;
  std::uint64_t samples_ = 0;
  bool finished_ = false;
};

}  // namespace sim
