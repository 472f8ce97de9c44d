// RMSprop (Tieleman & Hinton 2012, lecture 6e) in PyTorch's form, on flat
// parameter vectors.
//
// One update, t counting the updates already applied:
//   g'  = clipped g (optimizer.h) + weight_decay x w
//   s   = alpha s + (1 - alpha) g'^2                 s starts at 0
//   centered: a = alpha a + (1 - alpha) g',          a starts at 0
//             d = sqrt(s - a^2) + epsilon            (Graves 2013)
//   else      d = sqrt(s) + epsilon
//   momentum > 0: b = momentum b + g' / d,  w = w - rate(t) x b
//   else:                                   w = w - rate(t) x g' / d
// epsilon is added outside the square root, as PyTorch does (TensorFlow adds
// it inside).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"
#include "models/optim/optimizer.h"

namespace sim::models {

struct RmspropOptions {
  ScheduleSpec schedule;  // PyTorch's default rate is 0.01
  double alpha = 0.99;    // [0, 1): decay of the squared-gradient average
  double epsilon = 1e-8;  // > 0
  double momentum = 0.0;  // [0, 1)
  bool centered = false;
  double weight_decay = 0.0;  // >= 0
  double clip_norm = 0.0;     // >= 0; 0 disables clipping
};

// Every bad option (schedule included), one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> RmspropProblems(const RmspropOptions& options);

class Rmsprop final : public Optimizer {
 public:
  // Throws std::invalid_argument listing every bad option.
  explicit Rmsprop(const RmspropOptions& options);

  [[nodiscard]] std::string name() const override { return "rmsprop"; }
  [[nodiscard]] const RmspropOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Eigen::VectorXf& square_average() const noexcept { return square_average_; }
  void reset() noexcept override;
  [[nodiscard]] std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Rmsprop>(*this); }

 private:
  void step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
            double rate) override;

  RmspropOptions options_;
  Eigen::VectorXf square_average_;  // s
  Eigen::VectorXf average_;         // a (centered only)
  Eigen::VectorXf momentum_;        // b (momentum > 0 only)
  Eigen::VectorXf gradient_;        // g' of the current update (workspace)
};

}  // namespace sim::models
