// Synchronous data-parallel SGD with an all-reduce (the default of PyTorch
// DDP and Horovod, Sergeev & Del Balso 2018): every step, each worker computes
// a gradient on the same version; when the last one is done, the gradients
// are all-reduced, and every worker applies the same mean update.
//
// The all-reduce starts when the slowest worker is done (no overlap of
// communication with the backward pass); workers that finish early wait.
// With compression (gradient_exchange.h) each worker encodes its gradient
// when it is done, the exchange is an all-gather of the codes (or
// PowerSGD's all-reduces of its factors), and every worker decodes what it
// received before the update.
#pragma once

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

  TrainingContext& ctx_;
  TrainingProgress progress_;
  std::vector<Gradient> gradients_;  // rank order
  std::uint32_t computing_ = 0;
};

}  // namespace sim
