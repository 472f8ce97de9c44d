// Two-level fat-tree (leaf-spine, a folded Clos) sized by its hosts: leaves
// facing the hosts' ports, every leaf joined to every spine by one cable.
// Wired one of two ways:
// - host-major (the usual fat-tree): whole hosts side by side, floor(P / m)
//   hosts of m ports on each leaf of P ports, so a host's NICs share a leaf;
// - rail-optimised (as large GPU clusters are cabled): NIC i of every host on
//   rail i's leaves, P hosts per leaf, so device i of every host reaches device
//   i of every other host of its group of P within one leaf, and only
//   cross-rail traffic climbs to a spine.
// Both give each port one cable and each leaf one cable to every spine; when
// P is a multiple of m and H of P they also have as many leaves, and differ
// in the wiring alone.
#include <cmath>
#include <sstream>
#include <string>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {

Topology MakeLeafSpine(std::uint32_t hosts, const LeafSpineParams& p, const HostOptions& options) {
  TopologyBuilder b(options);
  const std::uint32_t m = b.ports_per_host();
  std::vector<std::string> problems;
  if (hosts == 0) problems.push_back("leaf_spine needs hosts >= 1, got 0");
  if (p.leaf_ports == 0) problems.push_back("leaf_spine leaf_ports must be >= 1, got 0");
  if (p.spines == 0) problems.push_back("leaf_spine spines must be >= 1, got 0");
  if (!(p.oversubscription >= 1.0) || !std::isfinite(p.oversubscription)) {
    std::ostringstream s;
    s << "leaf_spine oversubscription must be >= 1, got " << p.oversubscription;
    problems.push_back(s.str());
  }
  if (!p.rail_optimized && p.leaf_ports > 0 && p.leaf_ports < m) {
    problems.push_back("leaf_spine leaf_ports (" + std::to_string(p.leaf_ports) + ") must hold a whole host's " +
                       std::to_string(m) + " NICs unless rail_optimized");
  }
  if (!problems.empty()) throw TopologyError(std::move(problems));

  // Hosts per leaf group, and the leaf (and index under it) of every port.
  const std::uint32_t per_leaf = p.rail_optimized ? p.leaf_ports : p.leaf_ports / m;
  const std::uint32_t groups = (hosts + per_leaf - 1) / per_leaf;
  auto leaf_of = [&](std::uint32_t host, std::uint32_t nic) {
    return p.rail_optimized ? nic * groups + host / per_leaf : host / per_leaf;
  };
  auto salt_of = [&](std::uint32_t host, std::uint32_t nic) {
    return p.rail_optimized ? host % per_leaf : (host % per_leaf) * m + nic;
  };

  std::vector<std::vector<NodeId>> ports;
  for (std::uint32_t h = 0; h < hosts; ++h) {
    ports.push_back(b.add_host(NumberedName("h", h)));
    for (std::uint32_t i = 0; i < m; ++i) b.set_port_salt(ports[h][i], salt_of(h, i));
  }
  std::vector<NodeId> leaves;
  if (p.rail_optimized) {
    for (std::uint32_t rail = 0; rail < m; ++rail) {
      for (std::uint32_t g = 0; g < groups; ++g) {
        leaves.push_back(b.add_switch(NumberedName("rail", rail) + NumberedName(".leaf", g)));
      }
    }
  } else {
    for (std::uint32_t g = 0; g < groups; ++g) leaves.push_back(b.add_switch(NumberedName("leaf", g)));
  }
  std::vector<NodeId> spines;
  for (std::uint32_t s = 0; s < p.spines; ++s) spines.push_back(b.add_switch(NumberedName("spine", s)));

  for (std::uint32_t h = 0; h < hosts; ++h) {
    for (std::uint32_t i = 0; i < m; ++i) b.add_cable(ports[h][i], leaves[leaf_of(h, i)], p.host_link);
  }
  const LinkParams uplink{BytesPerSecond{p.host_link.bandwidth.value / p.oversubscription}, p.host_link.latency};
  for (NodeId leaf : leaves) {
    for (NodeId spine : spines) b.add_cable(leaf, spine, uplink);
  }
  return std::move(b).finish();
}

}  // namespace sim::topo
