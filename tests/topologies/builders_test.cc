// Topology builders: vertex and link counts against the closed-form counts
// of each shape (formulas in topologies/builders.h; fat-tree from Al-Fares,
// Loukissas & Vahdat 2008, sec. 3.2), names, and bad input.
#include "topologies/builders.h"

#include <gtest/gtest.h>

#include "topologies/topology_error.h"

namespace sim::topo {
namespace {

const LinkParams kTenGig{GigabitsPerSecond(10.0), Microseconds(5)};

TEST(Star, CountsAndNames) {
  // H hosts + 1 switch; one cable (two links) per host.
  Topology t = MakeStar(8, kTenGig);
  EXPECT_EQ(t.host_count(), 8u);
  EXPECT_EQ(t.endpoint_count(), 8u);
  EXPECT_EQ(t.switch_count(), 1u);
  EXPECT_EQ(t.node_count(), 9u);
  EXPECT_EQ(t.link_count(), 16u);
  LinkId l = t.find_link("sw0", "h3");
  ASSERT_NE(l, kNoLink);
  EXPECT_EQ(t.link(l).name, "sw0->h3");
  EXPECT_EQ(t.link(t.link(l).reverse).name, "h3->sw0");
  EXPECT_EQ(t.link(l).params.latency, Microseconds(5));
  EXPECT_DOUBLE_EQ(t.link(l).params.bandwidth.value, 1.25e9);  // 10 Gbit/s / 8 bit per byte
}

TEST(Ring, CableCountPerSize) {
  // 2H links for H >= 3; H = 2 has one cable; H = 1 none.
  EXPECT_EQ(MakeRing(1, kTenGig).link_count(), 0u);
  EXPECT_EQ(MakeRing(2, kTenGig).link_count(), 2u);
  EXPECT_EQ(MakeRing(3, kTenGig).link_count(), 6u);
  Topology t = MakeRing(8, kTenGig);
  EXPECT_EQ(t.link_count(), 16u);
  EXPECT_EQ(t.switch_count(), 0u);
  EXPECT_NE(t.find_link("h7", "h0"), kNoLink);  // the wrap-around cable
}

TEST(Torus, LinkCountFormula) {
  // links = 2 (R c(C) + C c(R)), c(n) = n (n >= 3), 1 (n = 2), 0 (n = 1).
  EXPECT_EQ(MakeTorus2D(1, 1, kTenGig).link_count(), 0u);
  EXPECT_EQ(MakeTorus2D(2, 2, kTenGig).link_count(), 2u * (2 * 1 + 2 * 1));
  EXPECT_EQ(MakeTorus2D(3, 4, kTenGig).link_count(), 2u * (3 * 4 + 4 * 3));
  Topology t = MakeTorus2D(4, 4, kTenGig);
  EXPECT_EQ(t.host_count(), 16u);
  EXPECT_EQ(t.link_count(), 2u * (4 * 4 + 4 * 4));
  EXPECT_NE(t.find_link("h3", "h0"), kNoLink);   // row wrap: (0,3) -> (0,0)
  EXPECT_NE(t.find_link("h12", "h0"), kNoLink);  // column wrap: (3,0) -> (0,0)
}

TEST(FatTree, CountsMatchAlFares) {
  // k^3/4 hosts; k^2/2 edge + k^2/2 aggregation + k^2/4 core = 5k^2/4
  // switches; k^3/4 host cables + k^3/4 edge-agg + k^3/4 agg-core = 3k^3/4
  // cables = 3k^3/2 links.
  for (std::uint32_t k : {2u, 4u, 8u, 16u}) {
    Topology t = MakeFatTree({k, kTenGig, 1.0, 1.0});
    EXPECT_EQ(t.host_count(), k * k * k / 4) << "k=" << k;
    EXPECT_EQ(t.switch_count(), 5 * k * k / 4) << "k=" << k;
    EXPECT_EQ(t.link_count(), 3 * k * k * k / 2) << "k=" << k;
  }
}

TEST(FatTree, OversubscriptionThinsUpperLayers) {
  // Edge uplinks at host / edge_os = 10/2 = 5 Gbit/s; core cables at
  // host / (edge_os * core_os) = 10/(2*4) = 1.25 Gbit/s.
  Topology t = MakeFatTree({4, kTenGig, 2.0, 4.0});
  EXPECT_DOUBLE_EQ(t.link(t.find_link("h0", "edge0.0")).params.bandwidth.value, GigabitsPerSecond(10).value);
  EXPECT_DOUBLE_EQ(t.link(t.find_link("edge0.0", "agg0.1")).params.bandwidth.value, GigabitsPerSecond(5).value);
  EXPECT_DOUBLE_EQ(t.link(t.find_link("agg0.1", "core2")).params.bandwidth.value, GigabitsPerSecond(1.25).value);
  // Core j joins aggregation switch j / (k/2) of every pod: core2 -> agg*.1.
  EXPECT_NE(t.find_link("core2", "agg3.1"), kNoLink);
  EXPECT_EQ(t.find_link("core2", "agg3.0"), kNoLink);
}

TEST(FatTree, RejectsOddKAndUndersubscription) {
  try {
    (void)MakeFatTree({5, kTenGig, 0.5, 1.0});
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    ASSERT_EQ(e.problems().size(), 2u);  // both problems at once
    EXPECT_NE(e.problems()[0].find("k must be even"), std::string::npos);
    EXPECT_NE(e.problems()[1].find("edge_oversubscription"), std::string::npos);
  }
}

TEST(MultiDevice, DevicesAddVerticesAndIntraLinks) {
  // G devices per host: H*G endpoints, H*G device vertices, 2*H*G intra links.
  HostOptions eight{8, {GigabitsPerSecond(2400.0), Microseconds(1)}, RoutingPolicy::kShortest};
  Topology t = MakeStar(4, kTenGig, eight);
  EXPECT_EQ(t.endpoint_count(), 32u);
  EXPECT_EQ(t.host_count(), 4u);
  EXPECT_EQ(t.node_count(), 4u + 1u + 32u);
  EXPECT_EQ(t.link_count(), 8u + 64u);
  EXPECT_EQ(t.host_of(0), 0u);
  EXPECT_EQ(t.host_of(7), 0u);
  EXPECT_EQ(t.host_of(8), 1u);
  EXPECT_EQ(t.host_of(31), 3u);
  EXPECT_EQ(t.node(t.endpoint_node(9)).name, "h1.d1");
  EXPECT_EQ(t.node(t.endpoint_node(9)).kind, NodeKind::kDevice);
  EXPECT_EQ(t.node(t.host_node(1)).kind, NodeKind::kHost);
}

TEST(MultiDevice, OverFatTreeAndTorus) {
  HostOptions two{2, {GigabitsPerSecond(2400.0), Microseconds(1)}, RoutingPolicy::kShortest};
  EXPECT_EQ(MakeFatTree({4, kTenGig, 1.0, 1.0}, two).endpoint_count(), 32u);  // 16 hosts x 2
  EXPECT_EQ(MakeTorus2D(2, 3, kTenGig, two).endpoint_count(), 12u);
}

TEST(EdgeList, BuildsNamedGraph) {
  std::vector<EdgeSpec> edges{{"a", "s", kTenGig, false}, {"b", "s", kTenGig, false}, {"c", "s", kTenGig, false}};
  Topology t = MakeEdgeList({"a", "b", "c"}, edges);
  EXPECT_EQ(t.host_count(), 3u);
  EXPECT_EQ(t.switch_count(), 1u);
  EXPECT_EQ(t.link_count(), 6u);
  EXPECT_EQ(t.node(t.host_node(2)).name, "c");
}

TEST(EdgeList, ListsEveryProblemAtOnce) {
  // A zero-bandwidth cable, an edge to a switch that is not listed, and a
  // host with no cable: three problems, one exception.
  std::vector<EdgeSpec> edges{{"a", "s", {GigabitsPerSecond(0.0), Microseconds(1)}, false},
                              {"b", "sw_typo", kTenGig, false}};
  try {
    (void)MakeEdgeList({"a", "b", "lonely"}, edges, {"s"});
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    std::string all = e.what();
    EXPECT_NE(all.find("missing node 'sw_typo'"), std::string::npos) << all;
    EXPECT_NE(all.find("link 'a->s' bandwidth must be > 0, got 0"), std::string::npos) << all;
    EXPECT_NE(all.find("host 'lonely' is disconnected"), std::string::npos) << all;
    EXPECT_NE(all.find("host 'b' is disconnected"), std::string::npos) << all;
  }
}

TEST(EdgeList, OneWayLinkLeavesHostUnreachable) {
  // a -> s only: 'a' can send but nothing reaches it.
  std::vector<EdgeSpec> edges{{"a", "s", kTenGig, true}, {"b", "s", kTenGig, false}};
  try {
    (void)MakeEdgeList({"b", "a"}, edges);
    FAIL() << "expected TopologyError";
  } catch (const TopologyError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0], "host 'a' cannot be reached from host 'b'");
  }
}

}  // namespace
}  // namespace sim::topo
