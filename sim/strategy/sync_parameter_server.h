// Synchronous SGD through parameter servers, optionally with backup workers
// (Chen et al. 2016, "Revisiting distributed synchronous SGD"): each step,
// workers compute on the same version and push their gradients to the
// servers; the servers apply the mean of the first N - b gradients to arrive
// (b = 0: all of them), then every worker pulls the new parameters. Workers
// still computing or pushing for that step are cut short, as in the paper:
// their gradients would be stale and are dropped. A gradient counts as
// arrived once every server has added its share in (their apply cost).
//
// With compression each worker encodes its gradient before it pushes it
// (gradient_exchange.h), and pushes the code; a worker cut short while
// encoding never sends.
//
// A worker still pulling when the next update is made does not start a
// second pull: once its pull lands it pulls again (the version it fetched
// is already old), so that it never computes twice at once nor has a
// gradient counted twice (issue 20; strategy_behaviour_test.cc).
//
// With N workers whose compute times are i.i.d. exponential of rate mu and
// free communication, a step lasts the (N - b)-th order statistic:
// (H_N - H_b) / mu, H_n the n-th harmonic number.
#pragma once

#include <vector>

#include "sim/strategy/strategy.h"
#include "sim/strategy/training_progress.h"

namespace sim {

class SyncParameterServer final : public Strategy {
 public:
  SyncParameterServer(TrainingContext& context, std::uint32_t backup_workers);
  void start() override;
  [[nodiscard]] std::uint64_t updates() const noexcept override { return progress_.updates(); }
  [[nodiscard]] std::uint64_t samples() const noexcept override { return progress_.samples(); }

 private:
  void begin_step(std::uint32_t worker);
  void computed(std::uint32_t worker, std::uint64_t step);
  void push(std::uint32_t worker, std::uint64_t step);
  void arrived(std::uint32_t worker, std::uint64_t step);
  void applied();
  void pull(std::uint32_t worker);
  void pulled(std::uint32_t worker);

  TrainingContext& ctx_;
  TrainingProgress progress_;
  std::uint32_t needed_;  // gradients per update: N - b
  std::uint64_t step_ = 0;
  std::vector<Gradient> gradients_;        // this step's, by worker
  std::vector<bool> arrived_;              // by worker, this step
  std::uint32_t arrivals_ = 0;
  std::vector<EventId> compute_events_;    // computing or encoding: to cut stragglers short
  std::vector<bool> pulling_;              // by worker: a pull in flight
  std::vector<bool> pull_again_;           // by worker: an update was made during it
};

}  // namespace sim
