#include "sim/scenario/cluster_resolution.h"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "sim/scenario/scenario_error.h"
#include "topologies/library.h"
#include "topologies/topology_error.h"

namespace sim::scenario {
namespace {

// Defaults from scenario.proto: Star "Default host link: 10 Gbit/s, 5 us",
// Topology.intra_node "Default: 2,400 Gbit/s (300 GB/s), 1 us".
constexpr double kDefaultHostGbit = 10.0;
constexpr double kDefaultHostLatencyUs = 5.0;
constexpr double kDefaultIntraGbit = 2400.0;
constexpr double kDefaultIntraLatencyUs = 1.0;
// Nics.pcie "Default: PCIe 4.0 x16, 16 GT/s x 16 lanes x 128/130 = 252 Gbit/s, 1 us".
constexpr double kDefaultPcieGbit = 16.0 * 16.0 * 128.0 / 130.0;
constexpr double kDefaultPcieLatencyUs = 1.0;

// `has` and `mutable_spec` are the message's has_X and mutable_X: asking for
// the mutable field first would create it, so presence is read first.
template <typename Message>
void DefaultLink(Message* m, bool (Message::*has)() const, LinkSpec* (Message::*mutable_spec)(), double gbit,
                 double latency_us) {
  if ((m->*has)()) return;
  LinkSpec* spec = (m->*mutable_spec)();
  spec->set_bandwidth_gbit_per_s(gbit);
  spec->set_latency_us(latency_us);
}

void CheckSpec(const std::string& what, const LinkSpec& spec, std::vector<std::string>& problems) {
  const double bw = spec.bandwidth_gbit_per_s();
  if (!(bw > 0.0) || !std::isfinite(bw)) problems.push_back(what + " bandwidth must be > 0, got " + Show(bw) + " Gbit/s");
  const double lat = spec.latency_us();
  if (!(lat >= 0.0) || !std::isfinite(lat)) problems.push_back(what + " latency must be >= 0, got " + Show(lat) + " us");
}

topo::LinkParams Params(const LinkSpec& spec) {
  return {GigabitsPerSecond(spec.bandwidth_gbit_per_s()), Microseconds(spec.latency_us())};
}

std::string KindName(const Topology& t) {
  switch (t.kind_case()) {
    case Topology::kStar: return "star";
    case Topology::kRing: return "ring";
    case Topology::kTorus: return "torus";
    case Topology::kFatTree: return "fat_tree";
    case Topology::kEdges: return "edges";
    case Topology::kLibrary: return "library";
    case Topology::kLeafSpine: return "leaf_spine";
    case Topology::KIND_NOT_SET: break;
  }
  return "none";
}

// The library entry merged under `cluster`; problems if it cannot be.
Cluster MergeLibrary(const Cluster& cluster, std::vector<std::string>& problems) {
  const std::string& name = cluster.topology().library();
  auto text = topo::LibraryClusterText(name);
  if (!text) {
    std::string known;
    for (const auto& n : topo::LibraryClusterNames()) known += (known.empty() ? "" : ", ") + n;
    problems.push_back("topology library '" + name + "' does not exist (known: " + known + ")");
    return cluster;
  }
  Cluster merged;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(*text), &merged)) {
    problems.push_back("topology library '" + name + "' is not a valid Cluster in text format");
    return cluster;
  }
  if (merged.topology().has_library() || merged.topology().kind_case() == Topology::KIND_NOT_SET) {
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
  if (t->kind_case() == Topology::KIND_NOT_SET) t->mutable_star();
  switch (t->kind_case()) {
    case Topology::kStar: {
      using M = Star;
      DefaultLink<M>(t->mutable_star(), &M::has_host_link, &M::mutable_host_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case Topology::kRing: {
      using M = Ring;
      DefaultLink<M>(t->mutable_ring(), &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case Topology::kTorus: {
      using M = Torus2D;
      DefaultLink<M>(t->mutable_torus(), &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      break;
    }
    case Topology::kFatTree: {
      using M = FatTree;
      M* f = t->mutable_fat_tree();
      DefaultLink<M>(f, &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      if (f->edge_oversubscription() == 0.0) f->set_edge_oversubscription(1.0);
      if (f->core_oversubscription() == 0.0) f->set_core_oversubscription(1.0);
      break;
    }
    case Topology::kLeafSpine: {
      using M = LeafSpine;
      M* l = t->mutable_leaf_spine();
      DefaultLink<M>(l, &M::has_link, &M::mutable_link, kDefaultHostGbit, kDefaultHostLatencyUs);
      if (l->oversubscription() == 0.0) l->set_oversubscription(1.0);
      break;  // leaf_ports and spines follow the hosts, below
    }
    default:
      break;
  }
  {
    using M = Topology;
    DefaultLink<M>(t, &M::has_intra_node, &M::mutable_intra_node, kDefaultIntraGbit, kDefaultIntraLatencyUs);
  }
  // Written only for hosts with NICs: a cluster without them echoes as before.
  if (t->nics().per_host() > 0) {
    using M = Nics;
    DefaultLink<M>(t->mutable_nics(), &M::has_pcie, &M::mutable_pcie, kDefaultPcieGbit, kDefaultPcieLatencyUs);
  }
  if (t->routing() == ROUTING_UNSPECIFIED) {
    t->set_routing(t->has_fat_tree() || t->has_leaf_spine() ? FAT_TREE_TWO_LEVEL : SHORTEST);
  }
  auto* n = c.mutable_network();
  if (n->bandwidth_efficiency() == 0.0) n->set_bandwidth_efficiency(1.0);
  if (n->duplex() == DUPLEX_UNSPECIFIED) n->set_duplex(FULL_DUPLEX);

  // Hosts the topology implies, when its shape fixes them: its ports, each
  // host taking nics.per_host of them when it has NICs.
  std::optional<std::uint64_t> ports;
  if (t->has_fat_tree()) ports = std::uint64_t{t->fat_tree().k()} * t->fat_tree().k() * t->fat_tree().k() / 4;
  if (t->has_torus()) ports = std::uint64_t{t->torus().rows()} * t->torus().cols();
  std::optional<std::uint64_t> implied = ports;
  if (const std::uint32_t nics = t->nics().per_host(); ports && nics > 0) {
    if (*ports % nics != 0) {
      problems.push_back("cluster.topology.nics.per_host (" + std::to_string(nics) + ") must divide the " +
                         KindName(*t) + "'s " + std::to_string(*ports) + " host ports");
    }
    implied = std::max<std::uint64_t>(1, *ports / nics);
  }
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
  // An explicit workers, even 0, stands (and is checked with the job).
  if (!c.has_workers()) c.set_workers(c.hosts() * c.devices_per_host());
  if (t->has_leaf_spine()) {
    LeafSpine* l = t->mutable_leaf_spine();
    if (l->leaf_ports() == 0) l->set_leaf_ports(std::max(c.hosts(), t->nics().per_host()));
    if (l->spines() == 0) l->set_spines(l->leaf_ports());
  }
  return c;
}

// The hosts' NICs: how many, which device each serves, the PCIe hop.
void CheckNics(const Cluster& c, std::vector<std::string>& problems) {
  const Nics& n = c.topology().nics();
  const std::string path = "cluster.topology.nics.";
  const std::uint32_t devices = c.devices_per_host();
  if (n.per_host() == 0) {
    if (n.of_device_size() > 0) problems.push_back(path + "of_device needs " + path + "per_host >= 1");
    return;
  }
  CheckSpec(path + "pcie", n.pcie(), problems);
  if (n.of_device_size() == 0) {
    if (devices > 0 && devices % n.per_host() != 0) {
      problems.push_back(path + "per_host (" + std::to_string(n.per_host()) + ") must divide cluster.devices_per_host (" +
                         std::to_string(devices) + "), or " + path + "of_device must say which NIC serves each device");
    }
    return;
  }
  if (static_cast<std::uint32_t>(n.of_device_size()) != devices) {
    problems.push_back(path + "of_device lists " + std::to_string(n.of_device_size()) +
                       " devices, cluster.devices_per_host is " + std::to_string(devices));
  }
  for (int d = 0; d < n.of_device_size(); ++d) {
    if (n.of_device(d) >= n.per_host()) {
      problems.push_back(path + "of_device[" + std::to_string(d) + "] is " + std::to_string(n.of_device(d)) +
                         ", must be < " + path + "per_host (" + std::to_string(n.per_host()) + ")");
    }
  }
}

// Shape and calibration problems that need no graph.
void CheckResolved(const Cluster& c, std::vector<std::string>& problems) {
  const auto& t = c.topology();
  switch (t.kind_case()) {
    case Topology::kStar: CheckSpec("star.host_link", t.star().host_link(), problems); break;
    case Topology::kRing: CheckSpec("ring.link", t.ring().link(), problems); break;
    case Topology::kTorus:
      CheckSpec("torus.link", t.torus().link(), problems);
      if (t.torus().rows() == 0 || t.torus().cols() == 0) {
        problems.push_back("torus needs rows >= 1 and cols >= 1, got " + std::to_string(t.torus().rows()) + " x " +
                           std::to_string(t.torus().cols()));
      }
      break;
    case Topology::kFatTree: {
      const auto& f = t.fat_tree();
      CheckSpec("fat_tree.link", f.link(), problems);
      if (f.k() < 2 || f.k() % 2 != 0) problems.push_back("fat_tree k must be even and >= 2, got " + std::to_string(f.k()));
      if (!(f.edge_oversubscription() >= 1.0)) {
        problems.push_back("fat_tree edge_oversubscription must be >= 1, got " + Show(f.edge_oversubscription()));
      }
      if (!(f.core_oversubscription() >= 1.0)) {
        problems.push_back("fat_tree core_oversubscription must be >= 1, got " + Show(f.core_oversubscription()));
      }
      break;
    }
    case Topology::kLeafSpine: {
      const auto& l = t.leaf_spine();
      const std::string path = "cluster.topology.leaf_spine.";
      CheckSpec("leaf_spine.link", l.link(), problems);
      if (l.leaf_ports() == 0) problems.push_back(path + "leaf_ports must be >= 1, got 0");
      if (l.spines() == 0) problems.push_back(path + "spines must be >= 1, got 0");
      if (!(l.oversubscription() >= 1.0) || !std::isfinite(l.oversubscription())) {
        problems.push_back(path + "oversubscription must be >= 1, got " + Show(l.oversubscription()));
      }
      const std::uint32_t nics = t.nics().per_host();
      if (l.rail_optimized() && nics == 0) {
        problems.push_back(path + "rail_optimized needs hosts with NICs (cluster.topology.nics.per_host >= 1)");
      }
      if (!l.rail_optimized() && l.leaf_ports() > 0 && l.leaf_ports() < nics) {
        problems.push_back(path + "leaf_ports (" + std::to_string(l.leaf_ports()) + ") must hold a whole host's " +
                           std::to_string(nics) + " NICs (cluster.topology.nics.per_host) unless rail_optimized");
      }
      break;
    }
    case Topology::kEdges: {
      const auto& e = t.edges();
      if (e.hosts_size() == 0) problems.push_back("edges lists no host");
      if (e.edges_size() == 0 && e.file().empty()) problems.push_back("edges has neither edges nor a file");
      for (const auto& edge : e.edges()) CheckSpec("edge '" + edge.a() + "'-'" + edge.b() + "'", edge.link(), problems);
      break;
    }
    default:
      break;
  }
  if (c.devices_per_host() > 1 || t.nics().per_host() > 0) CheckSpec("topology.intra_node", t.intra_node(), problems);
  CheckNics(c, problems);
  if (t.routing() == FAT_TREE_TWO_LEVEL && !t.has_fat_tree() && !t.has_leaf_spine()) {
    problems.push_back("routing FAT_TREE_TWO_LEVEL needs a fat_tree or leaf_spine topology, got " + KindName(t));
  }
}

topo::RoutingPolicy Policy(Routing r) {
  switch (r) {
    case ECMP: return topo::RoutingPolicy::kEcmp;
    case FAT_TREE_TWO_LEVEL: return topo::RoutingPolicy::kFatTreeTwoLevel;
    default: return topo::RoutingPolicy::kShortest;
  }
}

// The fabric of a resolved cluster whose shape was checked.
topo::FabricSpec FabricOf(const Cluster& c, const std::string& dir, const ReadFileFn& read_file,
                          std::vector<std::string>& problems) {
  const auto& t = c.topology();
  switch (t.kind_case()) {
    case Topology::kRing: return topo::RingSpec{Params(t.ring().link())};
    case Topology::kTorus: return topo::TorusSpec{t.torus().rows(), t.torus().cols(), Params(t.torus().link())};
    case Topology::kFatTree: {
      const auto& f = t.fat_tree();
      return topo::FatTreeParams{f.k(), Params(f.link()), f.edge_oversubscription(), f.core_oversubscription()};
    }
    case Topology::kLeafSpine: {
      const auto& l = t.leaf_spine();
      return topo::LeafSpineParams{Params(l.link()), l.leaf_ports(), l.spines(), l.oversubscription(),
                                   l.rail_optimized()};
    }
    case Topology::kEdges: {
      const auto& e = t.edges();
      topo::EdgeListSpec spec{{e.hosts().begin(), e.hosts().end()}, {}, {e.switches().begin(), e.switches().end()}};
      for (const auto& edge : e.edges()) spec.edges.push_back({edge.a(), edge.b(), Params(edge.link()), edge.one_way()});
      if (!e.file().empty()) {
        std::filesystem::path path(e.file());
        if (path.is_relative()) path = std::filesystem::path(dir) / path;
        try {
          for (auto& edge : topo::ParseEdgeList(read_file(path.string()), path.string())) {
            spec.edges.push_back(std::move(edge));
          }
        } catch (const topo::TopologyError& error) {
          problems.insert(problems.end(), error.problems().begin(), error.problems().end());
        } catch (const std::exception& error) {
          problems.push_back("topology.edges.file: " + std::string(error.what()));
        }
      }
      return spec;
    }
    default: return topo::StarSpec{Params(t.star().host_link())};
  }
}

}  // namespace

std::optional<Cluster> ResolveCluster(const Cluster& cluster, std::vector<std::string>& problems) {
  return Resolve(cluster, problems);
}

bool TopologyFixesHosts(const Topology& t) {
  return t.has_fat_tree() || t.has_torus() || t.has_edges() || t.has_library();
}

bool LeavesSizeOpen(const Cluster& cluster) {
  std::vector<std::string> ignored;  // an unknown library entry is reported when the cluster is resolved
  const Cluster merged = cluster.topology().has_library() ? MergeLibrary(cluster, ignored) : cluster;
  return merged.hosts() == 0 && !merged.has_workers() && !TopologyFixesHosts(merged.topology());
}

topo::TopologySpec TopologySpecOf(const Cluster& resolved, const std::string& scenario_dir, const ReadFileFn& read_file,
                                  std::vector<std::string>& problems) {
  const std::size_t known = problems.size();
  CheckResolved(resolved, problems);
  if (problems.size() > known) return {};  // a link's values would not convert
  const auto& t = resolved.topology();
  topo::HostOptions hosts{resolved.devices_per_host(), Params(t.intra_node()), Policy(t.routing())};
  if (t.nics().per_host() > 0) {
    hosts.nics_per_host = t.nics().per_host();
    hosts.nic_of_device.assign(t.nics().of_device().begin(), t.nics().of_device().end());
    hosts.pcie = Params(t.nics().pcie());
  }
  return topo::TopologySpec{FabricOf(resolved, scenario_dir, read_file, problems), resolved.hosts(), hosts};
}

net::NetworkCalibration NetworkCalibrationOf(const NetworkCalibration& n, std::vector<std::string>& problems) {
  net::NetworkCalibration c;
  c.bandwidth_efficiency = n.bandwidth_efficiency() == 0.0 ? 1.0 : n.bandwidth_efficiency();
  const double overhead_us = n.per_message_overhead_us();
  if (!(overhead_us >= 0.0) || !std::isfinite(overhead_us)) {
    problems.push_back("network.per_message_overhead_us must be >= 0, got " + Show(overhead_us));
  } else {
    c.per_message_overhead = Microseconds(overhead_us);
  }
  c.duplex = n.duplex() == HALF_DUPLEX ? net::Duplex::kHalf : net::Duplex::kFull;
  c.flow_share_sigma = n.flow_share_sigma();
  c.two_way_capacity = n.two_way_capacity() == 0.0 ? 2.0 : n.two_way_capacity();
  if (n.has_flow_share_seed()) c.flow_share_seed = n.flow_share_seed();
  for (auto& p : net::CalibrationProblems(c)) problems.push_back(std::move(p));
  if (!(n.reduction_gbyte_per_s() >= 0.0)) {
    problems.push_back("network.reduction_gbyte_per_s must be >= 0, got " + Show(n.reduction_gbyte_per_s()));
  }
  // Kept as a signed byte count (Bytes) from here on.
  if (n.eager_limit_bytes() > (std::uint64_t{1} << 62)) {
    problems.push_back("network.eager_limit_bytes must be at most 2^62, got " + Show(n.eager_limit_bytes()));
  }
  return c;
}

}  // namespace sim::scenario
