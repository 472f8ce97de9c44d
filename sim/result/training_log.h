// The numerical side of a run as it unfolds: each evaluation of the test set
// (at a step and a simulated time), the staleness of every applied gradient,
// every N-th step's training loss (--series-every), the first crossing of the
// target accuracy, and divergence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.h"

namespace sim {

struct Evaluation {
  std::uint64_t step = 0;
  Time time;
  double loss = 0;
  double accuracy = 0;
  // Mean staleness of the gradients applied since the previous evaluation.
  double staleness = 0;
};

// One step (update of the global model) as the series records it.
struct StepRecord {
  std::uint64_t step = 0;
  Time time;
  // Mean training loss on the mini-batches whose gradients made the step;
  // none without numerics (timing-only runs).
  std::optional<double> batch_loss = std::nullopt;
  // Mean staleness of the step's gradients.
  double staleness = 0;
};

class TrainingLog {
 public:
  // target_accuracy 0 means no target; steps_every N > 0 records every N-th
  // step (StepRecord), 0 none.
  explicit TrainingLog(double target_accuracy, std::uint64_t steps_every = 0)
      : target_accuracy_(target_accuracy), steps_every_(steps_every) {}

  // A gradient was applied to the global model with this staleness; its
  // mini-batch's training loss, when known.
  void gradient_applied(std::uint64_t staleness, std::optional<double> batch_loss = std::nullopt);
  // Step `step` is over (its gradients applied) at `time`: recorded when
  // it is a multiple of steps_every.
  void stepped(std::uint64_t step, Time time);
  // Records an evaluation; a NaN or infinite loss marks the run diverged.
  void evaluated(std::uint64_t step, Time time, double loss, double accuracy);

  [[nodiscard]] bool diverged() const noexcept { return diverged_at_.has_value(); }
  [[nodiscard]] std::optional<std::uint64_t> diverged_at_step() const noexcept { return diverged_at_; }
  [[nodiscard]] bool target_reached() const noexcept { return target_time_.has_value(); }
  [[nodiscard]] std::optional<Time> time_to_target() const noexcept { return target_time_; }
  [[nodiscard]] std::optional<std::uint64_t> steps_to_target() const noexcept { return target_step_; }
  [[nodiscard]] const std::vector<Evaluation>& evaluations() const noexcept { return evaluations_; }
  [[nodiscard]] const std::vector<StepRecord>& steps() const noexcept { return steps_; }
  [[nodiscard]] const std::vector<std::uint64_t>& staleness_histogram() const noexcept { return histogram_; }
  [[nodiscard]] double staleness_mean() const noexcept;
  [[nodiscard]] std::uint64_t staleness_max() const noexcept { return histogram_.empty() ? 0 : histogram_.size() - 1; }

  // step,sim_time_s,loss,accuracy,staleness,kind: one row per evaluation
  // (kind "evaluation": test-set loss and accuracy, the mean staleness since
  // the previous evaluation) and one per recorded step (kind "step": the
  // step's training loss, accuracy empty, the step's mean staleness), in
  // step order, a step's row before an evaluation at the same step.
  [[nodiscard]] std::string series_csv() const;

 private:
  double target_accuracy_;
  std::uint64_t steps_every_;
  std::vector<Evaluation> evaluations_;
  std::vector<StepRecord> steps_;
  std::vector<std::uint64_t> histogram_;
  std::uint64_t applied_ = 0, staleness_sum_ = 0;
  std::uint64_t window_applied_ = 0, window_staleness_sum_ = 0;
  // The step under way: its gradients, their staleness and losses.
  std::uint64_t step_applied_ = 0, step_staleness_sum_ = 0, step_losses_ = 0;
  double step_loss_sum_ = 0;
  std::optional<Time> target_time_;
  std::optional<std::uint64_t> target_step_;
  std::optional<std::uint64_t> diverged_at_;
};

}  // namespace sim
