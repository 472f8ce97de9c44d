// Star, ring and 2-D torus: the fabrics whose shape is one loop, over the
// hosts' ports (the hosts themselves, or with NICs every host's NICs in turn).
#include <string>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

std::string HostName(std::uint32_t i) { return NumberedName("h", i); }

// Cables along one wrap-around dimension of n hosts: n for n >= 3, a single
// cable for n = 2 (both neighbours are the same host), none for n = 1.
void CableDimension(TopologyBuilder& b, const std::vector<NodeId>& line, LinkParams link) {
  const std::size_t n = line.size();
  if (n < 2) return;
  const std::size_t cables = n == 2 ? 1 : n;
  for (std::size_t i = 0; i < cables; ++i) b.add_cable(line[i], line[(i + 1) % n], link);
}

// Adds `hosts` hosts "h0".. and returns their ports in order.
std::vector<NodeId> AddHosts(TopologyBuilder& b, std::uint32_t hosts) {
  std::vector<NodeId> ports;
  for (std::uint32_t i = 0; i < hosts; ++i) {
    for (NodeId port : b.add_host(HostName(i))) ports.push_back(port);
  }
  return ports;
}

}  // namespace

Topology MakeStar(std::uint32_t hosts, LinkParams host_link, const HostOptions& options) {
  TopologyBuilder b(options);
  const std::vector<NodeId> ports = AddHosts(b, hosts);
  const NodeId sw = b.add_switch("sw0");
  for (NodeId v : ports) b.add_cable(sw, v, host_link);
  return std::move(b).finish();
}

Topology MakeRing(std::uint32_t hosts, LinkParams link, const HostOptions& options) {
  TopologyBuilder b(options);
  CableDimension(b, AddHosts(b, hosts), link);
  return std::move(b).finish();
}

Topology MakeTorus2D(std::uint32_t rows, std::uint32_t cols, LinkParams link, const HostOptions& options) {
  if (rows == 0 || cols == 0) {
    throw TopologyError({"torus needs rows >= 1 and cols >= 1, got " + std::to_string(rows) + " x " +
                         std::to_string(cols)});
  }
  TopologyBuilder b(options);
  const std::uint32_t ports = rows * cols;
  if (ports % b.ports_per_host() != 0) {
    throw TopologyError({"torus of " + std::to_string(rows) + " x " + std::to_string(cols) + " = " +
                         std::to_string(ports) + " ports cannot hold hosts of " + std::to_string(b.ports_per_host()) +
                         " NICs each"});
  }
  // Port q at row q / cols, column q % cols: a host's NICs side by side.
  const std::vector<NodeId> h = AddHosts(b, ports / b.ports_per_host());
  for (std::uint32_t r = 0; r < rows; ++r) {
    std::vector<NodeId> row(h.begin() + r * cols, h.begin() + (r + 1) * cols);
    CableDimension(b, row, link);
  }
  for (std::uint32_t c = 0; c < cols; ++c) {
    std::vector<NodeId> column;
    for (std::uint32_t r = 0; r < rows; ++r) column.push_back(h[r * cols + c]);
    CableDimension(b, column, link);
  }
  return std::move(b).finish();
}

}  // namespace sim::topo
