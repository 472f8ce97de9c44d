// Fuzz target: a whole scenario file, text format or JSON (an input whose
// first non-blank byte is '{' is read as JSON, as a file named *.json
// would be), loaded and checked into a RunPlan exactly as `sim --scenario`
// does, with every check (cluster, device, memory, resource estimate).
// Expected outcome of bad input: ScenarioError (exit 2 in sim).
//
// The file system is not touched: any other file the scenario names (an
// edge list) reads as a two-host star through switch "s0".
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario/run_plan.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

sim::scenario::LoadOptions FuzzOptions(const std::string& scenario_path, const std::string& text) {
  sim::scenario::LoadOptions options;
  options.read_file = [scenario_path, text](const std::string& path) -> std::string {
    if (path == scenario_path) return text;
    return "h0 s0 1 1\nh1 s0 1 1\n";
  };
  options.host_profile = "/nonexistent/host_device.pbtxt";  // the cpu_core default, the same everywhere
  // A fixed budget, not this machine's: the outcome must not depend on it.
  options.limits = sim::scenario::ResourceLimits{2.0 * (1 << 30), 1e9, "the fuzz target's 2 GiB"};
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = sim::fuzz::AsText(data, size);
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool json = first != std::string::npos && text[first] == '{';
  const std::string path = json ? "fuzz.json" : "fuzz.pbtxt";
  try {
    (void)sim::scenario::LoadPlan(path, {}, FuzzOptions(path, text));
  } catch (const sim::scenario::ScenarioError&) {
  }
  return 0;
}
