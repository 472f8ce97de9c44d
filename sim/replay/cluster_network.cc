#include "sim/replay/cluster_network.h"

#include <stdexcept>

#include "sim/scenario/run_plan.h"

namespace sim::replay {

ClusterNetwork BuildClusterNetwork(Engine& engine, const ClusterSource& source) {
  if (source.scenario.empty() == source.library_entry.empty()) {
    throw std::invalid_argument("give the cluster: --scenario FILE or --topology NAME (a topologies/library entry)");
  }
  const scenario::RunPlan plan = source.scenario.empty()
                                     ? scenario::LibraryPlan(source.library_entry, source.overrides)
                                     : scenario::LoadPlan(source.scenario, source.overrides);
  ClusterNetwork built;
  built.topology = plan.cluster.topology;
  built.network = std::make_unique<net::FlowNetwork>(engine, *built.topology, plan.cluster.network, plan.seed);
  return built;
}

}  // namespace sim::replay
