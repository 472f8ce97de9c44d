// Turns a scenario file and command-line overrides into the immutable,
// validated Scenario that the rest of the program reads (DESIGN.md: nothing
// downstream reads the file again).
//
// Order: parse (text format, or JSON for *.json) -> --set overrides ->
// defaults -> semantic checks. A syntax error names file:line:column and the
// field; the semantic check reports every problem at once. Both throw
// ScenarioError.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/scenario_error.h"

namespace sim::scenario {

struct LoadedScenario {
  Scenario scenario;
  std::string path;       // as given
  std::string directory;  // for paths inside the scenario (edge-list files)
};

LoadedScenario LoadScenario(const std::string& path, const std::vector<std::string>& overrides = {});

// Parses text format (`json` false) or JSON; `source_name` prefixes errors.
Scenario ParseScenario(const std::string& text, const std::string& source_name, bool json);

// Fills every absent field that has a documented default (scenario.proto).
void ApplyDefaults(Scenario& scenario);

}  // namespace sim::scenario
