// A cluster's network as a graph: hosts, switches and devices are vertices of
// a boost::adjacency_list, directed links are its edges (a full-duplex cable is
// two links, each the other's `reverse`). Endpoints, where ranks run, are the
// hosts themselves, or with G devices per host the G device vertices of each
// host, numbered host-major: endpoint e is device e % G of host e / G.
//
// Vertex numbering is part of the contract, because routing breaks ties by it:
// the fabric (hosts, then switches, in the order the builder added them) comes
// first, and the device vertices of multi-device hosts come after it. Routes
// between hosts are shortest paths in hops over the fabric; a device reaches
// its host's fabric vertex (which plays NIC and intra-node switch) over one
// intra-node link, so device-to-device traffic inside a host takes two
// intra-node links and never touches the fabric.
//
// Routes are computed on demand from a per-destination BFS (hop distances to
// each destination host, cached the first time that host is a destination),
// then walked hop by hop choosing among the equal-cost next hops by the
// routing policy. A 1,024-host fat-tree is built in milliseconds and pays
// ~1,344 distance entries per destination actually used.
//
// Not thread-safe: route() fills a cache behind a const interface.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/core/ids.h"

namespace sim::topo {

using NodeId = std::uint32_t;
using LinkId = std::uint32_t;
using HostId = std::uint32_t;

inline constexpr LinkId kNoLink = 0xffffffffu;
inline constexpr NodeId kNoNode = 0xffffffffu;

enum class NodeKind : std::uint8_t {
  kHost,    // a machine: an endpoint itself, or NIC + intra-node switch of its devices
  kSwitch,  // fabric switch (or router) that runs no rank
  kDevice,  // one accelerator of a multi-device host
};

// One direction of a cable.
struct LinkParams {
  BytesPerSecond bandwidth;
  Time latency;
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kSwitch;
  // Position among siblings, read only by fat-tree two-level routing: a host's
  // index under its edge switch, a switch's index within its pod layer.
  std::uint32_t port_salt = 0;
};

struct Link {
  std::string name;  // "from->to", e.g. "edge0.1->h3"
  NodeId from = 0;
  NodeId to = 0;
  LinkParams params;
  LinkId reverse = kNoLink;  // the other direction of the same cable, if any
};

enum class RoutingPolicy : std::uint8_t {
  // One shortest path; among equal-cost next hops the lowest-numbered vertex
  // (then the lowest link id, for parallel cables).
  kShortest,
  // Equal-cost multi-path: the next hop is picked by a hash of (source
  // endpoint, destination endpoint, current vertex), as a switch hashing a
  // flow's header would; one flow keeps one path.
  kEcmp,
  // Al-Fares et al. 2008, sec. 3.4 two-level tables, for fat-trees: going up,
  // an edge or aggregation switch picks uplink (destination host's index under
  // its edge switch + this switch's index in its pod) mod k/2, which spreads
  // any shift permutation over distinct uplinks and core switches.
  kFatTreeTwoLevel,
};

// Vertex bundle: the Node; edge bundle: the LinkId indexing Topology::link().
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Node, LinkId>;

class TopologyBuilder;

class Topology {
 public:
  Topology(Topology&&) noexcept = default;
  Topology& operator=(Topology&&) noexcept = default;
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;
  ~Topology();

  [[nodiscard]] std::size_t endpoint_count() const noexcept { return endpoint_nodes_.size(); }
  [[nodiscard]] std::size_t host_count() const noexcept { return host_nodes_.size(); }
  [[nodiscard]] std::uint32_t devices_per_host() const noexcept { return devices_per_host_; }
  // Host that runs endpoint `e`: ranks on one host share its NIC and intra-node fabric.
  [[nodiscard]] HostId host_of(EndpointId e) const noexcept { return e / devices_per_host_; }
  [[nodiscard]] NodeId endpoint_node(EndpointId e) const { return endpoint_nodes_.at(e); }
  [[nodiscard]] NodeId host_node(HostId h) const { return host_nodes_.at(h); }

  [[nodiscard]] std::size_t node_count() const noexcept { return boost::num_vertices(*graph_); }
  [[nodiscard]] const Node& node(NodeId n) const { return (*graph_)[n]; }
  [[nodiscard]] std::size_t switch_count() const noexcept { return switch_count_; }
  [[nodiscard]] std::size_t link_count() const noexcept { return links_.size(); }
  [[nodiscard]] const Link& link(LinkId l) const { return links_.at(l); }
  [[nodiscard]] const std::vector<Link>& links() const noexcept { return links_; }
  [[nodiscard]] const Graph& graph() const noexcept { return *graph_; }
  [[nodiscard]] RoutingPolicy routing() const noexcept { return routing_; }

  // Link from the node named `from` to the node named `to`, or kNoLink.
  [[nodiscard]] LinkId find_link(std::string_view from, std::string_view to) const;
  // Node named `name`; throws TopologyError when there is none.
  [[nodiscard]] NodeId find_node(std::string_view name) const;

  // Links from endpoint `src` to endpoint `dst`, in order; empty when src == dst.
  [[nodiscard]] std::vector<LinkId> route(EndpointId src, EndpointId dst) const;
  // The same, appended to `out` (reuses the caller's buffer on the hot path).
  void append_route(EndpointId src, EndpointId dst, std::vector<LinkId>& out) const;
  // Sum of the latencies of route(src, dst).
  [[nodiscard]] Time route_latency(EndpointId src, EndpointId dst) const;

 private:
  friend class TopologyBuilder;
  Topology();

  using HopDistances = std::vector<std::uint16_t>;
  const HopDistances& distances_to(HostId h) const;
  void walk_fabric(EndpointId src, EndpointId dst, std::vector<LinkId>& out) const;

  // Behind a pointer so that moving a Topology never copies Boost's edge lists.
  std::unique_ptr<Graph> graph_;
  std::vector<Link> links_;
  std::vector<NodeId> host_nodes_;
  std::vector<NodeId> endpoint_nodes_;
  // With devices_per_host > 1: the intra-node link device -> host and back.
  std::vector<LinkId> device_uplink_;
  std::vector<LinkId> device_downlink_;
  std::uint32_t devices_per_host_ = 1;
  std::size_t fabric_node_count_ = 0;
  std::size_t switch_count_ = 0;
  // Lookup only (never iterated), so its order cannot leak into results.
  std::unordered_map<std::string, NodeId> node_by_name_;
  RoutingPolicy routing_ = RoutingPolicy::kShortest;
  // Hop distances of every fabric vertex to host h's vertex, filled on first use.
  mutable std::vector<std::unique_ptr<HopDistances>> distance_cache_;
};

}  // namespace sim::topo
