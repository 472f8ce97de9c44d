#include "models/optim/make_optimizer.h"

namespace sim::models {

const ScheduleSpec& ScheduleOf(const OptimizerOptions& options) noexcept {
  return std::visit([](const auto& o) -> const ScheduleSpec& { return o.schedule; }, options);
}

ScheduleSpec& ScheduleOf(OptimizerOptions& options) noexcept {
  return std::visit([](auto& o) -> ScheduleSpec& { return o.schedule; }, options);
}

double ClipNormOf(const OptimizerOptions& options) noexcept {
  return std::visit([](const auto& o) { return o.clip_norm; }, options);
}

namespace {

struct Problems {
  std::vector<std::string> operator()(const SgdOptions& o) const { return SgdProblems(o); }
  std::vector<std::string> operator()(const AdamOptions& o) const { return AdamProblems(o); }
  std::vector<std::string> operator()(const AdagradOptions& o) const { return AdagradProblems(o); }
  std::vector<std::string> operator()(const RmspropOptions& o) const { return RmspropProblems(o); }
};

struct Make {
  std::unique_ptr<Optimizer> operator()(const SgdOptions& o) const { return std::make_unique<Sgd>(o); }
  std::unique_ptr<Optimizer> operator()(const AdamOptions& o) const { return std::make_unique<Adam>(o); }
  std::unique_ptr<Optimizer> operator()(const AdagradOptions& o) const { return std::make_unique<Adagrad>(o); }
  std::unique_ptr<Optimizer> operator()(const RmspropOptions& o) const { return std::make_unique<Rmsprop>(o); }
};

}  // namespace

std::vector<std::string> OptimizerProblems(const OptimizerOptions& options) { return std::visit(Problems{}, options); }

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerOptions& options) { return std::visit(Make{}, options); }

}  // namespace sim::models
