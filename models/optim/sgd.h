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
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"

namespace sim::models {

struct SgdOptions {
  ScheduleSpec schedule;
  double momentum = 0.0;      // [0, 1)
  double weight_decay = 0.0;  // >= 0
  double clip_norm = 0.0;     // >= 0; 0 disables clipping
};

// Every bad option (schedule included), one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> SgdProblems(const SgdOptions& options);

struct SgdUpdate {
  double learning_rate = 0.0;  // rate(t) used by this update
  double gradient_norm = 0.0;  // ||g||_2 before clipping
  bool clipped = false;
};

class Sgd {
 public:
  // Throws std::invalid_argument listing every bad option.
  explicit Sgd(const SgdOptions& options);

  // Applies one update to `params` with gradient `grad` (same size; throws
  // std::invalid_argument otherwise) and advances the update count.
  SgdUpdate apply(Eigen::VectorXf& params, const Eigen::VectorXf& grad);

  // Updates applied so far (t of the next update).
  [[nodiscard]] std::uint64_t updates() const noexcept { return updates_; }
  // Rate the next update will use.
  [[nodiscard]] double learning_rate() const noexcept { return schedule_.rate(updates_); }
  [[nodiscard]] const SgdOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Eigen::VectorXf& velocity() const noexcept { return velocity_; }
  // Forget the momentum (e.g. after a model average in local SGD).
  void reset_velocity() noexcept { velocity_.setZero(); }

 private:
  SgdOptions options_;
  LearningRateSchedule schedule_;
  Eigen::VectorXf velocity_;
  std::uint64_t updates_ = 0;
};

}  // namespace sim::models
