#include "models/optim/sgd.h"

#include <cmath>
#include <string>

namespace sim::models {

std::vector<std::string> SgdProblems(const SgdOptions& o) {
  std::vector<std::string> problems = ScheduleProblems(o.schedule);
  if (!(o.momentum >= 0.0 && o.momentum < 1.0)) {
    problems.push_back("momentum must be in [0, 1), got " + std::to_string(o.momentum));
  }
  if (!(o.weight_decay >= 0.0) || !std::isfinite(o.weight_decay)) {
    problems.push_back("weight_decay must be a finite value >= 0, got " + std::to_string(o.weight_decay));
  }
  if (!(o.clip_norm >= 0.0) || !std::isfinite(o.clip_norm)) {
    problems.push_back("clip_norm must be a finite value >= 0, got " + std::to_string(o.clip_norm));
  }
  return problems;
}

Sgd::Sgd(const SgdOptions& options)
    : Optimizer(CheckedOptions("sgd", options, &SgdProblems).schedule, options.clip_norm), options_(options) {}

void Sgd::step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
               double rate) {
  const float lr = static_cast<float>(rate);
  const float decay = static_cast<float>(options_.weight_decay);
  if (options_.momentum == 0.0) {
    params -= lr * (grad_scale * grad + decay * params);
  } else {
    if (velocity_.size() != params.size()) velocity_ = Eigen::VectorXf::Zero(params.size());
    velocity_ = static_cast<float>(options_.momentum) * velocity_ + grad_scale * grad + decay * params;
    params -= lr * velocity_;
  }
}

}  // namespace sim::models
