// The one place where a sweep turns (scenario file, --set overrides) into a
// checked scenario and into a run's result. Everything else in sim/sweep sees
// only paths, overrides and result::RunResult, so that a change in how
// scenarios are loaded and run is made here alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result/result.pb.h"

namespace sim::sweep {

// What a sweep needs to know of a point before it runs.
struct PointCheck {
  std::uint32_t workers = 0;
  // Worker-steps the run simulates (workers x global model updates): the
  // simulator's work grows with it (gradient computations, and the messages
  // of each update), so points are handed out largest first by it.
  double work = 0.0;
};

// Loads the scenario with the overrides and checks it, as `sim --scenario`
// does before running; throws scenario::ScenarioError listing every problem.
[[nodiscard]] PointCheck CheckPoint(const std::string& scenario, const std::vector<std::string>& overrides);

// Loads and runs it; throws whatever the run throws. Safe to call from
// several threads at once: each call builds its own scenario, topology,
// network, data and engine, and the code it runs keeps no global mutable
// state (only function-local static const tables, initialised thread-safely).
[[nodiscard]] result::RunResult RunPoint(const std::string& scenario, const std::vector<std::string>& overrides);

}  // namespace sim::sweep
