// Runs a step's task graph on a topology's flow network to its end, checks
// that every operation ran, and hands the finished run to `read` (the run
// lives only as long as its engine and network, so it is read here).
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/taskgraph/task_graph_run.h"
#include "topologies/topology.h"

namespace sim::parallelism::testing {

template <typename Read>
auto RunGraph(const topo::Topology& topology, const taskgraph::TaskGraph& graph, Read&& read,
              taskgraph::TaskGraphRunOptions options = {}) {
  Engine engine;
  net::FlowNetwork network(engine, topology);
  taskgraph::TaskGraphRun run(engine, network, graph, std::move(options));
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  return std::forward<Read>(read)(run);
}

}  // namespace sim::parallelism::testing
