// A cluster's network in plain values: the fabric's kind and shape, the
// number of hosts, and how devices and NICs attach to each host. BuildTopology turns
// it into the one Topology a run uses.
//
// Adding a fabric: its builder (builders.h) in a file of its own, a spec
// struct and its alternative in FabricSpec here, its Build overload in
// build_topology.cc, and (to name it in scenarios) its message in
// scenario.proto with the conversion in sim/scenario/cluster_resolution.cc.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "topologies/builders.h"
#include "topologies/topology.h"

namespace sim::topo {

struct StarSpec {
  LinkParams host_link;
};
struct RingSpec {
  LinkParams link;
};
struct TorusSpec {
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  LinkParams link;
};
struct EdgeListSpec {
  std::vector<std::string> hosts;  // in rank order
  std::vector<EdgeSpec> edges;     // inline ones first, then the file's
  std::vector<std::string> switches;
};

using FabricSpec = std::variant<StarSpec, RingSpec, TorusSpec, FatTreeParams, EdgeListSpec, LeafSpineParams>;

struct TopologySpec {
  FabricSpec fabric;
  // Hosts of a star, ring or leaf-spine (the other fabrics fix their own).
  std::uint32_t hosts = 1;
  HostOptions host_options;
};

// Throws TopologyError listing every problem.
[[nodiscard]] Topology BuildTopology(const TopologySpec& spec);

}  // namespace sim::topo
