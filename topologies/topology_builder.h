// Assembles a Topology vertex by vertex and cable by cable; every builder
// (star, ring, torus, fat-tree, edge list) is a few loops over this class.
// finish() attaches the devices of multi-device hosts, checks the whole graph
// and throws one TopologyError listing every problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/topology.h"

namespace sim::topo {

// How the hosts of any fabric are populated and routed.
struct HostOptions {
  // Devices (endpoints) per host; 1 means the host itself is the endpoint.
  std::uint32_t devices_per_host = 1;
  // Each device's cable to its host's NIC / intra-node switch (NVLink-like).
  // Default from scenario.proto Topology.intra_node: 2,400 Gbit/s, 1 us.
  LinkParams intra_node{GigabitsPerSecond(2400.0), Microseconds(1)};
  RoutingPolicy routing = RoutingPolicy::kShortest;
};

// "h" + 3 -> "h3"; "edge" + {2, 1} -> "edge2.1". Builders' vertex names.
std::string NumberedName(std::string_view prefix, std::uint32_t i);
std::string NumberedName(std::string_view prefix, std::uint32_t i, std::uint32_t j);

class TopologyBuilder {
 public:
  TopologyBuilder();
  ~TopologyBuilder();

  // Hosts are numbered in the order they are added: that is rank order.
  NodeId add_host(std::string name, std::uint32_t port_salt = 0);
  NodeId add_switch(std::string name, std::uint32_t port_salt = 0);
  // A full-duplex cable: links a->b and b->a, each the other's reverse.
  void add_cable(NodeId a, NodeId b, LinkParams params);
  // One direction only.
  LinkId add_link(NodeId from, NodeId to, LinkParams params);

  [[nodiscard]] std::size_t node_count() const noexcept;
  [[nodiscard]] std::size_t host_count() const noexcept;

  // Every problem of the graph so far: no host, a link with bandwidth <= 0 or
  // negative latency (named), a host that cannot reach or be reached from the
  // first host (named), bad HostOptions.
  [[nodiscard]] std::vector<std::string> problems(const HostOptions& options) const;

  // Attaches devices per `options`, checks, and hands the graph over.
  [[nodiscard]] Topology finish(const HostOptions& options) &&;

 private:
  Topology topology_;
};

}  // namespace sim::topo
