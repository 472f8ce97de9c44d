// Fuzz target: `--set path=value` assignments, one per input line, applied
// to the quickstart scenario and checked as `sim --scenario
// scenarios/quickstart.pbtxt --set ...` does. Expected outcome of bad input:
// ScenarioError (exit 2 in sim).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

const std::string& Quickstart() {
  static const std::string text = [] {
    std::ifstream in(SIM_FUZZ_BASE_SCENARIO);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> assignments;
  std::istringstream lines(sim::fuzz::AsText(data, size));
  for (std::string line; std::getline(lines, line);) assignments.push_back(line);

  sim::scenario::LoadOptions options;
  options.read_file = [](const std::string&) { return Quickstart(); };
  options.host_profile = "/nonexistent/host_device.pbtxt";
  options.limits = sim::scenario::ResourceLimits{2.0 * (1 << 30), 1e9, "the fuzz target's 2 GiB"};
  try {
    (void)sim::scenario::LoadPlan("quickstart.pbtxt", assignments, options);
  } catch (const sim::scenario::ScenarioError&) {
  }
  return 0;
}
