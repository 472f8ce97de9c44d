// Local SGD, or periodic model averaging (Stich 2019, "Local SGD converges
// fast and communicates little"; Lin et al. 2020, "Don't use large
// mini-batches, use local SGD"): each worker takes H optimizer steps on its
// own replica without communicating, then the replicas are averaged with an
// all-reduce of the parameters, and every worker continues from the average.
//
// With compression each worker encodes its replica's change since the last
// average when its round ends, the exchange is that of a compressed
// gradient (gradient_exchange.h), and the model moves by the mean decoded
// change (Numerics::average_replicas). strategy.reset_optimizer_state makes
// every worker forget its optimizer state (momentum) at each average.
//
// `workload.steps` counts each worker's local steps; one "update" of the
// global model is one averaging round (H local steps). The last round may be
// shorter so that exactly `steps` local steps are taken. The series counts
// rounds too: its step rows (--series-every) hold a round's mean loss.
#pragma once

#include <vector>

#include "sim/strategy/strategy.h"
#include "sim/strategy/training_progress.h"

namespace sim {

class LocalSgd final : public Strategy {
 public:
  LocalSgd(TrainingContext& context, std::uint32_t local_steps);
  void start() override;
  [[nodiscard]] std::uint64_t updates() const noexcept override { return local_steps_done_; }
  [[nodiscard]] std::uint64_t samples() const noexcept override { return samples_; }

 private:
  void begin_round();
  void local_step(std::uint32_t worker, std::uint32_t left);
  void encoded(std::uint32_t worker);
  void averaged();

  TrainingContext& ctx_;
  TrainingContext round_context_;  // the same, with steps counted in rounds
  TrainingProgress progress_;
  std::uint32_t period_;
  std::uint32_t this_round_ = 0;
  std::uint32_t computing_ = 0;
  std::uint64_t local_steps_done_ = 0;
  std::uint64_t samples_ = 0;
  std::vector<double> round_loss_;  // per worker: the sum of this round's mini-batch losses
};

}  // namespace sim
