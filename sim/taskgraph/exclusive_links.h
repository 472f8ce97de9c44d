// Which collectives of a graph run on links of their own (task_graph_run.h,
// "Shortcut"): those of a communicator (a group of ranks on one stream name)
// whose every cable, in either direction, carries no traffic of any other
// communicator or send of the graph. Cables, not links: a half-duplex cable
// or two_way_capacity couples its two directions.
#pragma once

#include <vector>

#include "sim/taskgraph/task_graph.h"
#include "topologies/topology.h"

namespace sim::taskgraph {

// Indexed by collective.
[[nodiscard]] std::vector<bool> ExclusiveCollectives(const TaskGraph& graph, const topo::Topology& topology);

}  // namespace sim::taskgraph
