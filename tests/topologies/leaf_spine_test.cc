// The two-level fat-tree (leaf-spine, topologies/leaf_spine.cc), host-major
// and rail-optimised: leaf, spine and cable counts against the formulas of
// builders.h; rail-aligned pairs that stay inside one leaf; cross-rail pairs
// that climb to a spine; destination-mod-k spine choice; bad shapes.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "topologies/builders.h"
#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

const LinkParams kHdr{GigabitsPerSecond(200.0), Microseconds(1)};

HostOptions WithNics(std::uint32_t devices, std::uint32_t nics, RoutingPolicy routing = RoutingPolicy::kFatTreeTwoLevel) {
  HostOptions o;
  o.devices_per_host = devices;
  o.nics_per_host = nics;
  o.routing = routing;
  return o;
}

LeafSpineParams Params(std::uint32_t leaf_ports, std::uint32_t spines, bool rails, double oversubscription = 1.0) {
  return LeafSpineParams{kHdr, leaf_ports, spines, oversubscription, rails};
}

std::uint32_t Ceil(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }

TEST(LeafSpine, CountsFollowTheFormulas) {
  // H hosts of m ports, leaves of P ports, S spines:
  //   host-major L = ceil(H / floor(P/m)), rail-optimised L = m ceil(H / P);
  //   switches L + S; cables H m + L S, two links each; with G devices and
  //   NICs, + H host vertices, H G devices, 4 H G links.
  struct Case {
    std::uint32_t hosts, devices, nics, leaf_ports, spines;
    bool rails;
  };
  for (const Case c : {Case{5, 4, 4, 2, 3, true}, Case{5, 4, 4, 8, 3, false}, Case{16, 8, 8, 20, 20, true},
                       Case{16, 8, 8, 20, 20, false}, Case{128, 8, 8, 20, 20, true}, Case{7, 1, 0, 3, 2, false}}) {
    const Topology t = MakeLeafSpine(c.hosts, Params(c.leaf_ports, c.spines, c.rails), WithNics(c.devices, c.nics));
    const std::uint32_t m = c.nics == 0 ? 1 : c.nics;
    const std::uint32_t leaves = c.rails ? m * Ceil(c.hosts, c.leaf_ports) : Ceil(c.hosts, c.leaf_ports / m);
    const std::size_t cables = std::size_t{c.hosts} * m + std::size_t{leaves} * c.spines;
    const std::size_t per_host = c.nics == 0 ? 0 : 1 + c.devices;  // host vertex + devices
    const std::size_t device_links = c.nics == 0 ? 0 : 4 * c.hosts * c.devices;
    const std::string label = std::to_string(c.hosts) + " hosts, P " + std::to_string(c.leaf_ports) +
                              (c.rails ? ", rails" : ", host-major");
    EXPECT_EQ(t.switch_count(), leaves + c.spines) << label;
    EXPECT_EQ(t.link_count(), 2 * cables + device_links) << label;
    EXPECT_EQ(t.node_count(), c.hosts * m + leaves + c.spines + c.hosts * per_host) << label;
    EXPECT_EQ(t.endpoint_count(), c.hosts * c.devices) << label;
  }
}

TEST(LeafSpine, RailOptimisedPutsNicIOfEveryHostOnRailIsLeaf) {
  // 5 hosts, 4 rails, 2 ports per leaf: rail i has leaves rail{i}.leaf0..2,
  // host j's NIC i on rail{i}.leaf{j / 2}.
  const Topology t = MakeLeafSpine(5, Params(2, 3, true), WithNics(4, 4));
  for (std::uint32_t j = 0; j < 5; ++j) {
    for (std::uint32_t i = 0; i < 4; ++i) {
      const std::string nic = "h" + std::to_string(j) + ".nic" + std::to_string(i);
      const std::string leaf = "rail" + std::to_string(i) + ".leaf" + std::to_string(j / 2);
      EXPECT_NE(t.find_link(nic, leaf), kNoLink) << nic << " -> " << leaf;
    }
  }
  // Host-major: 8-port leaves hold 2 whole hosts of 4 NICs.
  const Topology h = MakeLeafSpine(5, Params(8, 3, false), WithNics(4, 4));
  EXPECT_NE(h.find_link("h3.nic2", "leaf1"), kNoLink);
  EXPECT_NE(h.find_link("h4.nic0", "leaf2"), kNoLink);
}

TEST(LeafSpine, RailAlignedPairsStayInsideOneLeaf) {
  // 16 DGX-like hosts (8 GPUs, 8 NICs) on 20-port leaves: one leaf per rail.
  // Device i of host a to device i of host b: device -> NIC i -> rail i's
  // leaf -> NIC i -> device, 4 links, the fabric part within the leaf.
  const Topology t = MakeLeafSpine(16, Params(20, 20, true), WithNics(8, 8));
  for (EndpointId a = 0; a < 128; ++a) {
    for (EndpointId b = 0; b < 128; ++b) {
      if (t.host_of(a) == t.host_of(b)) continue;
      const auto route = t.route(a, b);
      if (a % 8 == b % 8) {
        ASSERT_EQ(route.size(), 4u) << a << " -> " << b;
        EXPECT_EQ(t.node(t.link(route[1]).to).name, "rail" + std::to_string(a % 8) + ".leaf0");
      } else {
        // Cross-rail climbs: NIC -> leaf -> spine -> leaf -> NIC.
        ASSERT_EQ(route.size(), 6u) << a << " -> " << b;
        EXPECT_EQ(t.node(t.link(route[2]).to).name.rfind("spine", 0), 0u);
      }
    }
  }
}

TEST(LeafSpine, HostMajorSendsRailTrafficBetweenLeavesToTheSpines) {
  // The same 16 hosts wired host-major: 2 hosts per 20-port leaf. Device 3 of
  // host 0 reaches device 3 of host 1 (same leaf) in 4 links and device 3 of
  // host 2 (next leaf) in 6, through a spine.
  const Topology t = MakeLeafSpine(16, Params(20, 20, false), WithNics(8, 8));
  EXPECT_EQ(t.route(3, 8 + 3).size(), 4u);
  const auto route = t.route(3, 16 + 3);
  ASSERT_EQ(route.size(), 6u);
  EXPECT_EQ(t.link(route[1]).name, "h0.nic3->leaf0");
  EXPECT_EQ(t.link(route[4]).name, "leaf1->h2.nic3");
}

TEST(LeafSpine, TwoLevelRoutingPicksSpineByTheDestinationsIndexUnderItsLeaf) {
  // Destination-mod-k: a leaf sends a flow up to spine (index of the
  // destination port under its leaf) mod S. Host-major, 4 ports per leaf, no
  // NICs: host j is index j % 4 under leaf j / 4; a shift by 4 hosts sends
  // each of leaf 0's four hosts through its own spine, one flow per uplink.
  const Topology t = MakeLeafSpine(8, Params(4, 4, false), WithNics(1, 0));
  std::map<LinkId, int> loads;
  for (EndpointId s = 0; s < 8; ++s) {
    const auto route = t.route(s, (s + 4) % 8);
    ASSERT_EQ(route.size(), 4u);
    EXPECT_EQ(t.node(t.link(route[1]).to).name, "spine" + std::to_string(((s + 4) % 8) % 4));
    for (LinkId l : route) ++loads[l];
  }
  for (auto [link, flows] : loads) EXPECT_EQ(flows, 1) << t.link(link).name;
}

TEST(LeafSpine, OversubscriptionThinsTheUplinks) {
  const Topology t = MakeLeafSpine(4, Params(2, 2, false, 4.0), WithNics(1, 0));
  EXPECT_DOUBLE_EQ(t.link(t.find_link("h0", "leaf0")).params.bandwidth.value, GigabitsPerSecond(200).value);
  EXPECT_DOUBLE_EQ(t.link(t.find_link("leaf0", "spine1")).params.bandwidth.value, GigabitsPerSecond(50).value);
}

TEST(LeafSpine, BadShapesListedAtOnce) {
  try {
    (void)MakeLeafSpine(4, LeafSpineParams{kHdr, 4, 0, 0.5, false}, WithNics(8, 8));
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    const std::string all = e.what();
    ASSERT_EQ(e.problems().size(), 3u) << all;
    EXPECT_NE(all.find("spines must be >= 1, got 0"), std::string::npos) << all;
    EXPECT_NE(all.find("oversubscription must be >= 1, got 0.5"), std::string::npos) << all;
    EXPECT_NE(all.find("leaf_ports (4) must hold a whole host's 8 NICs unless rail_optimized"), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace sim::topo
