#include "models/optim/adagrad.h"

namespace sim::models {

std::vector<std::string> AdagradProblems(const AdagradOptions& o) {
  std::vector<std::string> problems = ScheduleProblems(o.schedule);
  RequirePositive(problems, "epsilon", o.epsilon);
  RequireNonNegative(problems, "initial_accumulator", o.initial_accumulator);
  RequireNonNegative(problems, "weight_decay", o.weight_decay);
  RequireNonNegative(problems, "clip_norm", o.clip_norm);
  return problems;
}

Adagrad::Adagrad(const AdagradOptions& options)
    : Optimizer(CheckedOptions("adagrad", options, &AdagradProblems).schedule, options.clip_norm), options_(options) {}

void Adagrad::reset() noexcept { sum_.setConstant(static_cast<float>(options_.initial_accumulator)); }

void Adagrad::step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
                   double rate) {
  if (sum_.size() == 0) {
    sum_ = Eigen::VectorXf::Constant(params.size(), static_cast<float>(options_.initial_accumulator));
  }
  EnsureStateSize(name(), sum_, params.size());
  const float decay = static_cast<float>(options_.weight_decay);
  const float lr = static_cast<float>(rate);
  const float epsilon = static_cast<float>(options_.epsilon);
  sum_ += (grad_scale * grad + decay * params).cwiseAbs2();
  params.array() -=
      lr * (grad_scale * grad + decay * params).array() / (sum_.array().unaryExpr(CorrectlyRoundedSqrt{}) + epsilon);
}

}  // namespace sim::models
