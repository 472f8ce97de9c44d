// --max-wall-time on a run's engine, one rule for every kind of run
// (training_run.cc, layer_wise_run.cc): the host clock is read every 4,096
// events (a few milliseconds), and past the deadline the engine stops after
// the event firing then; the result says how far the run got.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/engine/engine.h"

namespace sim {

// `max_wall_s` host seconds after `start`.
[[nodiscard]] inline std::chrono::steady_clock::time_point DeadlineAfter(std::chrono::steady_clock::time_point start,
                                                                         double max_wall_s) {
  return start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(max_wall_s));
}

// Stops `engine` at the first look at the clock past `deadline` and sets
// `out_of_time`; both must outlive the run.
inline void StopAtDeadline(Engine& engine, std::chrono::steady_clock::time_point deadline, bool& out_of_time) {
  engine.set_trace([&engine, &out_of_time, deadline](Time, std::uint64_t) {
    if (engine.events_fired() % 4096 == 0 && std::chrono::steady_clock::now() >= deadline) {
      out_of_time = true;
      engine.stop();
    }
  });
}

// The result's incomplete_reason: "stopped at --max-wall-time 0.5 s after 3 of 300 steps".
[[nodiscard]] inline std::string StoppedAtDeadline(double max_wall_s, std::uint64_t done, std::uint64_t steps) {
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", max_wall_s);
  return std::string("stopped at --max-wall-time ") + limit + " s after " + std::to_string(done) + " of " +
         std::to_string(steps) + " steps";
}

}  // namespace sim
