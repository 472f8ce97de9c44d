// Asynchronous SGD through parameter servers (Dean et al. 2012, "Downpour
// SGD"), optionally with a staleness bound: stale synchronous parallel (SSP,
// Ho et al. 2013).
//
// Each worker loops: pull the current parameters, compute a gradient on that
// version, push it. The servers apply gradients one at a time in arrival
// order; a gradient's staleness is the number of updates applied between the
// version it was computed on and its own application.
//
// With a bound s, a worker that has completed c steps may start another only
// while c - (steps completed by the slowest worker) <= s; otherwise it waits
// until the slowest catches up. Without a bound, nobody waits.
//
// With compression a worker encodes its gradient before it pushes it, and
// pushes the code (gradient_exchange.h); the server applies the decoded one.
//
// With N workers of i.i.d. exponential compute times of rate mu and free
// communication, updates arrive at rate N mu and staleness averages N - 1
// (Dutta et al. 2018, "Slow and stale gradients can win the race").
#pragma once

#include <optional>
#include <vector>

#include "sim/strategy/strategy.h"
#include "sim/strategy/training_progress.h"

namespace sim {

class AsyncParameterServer final : public Strategy {
 public:
  // `staleness_bound`: SSP's s; nullopt for fully asynchronous.
  AsyncParameterServer(TrainingContext& context, std::optional<std::uint32_t> staleness_bound);
  void start() override;
  [[nodiscard]] std::uint64_t updates() const noexcept override { return progress_.updates(); }
  [[nodiscard]] std::uint64_t samples() const noexcept override { return progress_.samples(); }

 private:
  void try_begin(std::uint32_t worker);
  void pulled(std::uint32_t worker);
  void computed(std::uint32_t worker);
  void push(std::uint32_t worker);
  void arrived(std::uint32_t worker);
  [[nodiscard]] bool within_bound(std::uint32_t worker) const;
  [[nodiscard]] std::uint64_t slowest_clock() const;

  TrainingContext& ctx_;
  TrainingProgress progress_;
  std::optional<std::uint32_t> bound_;
  std::uint64_t started_ = 0;                 // computations begun, all workers
  std::vector<std::uint64_t> clock_;          // steps completed, per worker
  std::vector<ParameterVersion> held_;        // version each worker computes on
  std::vector<Gradient> in_flight_;           // per worker, computed or being pushed
  std::vector<bool> blocked_;                 // waiting on the staleness bound
};

}  // namespace sim
