// Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019,
// decoupled weight decay), on flat parameter vectors.
//
// One update, k counting the moment updates since the last reset (k = 1 on
// the first), t the updates since construction (the schedule's count):
//   g' = clipped g (optimizer.h)
//   Adam:  g' = g' + weight_decay x w              L2 through the gradient, as
//                                                  PyTorch's Adam does
//   AdamW: w  = w (1 - rate(t) x weight_decay)     decoupled, before the step
//   m  = beta1 m + (1 - beta1) g'                  m, v start at 0
//   v  = beta2 v + (1 - beta2) g'^2
//   w  = w - rate(t) x m_hat / (sqrt(v_hat) + epsilon),
//        m_hat = m / (1 - beta1^k), v_hat = v / (1 - beta2^k)
// AdamW's decay is multiplied by the whole rate(t) as in PyTorch's AdamW;
// Loshchilov & Hutter's Algorithm 2 multiplies it by the schedule multiplier
// eta_t only, so their lambda is PyTorch's weight_decay x base rate.
//
// k restarts at reset(): bias correction belongs to the moments, so moments
// zeroed at t = 1000 are corrected as the fresh estimates they are, while
// the schedule goes on at t.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"
#include "models/optim/optimizer.h"

namespace sim::models {

struct AdamOptions {
  ScheduleSpec schedule;                // base_rate is Kingma & Ba's alpha
  double beta1 = 0.9;                   // [0, 1); Kingma & Ba's defaults
  double beta2 = 0.999;                 // [0, 1)
  double epsilon = 1e-8;                // > 0
  double weight_decay = 0.0;            // >= 0
  bool decoupled_weight_decay = false;  // true: AdamW
  double clip_norm = 0.0;               // >= 0; 0 disables clipping
};

// Every bad option (schedule included), one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> AdamProblems(const AdamOptions& options);

class Adam final : public Optimizer {
 public:
  // Throws std::invalid_argument listing every bad option.
  explicit Adam(const AdamOptions& options);

  // "adam", or "adamw" with decoupled weight decay.
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] const AdamOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Eigen::VectorXf& first_moment() const noexcept { return m_; }
  [[nodiscard]] const Eigen::VectorXf& second_moment() const noexcept { return v_; }
  void reset() noexcept override;
  [[nodiscard]] std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adam>(*this); }

 private:
  void step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
            double rate) override;

  AdamOptions options_;
  Eigen::VectorXf m_;
  Eigen::VectorXf v_;
  std::uint64_t moment_steps_ = 0;  // k of the last update
};

}  // namespace sim::models
