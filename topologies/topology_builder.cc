#include "topologies/topology_builder.h"

#include <cmath>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

std::string Number(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

void CheckParams(const std::string& what, const LinkParams& p, std::vector<std::string>& problems) {
  const double bw = p.bandwidth.value;
  if (!(bw > 0.0) || !std::isfinite(bw)) {
    problems.push_back(what + " bandwidth must be > 0, got " + Number(InGigabitsPerSecond(p.bandwidth)) + " Gbit/s");
  }
  if (p.latency < Time::zero()) {
    problems.push_back(what + " latency must be >= 0, got " + Number(p.latency.microseconds()) + " us");
  }
}

// Vertices reachable from `start` over fabric links, forwards (out-edges) or
// backwards (in-edges).
std::vector<bool> Reach(const Graph& g, NodeId start, bool forwards) {
  std::vector<bool> seen(boost::num_vertices(g), false);
  std::vector<NodeId> stack{start};
  seen[start] = true;
  while (!stack.empty()) {
    NodeId v = stack.back();
    stack.pop_back();
    auto visit = [&](NodeId u) {
      if (!seen[u]) {
        seen[u] = true;
        stack.push_back(u);
      }
    };
    if (forwards) {
      for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) visit(static_cast<NodeId>(boost::target(e, g)));
    } else {
      for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) visit(static_cast<NodeId>(boost::source(e, g)));
    }
  }
  return seen;
}

}  // namespace

// Appending instead of operator+ also sidesteps a GCC 12 -Wrestrict false
// positive on `"h" + std::to_string(i)`.
std::string NumberedName(std::string_view prefix, std::uint32_t i) {
  std::string name(prefix);
  name += std::to_string(i);
  return name;
}

std::string NumberedName(std::string_view prefix, std::uint32_t i, std::uint32_t j) {
  std::string name = NumberedName(prefix, i);
  name += '.';
  name += std::to_string(j);
  return name;
}

TopologyBuilder::TopologyBuilder(HostOptions options) : options_(std::move(options)) {}
TopologyBuilder::~TopologyBuilder() = default;

std::uint32_t TopologyBuilder::ports_per_host() const noexcept {
  return options_.nics_per_host == 0 ? 1 : options_.nics_per_host;
}

std::vector<NodeId> TopologyBuilder::add_host(const std::string& name) {
  Graph& g = *topology_.graph_;
  host_names_.push_back(name);
  std::vector<NodeId> ports;
  if (options_.nics_per_host == 0) {
    ports.push_back(static_cast<NodeId>(boost::add_vertex(Node{name, NodeKind::kHost, 0}, g)));
    topology_.host_nodes_.push_back(ports.back());
  } else {
    for (std::uint32_t i = 0; i < options_.nics_per_host; ++i) {
      const Node nic{NumberedName(name + ".nic", i), NodeKind::kNic, 0};
      ports.push_back(static_cast<NodeId>(boost::add_vertex(nic, g)));
    }
  }
  topology_.port_nodes_.insert(topology_.port_nodes_.end(), ports.begin(), ports.end());
  return ports;
}

NodeId TopologyBuilder::add_switch(std::string name, std::uint32_t port_salt) {
  return static_cast<NodeId>(boost::add_vertex(Node{std::move(name), NodeKind::kSwitch, port_salt}, *topology_.graph_));
}

void TopologyBuilder::set_port_salt(NodeId node, std::uint32_t port_salt) { (*topology_.graph_)[node].port_salt = port_salt; }

LinkId TopologyBuilder::add_link(NodeId from, NodeId to, LinkParams params) {
  Graph& g = *topology_.graph_;
  auto id = static_cast<LinkId>(topology_.links_.size());
  topology_.links_.push_back(Link{g[from].name + "->" + g[to].name, from, to, params, kNoLink});
  boost::add_edge(from, to, id, g);
  return id;
}

void TopologyBuilder::add_cable(NodeId a, NodeId b, LinkParams params) {
  LinkId ab = add_link(a, b, params);
  LinkId ba = add_link(b, a, params);
  topology_.links_[ab].reverse = ba;
  topology_.links_[ba].reverse = ab;
}

std::size_t TopologyBuilder::node_count() const noexcept { return boost::num_vertices(*topology_.graph_); }
std::size_t TopologyBuilder::host_count() const noexcept { return host_names_.size(); }

std::vector<std::string> TopologyBuilder::problems() const {
  std::vector<std::string> problems;
  const Graph& g = *topology_.graph_;
  const HostOptions& o = options_;
  if (host_names_.empty()) problems.push_back("the topology has no host");
  if (o.devices_per_host == 0) problems.push_back("devices_per_host must be >= 1, got 0");
  if (o.devices_per_host > 1 || o.nics_per_host > 0) CheckParams("intra_node link", o.intra_node, problems);
  if (o.nics_per_host > 0) {
    CheckParams("pcie link", o.pcie, problems);
    if (o.nic_of_device.empty()) {
      if (o.devices_per_host % o.nics_per_host != 0) {
        problems.push_back("nics_per_host (" + std::to_string(o.nics_per_host) + ") must divide devices_per_host (" +
                           std::to_string(o.devices_per_host) + ") when nic_of_device is not given");
      }
    } else if (o.nic_of_device.size() != o.devices_per_host) {
      problems.push_back("nic_of_device lists " + std::to_string(o.nic_of_device.size()) + " devices, devices_per_host is " +
                         std::to_string(o.devices_per_host));
    }
    for (std::size_t d = 0; d < o.nic_of_device.size(); ++d) {
      if (o.nic_of_device[d] >= o.nics_per_host) {
        problems.push_back("nic_of_device[" + std::to_string(d) + "] is " + std::to_string(o.nic_of_device[d]) +
                           ", but a host has NICs 0.." + std::to_string(o.nics_per_host - 1));
      }
    }
  } else if (!o.nic_of_device.empty()) {
    problems.push_back("nic_of_device needs nics_per_host >= 1");
  }
  std::unordered_set<std::string_view> names;
  for (NodeId v = 0; v < boost::num_vertices(g); ++v) {
    if (!names.insert(g[v].name).second) problems.push_back("two nodes are named '" + g[v].name + "'");
  }
  for (const Link& l : topology_.links_) {
    CheckParams("link '" + l.name + "'", l.params, problems);
    if (l.from == l.to) problems.push_back("link '" + l.name + "' joins a node to itself");
  }
  const std::vector<NodeId>& ports = topology_.port_nodes_;
  if (!ports.empty()) {
    // Every port reaches the first one and is reached from it, so every pair
    // of ports has a route (through the first port at worst).
    const NodeId first = ports.front();
    const std::vector<bool> from_first = Reach(g, first, true);
    const std::vector<bool> to_first = Reach(g, first, false);
    const std::string kind = o.nics_per_host == 0 ? "host '" : "NIC '";
    for (NodeId h : ports) {
      const std::string it = kind + g[h].name + "'";
      const std::string first_one = kind + g[first].name + "'";
      if (!from_first[h] && !to_first[h]) {
        problems.push_back(it + " is disconnected from " + first_one);
      } else if (!from_first[h]) {
        problems.push_back(it + " cannot be reached from " + first_one);
      } else if (!to_first[h]) {
        problems.push_back(it + " cannot reach " + first_one);
      }
    }
  }
  return problems;
}

Topology TopologyBuilder::finish() && {
  if (auto found = problems(); !found.empty()) throw TopologyError(std::move(found));
  const HostOptions& o = options_;
  Topology& t = topology_;
  Graph& g = *t.graph_;
  t.fabric_node_count_ = boost::num_vertices(g);
  t.devices_per_host_ = o.devices_per_host;
  t.nics_per_host_ = o.nics_per_host;
  t.routing_ = o.routing;
  // Two directions of one cable, each the other's reverse.
  auto cable = [&](NodeId a, NodeId b, LinkParams params, std::vector<LinkId>& ab, std::vector<LinkId>& ba) {
    ab.push_back(add_link(a, b, params));
    ba.push_back(add_link(b, a, params));
    t.links_[ab.back()].reverse = ba.back();
    t.links_[ba.back()].reverse = ab.back();
  };
  if (o.nics_per_host > 0) {
    t.nic_of_device_ = o.nic_of_device;
    if (t.nic_of_device_.empty()) {
      const std::uint32_t per_nic = o.devices_per_host / o.nics_per_host;
      for (std::uint32_t d = 0; d < o.devices_per_host; ++d) t.nic_of_device_.push_back(d / per_nic);
    }
  }
  for (std::uint32_t h = 0; h < host_names_.size(); ++h) {
    if (o.nics_per_host > 0) {
      t.host_nodes_.push_back(static_cast<NodeId>(boost::add_vertex(Node{host_names_[h], NodeKind::kHost, 0}, g)));
    }
    const NodeId host = t.host_nodes_[h];
    if (!t.has_device_vertices()) {
      t.endpoint_nodes_.push_back(host);
      continue;
    }
    for (std::uint32_t d = 0; d < o.devices_per_host; ++d) {
      auto v = static_cast<NodeId>(boost::add_vertex(Node{NumberedName(host_names_[h] + ".d", d), NodeKind::kDevice, d}, g));
      t.endpoint_nodes_.push_back(v);
      cable(v, host, o.intra_node, t.device_uplink_, t.device_downlink_);
      if (o.nics_per_host > 0) {
        cable(v, t.nic_node(h, t.nic_of_device_[d]), o.pcie, t.device_to_nic_, t.nic_to_device_);
      }
    }
  }
  std::vector<std::string> duplicates;
  for (NodeId v = 0; v < boost::num_vertices(g); ++v) {
    const Node& n = g[v];
    if (n.kind == NodeKind::kSwitch) ++t.switch_count_;
    if (!t.node_by_name_.emplace(n.name, v).second) duplicates.push_back("two nodes are named '" + n.name + "'");
  }
  if (!duplicates.empty()) throw TopologyError(std::move(duplicates));
  return std::move(t);
}

}  // namespace sim::topo
