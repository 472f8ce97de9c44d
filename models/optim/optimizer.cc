#include "models/optim/optimizer.h"

#include <cmath>
#include <stdexcept>

namespace sim::models {

double GradientNorm(const Eigen::Ref<const Eigen::VectorXf>& grad) {
  return std::sqrt(grad.cast<double>().squaredNorm());
}

OptimizerUpdate Optimizer::apply(Eigen::VectorXf& params, const Eigen::VectorXf& grad) {
  if (grad.size() != params.size()) {
    throw std::invalid_argument(name() + ": gradient has " + std::to_string(grad.size()) + " entries, parameters " +
                                std::to_string(params.size()));
  }
  return apply_shard(params, grad, GradientNorm(grad));
}

OptimizerUpdate Optimizer::apply_shard(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad,
                                       double gradient_norm) {
  if (grad.size() != params.size()) {
    throw std::invalid_argument(name() + ": gradient has " + std::to_string(grad.size()) + " entries, parameters " +
                                std::to_string(params.size()));
  }
  if (gradient_norm < 0.0) {
    throw std::invalid_argument(name() + ": gradient norm must be >= 0, got " + std::to_string(gradient_norm));
  }
  OptimizerUpdate update;
  update.learning_rate = schedule_.rate(updates_);
  update.gradient_norm = gradient_norm;
  double scale = 1.0;
  if (clip_norm_ > 0.0 && gradient_norm > clip_norm_) {
    scale = clip_norm_ / gradient_norm;
    update.clipped = true;
  }
  step(params, grad, static_cast<float>(scale), update.learning_rate);
  ++updates_;
  return update;
}

void ThrowIfProblems(const std::string& name, const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string message = name + ":";
  for (const auto& p : problems) message += " " + p + ";";
  message.pop_back();
  throw std::invalid_argument(message);
}

void EnsureStateSize(const std::string& name, Eigen::VectorXf& state, Eigen::Index size) {
  if (state.size() == size) return;
  if (state.size() != 0) {
    throw std::invalid_argument(name + ": state holds " + std::to_string(state.size()) + " entries, update has " +
                                std::to_string(size));
  }
  state = Eigen::VectorXf::Zero(size);
}

void RequireInUnitInterval(std::vector<std::string>& problems, const char* field, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    problems.push_back(std::string(field) + " must be in [0, 1), got " + std::to_string(value));
  }
}

void RequireNonNegative(std::vector<std::string>& problems, const char* field, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    problems.push_back(std::string(field) + " must be a finite value >= 0, got " + std::to_string(value));
  }
}

void RequirePositive(std::vector<std::string>& problems, const char* field, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    problems.push_back(std::string(field) + " must be a finite value > 0, got " + std::to_string(value));
  }
}

}  // namespace sim::models
