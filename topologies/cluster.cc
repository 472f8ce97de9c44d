#include "topologies/cluster.h"

#include <google/protobuf/text_format.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include "topologies/builders.h"
#include "topologies/library.h"
#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

using scenario::Cluster;

// Defaults from scenario.proto: Star "Default host link: 10 Gbit/s, 5 us",
// Topology.intra_node "Default: 2,400 Gbit/s (300 GB/s), 1 us".
constexpr double kDefaultHostGbit = 10.0;
constexpr double kDefaultHostLatencyUs = 5.0;
constexpr double kDefaultIntraGbit = 2400.0;
constexpr double kDefaultIntraLatencyUs = 1.0;

std::string Num(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

// `has` and `mutable_spec` are the message's has_X and mutable_X: asking for
// the mutable field first would create it, so presence is read first.
template <typename Message>
void DefaultLink(Message* m, bool (Message::*has)() const, scenario::LinkSpec* (Message::*mutable_spec)(), double gbit,
                 double latency_us) {
  if ((m->*has)()) return;
  scenario::LinkSpec* spec = (m->*mutable_spec)();
  spec->set_bandwidth_gbit_per_s(gbit);
  spec->set_latency_us(latency_us);
}

void CheckSpec(const std::string& what, const scenario::LinkSpec& spec, std::vector<std::string>& problems) {
  const double bw = spec.bandwidth_gbit_per_s();
  if (!(bw > 0.0) || !std::isfinite(bw)) problems.push_back(what + " bandwidth must be > 0, got " + Num(bw) + " Gbit/s");
  const double lat = spec.latency_us();
  if (!(lat >= 0.0) || !std::isfinite(lat)) problems.push_back(what + " latency must be >= 0, got " + Num(lat) + " us");
}

LinkParams Params(const scenario::LinkSpec& spec) {
  return {GigabitsPerSecond(spec.bandwidth_gbit_per_s()), Picoseconds(std::llround(spec.latency_us() * 1e6))};
}

std::string KindName(const scenario::Topology& t) {
  switch (t.kind_case()) {
    case scenario::Topology::kStar: return "star";
    case scenario::Topology::kRing: return "ring";
    case scenario::Topology::kTorus: return "torus";
    case scenario::Topology::kFatTree: return "fat_tree";
    case scenario::Topology::kEdges: return "edges";
    case scenario::Topology::kLibrary: return "library";
    case scenario::Topology::KIND_NOT_SET: break;
  }
  return "none";
}

// The library entry merged under `cluster`; problems if it cannot be.
Cluster MergeLibrary(const Cluster& cluster, std::vector<std::string>& problems) {
  const std::string& name = cluster.topology().library();
  auto text = LibraryClusterText(name);
  if (!text) {
    std::string known;
    for (const auto& n : LibraryClusterNames()) known += (known.empty() ? "" : ", ") + n;
    problems.push_back("topology library '" + name + "' does not exist (known: " + known + ")");
    return cluster;
  }
  Cluster merged;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(*text), &merged)) {
    problems.push_back("topology library '" + name + "' is not a valid Cluster in text format");
    return cluster;
  }
  if (merged.topology().has_library() || merged.topology().kind_case() == scenario::Topology::KIND_NOT_SET) {
    problems.push_back("topology library '" + name + "' must describe a topology itself");
    return cluster;
  }
  Cluster overrides = cluster;
  overrides.mutable_topology()->clear_library();
  merged.MergeFrom(overrides);
  return merged;
}

// Nothing when the library entry cannot be had: then there is no shape to check.
std::optional<Cluster> Resolve(const Cluster& input, std::vector<std::string>& problems) {
  const std::size_t known_problems = problems.size();
  Cluster c = input.topology().has_library() ? MergeLibrary(input, problems) : input;
  if (problems.size() > known_problems) return std::nullopt;
  if (c.devices_per_host() == 0) c.set_devices_per_host(1);
  auto* t = c.mutable_topology();
  if (t->kind_case() == scenario::Topology::KIND_NOT_SET) t->mutable_star();
  switch (t->kind_case()) {
    case scenario::Topology::kStar: {
      using M = scenario::Star;
      DefaultLink<M>(t->mutable_star(), &M::has_host_link, &M::mutable_host_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case scenario::Topology::kRing: {
      using M = scenario::Ring;
      DefaultLink<M>(t->mutable_ring(), &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case scenario::Topology::kTorus: {
      using M = scenario::Torus2D;
      DefaultLink<M>(t->mutable_torus(), &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case scenario::Topology::kFatTree: {
      using M = scenario::FatTree;
      M* f = t->mutable_fat_tree();
      DefaultLink<M>(f, &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      if (f->edge_oversubscription() == 0.0) f->set_edge_oversubscription(1.0);
      if (f->core_oversubscription() == 0.0) f->set_core_oversubscription(1.0);
      break;
    }
    default:
      break;
  }
  {
    using M = scenario::Topology;
    DefaultLink<M>(t, &M::has_intra_node, &M::mutable_intra_node, kDefaultIntraGbit, kDefaultIntraLatencyUs);
  }
  if (t->routing() == scenario::ROUTING_UNSPECIFIED) {
    t->set_routing(t->has_fat_tree() ? scenario::FAT_TREE_TWO_LEVEL : scenario::SHORTEST);
  }
  auto* n = c.mutable_network();
  if (n->bandwidth_efficiency() == 0.0) n->set_bandwidth_efficiency(1.0);
  if (n->duplex() == scenario::DUPLEX_UNSPECIFIED) n->set_duplex(scenario::FULL_DUPLEX);

  // Hosts the topology implies, when its shape fixes them.
  std::optional<std::uint64_t> implied;
  if (t->has_fat_tree()) implied = std::uint64_t{t->fat_tree().k()} * t->fat_tree().k() * t->fat_tree().k() / 4;
  if (t->has_torus()) implied = std::uint64_t{t->torus().rows()} * t->torus().cols();
  if (t->has_edges()) implied = static_cast<std::uint64_t>(t->edges().hosts_size());
  if (implied) {
    if (c.hosts() != 0 && c.hosts() != *implied) {
      problems.push_back("cluster.hosts is " + std::to_string(c.hosts()) + " but the " + KindName(*t) + " has " +
                         std::to_string(*implied) + " hosts");
    }
    c.set_hosts(static_cast<std::uint32_t>(*implied));
  } else if (c.hosts() == 0) {
    if (c.workers() == 0) {
      problems.push_back("cluster needs hosts or workers to size its " + KindName(*t));
    } else {
      c.set_hosts((c.workers() + c.devices_per_host() - 1) / c.devices_per_host());
    }
  }
  if (c.workers() == 0) c.set_workers(c.hosts() * c.devices_per_host());
  return c;
}

// Shape and calibration problems that need no graph.
void CheckResolved(const Cluster& c, std::vector<std::string>& problems) {
  const auto& t = c.topology();
  switch (t.kind_case()) {
    case scenario::Topology::kStar: CheckSpec("star.host_link", t.star().host_link(), problems); break;
    case scenario::Topology::kRing: CheckSpec("ring.link", t.ring().link(), problems); break;
    case scenario::Topology::kTorus:
      CheckSpec("torus.link", t.torus().link(), problems);
      if (t.torus().rows() == 0 || t.torus().cols() == 0) {
        problems.push_back("torus needs rows >= 1 and cols >= 1, got " + std::to_string(t.torus().rows()) + " x " +
                           std::to_string(t.torus().cols()));
      }
      break;
    case scenario::Topology::kFatTree: {
      const auto& f = t.fat_tree();
      CheckSpec("fat_tree.link", f.link(), problems);
      if (f.k() < 2 || f.k() % 2 != 0) problems.push_back("fat_tree k must be even and >= 2, got " + std::to_string(f.k()));
      if (!(f.edge_oversubscription() >= 1.0)) {
        problems.push_back("fat_tree edge_oversubscription must be >= 1, got " + Num(f.edge_oversubscription()));
      }
      if (!(f.core_oversubscription() >= 1.0)) {
        problems.push_back("fat_tree core_oversubscription must be >= 1, got " + Num(f.core_oversubscription()));
      }
      break;
    }
    case scenario::Topology::kEdges: {
      const auto& e = t.edges();
      if (e.hosts_size() == 0) problems.push_back("edges lists no host");
      if (e.edges_size() == 0 && e.file().empty()) problems.push_back("edges has neither edges nor a file");
      for (const auto& edge : e.edges()) CheckSpec("edge '" + edge.a() + "'-'" + edge.b() + "'", edge.link(), problems);
      break;
    }
    default:
      break;
  }
  if (c.devices_per_host() > 1) CheckSpec("topology.intra_node", t.intra_node(), problems);
  if (t.routing() == scenario::FAT_TREE_TWO_LEVEL && !t.has_fat_tree()) {
    problems.push_back("routing FAT_TREE_TWO_LEVEL needs a fat_tree topology, got " + KindName(t));
  }
  const auto& n = c.network();
  if (!(n.bandwidth_efficiency() > 0.0 && n.bandwidth_efficiency() <= 1.0)) {
    problems.push_back("network.bandwidth_efficiency must be in (0, 1], got " + Num(n.bandwidth_efficiency()));
  }
  if (!(n.per_message_overhead_us() >= 0.0) || !std::isfinite(n.per_message_overhead_us())) {
    problems.push_back("network.per_message_overhead_us must be >= 0, got " + Num(n.per_message_overhead_us()));
  }
  if (!(n.reduction_gbyte_per_s() >= 0.0)) {
    problems.push_back("network.reduction_gbyte_per_s must be >= 0, got " + Num(n.reduction_gbyte_per_s()));
  }
  if (!(n.flow_share_sigma() >= 0.0 && n.flow_share_sigma() <= kMaxFlowShareSigma)) {
    problems.push_back("network.flow_share_sigma must be in [0, " + Num(kMaxFlowShareSigma) + "], got " +
                       Num(n.flow_share_sigma()));
  }
  if (!(n.two_way_capacity() == 0.0 || (n.two_way_capacity() >= 1.0 && n.two_way_capacity() <= 2.0))) {
    problems.push_back("network.two_way_capacity must be in [1, 2] (0: 2), got " + Num(n.two_way_capacity()));
  }
  const std::uint64_t endpoints = std::uint64_t{c.hosts()} * c.devices_per_host();
  if (c.workers() > endpoints) {
    problems.push_back("cluster.workers is " + std::to_string(c.workers()) + " but the topology has " +
                       std::to_string(endpoints) + " endpoints (" + std::to_string(c.hosts()) + " hosts x " +
                       std::to_string(c.devices_per_host()) + " devices)");
  }
}

RoutingPolicy Policy(scenario::Routing r) {
  switch (r) {
    case scenario::ECMP: return RoutingPolicy::kEcmp;
    case scenario::FAT_TREE_TWO_LEVEL: return RoutingPolicy::kFatTreeTwoLevel;
    default: return RoutingPolicy::kShortest;
  }
}

std::optional<Topology> Build(const Cluster& c, const std::string& dir, std::vector<std::string>& problems) {
  const auto& t = c.topology();
  HostOptions options{c.devices_per_host(), Params(t.intra_node()), Policy(t.routing())};
  try {
    switch (t.kind_case()) {
      case scenario::Topology::kStar: return MakeStar(c.hosts(), Params(t.star().host_link()), options);
      case scenario::Topology::kRing: return MakeRing(c.hosts(), Params(t.ring().link()), options);
      case scenario::Topology::kTorus:
        return MakeTorus2D(t.torus().rows(), t.torus().cols(), Params(t.torus().link()), options);
      case scenario::Topology::kFatTree: {
        const auto& f = t.fat_tree();
        return MakeFatTree({f.k(), Params(f.link()), f.edge_oversubscription(), f.core_oversubscription()}, options);
      }
      case scenario::Topology::kEdges: {
        const auto& e = t.edges();
        std::vector<EdgeSpec> edges;
        for (const auto& edge : e.edges()) edges.push_back({edge.a(), edge.b(), Params(edge.link()), edge.one_way()});
        if (!e.file().empty()) {
          std::filesystem::path path(e.file());
          if (path.is_relative()) path = std::filesystem::path(dir) / path;
          for (auto& edge : ReadEdgeListFile(path.string())) edges.push_back(std::move(edge));
        }
        return MakeEdgeList({e.hosts().begin(), e.hosts().end()}, edges, {e.switches().begin(), e.switches().end()},
                            options);
      }
      default:
        problems.push_back("topology kind '" + KindName(t) + "' cannot be built");
        return std::nullopt;
    }
  } catch (const TopologyError& error) {
    for (const auto& p : error.problems()) problems.push_back(p);
  }
  return std::nullopt;
}

std::optional<Topology> Assemble(const Cluster& cluster, const std::string& dir, std::vector<std::string>& problems) {
  const std::optional<Cluster> c = Resolve(cluster, problems);
  if (!c) return std::nullopt;
  CheckResolved(*c, problems);
  if (!problems.empty()) return std::nullopt;
  return Build(*c, dir, problems);
}

}  // namespace

scenario::Cluster ResolveCluster(const scenario::Cluster& cluster) {
  std::vector<std::string> problems;
  std::optional<Cluster> c = Resolve(cluster, problems);
  if (!c || !problems.empty()) throw TopologyError(std::move(problems));
  return *c;
}

std::vector<std::string> ValidateCluster(const scenario::Cluster& cluster, const std::string& scenario_dir) {
  std::vector<std::string> problems;
  (void)Assemble(cluster, scenario_dir, problems);
  return problems;
}

Topology BuildTopology(const scenario::Cluster& cluster, const std::string& scenario_dir) {
  std::vector<std::string> problems;
  std::optional<Topology> topology = Assemble(cluster, scenario_dir, problems);
  if (!problems.empty() || !topology) throw TopologyError(std::move(problems));
  return std::move(*topology);
}

}  // namespace sim::topo
