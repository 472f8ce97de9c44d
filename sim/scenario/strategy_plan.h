// The strategy and straggler parts of a scenario: their checks, every problem
// at once and each naming its field, and their typed form for the run.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "sim/strategy/strategy_spec.h"
#include "sim/training/straggler_model.h"

namespace sim::scenario {

// The typed strategy of an effective scenario's (defaults written in); kinds
// and algorithms found in their registries by the schema's value names.
// Adds a problem for a value no registry knows.
[[nodiscard]] StrategySpec StrategySpecOf(const Strategy& strategy, std::vector<std::string>& problems);

// Every problem of the strategy for `workers` workers.
void CheckStrategy(const StrategySpec& strategy, const Strategy& message, std::uint32_t workers,
                   std::vector<std::string>& problems);

[[nodiscard]] StragglerSpec StragglerSpecOf(const Stragglers& stragglers, std::vector<std::string>& problems);

// Every problem of the stragglers for `workers` workers.
void CheckStragglers(const Stragglers& stragglers, std::uint32_t workers, std::vector<std::string>& problems);

}  // namespace sim::scenario
