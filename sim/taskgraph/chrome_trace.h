// A task graph run as a Chrome/Perfetto trace (the trace event format's "X"
// complete events, microseconds): one process per device, one track per
// stream, each operation named by its category and step, so that a schedule
// (forward and backward passes, buckets, pipeline transfers) can be seen.
#pragma once

#include <string>

#include "sim/taskgraph/task_graph_run.h"

namespace sim::taskgraph {

[[nodiscard]] std::string ChromeTraceJson(const TaskGraphRun& run);

}  // namespace sim::taskgraph
