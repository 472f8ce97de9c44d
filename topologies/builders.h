// The topology builders: each turns a few numbers into a Topology, with hosts
// numbered in rank order and links named "from->to". Counts (tested against
// these formulas in tests/topologies):
//
//   star      H hosts, 1 switch "sw0"; 2H links.
//   ring      H hosts "h0".."h{H-1}", cable h_i - h_{i+1 mod H}; 2H links for
//             H >= 3 (one cable for H = 2, none for H = 1).
//   torus     R x C hosts "h{r*C+c}", cables to the right and lower neighbour
//             with wrap-around; 2(R c(C) + C c(R)) links, c(n) = n for n >= 3,
//             1 for n = 2, 0 for n = 1.
//   fat-tree  k-ary (Al-Fares, Loukissas & Vahdat 2008): k^3/4 hosts, k^2/2
//             edge + k^2/2 aggregation + k^2/4 core switches, 3k^3/4 cables.
//   devices   G > 1 devices per host add H*G device vertices and 2*H*G
//             intra-node links to any of the above.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topologies/topology.h"
#include "topologies/topology_builder.h"

namespace sim::topo {

Topology MakeStar(std::uint32_t hosts, LinkParams host_link, const HostOptions& options = {});
Topology MakeRing(std::uint32_t hosts, LinkParams link, const HostOptions& options = {});
Topology MakeTorus2D(std::uint32_t rows, std::uint32_t cols, LinkParams link, const HostOptions& options = {});

struct FatTreeParams {
  std::uint32_t k = 4;  // switch radix, even, >= 2
  LinkParams host_link;
  // Host bandwidth into an edge switch / its uplink bandwidth (>= 1): edge ->
  // aggregation cables run at host_link / edge_oversubscription.
  double edge_oversubscription = 1.0;
  // The same ratio one layer up: aggregation -> core cables run at
  // host_link / (edge_oversubscription * core_oversubscription).
  double core_oversubscription = 1.0;
};
// Hosts "h0".., edge switches "edge{pod}.{i}", aggregation "agg{pod}.{i}",
// core "core{j}"; core j joins aggregation switch j / (k/2) of every pod.
Topology MakeFatTree(const FatTreeParams& params, const HostOptions& options = {});

struct EdgeSpec {
  std::string a;
  std::string b;
  LinkParams link;
  bool one_way = false;  // only a -> b
};
// A custom graph. `hosts` in rank order; any other name in `edges` is a
// switch, unless `switches` is non-empty: then every name must be a host or
// one of them (a typo then is an error, not a silent new switch).
Topology MakeEdgeList(const std::vector<std::string>& hosts, const std::vector<EdgeSpec>& edges,
                      const std::vector<std::string>& switches = {}, const HostOptions& options = {});

// Reads "a b gbit_per_s latency_us" lines ('#' starts a comment, blank lines
// skipped). Throws TopologyError listing every bad line by number.
std::vector<EdgeSpec> ReadEdgeListFile(const std::string& path);
// The same for the file's text, already read; `path` names it in problems.
std::vector<EdgeSpec> ParseEdgeList(const std::string& text, const std::string& path);

}  // namespace sim::topo
