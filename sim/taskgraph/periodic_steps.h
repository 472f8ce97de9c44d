// Steps that repeat: the shortcut of not simulating again a training step
// that cannot differ from the last one (sim/DESIGN.md, "Do not re-simulate
// what cannot differ").
//
// A run's steps are built alike (the same operations in the same order, on
// the same streams) and, with nothing random, its network is
// time-invariant: once a step runs exactly as the one before, shifted by a
// period P (every operation starting and ending P later), the system is in a
// periodic steady state, and every further middle step is the same step
// shifted by P again. A run of N steps is then the run of a few steps with
// N - K copies of one period inserted: its end moves by (N - K) P, and
// everything it sums over time (compute, traffic, idle, link busy time,
// events) adds (N - K) times what one period holds.
//
// Why a few steps suffice: step k + 1 cannot start before step k - 1 has
// ended on every device (a stage's next step waits for its own optimizer,
// which waits for its last backward pass, which waits for every later
// stage's), so a step only ever overlaps its neighbours; the first step
// starts cold and the last has no successor, so the steady state is checked
// on the steps between: each of them must be its predecessor shifted by the
// same P. The check compares the operations' start and end times, not the
// flows' internal state; tests/taskgraph and tests/run show the extrapolated
// run equal to the full simulation.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/time.h"
#include "sim/taskgraph/task_graph_run.h"
#include "sim/taskgraph/time_breakdown.h"

namespace sim::taskgraph {

// The period P when steps first..last (inclusive, 0-based, first >= 1) of a
// finished run are each the step before shifted by the same P, every
// operation alike; nothing otherwise (or when the steps are not built alike).
[[nodiscard]] std::optional<Time> PeriodOfSteps(const TaskGraphRun& run, std::uint32_t first, std::uint32_t last);

// When the first operation of `step` began in a finished run.
[[nodiscard]] Time StepStart(const TaskGraphRun& run, std::uint32_t step);

// The steps a run stopped early (--max-wall-time) finished: `count` = the
// first steps 0..count-1 whose every operation ended, `end` = when the last
// of them did (zero when none).
struct FinishedSteps {
  std::uint32_t count = 0;
  Time end = Time::zero();
};
[[nodiscard]] FinishedSteps StepsFinished(const TaskGraphRun& run);

// a + times x b, device by device and field by field.
void AddTimes(std::vector<DeviceTime>& a, const std::vector<DeviceTime>& b, std::int64_t times);

}  // namespace sim::taskgraph
