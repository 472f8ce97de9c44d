// Reading a scenario: its text parsed (Protobuf text format, or JSON), and
// the defaults of scenario.proto written into it (the effective scenario a
// run echoes). run_plan.h builds on these; nothing else should need them.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/scenario_error.h"

namespace sim::scenario {

// Parses text format (`json` false) or JSON; `source_name` prefixes errors,
// which name file:line:column and the field. Throws ScenarioError.
[[nodiscard]] Scenario ParseScenario(const std::string& text, const std::string& source_name, bool json);

// Fills every absent field that has a documented default (scenario.proto),
// the cluster's library entry merged in. Adds to `problems` what prevents
// that (an unknown library entry, a host count the topology contradicts).
void ApplyDefaults(Scenario& scenario, std::vector<std::string>& problems);

}  // namespace sim::scenario
