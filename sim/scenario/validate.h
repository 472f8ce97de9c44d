// The semantic check of a scenario after defaults: every problem at once, each
// naming its field and the value it got ("cluster.workers must be >= 1, got 0").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"

namespace sim::scenario {

// `scenario_dir` is where files named in the scenario (edge lists) are found.
std::vector<std::string> ValidateScenario(const Scenario& scenario, const std::string& scenario_dir = ".");

// Whether the strategy exchanges gradients through parameter servers.
bool UsesParameterServers(const Strategy& strategy);
// Servers on endpoints of their own (after the workers'): 0 when colocated
// or when the strategy has no servers.
std::uint32_t DedicatedServers(const Strategy& strategy);

}  // namespace sim::scenario
