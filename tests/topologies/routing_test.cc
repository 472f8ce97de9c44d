// Routing: routes are shortest in hops, ties break deterministically, ECMP
// spreads, and the fat-tree two-level tables (Al-Fares et al. 2008, sec. 3.4)
// give a shift permutation disjoint uplinks.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "topologies/builders.h"

namespace sim::topo {
namespace {

const LinkParams kTenGig{GigabitsPerSecond(10.0), Microseconds(5)};

std::vector<std::string> Names(const Topology& t, const std::vector<LinkId>& route) {
  std::vector<std::string> names;
  for (LinkId l : route) names.push_back(t.link(l).name);
  return names;
}

HostOptions Routed(RoutingPolicy p) { return HostOptions{1, {GigabitsPerSecond(2400.0), Microseconds(1)}, p}; }

TEST(Routing, StarIsTwoHops) {
  Topology t = MakeStar(4, kTenGig);
  EXPECT_EQ(Names(t, t.route(0, 3)), (std::vector<std::string>{"h0->sw0", "sw0->h3"}));
  EXPECT_TRUE(t.route(2, 2).empty());
  // Route latency = 2 links x 5 us.
  EXPECT_EQ(t.route_latency(0, 3), Microseconds(10));
}

TEST(Routing, RingTieGoesToLowestNumberedNextHop) {
  // On an 8-ring, h4 is 4 hops from h0 both ways; next hops h1 and h7 tie and
  // the lower-numbered vertex, h1, wins at every step.
  Topology t = MakeRing(8, kTenGig);
  EXPECT_EQ(Names(t, t.route(0, 4)), (std::vector<std::string>{"h0->h1", "h1->h2", "h2->h3", "h3->h4"}));
  // Not a tie: h6 is 2 hops counter-clockwise.
  EXPECT_EQ(Names(t, t.route(0, 6)), (std::vector<std::string>{"h0->h7", "h7->h6"}));
}

TEST(Routing, TorusRoutesAreWrapManhattanLength) {
  // Hop count between (r1,c1) and (r2,c2) on an R x C torus:
  // min(|dr|, R-|dr|) + min(|dc|, C-|dc|).
  const std::uint32_t rows = 4, cols = 5;
  Topology t = MakeTorus2D(rows, cols, kTenGig);
  for (EndpointId a = 0; a < rows * cols; ++a) {
    for (EndpointId b = 0; b < rows * cols; ++b) {
      const int dr = std::abs(int(a / cols) - int(b / cols));
      const int dc = std::abs(int(a % cols) - int(b % cols));
      const std::size_t hops = std::min<int>(dr, rows - dr) + std::min<int>(dc, cols - dc);
      ASSERT_EQ(t.route(a, b).size(), hops) << a << " -> " << b;
    }
  }
}

TEST(Routing, FatTreeHopCountsByLocality) {
  // k = 4: 2 hosts per edge switch, 4 per pod. Same edge: up + down = 2
  // links; same pod: via an aggregation switch, 4; other pod: via a core, 6.
  Topology t = MakeFatTree({4, kTenGig, 1.0, 1.0}, Routed(RoutingPolicy::kFatTreeTwoLevel));
  EXPECT_EQ(t.route(0, 1).size(), 2u);
  EXPECT_EQ(t.route(0, 2).size(), 4u);
  EXPECT_EQ(t.route(0, 4).size(), 6u);
  EXPECT_EQ(t.route_latency(0, 15), Microseconds(30));
}

TEST(Routing, FatTreeTwoLevelFollowsAlFaresTables) {
  // h1 -> h9, k = 4 (k/2 = 2): h1 is index 1 under edge0.0, h9 index 1 under
  // edge2.0. edge0.0 picks agg (1 + 0) mod 2 = 1; agg0.1 picks core
  // (1 + 1) mod 2 = 0 of its group {core2, core3}: core2.
  Topology t = MakeFatTree({4, kTenGig, 1.0, 1.0}, Routed(RoutingPolicy::kFatTreeTwoLevel));
  EXPECT_EQ(Names(t, t.route(1, 9)), (std::vector<std::string>{"h1->edge0.0", "edge0.0->agg0.1", "agg0.1->core2",
                                                              "core2->agg2.1", "agg2.1->edge2.0", "edge2.0->h9"}));
}

std::map<LinkId, int> LinkLoads(const Topology& t, std::uint32_t shift) {
  std::map<LinkId, int> loads;
  const auto n = static_cast<EndpointId>(t.endpoint_count());
  for (EndpointId s = 0; s < n; ++s) {
    for (LinkId l : t.route(s, (s + shift) % n)) ++loads[l];
  }
  return loads;
}

TEST(Routing, FatTreeTwoLevelShiftPermutationUsesEachLinkOnce) {
  // Shift by half the hosts: every flow leaves its pod. With the two-level
  // tables no link carries two flows (the tree is non-blocking for it).
  for (std::uint32_t k : {4u, 8u}) {
    Topology t = MakeFatTree({k, kTenGig, 1.0, 1.0}, Routed(RoutingPolicy::kFatTreeTwoLevel));
    auto loads = LinkLoads(t, static_cast<std::uint32_t>(t.host_count() / 2));
    for (auto [link, flows] : loads) EXPECT_EQ(flows, 1) << "k=" << k << " " << t.link(link).name;
  }
}

TEST(Routing, FatTreeShortestCollapsesOntoLowestSwitches) {
  // The same permutation with lowest-numbered tie-breaking sends every flow of
  // a pod through agg*.0 and core0: the edge uplink edge0.0->agg0.0 carries
  // both hosts of edge0.0.
  Topology t = MakeFatTree({4, kTenGig, 1.0, 1.0}, Routed(RoutingPolicy::kShortest));
  auto loads = LinkLoads(t, 8);
  EXPECT_EQ(loads[t.find_link("edge0.0", "agg0.0")], 2);
  EXPECT_EQ(loads[t.find_link("agg0.0", "core0")], 4);  // all 4 hosts of pod 0
}

TEST(Routing, EcmpIsDeterministicShortestAndSpreads) {
  Topology t = MakeFatTree({4, kTenGig, 1.0, 1.0}, Routed(RoutingPolicy::kEcmp));
  std::set<std::string> cores;
  for (EndpointId s = 0; s < 4; ++s) {
    for (EndpointId d = 4; d < 16; ++d) {
      auto route = t.route(s, d);
      ASSERT_EQ(route.size(), 6u);        // still a shortest path
      EXPECT_EQ(route, t.route(s, d));    // one flow, one path
      cores.insert(t.node(t.link(route[2]).to).name);
    }
  }
  // 48 pairs over 4 cores: a hash that used one core would be broken.
  EXPECT_EQ(cores.size(), 4u);
}

TEST(Routing, DevicesReachEachOtherInsideTheHost) {
  HostOptions four{4, {GigabitsPerSecond(2400.0), Microseconds(1)}, RoutingPolicy::kShortest};
  Topology t = MakeStar(2, kTenGig, four);
  // Same host: device up to the host's intra-node switch and down again.
  EXPECT_EQ(Names(t, t.route(0, 1)), (std::vector<std::string>{"h0.d0->h0", "h0->h0.d1"}));
  // Other host: intra-node up, fabric, intra-node down; 1 + 5 + 5 + 1 us.
  EXPECT_EQ(Names(t, t.route(0, 5)),
            (std::vector<std::string>{"h0.d0->h0", "h0->sw0", "sw0->h1", "h1->h1.d1"}));
  EXPECT_EQ(t.route_latency(0, 5), Microseconds(12));
}

}  // namespace
}  // namespace sim::topo
