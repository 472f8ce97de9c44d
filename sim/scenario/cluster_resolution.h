// From the scenario's cluster description to typed values: library entries
// merged in, defaults written (as scenario.proto's comments state them),
// every problem listed, and the topology, network calibration and device the
// run will use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/network/network_calibration.h"
#include "sim/scenario/scenario.pb.h"
#include "topologies/topology_spec.h"

namespace sim::scenario {

// Reads a file the scenario names (an edge list), relative paths already
// resolved; throws std::runtime_error naming it when it cannot.
using ReadFileFn = std::function<std::string(const std::string& path)>;

// The cluster with `topology.library` replaced by the library's description
// (fields set in `cluster` override the library's: a proto MergeFrom onto it)
// and every default filled in: devices_per_host 1; no topology kind = star;
// star/ring/torus/fat-tree/leaf-spine link 10 Gbit/s, 5 us; intra_node 2,400
// Gbit/s, 1 us; with NICs, pcie 252 Gbit/s, 1 us; routing FAT_TREE_TWO_LEVEL
// on fat-trees and leaf-spines, else SHORTEST; hosts from the topology
// (fat-tree k^3/4, torus rows x cols, each over nics.per_host; edge list's
// hosts) or ceil(workers / devices_per_host); workers = hosts x
// devices_per_host when unset; leaf-spine leaf_ports max(hosts,
// nics.per_host), spines leaf_ports, oversubscription 1;
// bandwidth_efficiency 1; duplex FULL_DUPLEX. This is what a run
// echoes. Adds to `problems` (and returns nothing) when the library entry is
// unknown or unreadable.
[[nodiscard]] std::optional<Cluster> ResolveCluster(const Cluster& cluster, std::vector<std::string>& problems);

// Whether the topology's kind fixes the host count itself.
[[nodiscard]] bool TopologyFixesHosts(const Topology& topology);

// Whether the cluster, its library entry merged in, gives neither hosts nor
// workers on a topology that does not fix them (a star of any size).
[[nodiscard]] bool LeavesSizeOpen(const Cluster& cluster);

// The topology of a resolved cluster as plain values; an edge list's file is
// read through `read_file` (once), relative to `scenario_dir`. Adds every
// problem of shape and links to `problems`.
[[nodiscard]] topo::TopologySpec TopologySpecOf(const Cluster& resolved, const std::string& scenario_dir,
                                                const ReadFileFn& read_file, std::vector<std::string>& problems);

// The network calibration of a resolved cluster; problems name their field
// ("network.bandwidth_efficiency must be in (0, 1], got 0").
[[nodiscard]] net::NetworkCalibration NetworkCalibrationOf(const NetworkCalibration& message,
                                                           std::vector<std::string>& problems);

}  // namespace sim::scenario
