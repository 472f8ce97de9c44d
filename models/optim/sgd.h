// Stochastic gradient descent with heavy-ball momentum (Polyak 1964), L2
// weight decay and gradient clipping, on flat parameter vectors.
//
// One update, t counting the updates already applied:
//   g' = g x min(1, clip_norm / ||g||_2)    clipping (Pascanu et al. 2013);
//                                           off when clip_norm = 0
//   d  = g' + weight_decay x w              decay added after clipping, as
//                                           PyTorch's clip_grad_norm_ + SGD do
//   v  = momentum x v + d                   v starts at 0
//   w  = w - rate(t) x v
// This is the form of Sutskever et al. 2013 / PyTorch, in which the learning
// rate multiplies the whole velocity; Goyal et al. 2017 (section 2.1) show it
// needs no "momentum correction" when the rate changes (warm-up, steps).
//
// The momentum buffer lives here: one Sgd per copy of the model being updated
// (the parameter server's, or each worker's in local SGD).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"
#include "models/optim/optimizer.h"

namespace sim::models {

struct SgdOptions {
  ScheduleSpec schedule;
  double momentum = 0.0;      // [0, 1)
  double weight_decay = 0.0;  // >= 0
  double clip_norm = 0.0;     // >= 0; 0 disables clipping
};

// Every bad option (schedule included), one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> SgdProblems(const SgdOptions& options);

using SgdUpdate = OptimizerUpdate;

class Sgd : public Optimizer {
 public:
  // Throws std::invalid_argument listing every bad option.
  explicit Sgd(const SgdOptions& options);

  // apply(params, grad) and apply_shard come from Optimizer: they check the
  // sizes, clip, and call the rule above.

  [[nodiscard]] std::string name() const override { return "sgd"; }
  [[nodiscard]] const SgdOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Eigen::VectorXf& velocity() const noexcept { return velocity_; }
  // Forget the momentum (e.g. after a model average in local SGD).
  void reset_velocity() noexcept { velocity_.setZero(); }
  void reset() noexcept override { reset_velocity(); }
  [[nodiscard]] std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Sgd>(*this); }

 private:
  void step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
            double rate) override;

  SgdOptions options_;
  Eigen::VectorXf velocity_;
};

}  // namespace sim::models
