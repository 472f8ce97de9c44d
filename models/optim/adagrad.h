// AdaGrad (Duchi, Hazan & Singer 2011, diagonal form), as PyTorch's Adagrad
// computes it, on flat parameter vectors.
//
// One update, t counting the updates already applied:
//   g' = clipped g (optimizer.h) + weight_decay x w
//   G  = G + g'^2                       G starts at initial_accumulator
//   w  = w - rate(t) x g' / (sqrt(G) + epsilon)
// PyTorch's lr_decay is left out: the learning-rate schedule plays its part.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"
#include "models/optim/optimizer.h"

namespace sim::models {

struct AdagradOptions {
  ScheduleSpec schedule;
  double epsilon = 1e-10;            // > 0 (PyTorch's default)
  double initial_accumulator = 0.0;  // >= 0
  double weight_decay = 0.0;         // >= 0
  double clip_norm = 0.0;            // >= 0; 0 disables clipping
};

// Every bad option (schedule included), one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> AdagradProblems(const AdagradOptions& options);

class Adagrad final : public Optimizer {
 public:
  // Throws std::invalid_argument listing every bad option.
  explicit Adagrad(const AdagradOptions& options);

  [[nodiscard]] std::string name() const override { return "adagrad"; }
  [[nodiscard]] const AdagradOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Eigen::VectorXf& accumulator() const noexcept { return sum_; }
  // Back to initial_accumulator.
  void reset() noexcept override;
  [[nodiscard]] std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adagrad>(*this); }

 private:
  void step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
            double rate) override;

  AdagradOptions options_;
  Eigen::VectorXf sum_;  // G; empty until the first update sizes it
};

}  // namespace sim::models
