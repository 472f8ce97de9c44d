// A cluster's network on its own, for `sim replay`: the Topology and the
// FlowNetwork (with the cluster's calibration and the scenario's seed) that a
// training run of the same scenario builds. The one place replay builds
// them, so that a change in how runs build their network is made here alone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "topologies/topology.h"

namespace sim::replay {

// Where the cluster comes from: a scenario file, or a topologies/library
// entry by name; `overrides` are --set assignments (scenario paths, e.g.
// cluster.network.bandwidth_efficiency=0.9).
struct ClusterSource {
  std::string scenario;
  std::string library_entry;
  std::vector<std::string> overrides;
};

struct ClusterNetwork {
  std::shared_ptr<const topo::Topology> topology;
  // Refers to *topology and to the engine it was built on.
  std::unique_ptr<net::FlowNetwork> network;
};

// Throws scenario::ScenarioError (bad input) listing every problem of the
// scenario, the overrides or the cluster.
[[nodiscard]] ClusterNetwork BuildClusterNetwork(Engine& engine, const ClusterSource& source);

}  // namespace sim::replay
