// Hosts with NICs of their own (topology.h): vertex and link counts against
// the formulas of builders.h, on every fabric builder; routes that keep a
// host's internal traffic on its intra-node fabric and send a device's traffic
// to other hosts through its own NIC and the receiver's own NIC; and bad host
// descriptions, every problem at once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

// A DGX A100 as the library describes it (topologies/library/dgx_a100.pbtxt):
// NVLink 3, 12 links x 25 GB/s = 300 GB/s = 2,400 Gbit/s each way; HDR NICs of
// 200 Gbit/s; PCIe 4.0 x16, 16 x 16 x 128/130 = 252.06 Gbit/s.
const LinkParams kNvlink{GigabitsPerSecond(2400.0), Microseconds(1)};
const LinkParams kHdr{GigabitsPerSecond(200.0), Microseconds(1)};
const LinkParams kPcie{GigabitsPerSecond(252.06), Microseconds(0.5)};

HostOptions Dgx(std::uint32_t devices = 8, std::uint32_t nics = 8, RoutingPolicy routing = RoutingPolicy::kShortest) {
  HostOptions o;
  o.devices_per_host = devices;
  o.intra_node = kNvlink;
  o.routing = routing;
  o.nics_per_host = nics;
  o.pcie = kPcie;
  return o;
}

std::vector<std::string> Names(const Topology& t, const std::vector<LinkId>& route) {
  std::vector<std::string> names;
  for (LinkId l : route) names.push_back(t.link(l).name);
  return names;
}

std::size_t CountKind(const Topology& t, NodeKind kind) {
  std::size_t n = 0;
  for (NodeId v = 0; v < t.node_count(); ++v) n += t.node(v).kind == kind ? 1 : 0;
  return n;
}

// ----------------------------------------------------------------- counts --

TEST(HostsWithNics, StarCountsFollowTheFormulas) {
  // H hosts, G devices, m NICs: Q = H m ports on the star's switch; vertices
  // Q + 1 switch + H hosts + H G devices; links 2Q (fabric) + 4 H G
  // (intra-node and PCIe cables, both ways).
  struct Case {
    std::uint32_t hosts, devices, nics;
  };
  for (const Case c : {Case{2, 8, 8}, Case{3, 8, 4}, Case{4, 2, 1}, Case{1, 1, 1}}) {
    const Topology t = MakeStar(c.hosts, kHdr, Dgx(c.devices, c.nics));
    const std::size_t q = c.hosts * c.nics;
    const std::size_t hg = c.hosts * c.devices;
    EXPECT_EQ(t.port_count(), q);
    EXPECT_EQ(t.node_count(), q + 1 + c.hosts + hg) << c.hosts << "/" << c.devices << "/" << c.nics;
    EXPECT_EQ(t.link_count(), 2 * q + 4 * hg) << c.hosts << "/" << c.devices << "/" << c.nics;
    EXPECT_EQ(t.endpoint_count(), hg);
    EXPECT_EQ(t.host_count(), c.hosts);
    EXPECT_EQ(t.switch_count(), 1u);
    EXPECT_EQ(CountKind(t, NodeKind::kNic), q);
    EXPECT_EQ(CountKind(t, NodeKind::kDevice), hg);
    EXPECT_EQ(CountKind(t, NodeKind::kHost), c.hosts);
    EXPECT_EQ(t.nics_per_host(), c.nics);
  }
}

TEST(HostsWithNics, NamesAndKinds) {
  const Topology t = MakeStar(2, kHdr, Dgx());
  EXPECT_EQ(t.node(t.host_node(1)).name, "h1");  // the intra-node switch (NVSwitch)
  EXPECT_EQ(t.node(t.host_node(1)).kind, NodeKind::kHost);
  EXPECT_EQ(t.node(t.nic_node(1, 3)).name, "h1.nic3");
  EXPECT_EQ(t.node(t.nic_node(1, 3)).kind, NodeKind::kNic);
  EXPECT_EQ(t.node(t.endpoint_node(11)).name, "h1.d3");  // endpoint 11 = device 11 % 8 of host 11 / 8
  // Each NIC's cable is the fabric's host link; each device has one NVLink
  // cable and one PCIe cable.
  EXPECT_EQ(t.link(t.find_link("h1.nic3", "sw0")).params.bandwidth, kHdr.bandwidth);
  EXPECT_EQ(t.link(t.find_link("h1.d3", "h1")).params.bandwidth, kNvlink.bandwidth);
  EXPECT_EQ(t.link(t.find_link("h1.d3", "h1.nic3")).params.bandwidth, kPcie.bandwidth);
  EXPECT_EQ(t.find_link("h1", "sw0"), kNoLink);  // the NVSwitch is not in the fabric
}

TEST(HostsWithNics, FatTreePortsAreNicsHostMajor) {
  // k = 4: k^3/4 = 16 ports, k/2 = 2 under each edge switch; m = 2 NICs per
  // host: 8 hosts, host j's NICs on ports 2j and 2j+1, both under edge
  // switch j (pod j / 2, index j % 2: host 3 on edge1.1).
  // Vertices: 16 ports + 5k^2/4 = 20 switches + 8 hosts + 8 x 2 devices;
  // links: 3k^3/2 = 96 fabric + 4 x 8 x 2 = 64.
  const Topology t = MakeFatTree({4, kHdr, 1.0, 1.0}, Dgx(2, 2, RoutingPolicy::kFatTreeTwoLevel));
  EXPECT_EQ(t.host_count(), 8u);
  EXPECT_EQ(t.endpoint_count(), 16u);
  EXPECT_EQ(t.node_count(), 16u + 20u + 8u + 16u);
  EXPECT_EQ(t.link_count(), 96u + 64u);
  EXPECT_NE(t.find_link("h3.nic0", "edge1.1"), kNoLink);
  EXPECT_NE(t.find_link("h3.nic1", "edge1.1"), kNoLink);
}

TEST(HostsWithNics, FatTreeAndTorusRejectPortsThatSplitAHost) {
  // k = 4 has 16 ports: 3 NICs per host leave one over. A 3 x 3 torus has 9.
  EXPECT_THROW((void)MakeFatTree({4, kHdr, 1.0, 1.0}, Dgx(3, 3)), TopologyError);
  EXPECT_THROW((void)MakeTorus2D(3, 3, kHdr, Dgx(2, 2)), TopologyError);
  // 2 x 4 = 8 ports of 2 NICs: 4 hosts; links 2(R c(C) + C c(R)) =
  // 2(2 x 4 + 4 x 1) = 24 fabric + 4 x 4 x 2 = 32.
  const Topology t = MakeTorus2D(2, 4, kHdr, Dgx(2, 2));
  EXPECT_EQ(t.host_count(), 4u);
  EXPECT_EQ(t.link_count(), 24u + 32u);
}

TEST(HostsWithNics, RingRunsThroughEveryNic) {
  // Q = 3 x 2 = 6 ports in one ring: 2Q = 12 links, + 4 x 3 x 2 = 24.
  const Topology t = MakeRing(3, kHdr, Dgx(2, 2));
  EXPECT_EQ(t.link_count(), 12u + 24u);
  EXPECT_NE(t.find_link("h0.nic1", "h1.nic0"), kNoLink);
  EXPECT_NE(t.find_link("h2.nic1", "h0.nic0"), kNoLink);
}

// ----------------------------------------------------------------- routes --

TEST(HostsWithNicsRoutes, InsideAHostOverTheIntraNodeSwitchOnly) {
  const Topology t = MakeStar(2, kHdr, Dgx());
  EXPECT_EQ(Names(t, t.route(0, 5)), (std::vector<std::string>{"h0.d0->h0", "h0->h0.d5"}));
  // Every pair inside a host: two NVLink hops, 2 x 1 us, nothing else.
  for (EndpointId a = 8; a < 16; ++a) {
    for (EndpointId b = 8; b < 16; ++b) {
      if (a == b) continue;
      const auto route = t.route(a, b);
      ASSERT_EQ(route.size(), 2u);
      EXPECT_EQ(t.link(route[0]).to, t.host_node(1));
      EXPECT_EQ(t.link(route[1]).from, t.host_node(1));
      EXPECT_EQ(t.route_latency(a, b), Microseconds(2));
    }
  }
}

TEST(HostsWithNicsRoutes, AcrossHostsThroughTheSendersAndTheReceiversOwnNic) {
  const Topology t = MakeStar(3, kHdr, Dgx());
  EXPECT_EQ(Names(t, t.route(3, 13)),
            (std::vector<std::string>{"h0.d3->h0.nic3", "h0.nic3->sw0", "sw0->h1.nic5", "h1.nic5->h1.d5"}));
  // Latency: PCIe + NIC cable + NIC cable + PCIe = 0.5 + 1 + 1 + 0.5 us.
  EXPECT_EQ(t.route_latency(3, 13), Microseconds(3));
  for (EndpointId a = 0; a < 24; ++a) {
    for (EndpointId b = 0; b < 24; ++b) {
      if (t.host_of(a) == t.host_of(b)) continue;
      const auto route = t.route(a, b);
      ASSERT_EQ(route.size(), 4u);
      EXPECT_EQ(t.link(route.front()).from, t.endpoint_node(a));
      EXPECT_EQ(t.link(route.front()).to, t.nic_node(t.host_of(a), a % 8)) << a << " -> " << b;
      EXPECT_EQ(t.link(route.back()).from, t.nic_node(t.host_of(b), b % 8)) << a << " -> " << b;
      // No NVSwitch on the way: inter-host traffic never touches it.
      for (LinkId l : route) {
        EXPECT_NE(t.node(t.link(l).from).kind, NodeKind::kHost);
        EXPECT_NE(t.node(t.link(l).to).kind, NodeKind::kHost);
      }
    }
  }
}

TEST(HostsWithNicsRoutes, NicOfDeviceBlocksAndExplicitMaps) {
  // 8 devices on 4 NICs: equal blocks of two, device d on NIC d / 2.
  const Topology blocks = MakeStar(2, kHdr, Dgx(8, 4));
  for (EndpointId e = 0; e < 16; ++e) EXPECT_EQ(blocks.nic_of(e), (e % 8) / 2) << e;
  EXPECT_EQ(Names(blocks, blocks.route(5, 8)).front(), "h0.d5->h0.nic2");
  // An explicit map: devices 0..3 alternate between two NICs.
  HostOptions o = Dgx(4, 2);
  o.nic_of_device = {0, 1, 0, 1};
  const Topology mapped = MakeStar(2, kHdr, o);
  EXPECT_EQ(Names(mapped, mapped.route(2, 7)),
            (std::vector<std::string>{"h0.d2->h0.nic0", "h0.nic0->sw0", "sw0->h1.nic1", "h1.nic1->h1.d3"}));
}

TEST(HostsWithNicsRoutes, EdgeListNamesNicsAndRoutesByRail) {
  // Two hosts with two NICs each, NIC i of both on switch "rail{i}": a rail
  // wiring by hand. Device 1 of a reaches device 1 of b over rail1 alone.
  const std::vector<EdgeSpec> edges{{"a.nic0", "rail0", kHdr, false}, {"a.nic1", "rail1", kHdr, false},
                                    {"b.nic0", "rail0", kHdr, false}, {"b.nic1", "rail1", kHdr, false},
                                    {"rail0", "spine", kHdr, false},  {"rail1", "spine", kHdr, false}};
  const Topology t = MakeEdgeList({"a", "b"}, edges, {}, Dgx(2, 2));
  EXPECT_EQ(Names(t, t.route(1, 3)),
            (std::vector<std::string>{"a.d1->a.nic1", "a.nic1->rail1", "rail1->b.nic1", "b.nic1->b.d1"}));
  // Cross-rail: device 0 of a to device 1 of b climbs to the spine.
  EXPECT_EQ(Names(t, t.route(0, 3)), (std::vector<std::string>{"a.d0->a.nic0", "a.nic0->rail0", "rail0->spine",
                                                              "spine->rail1", "rail1->b.nic1", "b.nic1->b.d1"}));
}

TEST(HostsWithNicsRoutes, EdgeListMayNotNameAHostWithNics) {
  const std::vector<EdgeSpec> edges{{"a", "s", kHdr, false}, {"b.nic0", "s", kHdr, false}, {"b.nic1", "s", kHdr, false}};
  try {
    (void)MakeEdgeList({"a", "b"}, edges, {}, Dgx(2, 2));
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    const std::string all = e.what();
    EXPECT_NE(all.find("edge 'a'-'s' names host 'a', whose ports into the fabric are its NICs 'a.nic0' .. 'a.nic1'"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("NIC 'a.nic1' is disconnected from NIC 'a.nic0'"), std::string::npos) << all;
  }
}

TEST(HostsWithNicsRoutes, WithoutNicsTheHostIsStillItsOwnPort) {
  // nics_per_host 0 keeps the one-port host: device -> host -> fabric.
  const Topology t = MakeStar(2, kHdr, Dgx(4, 0));
  EXPECT_EQ(t.port_count(), 2u);
  EXPECT_EQ(t.nic_node(1, 0), t.host_node(1));
  EXPECT_EQ(Names(t, t.route(0, 5)), (std::vector<std::string>{"h0.d0->h0", "h0->sw0", "sw0->h1", "h1->h1.d1"}));
}

// ------------------------------------------------------------------ checks --

TEST(HostsWithNicsChecks, EveryProblemAtOnce) {
  HostOptions o = Dgx(8, 3);
  o.pcie.bandwidth = BytesPerSecond{0.0};
  try {
    (void)MakeStar(2, kHdr, o);
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_NE(std::string(e.what()).find("pcie link bandwidth must be > 0, got 0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nics_per_host (3) must divide devices_per_host (8)"), std::string::npos)
        << e.what();
  }
  HostOptions mapped = Dgx(4, 2);
  mapped.nic_of_device = {0, 2, 1};
  try {
    (void)MakeStar(2, kHdr, mapped);
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_NE(std::string(e.what()).find("nic_of_device lists 3 devices, devices_per_host is 4"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nic_of_device[1] is 2, but a host has NICs 0..1"), std::string::npos);
  }
}

}  // namespace
}  // namespace sim::topo
