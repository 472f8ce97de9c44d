// The optimizer of a scenario, with the defaults its schema states.
#pragma once

#include <cstdint>

#include "models/optim/sgd.h"
#include "sim/scenario/scenario.pb.h"

namespace sim::models {

// Options from the scenario: learning_rate 0 -> 0.1, schedule unset ->
// CONSTANT, step_gamma 0 -> 0.1, reference_batch 0 -> 32. With
// linear_scaling the base rate becomes learning_rate x global_batch /
// reference_batch (Goyal et al. 2017). `total_steps` is the run's length in
// updates, needed by COSINE only.
[[nodiscard]] SgdOptions SgdOptionsFrom(const sim::scenario::Optimizer& spec, std::int64_t global_batch,
                                        std::uint64_t total_steps = 0);

// Throws std::invalid_argument listing every bad option.
[[nodiscard]] Sgd MakeOptimizer(const sim::scenario::Optimizer& spec, std::int64_t global_batch,
                                std::uint64_t total_steps = 0);

}  // namespace sim::models
