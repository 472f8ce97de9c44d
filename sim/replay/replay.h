// Runs a list of flows on a cluster's flow network and reports when each
// ends: every flow is sent at its start time (flows starting together in
// file order), shares links as a training run's messages do, and completes
// when its last byte arrives (flow_network.h: per-message overhead + route
// latency + drain at its max-min rate).
#pragma once

#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/replay/flow_list.h"

namespace sim::replay {

// Completion time of each flow, in input order. `network` must be built on
// `engine`, which must not have run yet.
[[nodiscard]] std::vector<Time> Replay(Engine& engine, net::FlowNetwork& network, const std::vector<Flow>& flows);

// `flow,src,dst,bytes,start_s,completion_s,duration_s`, one row per flow in
// input order (flow counts from 0); times in seconds with 12 decimals, which
// is exactly the simulator's picosecond clock.
[[nodiscard]] std::string TimesCsv(const std::vector<Flow>& flows, const std::vector<Time>& completions);

}  // namespace sim::replay
