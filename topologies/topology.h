// A cluster's network as a graph: hosts, NICs, switches and devices are
// vertices of a boost::adjacency_list, directed links are its edges (a
// full-duplex cable is two links, each the other's `reverse`). Endpoints, where
// ranks run, are the hosts themselves, or with G devices per host (or NICs)
// the G device vertices of each host, numbered host-major: endpoint e is
// device e % G of host e / G.
//
// Where a host meets the fabric are its ports. Without NICs a host has one,
// its own vertex, which plays NIC and intra-node switch at once: a device
// reaches it over one intra-node link. With m NICs per host (a DGX: 8 GPUs on
// NVSwitches, 8 NICs, one per GPU on the GPU's PCIe switch) the m NIC vertices
// are its ports, each with its own cable into the fabric; the host's own
// vertex is then only its intra-node switch (NVSwitch), and each device has
// two cables: one to the intra-node switch (NVLink) and one to the NIC that
// serves it (PCIe). Ports are numbered host-major too: port q is NIC q % m of
// host q / m.
//
// Vertex numbering is part of the contract, because routing breaks ties by it:
// the fabric (ports and switches, in the order the builder added them) comes
// first; the host vertices of hosts with NICs and the device vertices come
// after it. Routes between hosts are shortest paths in hops over the fabric,
// from the port of the sender to the port of the receiver: without NICs the
// hosts' own vertices; with NICs the NIC serving the sending device and the
// NIC serving the receiving one (GPUDirect RDMA: device -> its NIC -> fabric ->
// NIC -> device). Traffic between devices of one host takes two intra-node
// links (device -> intra-node switch -> device) and never touches the fabric
// or a NIC. The fabric walk never passes through a host's intra-node switch
// or devices, so no route relays over NVLink (NCCL's PXN is the collective's
// choice, not the network's).
//
// Routes are computed on demand from a per-destination BFS (hop distances to
// each destination port, cached the first time that port is a destination),
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
  kHost,    // a machine: an endpoint itself, or NIC + intra-node switch of its
            // devices; with NICs, its intra-node switch only
  kSwitch,  // fabric switch (or router) that runs no rank
  kDevice,  // one accelerator of a multi-device host
  kNic,     // one network adapter of a host with NICs: a port into the fabric
};

// One direction of a cable.
struct LinkParams {
  BytesPerSecond bandwidth;
  Time latency;
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kSwitch;
  // Position among siblings, read only by fat-tree two-level routing: a port's
  // index under its edge (leaf) switch, a switch's index within its pod layer.
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
  // an edge or aggregation switch picks uplink (destination port's index under
  // its edge switch + this switch's index in its pod) mod k/2, which spreads
  // any shift permutation over distinct uplinks and core switches. On a
  // leaf-spine the leaf picks spine (destination's index under its leaf) mod
  // spines: destination-mod-k routing.
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
  // Host h's own vertex: with NICs its intra-node switch.
  [[nodiscard]] NodeId host_node(HostId h) const { return host_nodes_.at(h); }
  // NICs per host; 0 when each host's own vertex is its one port.
  [[nodiscard]] std::uint32_t nics_per_host() const noexcept { return nics_per_host_; }
  // Vertices where hosts meet the fabric: hosts x max(1, nics_per_host).
  [[nodiscard]] std::size_t port_count() const noexcept { return port_nodes_.size(); }
  // NIC `nic` of host h (its own vertex without NICs, nic 0).
  [[nodiscard]] NodeId nic_node(HostId h, std::uint32_t nic) const { return port_nodes_.at(h * ports_per_host() + nic); }
  // Which of its host's NICs endpoint e sends and receives through (0 without NICs).
  [[nodiscard]] std::uint32_t nic_of(EndpointId e) const {
    return nics_per_host_ == 0 ? 0 : nic_of_device_.at(e % devices_per_host_);
  }

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
  [[nodiscard]] std::uint32_t ports_per_host() const noexcept { return nics_per_host_ == 0 ? 1 : nics_per_host_; }
  // Index into port_nodes_ of the port endpoint e uses.
  [[nodiscard]] std::size_t port_of(EndpointId e) const { return std::size_t{host_of(e)} * ports_per_host() + nic_of(e); }
  const HopDistances& distances_to(std::size_t port) const;
  void walk_fabric(EndpointId src, EndpointId dst, std::vector<LinkId>& out) const;
  // Whether endpoints are vertices of their own (devices), not the hosts.
  [[nodiscard]] bool has_device_vertices() const noexcept { return devices_per_host_ > 1 || nics_per_host_ > 0; }

  // Behind a pointer so that moving a Topology never copies Boost's edge lists.
  std::unique_ptr<Graph> graph_;
  std::vector<Link> links_;
  std::vector<NodeId> host_nodes_;
  std::vector<NodeId> port_nodes_;
  std::vector<NodeId> endpoint_nodes_;
  // With devices_per_host > 1 or NICs: the intra-node link device -> host
  // and back, per endpoint.
  std::vector<LinkId> device_uplink_;
  std::vector<LinkId> device_downlink_;
  // With NICs: the PCIe link device -> its NIC and back, per endpoint, and
  // the NIC of each device index.
  std::vector<LinkId> device_to_nic_;
  std::vector<LinkId> nic_to_device_;
  std::vector<std::uint32_t> nic_of_device_;
  std::uint32_t devices_per_host_ = 1;
  std::uint32_t nics_per_host_ = 0;
  std::size_t fabric_node_count_ = 0;
  std::size_t switch_count_ = 0;
  // Lookup only (never iterated), so its order cannot leak into results.
  std::unordered_map<std::string, NodeId> node_by_name_;
  RoutingPolicy routing_ = RoutingPolicy::kShortest;
  // Hop distances of every fabric vertex to port q's vertex, filled on first use.
  mutable std::vector<std::unique_ptr<HopDistances>> distance_cache_;
};

}  // namespace sim::topo
