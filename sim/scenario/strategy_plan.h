// The strategy and straggler parts of a scenario: their checks, every problem
// at once and each naming its field, and their typed form for the run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/workload_plan.h"
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

// Writes the defaults of the chosen compression scheme's fields
// (scenario.proto) into a strategy that has a compression; a strategy
// without one is left without one.
void CompressionDefaults(Strategy& strategy);

// Every problem of the compression: a field its scheme does not read, a
// value out of range (models' CompressionProblems: a ratio outside (0, 1],
// zero levels, a rank above a weight matrix's smaller side), a scheme the
// strategy cannot carry or the model cannot give. `model` is the workload's
// shape, absent when the workload is invalid (then only what does not need
// it is checked).
void CheckCompression(const StrategySpec& strategy, const Strategy& message, const std::optional<ModelShape>& model,
                      std::vector<std::string>& problems);

[[nodiscard]] StragglerSpec StragglerSpecOf(const Stragglers& stragglers, std::vector<std::string>& problems);

// Every problem of the stragglers for `workers` workers.
void CheckStragglers(const Stragglers& stragglers, std::uint32_t workers, std::vector<std::string>& problems);

}  // namespace sim::scenario
