// What happened to the global model during a real run, as recorded by the
// rank that holds it (all-reduce: rank 0; parameter servers: each server for
// its shard): every gradient applied, with its staleness, the worker that
// sent it and when, and the evaluation points, each with a snapshot of the parameters at that instant and the wall
// time since the run's start. The test set is scored only after the run, on
// the snapshots, so that evaluation costs the measured run no time, as it
// costs the simulated run none (sim/DESIGN.md: evaluation is free).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "sim/result/training_log.h"
#include "sim/training/numerics.h"

namespace sim::validate {

class TrainingTrace {
 public:
  struct Event {
    bool evaluation = false;
    // Staleness of an applied gradient (updates applied between the worker's
    // read of the parameters and this gradient's application), or the step
    // of an evaluation.
    std::uint64_t value = 0;
    double time_s = 0;
    // The worker that sent an applied gradient (0 for evaluations).
    std::uint32_t worker = 0;
  };

  void applied(std::uint64_t staleness, std::uint32_t worker, double time_s) {
    events_.push_back({false, staleness, time_s, worker});
  }
  void evaluation_point(std::uint64_t step, double time_s, std::span<const float> values);

  [[nodiscard]] const std::vector<Event>& events() const noexcept { return events_; }
  [[nodiscard]] const std::vector<Eigen::VectorXf>& snapshots() const noexcept { return snapshots_; }
  [[nodiscard]] std::vector<Eigen::VectorXf>& snapshots() noexcept { return snapshots_; }

  // Events as (kind, value, time, worker) quadruples of doubles, to send over
  // MPI; staleness and steps stay exact below 2^53.
  [[nodiscard]] std::vector<double> encoded_events() const;
  void decode_events(std::span<const double> encoded);

 private:
  std::vector<Event> events_;
  std::vector<Eigen::VectorXf> snapshots_;  // one per evaluation event, in order
};

// The log the simulator would have written for this trace: each evaluation
// event scored by `score` on its snapshot. Throws std::logic_error when the
// trace has fewer snapshots than evaluation events.
[[nodiscard]] TrainingLog Replay(const TrainingTrace& trace, const std::function<TestScore(const Eigen::VectorXf&)>& score,
                                 double target_accuracy);

// Every applied gradient, in the order applied: "update,worker,staleness,time_s"
// (update counts from 1; time_s is seconds since the run's start). What
// `mpi_train --applied` writes.
[[nodiscard]] std::string AppliedGradientsCsv(const TrainingTrace& trace);

}  // namespace sim::validate
