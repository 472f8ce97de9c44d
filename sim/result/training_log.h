// The numerical side of a run as it unfolds: each evaluation of the test set
// (at a step and a simulated time), the staleness of every applied gradient,
// the first crossing of the target accuracy, and divergence.
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

class TrainingLog {
 public:
  // target_accuracy 0 means no target.
  explicit TrainingLog(double target_accuracy) : target_accuracy_(target_accuracy) {}

  // A gradient was applied to the global model with this staleness.
  void gradient_applied(std::uint64_t staleness);
  // Records an evaluation; a NaN or infinite loss marks the run diverged.
  void evaluated(std::uint64_t step, Time time, double loss, double accuracy);

  [[nodiscard]] bool diverged() const noexcept { return diverged_at_.has_value(); }
  [[nodiscard]] std::optional<std::uint64_t> diverged_at_step() const noexcept { return diverged_at_; }
  [[nodiscard]] bool target_reached() const noexcept { return target_time_.has_value(); }
  [[nodiscard]] std::optional<Time> time_to_target() const noexcept { return target_time_; }
  [[nodiscard]] std::optional<std::uint64_t> steps_to_target() const noexcept { return target_step_; }
  [[nodiscard]] const std::vector<Evaluation>& evaluations() const noexcept { return evaluations_; }
  [[nodiscard]] const std::vector<std::uint64_t>& staleness_histogram() const noexcept { return histogram_; }
  [[nodiscard]] double staleness_mean() const noexcept;
  [[nodiscard]] std::uint64_t staleness_max() const noexcept { return histogram_.empty() ? 0 : histogram_.size() - 1; }

  // step,sim_time_s,loss,accuracy,staleness: one row per evaluation.
  [[nodiscard]] std::string series_csv() const;

 private:
  double target_accuracy_;
  std::vector<Evaluation> evaluations_;
  std::vector<std::uint64_t> histogram_;
  std::uint64_t applied_ = 0, staleness_sum_ = 0;
  std::uint64_t window_applied_ = 0, window_staleness_sum_ = 0;
  std::optional<Time> target_time_;
  std::optional<std::uint64_t> target_step_;
  std::optional<std::uint64_t> diverged_at_;
};

}  // namespace sim
