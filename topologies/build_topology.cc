#include "topologies/topology_spec.h"

namespace sim::topo {
namespace {

Topology Build(const StarSpec& s, const TopologySpec& t) { return MakeStar(t.hosts, s.host_link, t.host_options); }
Topology Build(const RingSpec& s, const TopologySpec& t) { return MakeRing(t.hosts, s.link, t.host_options); }
Topology Build(const TorusSpec& s, const TopologySpec& t) {
  return MakeTorus2D(s.rows, s.cols, s.link, t.host_options);
}
Topology Build(const FatTreeParams& s, const TopologySpec& t) { return MakeFatTree(s, t.host_options); }
Topology Build(const EdgeListSpec& s, const TopologySpec& t) {
  return MakeEdgeList(s.hosts, s.edges, s.switches, t.host_options);
}
Topology Build(const LeafSpineParams& s, const TopologySpec& t) { return MakeLeafSpine(t.hosts, s, t.host_options); }

}  // namespace

Topology BuildTopology(const TopologySpec& spec) {
  return std::visit([&](const auto& fabric) { return Build(fabric, spec); }, spec.fabric);
}

}  // namespace sim::topo
