#include "sim/collectives/simgrid_inputs.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace sim::collectives {
namespace {

// Shortest text that reads back as the same double.
std::string Num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void CheckEndpoints(const Schedule& schedule, std::span<const EndpointId> endpoint_of_rank) {
  if (endpoint_of_rank.size() != schedule.ranks()) {
    throw std::invalid_argument("SimGrid inputs: " + std::to_string(endpoint_of_rank.size()) + " endpoints for " +
                                std::to_string(schedule.ranks()) + " ranks");
  }
}

}  // namespace

void WriteSimGridPlatform(const topo::Topology& topology, const Schedule& schedule,
                          std::span<const EndpointId> endpoint_of_rank, std::ostream& xml) {
  CheckEndpoints(schedule, endpoint_of_rank);
  xml << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
      << "<platform version=\"4.1\">\n<zone id=\"world\" routing=\"Full\">\n";
  for (EndpointId e = 0; e < topology.endpoint_count(); ++e) xml << "<host id=\"e" << e << "\" speed=\"1Gf\"/>\n";
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    xml << "<link id=\"l" << l << "\" bandwidth=\"" << Num(topology.link(l).params.bandwidth.value)
        << "Bps\" latency=\"0s\" sharing_policy=\"SHARED\"/>\n";
  }
  std::set<std::pair<EndpointId, EndpointId>> pairs;
  for (const Transfer& t : schedule.transfers()) {
    const EndpointId src = endpoint_of_rank[t.src];
    const EndpointId dst = endpoint_of_rank[t.dst];
    if (src == dst || !pairs.emplace(src, dst).second) continue;
    xml << "<route src=\"e" << src << "\" dst=\"e" << dst << "\" symmetrical=\"NO\">";
    for (topo::LinkId l : topology.route(src, dst)) xml << "<link_ctn id=\"l" << l << "\"/>";
    xml << "</route>\n";
  }
  xml << "</zone>\n</platform>\n";
}

void WriteSimGridTransfers(const topo::Topology& topology, const Schedule& schedule,
                           std::span<const EndpointId> endpoint_of_rank, std::ostream& out) {
  CheckEndpoints(schedule, endpoint_of_rank);
  if (schedule.has_exchanges()) {
    throw std::invalid_argument("SimGrid inputs: the schedule has exchanges, which the SimGrid program does not model");
  }
  // Each pair's latency once: a ring sends 2(p - 1) times over each of its pairs.
  std::map<std::pair<EndpointId, EndpointId>, std::string> latency_of_pair;
  for (TransferId id = 0; id < schedule.size(); ++id) {
    const Transfer& t = schedule.transfer(id);
    const EndpointId src = endpoint_of_rank[t.src];
    const EndpointId dst = endpoint_of_rank[t.dst];
    auto [it, added] = latency_of_pair.try_emplace({src, dst});
    if (added) it->second = Num(topology.route_latency(src, dst).seconds());
    const auto deps = schedule.deps(id);
    out << src << ' ' << dst << ' ' << t.range.length << ' ' << it->second << ' ' << deps.size();
    for (TransferId d : deps) out << ' ' << DependencyTarget(d);
    out << '\n';
  }
}

}  // namespace sim::collectives
