// Star, ring and 2-D torus: the fabrics whose shape is one loop.
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

}  // namespace

Topology MakeStar(std::uint32_t hosts, LinkParams host_link, const HostOptions& options) {
  TopologyBuilder b;
  std::vector<NodeId> h;
  for (std::uint32_t i = 0; i < hosts; ++i) h.push_back(b.add_host(HostName(i)));
  const NodeId sw = b.add_switch("sw0");
  for (NodeId v : h) b.add_cable(sw, v, host_link);
  return std::move(b).finish(options);
}

Topology MakeRing(std::uint32_t hosts, LinkParams link, const HostOptions& options) {
  TopologyBuilder b;
  std::vector<NodeId> h;
  for (std::uint32_t i = 0; i < hosts; ++i) h.push_back(b.add_host(HostName(i)));
  CableDimension(b, h, link);
  return std::move(b).finish(options);
}

Topology MakeTorus2D(std::uint32_t rows, std::uint32_t cols, LinkParams link, const HostOptions& options) {
  if (rows == 0 || cols == 0) {
    throw TopologyError({"torus needs rows >= 1 and cols >= 1, got " + std::to_string(rows) + " x " +
                         std::to_string(cols)});
  }
  TopologyBuilder b;
  std::vector<NodeId> h;
  for (std::uint32_t i = 0; i < rows * cols; ++i) h.push_back(b.add_host(HostName(i)));
  for (std::uint32_t r = 0; r < rows; ++r) {
    std::vector<NodeId> row(h.begin() + r * cols, h.begin() + (r + 1) * cols);
    CableDimension(b, row, link);
  }
  for (std::uint32_t c = 0; c < cols; ++c) {
    std::vector<NodeId> column;
    for (std::uint32_t r = 0; r < rows; ++r) column.push_back(h[r * cols + c]);
    CableDimension(b, column, link);
  }
  return std::move(b).finish(options);
}

}  // namespace sim::topo
