// Synchronous data-parallel SGD with an all-reduce (the default of PyTorch
// DDP and Horovod, Sergeev & Del Balso 2018): every step, each worker computes
// a gradient on the same version; when the last one is done, the gradients
// are all-reduced, and every worker applies the same mean update.
//
// By default (AllReduceEntry::kWhenAllReady) the all-reduce starts when the
// slowest worker is done (no overlap of communication with the backward
// pass); workers that finish early wait, and all start the next step
// together. With kEachWorker each worker enters the all-reduce as soon as
// its own gradient is ready and starts its next step as soon as its own part
// is done, as MPI ranks do: ranks leave an all-reduce at different times
// (the last exchange's pairs finish apart) and enter the next one apart,
// which matters with eager messages (collectives/collective_run.h). The
// update is the same: the first worker to leave applies the mean (every
// gradient of the step was in by then: an all-reduce's result needs all of
// them), and each worker computes its next gradient on it.
//
// With compression (gradient_exchange.h) each worker encodes its gradient
// when it is done, the exchange is an all-gather of the codes (or
// PowerSGD's all-reduces of its factors), and every worker decodes what it
// received before the update.
#pragma once

#include <deque>
#include <vector>

#include "sim/strategy/strategy.h"
#include "sim/strategy/training_progress.h"

namespace sim {

class SyncAllReduce final : public Strategy {
 public:
  explicit SyncAllReduce(TrainingContext& context);
  void start() override;
  [[nodiscard]] std::uint64_t updates() const noexcept override { return progress_.updates(); }
  [[nodiscard]] std::uint64_t samples() const noexcept override { return progress_.samples(); }

 private:
  void begin_step();
  void computed(std::uint32_t worker);
  void encoded(std::uint32_t worker);
  void reduced();
  // Worker w's step from its computation on (every worker at once in
  // begin_step; each on its own with kEachWorker).
  void begin_worker_step(std::uint32_t worker);
  void enter(std::uint32_t worker);
  void worker_reduced(std::uint64_t step, std::uint32_t worker);
  void apply_step();

  TrainingContext& ctx_;
  TrainingProgress progress_;
  std::vector<Gradient> gradients_;  // rank order
  std::uint32_t computing_ = 0;
  // kEachWorker: the step each worker is in, and the exchanges still open
  // (at most two: no worker can leave step k + 1 before all entered it, so
  // after all left step k), from step first_open_step_ on.
  struct OpenExchange {
    Communication::Enter enter;
    std::uint32_t still_in;
  };
  std::vector<std::uint64_t> step_of_;
  std::deque<OpenExchange> open_;
  std::uint64_t first_open_step_ = 0;
  std::uint64_t steps_applied_ = 0;
};

}  // namespace sim
