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

TopologyBuilder::TopologyBuilder() = default;
TopologyBuilder::~TopologyBuilder() = default;

NodeId TopologyBuilder::add_host(std::string name, std::uint32_t port_salt) {
  auto v = static_cast<NodeId>(boost::add_vertex(Node{std::move(name), NodeKind::kHost, port_salt}, *topology_.graph_));
  topology_.host_nodes_.push_back(v);
  return v;
}

NodeId TopologyBuilder::add_switch(std::string name, std::uint32_t port_salt) {
  return static_cast<NodeId>(boost::add_vertex(Node{std::move(name), NodeKind::kSwitch, port_salt}, *topology_.graph_));
}

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
std::size_t TopologyBuilder::host_count() const noexcept { return topology_.host_nodes_.size(); }

std::vector<std::string> TopologyBuilder::problems(const HostOptions& options) const {
  std::vector<std::string> problems;
  const Graph& g = *topology_.graph_;
  if (topology_.host_nodes_.empty()) problems.push_back("the topology has no host");
  if (options.devices_per_host == 0) problems.push_back("devices_per_host must be >= 1, got 0");
  if (options.devices_per_host > 1) CheckParams("intra_node link", options.intra_node, problems);
  std::unordered_set<std::string_view> names;
  for (NodeId v = 0; v < boost::num_vertices(g); ++v) {
    if (!names.insert(g[v].name).second) problems.push_back("two nodes are named '" + g[v].name + "'");
  }
  for (const Link& l : topology_.links_) {
    CheckParams("link '" + l.name + "'", l.params, problems);
    if (l.from == l.to) problems.push_back("link '" + l.name + "' joins a node to itself");
  }
  if (!topology_.host_nodes_.empty()) {
    // Every host reaches the first one and is reached from it, so every pair
    // of hosts has a route (through the first host at worst).
    const NodeId first = topology_.host_nodes_.front();
    const std::vector<bool> from_first = Reach(g, first, true);
    const std::vector<bool> to_first = Reach(g, first, false);
    for (NodeId h : topology_.host_nodes_) {
      if (!from_first[h] && !to_first[h]) {
        problems.push_back("host '" + g[h].name + "' is disconnected from host '" + g[first].name + "'");
      } else if (!from_first[h]) {
        problems.push_back("host '" + g[h].name + "' cannot be reached from host '" + g[first].name + "'");
      } else if (!to_first[h]) {
        problems.push_back("host '" + g[h].name + "' cannot reach host '" + g[first].name + "'");
      }
    }
  }
  return problems;
}

Topology TopologyBuilder::finish(const HostOptions& options) && {
  if (auto found = problems(options); !found.empty()) throw TopologyError(std::move(found));
  Topology& t = topology_;
  t.fabric_node_count_ = boost::num_vertices(*t.graph_);
  t.devices_per_host_ = options.devices_per_host;
  t.routing_ = options.routing;
  const std::vector<NodeId> hosts = t.host_nodes_;
  for (NodeId h : hosts) {
    if (options.devices_per_host == 1) {
      t.endpoint_nodes_.push_back(h);
      continue;
    }
    for (std::uint32_t d = 0; d < options.devices_per_host; ++d) {
      auto v = static_cast<NodeId>(boost::add_vertex(
          Node{NumberedName((*t.graph_)[h].name + ".d", d), NodeKind::kDevice, d}, *t.graph_));
      t.endpoint_nodes_.push_back(v);
      t.device_uplink_.push_back(add_link(v, h, options.intra_node));
      t.device_downlink_.push_back(add_link(h, v, options.intra_node));
      t.links_[t.device_uplink_.back()].reverse = t.device_downlink_.back();
      t.links_[t.device_downlink_.back()].reverse = t.device_uplink_.back();
    }
  }
  std::vector<std::string> duplicates;
  for (NodeId v = 0; v < boost::num_vertices(*t.graph_); ++v) {
    const Node& n = (*t.graph_)[v];
    if (n.kind == NodeKind::kSwitch) ++t.switch_count_;
    if (!t.node_by_name_.emplace(n.name, v).second) duplicates.push_back("two nodes are named '" + n.name + "'");
  }
  if (!duplicates.empty()) throw TopologyError(std::move(duplicates));
  return std::move(t);
}

}  // namespace sim::topo
