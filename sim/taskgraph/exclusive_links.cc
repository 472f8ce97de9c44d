#include "sim/taskgraph/exclusive_links.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace sim::taskgraph {
namespace {

constexpr std::uint32_t kUnused = 0xffffffffu;
constexpr std::uint32_t kShared = 0xfffffffeu;

// A cable by its lower link id.
topo::LinkId Cable(const topo::Topology& t, topo::LinkId l) {
  const topo::LinkId r = t.link(l).reverse;
  return r == topo::kNoLink ? l : std::min(l, r);
}

}  // namespace

std::vector<bool> ExclusiveCollectives(const TaskGraph& graph, const topo::Topology& topology) {
  // The communicator of each collective: its group and its first member's stream name.
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> index_of;
  std::vector<std::uint32_t> communicator(graph.collectives());
  for (std::uint32_t c = 0; c < graph.collectives(); ++c) {
    const Collective& col = graph.collective(c);
    const std::string& name = graph.stream(graph.op(col.first_member).stream).name;
    communicator[c] = index_of.try_emplace({col.group, name}, static_cast<std::uint32_t>(index_of.size())).first->second;
  }
  // Who uses each cable: one communicator, or several users (kShared).
  std::vector<std::uint32_t> user(topology.link_count(), kUnused);
  auto use = [&](topo::LinkId link, std::uint32_t who) {
    std::uint32_t& u = user[Cable(topology, link)];
    u = (u == kUnused || u == who) ? who : kShared;
  };
  std::vector<topo::LinkId> route;
  // Calls fn(collective, link) for every link of every distinct (schedule,
  // group) of the graph, once per pair of endpoints that exchange.
  auto for_each_link = [&](auto&& fn) {
    std::set<std::pair<const collectives::Schedule*, std::uint32_t>> seen;
    for (std::uint32_t c = 0; c < graph.collectives(); ++c) {
      const Collective& col = graph.collective(c);
      if (!seen.insert({col.schedule.get(), col.group}).second) continue;
      const auto endpoints = graph.group(col.group);
      std::set<std::pair<EndpointId, EndpointId>> pairs;
      for (const collectives::Transfer& t : col.schedule->transfers()) pairs.insert({endpoints[t.src], endpoints[t.dst]});
      for (const auto& [src, dst] : pairs) {
        route.clear();
        topology.append_route(src, dst, route);
        for (topo::LinkId l : route) fn(c, l);
      }
    }
  };
  for_each_link([&](std::uint32_t c, topo::LinkId l) { use(l, communicator[c]); });
  for (OpId id = 0; id < graph.size(); ++id) {
    const Op& op = graph.op(id);
    if (op.kind != OpKind::kSend) continue;
    route.clear();
    topology.append_route(graph.device_of(id), graph.message(op.ref).dst, route);
    for (topo::LinkId l : route) user[Cable(topology, l)] = kShared;
  }
  // A communicator is exclusive when no cable it uses is shared.
  std::vector<bool> shared(index_of.size(), false);
  for_each_link([&](std::uint32_t c, topo::LinkId l) {
    if (user[Cable(topology, l)] == kShared) shared[communicator[c]] = true;
  });
  std::vector<bool> exclusive(graph.collectives());
  for (std::uint32_t c = 0; c < graph.collectives(); ++c) exclusive[c] = !shared[communicator[c]];
  return exclusive;
}

}  // namespace sim::taskgraph
