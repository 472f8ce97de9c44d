// The optimizer of a run, chosen by kind with its own options (the run plan
// gives them: sim/scenario/workload_plan.h), behind the Optimizer interface.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "models/optim/adagrad.h"
#include "models/optim/adam.h"
#include "models/optim/optimizer.h"
#include "models/optim/rmsprop.h"
#include "models/optim/sgd.h"

namespace sim::models {

// One of the optimizers' options; AdamOptions is AdamW's too
// (decoupled_weight_decay).
using OptimizerOptions = std::variant<SgdOptions, AdamOptions, AdagradOptions, RmspropOptions>;

// The learning-rate schedule and the clipping norm, which every kind has.
[[nodiscard]] const ScheduleSpec& ScheduleOf(const OptimizerOptions& options) noexcept;
[[nodiscard]] ScheduleSpec& ScheduleOf(OptimizerOptions& options) noexcept;
[[nodiscard]] double ClipNormOf(const OptimizerOptions& options) noexcept;

// Every bad option of the kind held, one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> OptimizerProblems(const OptimizerOptions& options);

// A fresh optimizer (zero state, update count 0) of the kind held. Throws
// std::invalid_argument listing every bad option.
[[nodiscard]] std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerOptions& options);

}  // namespace sim::models
