// From the scenario's cluster description to a Topology: library entries
// resolved, defaults filled in (as scenario.proto's comments state them), every
// problem listed at once.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "topologies/topology.h"

namespace sim::topo {

// The cluster with `topology.library` replaced by the library's description
// (fields set in `cluster` override the library's: a proto MergeFrom onto it)
// and every default filled in: devices_per_host 1; no topology kind = star;
// star/ring/torus/fat-tree link 10 Gbit/s, 5 us; intra_node 2,400 Gbit/s,
// 1 us; routing FAT_TREE_TWO_LEVEL on fat-trees, else SHORTEST; hosts from the
// topology (fat-tree k^3/4, torus rows x cols, edge list's hosts) or
// ceil(workers / devices_per_host); workers = hosts x devices_per_host;
// bandwidth_efficiency 1; duplex FULL_DUPLEX. This is what a run echoes.
// Throws TopologyError if the library entry is unknown or unreadable.
[[nodiscard]] scenario::Cluster ResolveCluster(const scenario::Cluster& cluster);

// The largest cluster.network.flow_share_sigma a scenario may set: far beyond
// what TCP shows (sigma 0.5 already puts the first of an 8-way fan-out at
// ~0.58 of the last, tests/network), and weights within e^(+-15) for draws
// within 5 standard deviations.
inline constexpr double kMaxFlowShareSigma = 3.0;

// Every problem of `cluster`, empty when it is valid. `scenario_dir` is where
// a relative edge-list file is looked up.
[[nodiscard]] std::vector<std::string> ValidateCluster(const scenario::Cluster& cluster,
                                                       const std::string& scenario_dir = ".");

// The Topology of `cluster`; throws TopologyError listing every problem.
[[nodiscard]] Topology BuildTopology(const scenario::Cluster& cluster, const std::string& scenario_dir);

}  // namespace sim::topo
