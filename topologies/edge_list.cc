// A custom graph from named hosts, optional named switches and cables, given
// inline or read from a file of "a b gbit_per_s latency_us" lines. With NICs,
// a host's ports are its NICs "name.nic0".., and edges name those.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {

Topology MakeEdgeList(const std::vector<std::string>& hosts, const std::vector<EdgeSpec>& edges,
                      const std::vector<std::string>& switches, const HostOptions& options) {
  std::vector<std::string> problems;
  TopologyBuilder b(options);
  // std::map, not unordered: new switches are numbered in order of first
  // appearance, and nothing here may depend on hash order.
  std::map<std::string, NodeId, std::less<>> ids;
  // With NICs, the hosts' own vertices are not in the fabric: no edge may name them.
  std::set<std::string, std::less<>> hosts_with_nics;
  for (const auto& h : hosts) {
    if (ids.count(h) || hosts_with_nics.count(h)) {
      problems.push_back("host '" + h + "' is listed twice");
      continue;
    }
    const std::vector<NodeId> ports = b.add_host(h);
    if (options.nics_per_host == 0) {
      ids[h] = ports.front();
      continue;
    }
    hosts_with_nics.insert(h);
    for (std::uint32_t i = 0; i < ports.size(); ++i) ids[NumberedName(h + ".nic", i)] = ports[i];
  }
  for (const auto& s : switches) {
    if (ids.count(s) || hosts_with_nics.count(s)) {
      problems.push_back("switch '" + s + "' is listed twice or is also a host");
      continue;
    }
    ids[s] = b.add_switch(s);
  }
  auto node = [&](const std::string& name, const std::string& edge) -> NodeId {
    auto it = ids.find(name);
    if (it != ids.end()) return it->second;
    if (hosts_with_nics.count(name)) {
      problems.push_back("edge " + edge + " names host '" + name + "', whose ports into the fabric are its NICs '" +
                         name + ".nic0' .. '" + NumberedName(name + ".nic", options.nics_per_host - 1) + "'");
      return kNoNode;
    }
    if (!switches.empty()) {
      problems.push_back("edge " + edge + " names missing node '" + name + "' (neither a host nor a listed switch)");
      return kNoNode;
    }
    return ids[name] = b.add_switch(name);
  };
  for (const auto& e : edges) {
    const std::string label = "'" + e.a + "'-'" + e.b + "'";
    if (e.a.empty() || e.b.empty()) {
      problems.push_back("edge " + label + " has an empty node name");
      continue;
    }
    if (e.a == e.b) {
      problems.push_back("edge " + label + " joins a node to itself");
      continue;
    }
    const NodeId a = node(e.a, label);
    const NodeId c = node(e.b, label);
    if (a == kNoNode || c == kNoNode) continue;
    if (e.one_way) {
      b.add_link(a, c, e.link);
    } else {
      b.add_cable(a, c, e.link);
    }
  }
  for (auto& p : b.problems()) problems.push_back(std::move(p));
  if (!problems.empty()) throw TopologyError(std::move(problems));
  return std::move(b).finish();
}

std::vector<EdgeSpec> ReadEdgeListFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TopologyError({"cannot read edge list file '" + path + "'"});
  std::stringstream text;
  text << in.rdbuf();
  return ParseEdgeList(text.str(), path);
}

std::vector<EdgeSpec> ParseEdgeList(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::vector<EdgeSpec> edges;
  std::vector<std::string> problems;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream fields(line);
    EdgeSpec e;
    double gbit = 0.0, latency_us = 0.0;
    std::string extra;
    if (!(fields >> e.a)) continue;  // blank or comment-only line
    if (!(fields >> e.b >> gbit >> latency_us) || (fields >> extra)) {
      problems.push_back(path + ":" + std::to_string(number) + ": expected 'a b gbit_per_s latency_us', got '" +
                         line + "'");
      continue;
    }
    e.link = {GigabitsPerSecond(gbit), Microseconds(latency_us)};
    edges.push_back(std::move(e));
  }
  if (!problems.empty()) throw TopologyError(std::move(problems));
  return edges;
}

}  // namespace sim::topo
