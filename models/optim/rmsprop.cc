#include "models/optim/rmsprop.h"

namespace sim::models {

std::vector<std::string> RmspropProblems(const RmspropOptions& o) {
  std::vector<std::string> problems = ScheduleProblems(o.schedule);
  RequireInUnitInterval(problems, "alpha", o.alpha);
  RequirePositive(problems, "epsilon", o.epsilon);
  RequireInUnitInterval(problems, "momentum", o.momentum);
  RequireNonNegative(problems, "weight_decay", o.weight_decay);
  RequireNonNegative(problems, "clip_norm", o.clip_norm);
  return problems;
}

Rmsprop::Rmsprop(const RmspropOptions& options)
    : Optimizer(CheckedOptions("rmsprop", options, &RmspropProblems).schedule, options.clip_norm), options_(options) {}

void Rmsprop::reset() noexcept {
  square_average_.setZero();
  average_.setZero();
  momentum_.setZero();
}

void Rmsprop::step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
                   double rate) {
  EnsureStateSize(name(), square_average_, params.size());
  if (options_.centered) EnsureStateSize(name(), average_, params.size());
  if (options_.momentum > 0.0) EnsureStateSize(name(), momentum_, params.size());
  const float alpha = static_cast<float>(options_.alpha);
  const float one_minus_alpha = static_cast<float>(1.0 - options_.alpha);
  const float epsilon = static_cast<float>(options_.epsilon);
  const float lr = static_cast<float>(rate);
  gradient_ = grad_scale * grad + static_cast<float>(options_.weight_decay) * params;
  square_average_ = alpha * square_average_ + one_minus_alpha * gradient_.cwiseAbs2();
  // gradient_ becomes g' / d. s >= a^2 in exact arithmetic (Cauchy-Schwarz on
  // the averages' weights, which sum to 1 - alpha^t <= 1); the clamp keeps a
  // rounding below 0 from turning into a NaN.
  if (options_.centered) {
    average_ = alpha * average_ + one_minus_alpha * gradient_;
    gradient_.array() /=
        (square_average_ - average_.cwiseAbs2()).array().max(0.0f).unaryExpr(CorrectlyRoundedSqrt{}) + epsilon;
  } else {
    gradient_.array() /= square_average_.array().unaryExpr(CorrectlyRoundedSqrt{}) + epsilon;
  }
  if (options_.momentum > 0.0) {
    momentum_ = static_cast<float>(options_.momentum) * momentum_ + gradient_;
    params -= lr * momentum_;
  } else {
    params -= lr * gradient_;
  }
}

}  // namespace sim::models
