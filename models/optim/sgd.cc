#include "models/optim/sgd.h"

#include <cmath>
#include <stdexcept>
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

namespace {

const SgdOptions& Checked(const SgdOptions& o) {
  const std::vector<std::string> problems = SgdProblems(o);
  if (problems.empty()) return o;
  std::string message = "sgd:";
  for (const auto& p : problems) message += " " + p + ";";
  message.pop_back();
  throw std::invalid_argument(message);
}

}  // namespace

Sgd::Sgd(const SgdOptions& options) : options_(Checked(options)), schedule_(options.schedule) {}

SgdUpdate Sgd::apply(Eigen::VectorXf& params, const Eigen::VectorXf& grad) {
  if (grad.size() != params.size()) {
    throw std::invalid_argument("sgd: gradient has " + std::to_string(grad.size()) + " entries, parameters " +
                                std::to_string(params.size()));
  }
  SgdUpdate update;
  update.learning_rate = schedule_.rate(updates_);
  // The norm is accumulated in double: a float sum over 10^5..10^8 entries
  // would lose digits that decide whether clipping triggers.
  update.gradient_norm = std::sqrt(grad.cast<double>().squaredNorm());
  double scale = 1.0;
  if (options_.clip_norm > 0.0 && update.gradient_norm > options_.clip_norm) {
    scale = options_.clip_norm / update.gradient_norm;
    update.clipped = true;
  }
  const float rate = static_cast<float>(update.learning_rate);
  const float g_scale = static_cast<float>(scale);
  const float decay = static_cast<float>(options_.weight_decay);
  if (options_.momentum == 0.0) {
    params -= rate * (g_scale * grad + decay * params);
  } else {
    if (velocity_.size() != params.size()) velocity_ = Eigen::VectorXf::Zero(params.size());
    velocity_ = static_cast<float>(options_.momentum) * velocity_ + g_scale * grad + decay * params;
    params -= rate * velocity_;
  }
  ++updates_;
  return update;
}

}  // namespace sim::models
