#include "sim/replay/cluster_network.h"

#include <stdexcept>

#include "sim/scenario/loader.h"
#include "sim/scenario/overrides.h"
#include "sim/scenario/scenario_error.h"
#include "topologies/cluster.h"
#include "topologies/topology_error.h"

namespace sim::replay {

ClusterNetwork BuildClusterNetwork(Engine& engine, const ClusterSource& source) {
  if (source.scenario.empty() == source.library_entry.empty()) {
    throw std::invalid_argument("give the cluster: --scenario FILE or --topology NAME (a topologies/library entry)");
  }
  scenario::Scenario s;
  std::string directory = ".";
  if (!source.scenario.empty()) {
    scenario::LoadedScenario loaded = scenario::LoadScenario(source.scenario, source.overrides);
    s = std::move(loaded.scenario);
    directory = loaded.directory;
  } else {
    // A library entry with the overrides on top, defaults as a scenario's:
    // the seed 1 unless set (scenario::ApplyDefaults).
    s.mutable_cluster()->mutable_topology()->set_library(source.library_entry);
    std::vector<std::string> problems;
    for (const auto& assignment : source.overrides) {
      try {
        scenario::ApplyOverride(s, assignment);
      } catch (const scenario::ScenarioError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
      }
    }
    if (!problems.empty()) throw scenario::ScenarioError(std::move(problems));
    if (!s.has_seed()) s.set_seed(1);
  }
  try {
    const scenario::Cluster cluster = topo::ResolveCluster(s.cluster());
    ClusterNetwork built;
    built.topology = std::make_unique<topo::Topology>(topo::BuildTopology(cluster, directory));
    built.network = std::make_unique<net::FlowNetwork>(engine, *built.topology, cluster.network(), s.seed());
    return built;
  } catch (const topo::TopologyError& e) {
    throw scenario::ScenarioError(e.problems());
  }
}

}  // namespace sim::replay
