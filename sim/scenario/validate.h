// The semantic check of a scenario after defaults: every problem at once, each
// naming its field and the value it got ("cluster.workers must be >= 1, got 0").
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"

namespace sim::scenario {

std::vector<std::string> ValidateScenario(const Scenario& scenario);

}  // namespace sim::scenario
