// Assembles a Topology vertex by vertex and cable by cable; every builder
// (star, ring, torus, fat-tree, leaf-spine, edge list) is a few loops over
// this class. finish() attaches the devices (and NICs) of each host, checks
// the whole graph and throws one TopologyError listing every problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/topology.h"

namespace sim::topo {

// How the hosts of any fabric are populated and routed.
struct HostOptions {
  // Devices (endpoints) per host; 1 means the host itself is the endpoint
  // (unless the host has NICs: then its one device is a vertex of its own).
  std::uint32_t devices_per_host = 1;
  // Each device's cable to its host's intra-node switch (NVLink to an
  // NVSwitch): the per-device bandwidth each way and the latency of a hop.
  // Default from scenario.proto Topology.intra_node: 2,400 Gbit/s, 1 us.
  LinkParams intra_node{GigabitsPerSecond(2400.0), Microseconds(1)};
  RoutingPolicy routing = RoutingPolicy::kShortest;
  // NICs per host, each with its own cable into the fabric (the fabric's host
  // link). 0: the host's one vertex is its NIC and intra-node switch at once,
  // and its one port into the fabric.
  std::uint32_t nics_per_host = 0;
  // With NICs: the NIC that serves device d, for d < devices_per_host (GPUDirect
  // RDMA: a device's traffic to other hosts leaves through it). Empty: equal
  // blocks, device d on NIC d / (devices_per_host / nics_per_host), which
  // needs nics_per_host to divide devices_per_host.
  std::vector<std::uint32_t> nic_of_device{};
  // With NICs: each device's cable to its NIC (the PCIe hop through the
  // switch they share). Default from scenario.proto Nics.pcie: PCIe 4.0 x16,
  // 16 GT/s x 16 lanes x 128/130 = 252 Gbit/s each way, 1 us.
  LinkParams pcie{GigabitsPerSecond(16.0 * 16.0 * 128.0 / 130.0), Microseconds(1)};
};

// "h" + 3 -> "h3"; "edge" + {2, 1} -> "edge2.1". Builders' vertex names.
std::string NumberedName(std::string_view prefix, std::uint32_t i);
std::string NumberedName(std::string_view prefix, std::uint32_t i, std::uint32_t j);

class TopologyBuilder {
 public:
  explicit TopologyBuilder(HostOptions options = {});
  ~TopologyBuilder();

  // Vertices a host has in the fabric: 1 without NICs (the host itself),
  // else nics_per_host.
  [[nodiscard]] std::uint32_t ports_per_host() const noexcept;

  // Adds host `name` and returns its ports, the vertices where it meets the
  // fabric, in NIC order: without NICs the host's own vertex; with m NICs the
  // m NIC vertices "name.nic0" .. "name.nic{m-1}" (the host's own vertex, its
  // intra-node switch, comes with its devices in finish(), after the fabric).
  // Hosts are numbered in the order they are added: that is rank order.
  std::vector<NodeId> add_host(const std::string& name);
  NodeId add_switch(std::string name, std::uint32_t port_salt = 0);
  // A port's or switch's position among its siblings (Node::port_salt).
  void set_port_salt(NodeId node, std::uint32_t port_salt);
  // A full-duplex cable: links a->b and b->a, each the other's reverse.
  void add_cable(NodeId a, NodeId b, LinkParams params);
  // One direction only.
  LinkId add_link(NodeId from, NodeId to, LinkParams params);

  [[nodiscard]] std::size_t node_count() const noexcept;
  [[nodiscard]] std::size_t host_count() const noexcept;

  // Every problem of the graph so far: no host, a link with bandwidth <= 0 or
  // negative latency (named), a port that cannot reach or be reached from the
  // first one (named), bad HostOptions.
  [[nodiscard]] std::vector<std::string> problems() const;

  // Attaches devices (and NICs) per the options, checks, and hands the graph over.
  [[nodiscard]] Topology finish() &&;

 private:
  HostOptions options_;
  std::vector<std::string> host_names_;
  Topology topology_;
};

}  // namespace sim::topo
