// k-ary fat-tree (Al-Fares, Loukissas & Vahdat, "A Scalable, Commodity Data
// Center Network Architecture", SIGCOMM 2008, sec. 3.2): k pods, each with k/2
// edge and k/2 aggregation switches; each edge switch serves k/2 hosts and
// joins every aggregation switch of its pod; aggregation switch i of each pod
// joins the k/2 core switches i*k/2 .. i*k/2 + k/2 - 1. Oversubscription
// thins the upper layers' cables instead of removing them, so routing and
// path counts stay those of the full tree.
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
  if (!problems.empty()) throw TopologyError(std::move(problems));

  const std::uint32_t half = p.k / 2;
  const LinkParams edge_up{BytesPerSecond{p.host_link.bandwidth.value / p.edge_oversubscription}, p.host_link.latency};
  const LinkParams core_up{
      BytesPerSecond{p.host_link.bandwidth.value / (p.edge_oversubscription * p.core_oversubscription)},
      p.host_link.latency};

  TopologyBuilder b;
  std::vector<NodeId> hosts;
  for (std::uint32_t h = 0; h < p.k * half * half; ++h) hosts.push_back(b.add_host(NumberedName("h", h), h % half));
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

  for (std::uint32_t h = 0; h < hosts.size(); ++h) b.add_cable(edges[h / half], hosts[h], p.host_link);
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
  return std::move(b).finish(options);
}

}  // namespace sim::topo
