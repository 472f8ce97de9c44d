#include "validate/mpi_train/training_trace.h"

#include <cstdio>
#include <stdexcept>

namespace sim::validate {

void TrainingTrace::evaluation_point(std::uint64_t step, double time_s, std::span<const float> values) {
  events_.push_back({true, step, time_s});
  snapshots_.emplace_back(Eigen::Map<const Eigen::VectorXf>(values.data(), static_cast<Eigen::Index>(values.size())));
}

std::vector<double> TrainingTrace::encoded_events() const {
  std::vector<double> out;
  out.reserve(events_.size() * 4);
  for (const Event& e : events_) {
    out.push_back(e.evaluation ? 1.0 : 0.0);
    out.push_back(static_cast<double>(e.value));
    out.push_back(e.time_s);
    out.push_back(static_cast<double>(e.worker));
  }
  return out;
}

void TrainingTrace::decode_events(std::span<const double> encoded) {
  if (encoded.size() % 4 != 0) throw std::invalid_argument("encoded trace events: size must be a multiple of 4");
  events_.clear();
  for (std::size_t i = 0; i < encoded.size(); i += 4) {
    events_.push_back({encoded[i] != 0.0, static_cast<std::uint64_t>(encoded[i + 1]), encoded[i + 2],
                       static_cast<std::uint32_t>(encoded[i + 3])});
  }
}

TrainingLog Replay(const TrainingTrace& trace, const std::function<TestScore(const Eigen::VectorXf&)>& score,
                   double target_accuracy) {
  TrainingLog log(target_accuracy);
  std::size_t next_snapshot = 0;
  for (const TrainingTrace::Event& e : trace.events()) {
    if (!e.evaluation) {
      log.gradient_applied(e.value);
      continue;
    }
    if (next_snapshot >= trace.snapshots().size()) {
      throw std::logic_error("training trace: evaluation at step " + std::to_string(e.value) + " has no snapshot");
    }
    const TestScore s = score(trace.snapshots()[next_snapshot++]);
    log.evaluated(e.value, Seconds(e.time_s), s.loss, s.accuracy);
  }
  return log;
}

std::string AppliedGradientsCsv(const TrainingTrace& trace) {
  std::string out = "update,worker,staleness,time_s\n";
  std::uint64_t update = 0;
  char row[96];
  for (const TrainingTrace::Event& e : trace.events()) {
    if (e.evaluation) continue;
    std::snprintf(row, sizeof row, "%llu,%u,%llu,%.9f\n", static_cast<unsigned long long>(++update), e.worker,
                  static_cast<unsigned long long>(e.value), e.time_s);
    out += row;
  }
  return out;
}

}  // namespace sim::validate
