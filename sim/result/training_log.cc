#include "sim/result/training_log.h"

#include <cmath>
#include <cstdio>

namespace sim {

void TrainingLog::gradient_applied(std::uint64_t staleness) {
  if (histogram_.size() <= staleness) histogram_.resize(staleness + 1, 0);
  ++histogram_[staleness];
  ++applied_;
  staleness_sum_ += staleness;
  ++window_applied_;
  window_staleness_sum_ += staleness;
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
  std::string out = "step,sim_time_s,loss,accuracy,staleness\n";
  char row[160];
  for (const Evaluation& e : evaluations_) {
    // %.9g keeps the bits that matter and prints identically on every run.
    std::snprintf(row, sizeof row, "%llu,%.12g,%.9g,%.6f,%.4f\n", static_cast<unsigned long long>(e.step),
                  e.time.seconds(), e.loss, e.accuracy, e.staleness);
    out += row;
  }
  return out;
}

}  // namespace sim
