#include "models/optim/adam.h"

#include <cmath>

namespace sim::models {

std::vector<std::string> AdamProblems(const AdamOptions& o) {
  std::vector<std::string> problems = ScheduleProblems(o.schedule);
  RequireInUnitInterval(problems, "beta1", o.beta1);
  RequireInUnitInterval(problems, "beta2", o.beta2);
  RequirePositive(problems, "epsilon", o.epsilon);
  RequireNonNegative(problems, "weight_decay", o.weight_decay);
  RequireNonNegative(problems, "clip_norm", o.clip_norm);
  return problems;
}

Adam::Adam(const AdamOptions& options)
    : Optimizer(CheckedOptions(options.decoupled_weight_decay ? "adamw" : "adam", options, &AdamProblems).schedule,
                options.clip_norm),
      options_(options) {}

std::string Adam::name() const { return options_.decoupled_weight_decay ? "adamw" : "adam"; }

void Adam::reset() noexcept {
  m_.setZero();
  v_.setZero();
  moment_steps_ = 0;
}

void Adam::step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
                double rate) {
  EnsureStateSize(name(), m_, params.size());
  EnsureStateSize(name(), v_, params.size());
  ++moment_steps_;
  const double k = static_cast<double>(moment_steps_);
  const double correction1 = 1.0 - std::pow(options_.beta1, k);
  const double correction2 = 1.0 - std::pow(options_.beta2, k);
  const float decay = static_cast<float>(options_.weight_decay);
  const float beta1 = static_cast<float>(options_.beta1);
  const float beta2 = static_cast<float>(options_.beta2);
  const float one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
  const float one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
  if (options_.decoupled_weight_decay) {
    // g' is clipped g; the parameters shrink before the moment step.
    m_ = beta1 * m_ + one_minus_beta1 * (grad_scale * grad);
    v_ = beta2 * v_ + one_minus_beta2 * (grad_scale * grad).cwiseAbs2();
    if (options_.weight_decay != 0.0) params *= static_cast<float>(1.0 - rate * options_.weight_decay);
  } else {
    m_ = beta1 * m_ + one_minus_beta1 * (grad_scale * grad + decay * params);
    v_ = beta2 * v_ + one_minus_beta2 * (grad_scale * grad + decay * params).cwiseAbs2();
  }
  // m_hat / (sqrt(v_hat) + eps) = (m / c1) / (sqrt(v) / sqrt(c2) + eps).
  const float step_size = static_cast<float>(rate / correction1);
  const float sqrt_correction2 = static_cast<float>(std::sqrt(correction2));
  const float epsilon = static_cast<float>(options_.epsilon);
  params.array() -=
      step_size * m_.array() / (v_.array().unaryExpr(CorrectlyRoundedSqrt{}) / sqrt_correction2 + epsilon);
}

}  // namespace sim::models
