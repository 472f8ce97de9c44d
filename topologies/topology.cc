#include "topologies/topology.h"

#include <algorithm>
#include <limits>

#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

constexpr std::uint16_t kUnreached = std::numeric_limits<std::uint16_t>::max();

// SplitMix64 finaliser (Steele, Lea & Flood 2014): a well-mixed hash of the
// flow's endpoints and the deciding switch, so that neighbouring switches do
// not make correlated ECMP choices.
std::uint64_t Mix(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Hop {
  NodeId next;
  LinkId link;
  bool operator<(const Hop& o) const noexcept { return next != o.next ? next < o.next : link < o.link; }
};

}  // namespace

Topology::Topology() : graph_(std::make_unique<Graph>()) {}
Topology::~Topology() = default;

LinkId Topology::find_link(std::string_view from, std::string_view to) const {
  auto a = node_by_name_.find(std::string(from));
  auto b = node_by_name_.find(std::string(to));
  if (a == node_by_name_.end() || b == node_by_name_.end()) return kNoLink;
  const Graph& g = *graph_;
  LinkId best = kNoLink;
  for (auto e : boost::make_iterator_range(boost::out_edges(a->second, g))) {
    if (boost::target(e, g) == b->second) best = std::min(best, g[e]);
  }
  return best;
}

NodeId Topology::find_node(std::string_view name) const {
  auto it = node_by_name_.find(std::string(name));
  if (it == node_by_name_.end()) throw TopologyError({"no node named '" + std::string(name) + "'"});
  return it->second;
}

std::vector<LinkId> Topology::route(EndpointId src, EndpointId dst) const {
  std::vector<LinkId> out;
  append_route(src, dst, out);
  return out;
}

Time Topology::route_latency(EndpointId src, EndpointId dst) const {
  Time total = Time::zero();
  for (LinkId l : route(src, dst)) total += links_[l].params.latency;
  return total;
}

void Topology::append_route(EndpointId src, EndpointId dst, std::vector<LinkId>& out) const {
  if (src >= endpoint_count() || dst >= endpoint_count()) {
    throw TopologyError({"route " + std::to_string(src) + " -> " + std::to_string(dst) + ": endpoint out of range (" +
                         std::to_string(endpoint_count()) + " endpoints)"});
  }
  if (src == dst) return;
  const bool devices = has_device_vertices();
  if (host_of(src) == host_of(dst)) {
    // Inside a host: device -> intra-node switch -> device.
    if (devices) {
      out.push_back(device_uplink_[src]);
      out.push_back(device_downlink_[dst]);
    }
    return;
  }
  if (nics_per_host_ > 0) {
    // GPUDirect RDMA: the sender's own NIC, the fabric, the receiver's own NIC.
    out.push_back(device_to_nic_[src]);
    walk_fabric(src, dst, out);
    out.push_back(nic_to_device_[dst]);
    return;
  }
  if (devices) out.push_back(device_uplink_[src]);
  walk_fabric(src, dst, out);
  if (devices) out.push_back(device_downlink_[dst]);
}

const Topology::HopDistances& Topology::distances_to(std::size_t port) const {
  if (distance_cache_.size() != port_nodes_.size()) distance_cache_.resize(port_nodes_.size());
  auto& slot = distance_cache_[port];
  if (slot) return *slot;
  // BFS over in-edges from the destination: hop distance of every fabric
  // vertex *to* it. Host vertices of hosts with NICs and devices (numbered
  // after the fabric) never relay, so they are left out and the array stays
  // fabric-sized.
  slot = std::make_unique<HopDistances>(fabric_node_count_, kUnreached);
  HopDistances& dist = *slot;
  std::vector<NodeId> queue;
  queue.reserve(fabric_node_count_);
  const Graph& g = *graph_;
  const NodeId target = port_nodes_[port];
  dist[target] = 0;
  queue.push_back(target);
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const NodeId v = queue[head];
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      const NodeId u = static_cast<NodeId>(boost::source(e, g));
      if (u < fabric_node_count_ && dist[u] == kUnreached) {
        dist[u] = static_cast<std::uint16_t>(dist[v] + 1);
        queue.push_back(u);
      }
    }
  }
  return dist;
}

void Topology::walk_fabric(EndpointId src, EndpointId dst, std::vector<LinkId>& out) const {
  const Graph& g = *graph_;
  const std::size_t dst_port = port_of(dst);
  const HopDistances& dist = distances_to(dst_port);
  const NodeId target = port_nodes_[dst_port];
  NodeId at = port_nodes_[port_of(src)];
  if (dist[at] == kUnreached) {
    throw TopologyError({"no route from '" + g[at].name + "' to '" + g[target].name + "'"});
  }
  std::vector<Hop> hops;
  while (at != target) {
    hops.clear();
    const std::uint16_t want = static_cast<std::uint16_t>(dist[at] - 1);
    for (auto e : boost::make_iterator_range(boost::out_edges(at, g))) {
      const NodeId v = static_cast<NodeId>(boost::target(e, g));
      if (v < fabric_node_count_ && dist[v] == want) hops.push_back({v, g[e]});
    }
    std::size_t pick = 0;
    if (hops.size() > 1) {
      std::sort(hops.begin(), hops.end());
      switch (routing_) {
        case RoutingPolicy::kShortest:
          break;
        case RoutingPolicy::kEcmp:
          pick = Mix((std::uint64_t{src} << 32 | dst) ^ (std::uint64_t{at} * 0xd6e8feb86659fd93ULL)) % hops.size();
          break;
        case RoutingPolicy::kFatTreeTwoLevel:
          pick = (g[target].port_salt + g[at].port_salt) % hops.size();
          break;
      }
    }
    out.push_back(hops[pick].link);
    at = hops[pick].next;
  }
}

}  // namespace sim::topo
