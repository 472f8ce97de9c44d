// Where a device's time went in a run of a task graph: computing, and
// communicating while it computes (hidden) or while it does not (exposed),
// per kind of traffic, and waiting (neither: a pipeline bubble, a barrier).
//
// For one device over a window [from, to):
//   compute       the union of its compute operations' intervals
//   traffic[c]    the union of its category-c traffic intervals (sends it
//                 makes, its parts in collectives)
//   exposed[c]    traffic[c] minus compute: the part compute did not hide
//   communicating the union of all its traffic
//   exposed       communicating minus compute
//   idle          the window minus compute minus all traffic
// exposed[c] can overlap between categories (tensor- and data-parallel
// traffic at once); `exposed` counts such time once, and
//   compute + exposed + idle = the window.
#pragma once

#include <array>
#include <vector>

#include "sim/core/time.h"
#include "sim/taskgraph/task_graph_run.h"

namespace sim::taskgraph {

struct DeviceTime {
  Time compute = Time::zero();
  Time communicating = Time::zero();  // the union of all its traffic
  Time exposed = Time::zero();
  Time idle = Time::zero();
  std::array<Time, kCategories> traffic{};  // traffic categories only
  std::array<Time, kCategories> exposed_by{};
  // Sum of compute durations per compute category (no union needed: one
  // compute stream per device).
  std::array<Time, kCategories> computing{};
};

// Every device's time in [from, to) (operations clipped to the window).
// Devices are the endpoints that own a stream, indexed by endpoint id.
[[nodiscard]] std::vector<DeviceTime> BreakDown(const TaskGraphRun& run, Time from, Time to);

}  // namespace sim::taskgraph
