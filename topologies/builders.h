// The topology builders: each turns a few numbers into a Topology, with hosts
// numbered in rank order and links named "from->to". Each lays out the
// hosts' ports (topology.h): the hosts themselves, or with m NICs per host
// the NICs "h{j}.nic{i}", host-major. Counts, with Q ports (tested against
// these formulas in tests/topologies):
//
//   star      H hosts, Q = H m ports on 1 switch "sw0"; 2Q links.
//   ring      H hosts "h0".."h{H-1}", cable port_q - port_{q+1 mod Q}; 2Q
//             links for Q >= 3 (one cable for Q = 2, none for Q = 1).
//   torus     R x C ports "h{r*C+c}" (R C / m hosts), cables to the right and
//             lower neighbour with wrap-around; 2(R c(C) + C c(R)) links,
//             c(n) = n for n >= 3, 1 for n = 2, 0 for n = 1.
//   fat-tree  k-ary (Al-Fares, Loukissas & Vahdat 2008): k^3/4 ports (k^3/(4m)
//             hosts), k^2/2 edge + k^2/2 aggregation + k^2/4 core switches,
//             3k^3/4 cables.
//   leaf-spine  H hosts on leaves of P ports, S spines: L leaves, L =
//             ceil(H / floor(P/m)) host-major, m ceil(H / P) rail-optimised;
//             L + S switches, H m + L S cables.
//   devices   G > 1 devices per host add H*G device vertices and 2*H*G
//             intra-node links to any of the above.
//   NICs      m >= 1 NICs per host add, beyond the fabric's Q = H m NIC
//             ports, H host vertices (intra-node switches), H*G device
//             vertices, and 4*H*G links (intra-node and PCIe, both ways).
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

struct LeafSpineParams {
  LinkParams host_link;  // each port's cable to its leaf
  // Ports per leaf facing the hosts (>= 1; host-major: at least a host's NICs).
  std::uint32_t leaf_ports = 1;
  std::uint32_t spines = 1;  // >= 1; every leaf has one cable to each
  // Host bandwidth into a leaf / its uplink bandwidth (>= 1): leaf -> spine
  // cables run at host_link / oversubscription.
  double oversubscription = 1.0;
  // NIC i of every host on rail i's leaves (leaf_spine.cc); false: host-major.
  bool rail_optimized = false;
};
// Hosts "h0".. (ports as above), leaves "leaf{g}" (host-major) or
// "rail{i}.leaf{g}" (rail-optimised, rail-major), spines "spine{s}".
Topology MakeLeafSpine(std::uint32_t hosts, const LeafSpineParams& params, const HostOptions& options = {});

struct EdgeSpec {
  std::string a;
  std::string b;
  LinkParams link;
  bool one_way = false;  // only a -> b
};
// A custom graph. `hosts` in rank order; any other name in `edges` is a
// switch, unless `switches` is non-empty: then every name must be a host or
// one of them (a typo then is an error, not a silent new switch). With NICs,
// edges name a host's ports "name.nic0".., never the host itself.
Topology MakeEdgeList(const std::vector<std::string>& hosts, const std::vector<EdgeSpec>& edges,
                      const std::vector<std::string>& switches = {}, const HostOptions& options = {});

// Reads "a b gbit_per_s latency_us" lines ('#' starts a comment, blank lines
// skipped). Throws TopologyError listing every bad line by number.
std::vector<EdgeSpec> ReadEdgeListFile(const std::string& path);
// The same for the file's text, already read; `path` names it in problems.
std::vector<EdgeSpec> ParseEdgeList(const std::string& text, const std::string& path);

}  // namespace sim::topo
