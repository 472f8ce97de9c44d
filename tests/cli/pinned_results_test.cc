// Every shipped scenario's result, pinned: the JSON that `sim` writes for each
// file of scenarios/ and validate/scenarios/, shortened by --set and at a
// fixed seed, must stay byte for byte what it was when the pin was taken
// (the wall-clock field aside, the one field that differs between runs).
// A refactoring that changes no behaviour keeps every pin; a change of
// behaviour shows here, scenario by scenario.
//
// To take the pins again on purpose (a change meant to move results, said so
// in its commit):
//   SIM_REGENERATE_PINS=1 build/tests/test_cli --gtest_filter='PinnedResults*'
// which rewrites tests/cli/pinned/<scenario>.json; review the diff.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The run's JSON without its wall-clock line.
std::string WithoutWallTime(const std::string& json) {
  return std::regex_replace(json, std::regex(R"(\n *"wall_s": [^\n]*)"), "");
}

struct Pin {
  std::string scenario;  // path from the repository root
  std::string name;      // pin file: tests/cli/pinned/<name>.json
};

std::vector<Pin> ShippedScenarios() {
  std::vector<Pin> pins;
  for (const char* dir : {"scenarios", "validate/scenarios"}) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".pbtxt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) pins.push_back({f.string(), f.stem().string()});
  }
  return pins;
}

// Short runs: a few steps, evaluated twice, seed 7. The `host` device of the
// validation scenarios is the cpu_core default, whatever `sim calibrate`
// may have written on this machine.
std::string RunShort(const Pin& pin, const fs::path& json) {
  const std::string command = "SIM_HOST_PROFILE=/nonexistent/host_device.pbtxt " + Env("SIM_BINARY_DIR", "build") +
                              "/sim -q --scenario " + pin.scenario +
                              " --seed 7 --set workload.epochs=0 --set workload.steps=6"
                              " --set workload.eval_every_steps=3 --set workload.eval_samples=500 --json " +
                              json.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int raw = ::pclose(pipe);
  if (!WIFEXITED(raw) || WEXITSTATUS(raw) != 0) return "FAILED: " + command + "\n" + output;
  return "";
}

TEST(PinnedResults, EveryShippedScenarioGivesItsPinnedResult) {
  const std::vector<Pin> pins = ShippedScenarios();
  ASSERT_GE(pins.size(), 12u) << "scenarios/ and validate/scenarios/ hold the shipped scenarios";
  const bool regenerate = Env("SIM_REGENERATE_PINS", "").size() > 0;
  const fs::path tmp = fs::temp_directory_path() / "sim-pinned-results";
  fs::create_directories(tmp);
  for (const Pin& pin : pins) {
    SCOPED_TRACE(pin.scenario);
    const fs::path json = tmp / (pin.name + ".json");
    const std::string failure = RunShort(pin, json);
    ASSERT_EQ(failure, "");
    const std::string got = WithoutWallTime(Read(json));
    const fs::path pinned = fs::path("tests/cli/pinned") / (pin.name + ".json");
    if (regenerate) {
      std::ofstream(pinned, std::ios::binary) << got;
      continue;
    }
    ASSERT_TRUE(fs::exists(pinned)) << "no pin for " << pin.scenario << ": take it with SIM_REGENERATE_PINS=1";
    EXPECT_EQ(got, Read(pinned)) << "the result of " << pin.scenario << " moved";
  }
  fs::remove_all(tmp);
}

}  // namespace
