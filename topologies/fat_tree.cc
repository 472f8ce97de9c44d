// k-ary fat-tree (Al-Fares, Loukissas & Vahdat, "A Scalable, Commodity Data
// Center Network Architecture", SIGCOMM 2008, sec. 3.2): k pods, each with k/2
// edge and k/2 aggregation switches; each edge switch serves k/2 hosts and
// joins every aggregation switch of its pod; aggregation switch i of each pod
// joins the k/2 core switches i*k/2 .. i*k/2 + k/2 - 1. Oversubscription
// thins the upper layers' cables instead of removing them, so routing and
// path counts stay those of the full tree. The k^3/4 host ports are the hosts
// themselves, or with NICs every host's NICs in turn (host-major: a host's
// NICs fill consecutive ports of the same edge switches; for NIC i of every
// host on one leaf, see leaf_spine.cc's rail-optimised wiring).
#include <cmath>
#include <sstream>
#include <string>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {

Topology MakeFatTree(const FatTreeParams& p, const HostOptions& options) {
  std::vector<std::string> problems;
  if (p.k < 2 || p.k % 2 != 0) problems.push_back("fat_tree k must be even and >= 2, got " + std::to_string(p.k));
  auto check_ratio = [&](const char* what, double r) {
    if (!(r >= 1.0) || !std::isfinite(r)) {
      std::ostringstream s;
      s << "fat_tree " << what << " must be >= 1, got " << r;
      problems.push_back(s.str());
    }
  };
  check_ratio("edge_oversubscription", p.edge_oversubscription);
  check_ratio("core_oversubscription", p.core_oversubscription);
  TopologyBuilder b(options);
  const std::uint32_t port_count = p.k * (p.k / 2) * (p.k / 2);
  if (problems.empty() && port_count % b.ports_per_host() != 0) {
    problems.push_back("fat_tree k = " + std::to_string(p.k) + " has " + std::to_string(port_count) +
                       " host ports, not a whole number of hosts of " + std::to_string(b.ports_per_host()) + " NICs");
  }
  if (!problems.empty()) throw TopologyError(std::move(problems));

  const std::uint32_t half = p.k / 2;
  const LinkParams edge_up{BytesPerSecond{p.host_link.bandwidth.value / p.edge_oversubscription}, p.host_link.latency};
  const LinkParams core_up{
      BytesPerSecond{p.host_link.bandwidth.value / (p.edge_oversubscription * p.core_oversubscription)},
      p.host_link.latency};

  std::vector<NodeId> ports;
  for (std::uint32_t h = 0; h < port_count / b.ports_per_host(); ++h) {
    for (NodeId port : b.add_host(NumberedName("h", h))) {
      b.set_port_salt(port, static_cast<std::uint32_t>(ports.size()) % half);
      ports.push_back(port);
    }
  }
  std::vector<NodeId> edges, aggs, cores;
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t i = 0; i < half; ++i) {
      edges.push_back(b.add_switch(NumberedName("edge", pod, i), i));
    }
  }
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t i = 0; i < half; ++i) {
      aggs.push_back(b.add_switch(NumberedName("agg", pod, i), i));
    }
  }
  for (std::uint32_t j = 0; j < half * half; ++j) cores.push_back(b.add_switch(NumberedName("core", j), j % half));

  for (std::uint32_t q = 0; q < ports.size(); ++q) b.add_cable(edges[q / half], ports[q], p.host_link);
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t e = 0; e < half; ++e) {
      for (std::uint32_t a = 0; a < half; ++a) b.add_cable(edges[pod * half + e], aggs[pod * half + a], edge_up);
    }
  }
  for (std::uint32_t pod = 0; pod < p.k; ++pod) {
    for (std::uint32_t a = 0; a < half; ++a) {
      for (std::uint32_t j = 0; j < half; ++j) b.add_cable(aggs[pod * half + a], cores[a * half + j], core_up);
    }
  }
  return std::move(b).finish();
}

}  // namespace sim::topo
