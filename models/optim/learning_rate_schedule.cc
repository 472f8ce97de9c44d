#include "models/optim/learning_rate_schedule.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace sim::models {

std::vector<std::string> ScheduleProblems(const ScheduleSpec& spec) {
  std::vector<std::string> problems;
  if (!(spec.base_rate >= 0.0) || !std::isfinite(spec.base_rate)) {
    problems.push_back("learning rate must be a finite value >= 0, got " + std::to_string(spec.base_rate));
  }
  if (spec.decay == Decay::kStep && spec.step_every == 0) problems.push_back("STEP schedule needs step_every > 0");
  if (spec.decay == Decay::kStep && !(spec.step_gamma > 0.0)) {
    problems.push_back("STEP schedule needs step_gamma > 0, got " + std::to_string(spec.step_gamma));
  }
  if (spec.decay == Decay::kCosine && spec.total_steps == 0) {
    problems.push_back("COSINE schedule needs the run's total steps (> 0)");
  }
  return problems;
}

LearningRateSchedule::LearningRateSchedule(const ScheduleSpec& spec) : spec_(spec) {
  const std::vector<std::string> problems = ScheduleProblems(spec);
  if (problems.empty()) return;
  std::string message = "learning-rate schedule:";
  for (const auto& p : problems) message += " " + p + ";";
  message.pop_back();
  throw std::invalid_argument(message);
}

double LearningRateSchedule::rate(std::uint64_t step) const noexcept {
  double decay = 1.0;
  switch (spec_.decay) {
    case Decay::kConstant:
      break;
    case Decay::kStep:
      decay = std::pow(spec_.step_gamma, static_cast<double>(step / spec_.step_every));
      break;
    case Decay::kCosine: {
      const double progress = static_cast<double>(std::min(step, spec_.total_steps)) /
                              static_cast<double>(spec_.total_steps);
      decay = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
      break;
    }
  }
  double warmup = 1.0;
  if (step < spec_.warmup_steps) {
    warmup = static_cast<double>(step + 1) / static_cast<double>(spec_.warmup_steps);
  }
  return spec_.base_rate * decay * warmup;
}

}  // namespace sim::models
