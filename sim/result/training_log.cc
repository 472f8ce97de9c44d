#include "sim/result/training_log.h"

#include <cmath>
#include <cstdio>

namespace sim {

void TrainingLog::gradient_applied(std::uint64_t staleness, std::optional<double> batch_loss) {
  if (histogram_.size() <= staleness) histogram_.resize(staleness + 1, 0);
  ++histogram_[staleness];
  ++applied_;
  staleness_sum_ += staleness;
  ++window_applied_;
  window_staleness_sum_ += staleness;
  ++step_applied_;
  step_staleness_sum_ += staleness;
  if (batch_loss) {
    ++step_losses_;
    step_loss_sum_ += *batch_loss;
  }
}

void TrainingLog::stepped(std::uint64_t step, Time time) {
  if (steps_every_ > 0 && step % steps_every_ == 0) {
    StepRecord record{.step = step, .time = time, .batch_loss = std::nullopt, .staleness = 0.0};
    // The loss is known only when every gradient of the step brought one.
    if (step_losses_ > 0 && step_losses_ == step_applied_) {
      record.batch_loss = step_loss_sum_ / static_cast<double>(step_losses_);
    }
    if (step_applied_ > 0) {
      record.staleness = static_cast<double>(step_staleness_sum_) / static_cast<double>(step_applied_);
    }
    steps_.push_back(record);
  }
  step_applied_ = step_staleness_sum_ = step_losses_ = 0;
  step_loss_sum_ = 0;
}

void TrainingLog::evaluated(std::uint64_t step, Time time, double loss, double accuracy) {
  const double window_staleness =
      window_applied_ == 0 ? 0.0 : static_cast<double>(window_staleness_sum_) / static_cast<double>(window_applied_);
  window_applied_ = window_staleness_sum_ = 0;
  evaluations_.push_back({step, time, loss, accuracy, window_staleness});
  if (!std::isfinite(loss) && !diverged_at_) diverged_at_ = step;
  if (target_accuracy_ > 0 && !target_time_ && std::isfinite(loss) && accuracy >= target_accuracy_) {
    target_time_ = time;
    target_step_ = step;
  }
}

double TrainingLog::staleness_mean() const noexcept {
  return applied_ == 0 ? 0.0 : static_cast<double>(staleness_sum_) / static_cast<double>(applied_);
}

std::string TrainingLog::series_csv() const {
  std::string out = "step,sim_time_s,loss,accuracy,staleness,kind\n";
  char row[160];
  // %.9g keeps the bits that matter and prints identically on every run.
  const auto evaluation = [&](const Evaluation& e) {
    std::snprintf(row, sizeof row, "%llu,%.12g,%.9g,%.6f,%.4f,evaluation\n", static_cast<unsigned long long>(e.step),
                  e.time.seconds(), e.loss, e.accuracy, e.staleness);
    out += row;
  };
  // A step row's unknown loss (no numerics) is an empty cell, which CSV
  // readers (pandas) read as missing, as they do its accuracy.
  const auto step = [&](const StepRecord& s) {
    char loss[40] = "";
    if (s.batch_loss) std::snprintf(loss, sizeof loss, "%.9g", *s.batch_loss);
    std::snprintf(row, sizeof row, "%llu,%.12g,%s,,%.4f,step\n", static_cast<unsigned long long>(s.step),
                  s.time.seconds(), loss, s.staleness);
    out += row;
  };
  std::size_t next_step = 0;
  for (const Evaluation& e : evaluations_) {
    for (; next_step < steps_.size() && steps_[next_step].step <= e.step; ++next_step) step(steps_[next_step]);
    evaluation(e);
  }
  for (; next_step < steps_.size(); ++next_step) step(steps_[next_step]);
  return out;
}

}  // namespace sim
