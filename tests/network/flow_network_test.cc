// FlowNetwork timing against closed forms: latency + bytes / max-min rate.
// The star cases are the hand-checked SimGrid CM02 values of
// sim/DESIGN.md ("Measured facts") (1.25 GB/s, 5 us host links).
#include "sim/network/flow_network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "sim/core/random.h"
#include "topologies/builders.h"

namespace sim::net {
namespace {

// Each completion is rounded once to the picosecond when scheduled, and
// again for each rate change; a few changes stay within a few ps.
constexpr std::int64_t kRoundingPs = 4;

const topo::LinkParams kStarLink{GigabytesPerSecond(1.25), Microseconds(5)};
constexpr std::int64_t k100MB = 100'000'000;

struct Send {
  Time at;
  EndpointId src;
  EndpointId dst;
  std::int64_t bytes;
};

std::vector<Time> Deliveries(const topo::Topology& topology, const std::vector<Send>& sends,
                             const NetworkCalibration& calibration = {}, std::uint64_t seed = 0) {
  Engine engine;
  FlowNetwork network(engine, topology, calibration, seed);
  std::vector<Time> done(sends.size(), Time(-1));
  for (std::size_t i = 0; i < sends.size(); ++i) {
    engine.schedule_at(sends[i].at, [&, i] {
      network.send(sends[i].src, sends[i].dst, Bytes{sends[i].bytes}, [&, i] { done[i] = engine.now(); });
    });
  }
  engine.run();
  EXPECT_EQ(network.messages_in_flight(), 0u);
  return done;
}

void ExpectTime(Time got, double want_s) {
  EXPECT_NEAR(static_cast<double>(got.picoseconds()), want_s * 1e12, kRoundingPs) << "got " << got.seconds() << " s";
}

TEST(FlowNetwork, OneFlowIsLatencyPlusSizeOverBandwidth) {
  // 2 links x 5 us + 100 MB / 1.25 GB/s = 10 us + 0.08 s = 0.08001 s, exact
  // to the picosecond: the drain time is rounded once.
  topo::Topology star = topo::MakeStar(4, kStarLink);
  auto t = Deliveries(star, {{Time::zero(), 0, 3, k100MB}});
  EXPECT_EQ(t[0], Microseconds(10) + Milliseconds(80));
}

TEST(FlowNetwork, TwoFlowsIntoOneHostShareItsLink) {
  // h0 -> h2 and h1 -> h2 share sw0->h2: 0.625 GB/s each; 100 MB / 0.625
  // GB/s = 0.16 s, + 10 us = 0.16001 s (SimGrid: 0.16001 s).
  topo::Topology star = topo::MakeStar(4, kStarLink);
  auto t = Deliveries(star, {{Time::zero(), 0, 2, k100MB}, {Time::zero(), 1, 2, k100MB}});
  ExpectTime(t[0], 0.16001);
  ExpectTime(t[1], 0.16001);
}

TEST(FlowNetwork, TwoWayCapacityLimitsACablesDirectionsTogether) {
  // two_way_capacity 1.5: h0 -> h1 and h1 -> h0 at once load both cables
  // both ways, so each direction gets 1.5 x 1.25 / 2 = 0.9375 GB/s: 100 MB
  // in 0.106667 s, + 10 us. Alone, a direction keeps its full 1.25 GB/s
  // (0.08001 s), and so does the full-duplex default with both.
  topo::Topology star = topo::MakeStar(4, kStarLink);
  NetworkCalibration two_way;
  two_way.two_way_capacity = 1.5;
  const std::vector<Send> both = {{Time::zero(), 0, 1, k100MB}, {Time::zero(), 1, 0, k100MB}};
  auto t = Deliveries(star, both, two_way);
  ExpectTime(t[0], 1e-5 + 1e8 / 0.9375e9);
  ExpectTime(t[1], 1e-5 + 1e8 / 0.9375e9);
  EXPECT_EQ(Deliveries(star, {{Time::zero(), 0, 1, k100MB}}, two_way)[0], Microseconds(10) + Milliseconds(80));
  EXPECT_EQ(Deliveries(star, both)[1], Microseconds(10) + Milliseconds(80));
  // 1 is half duplex: the same times as HALF_DUPLEX (0.625 GB/s each).
  two_way.two_way_capacity = 1.0;
  NetworkCalibration half;
  half.duplex = Duplex::kHalf;
  EXPECT_EQ(Deliveries(star, both, two_way), Deliveries(star, both, half));
  two_way.two_way_capacity = 2.5;
  EXPECT_THROW(Deliveries(star, both, two_way), std::invalid_argument);
}

TEST(FlowNetwork, FlowJoiningMidwaySlowsTheOtherFromThatMoment) {
  // Flow 1 drains alone at 1.25 GB/s from 10 us; flow 2 is sent at 0.04 s and
  // drains from 0.04001 s. By then flow 1 has 100 MB - 1.25 GB/s x 0.04 s =
  // 50 MB left, drained at 0.625 GB/s in 0.08 s: ends at 0.12001 s. Flow 2
  // has drained 50 MB by then, the rest alone in 0.04 s: 0.16001 s.
  // (SimGrid: 0.12001 and 0.16001 s.)
  topo::Topology star = topo::MakeStar(4, kStarLink);
  auto t = Deliveries(star, {{Time::zero(), 0, 2, k100MB}, {Milliseconds(40), 1, 2, k100MB}});
  ExpectTime(t[0], 0.12001);
  ExpectTime(t[1], 0.16001);
}

TEST(FlowNetwork, DisjointFlowsAreIndependent) {
  // h0 -> h1 and h2 -> h3 share no link: each alone, 0.08001 s.
  topo::Topology star = topo::MakeStar(4, kStarLink);
  auto t = Deliveries(star, {{Time::zero(), 0, 1, k100MB}, {Time::zero(), 2, 3, k100MB}});
  EXPECT_EQ(t[0], Microseconds(10) + Milliseconds(80));
  EXPECT_EQ(t[1], Microseconds(10) + Milliseconds(80));
}

TEST(FlowNetwork, TextbookThreeFlowsOnAChain) {
  // The textbook system of max_min_solver_test as a network: switch s and
  // host b joined by s->b of 4 GB/s, b->c of 10 GB/s, all other links 100
  // GB/s, no latency. Flow 1 (a -> c) crosses s->b and b->c; flow 2 (x -> c)
  // only b->c; flow 3 (a2 -> b) only s->b. Progressive filling: s->b share
  // 4/2 = 2, b->c share 10/2 = 5: s->b saturates first, flows 1 and 3 get 2
  // GB/s; b->c has 10 - 2 = 8 left: flow 2 gets 8 GB/s. With 8 GB each, flow
  // 2 ends at 8/8 = 1 s; flows 1 and 3 stay limited by s->b (2 GB/s each)
  // and end at 8/2 = 4 s.
  const topo::LinkParams wide{GigabytesPerSecond(100.0), Time::zero()};
  const topo::LinkParams four{GigabytesPerSecond(4.0), Time::zero()};
  const topo::LinkParams ten{GigabytesPerSecond(10.0), Time::zero()};
  topo::Topology chain = topo::MakeEdgeList(
      {"a", "a2", "x", "c", "b"},
      {{"a", "s", wide, false}, {"a2", "s", wide, false}, {"s", "b", four, false}, {"x", "b", wide, false},
       {"b", "c", ten, false}});
  // Endpoints in host order: a = 0, a2 = 1, x = 2, c = 3, b = 4.
  auto t = Deliveries(chain, {{Time::zero(), 0, 3, 8'000'000'000}, {Time::zero(), 2, 3, 8'000'000'000},
                              {Time::zero(), 1, 4, 8'000'000'000}});
  ExpectTime(t[0], 4.0);
  ExpectTime(t[1], 1.0);
  ExpectTime(t[2], 4.0);
}

// A shift permutation on a k = 4 fat-tree: host s sends 125 MB to host
// s + 8 (another pod), so every flow crosses the core. With the two-level
// tables no two flows share a link (tests/topologies routing_test), so each
// drains at the slowest link of its route.
std::vector<Time> ShiftPermutation(double edge_os, double core_os) {
  const topo::LinkParams host{GigabitsPerSecond(10.0), Microseconds(1)};
  topo::Topology tree = topo::MakeFatTree({4, host, edge_os, core_os},
                                          {1, {GigabitsPerSecond(2400), Microseconds(1)},
                                           topo::RoutingPolicy::kFatTreeTwoLevel});
  std::vector<Send> sends;
  for (EndpointId s = 0; s < 16; ++s) sends.push_back({Time::zero(), s, (s + 8) % 16, 125'000'000});
  return Deliveries(tree, sends);
}

TEST(FlowNetwork, FatTreeTwoToOneOversubscriptionDoublesCoreTraffic) {
  // Non-blocking: 6 hops x 1 us + 125 MB / 1.25 GB/s = 6 us + 0.1 s.
  // Edge 2:1: uplinks at 0.625 GB/s: 6 us + 0.2 s, twice the drain time.
  // Core 2:1 instead: aggregation->core at 0.625 GB/s: the same.
  auto full = ShiftPermutation(1.0, 1.0);
  auto edge = ShiftPermutation(2.0, 1.0);
  auto core = ShiftPermutation(1.0, 2.0);
  for (std::size_t i = 0; i < full.size(); ++i) {
    ExpectTime(full[i], 0.100006);
    ExpectTime(edge[i], 0.200006);
    ExpectTime(core[i], 0.200006);
    EXPECT_NEAR((edge[i] - Microseconds(6)) / (full[i] - Microseconds(6)), 2.0, 1e-9);
  }
}

TEST(FlowNetwork, HalfDuplexExchangeTakesTwiceFullDuplex) {
  // h0 <-> h1 at once, 100 MB each way. FULL_DUPLEX: directions independent,
  // each flow alone: 0.08001 s. HALF_DUPLEX: h0's cable carries h0->sw0 and
  // sw0->h0 in one 1.25 GB/s capacity: 0.625 GB/s each, 0.16 s + 10 us.
  // (The 2.0x of Open MPI's blocking exchange, sim/DESIGN.md ("Measured facts").)
  topo::Topology star = topo::MakeStar(2, kStarLink);
  std::vector<Send> exchange{{Time::zero(), 0, 1, k100MB}, {Time::zero(), 1, 0, k100MB}};
  NetworkCalibration half;
  half.duplex = Duplex::kHalf;
  auto full_t = Deliveries(star, exchange);
  auto half_t = Deliveries(star, exchange, half);
  ExpectTime(full_t[0], 0.08001);
  ExpectTime(half_t[0], 0.16001);
  ExpectTime(half_t[1], 0.16001);
  // One way only, HALF_DUPLEX costs nothing: the cable is not shared.
  ExpectTime(Deliveries(star, {exchange[0]}, half)[0], 0.08001);
}

TEST(FlowNetwork, CalibrationScalesBandwidthAndAddsOverhead) {
  // bandwidth_efficiency 0.5: 100 MB / 0.625 GB/s = 0.16 s; overhead 3 us
  // before the 10 us latency: 0.160013 s.
  topo::Topology star = topo::MakeStar(2, kStarLink);
  NetworkCalibration c;
  c.bandwidth_efficiency = 0.5;
  c.per_message_overhead = Microseconds(3.0);
  ExpectTime(Deliveries(star, {{Time::zero(), 0, 1, k100MB}}, c)[0], 0.160013);
  NetworkCalibration bad;
  bad.bandwidth_efficiency = 1.5;
  Engine engine;
  EXPECT_THROW(FlowNetwork(engine, star, bad), std::invalid_argument);
}

TEST(FlowNetwork, EmptyMessagePaysLatencyOnly) {
  topo::Topology star = topo::MakeStar(2, kStarLink);
  EXPECT_EQ(Deliveries(star, {{Milliseconds(1), 0, 1, 0}})[0], Milliseconds(1) + Microseconds(10));
}

TEST(FlowNetwork, MessageToSelfIsDeliveredNowButNotReentrantly) {
  topo::Topology star = topo::MakeStar(2, kStarLink);
  Engine engine;
  FlowNetwork network(engine, star);
  bool delivered = false;
  engine.schedule_at(Milliseconds(2), [&] {
    network.send(1, 1, Bytes{k100MB}, [&] { delivered = true; });
    EXPECT_FALSE(delivered);
  });
  engine.run();
  EXPECT_TRUE(delivered);
  EXPECT_EQ(engine.now(), Milliseconds(2));
}

TEST(FlowNetwork, DevicesShareTheirHostsNic) {
  // 2 hosts x 2 devices, NIC 1.25 GB/s, intra-node 300 GB/s, 1 us.
  // Inside host 0: d0 -> d1 over two intra-node links: 2 us + 300 MB / 300
  // GB/s = 1 ms + 2 us. Devices 0 and 1 of host 0 both send 100 MB to host 1:
  // they share h0->sw0 (0.625 GB/s each): 0.16 s + 1 + 5 + 5 + 1 us.
  topo::HostOptions two{2, {GigabytesPerSecond(300.0), Microseconds(1)}, topo::RoutingPolicy::kShortest};
  topo::Topology star = topo::MakeStar(2, kStarLink, two);
  ExpectTime(Deliveries(star, {{Time::zero(), 0, 1, 300'000'000}})[0], 0.001002);
  auto t = Deliveries(star, {{Time::zero(), 0, 2, k100MB}, {Time::zero(), 1, 3, k100MB}});
  ExpectTime(t[0], 0.160012);
  ExpectTime(t[1], 0.160012);
}

TEST(FlowNetworkStats, BytesBusyTimeAndBusiestLinks) {
  // Two 100 MB flows into h2 (ending at 0.16001 s). sw0->h2 carries 200 MB,
  // busy from 10 us to 0.16001 s = 0.16 s; utilisation 200 MB / (1.25 GB/s x
  // 0.16001 s). Each uplink carries 100 MB: half that utilisation.
  topo::Topology star = topo::MakeStar(4, kStarLink);
  Engine engine;
  FlowNetwork network(engine, star);
  network.send(0, 2, Bytes{k100MB}, [] {});
  network.send(1, 2, Bytes{k100MB}, [] {});
  // Mid-run: both drained at 0.625 GB/s for 0.05 s - 10 us = 0.04999 s:
  // 31,243,750 B each, 62,487,500 B into sw0->h2.
  engine.run_until(Milliseconds(50));
  EXPECT_NEAR(static_cast<double>(network.link_usage(star.find_link("sw0", "h2")).bytes.count), 62'487'500.0, 1.0);
  EXPECT_NEAR(network.link_throughput(star.find_link("sw0", "h2")).value, 1.25e9, 1.0);
  engine.run();
  LinkUsage down = network.link_usage(star.find_link("sw0", "h2"));
  EXPECT_EQ(down.name, "sw0->h2");
  EXPECT_EQ(down.bytes.count, 2 * k100MB);
  EXPECT_NEAR(down.busy_s, 0.16, 1e-11);
  EXPECT_NEAR(down.utilisation, 2e8 / (1.25e9 * 0.16001), 1e-9);
  auto top = network.busiest_links(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].name, "sw0->h2");
  // The two uplinks tie on utilisation and bytes: lower link id first.
  EXPECT_EQ(top[1].name, "h0->sw0");
  EXPECT_EQ(top[2].name, "h1->sw0");
  EXPECT_NEAR(top[1].utilisation, down.utilisation / 2, 1e-9);
  EXPECT_EQ(network.busiest_links(10).size(), 3u);  // idle links are left out
}

// Random traffic on a k = 4 fat-tree: sizes from 1 byte (drain time below a
// picosecond) to 50 MB, random start times.
std::vector<Time> RandomTraffic(std::uint64_t seed, std::vector<Send>* sends_out = nullptr) {
  const topo::LinkParams host{GigabitsPerSecond(10.0), Microseconds(1)};
  topo::Topology tree = topo::MakeFatTree({4, host, 2.0, 1.0}, {1, {GigabitsPerSecond(2400), Microseconds(1)},
                                                                 topo::RoutingPolicy::kEcmp});
  RandomStream rng = NamedStream(seed, "flow_network_test/random");
  std::vector<Send> sends;
  for (int i = 0; i < 2000; ++i) {
    auto src = static_cast<EndpointId>(rng.uniform_index(16));
    auto dst = static_cast<EndpointId>(rng.uniform_index(16));
    const std::int64_t bytes = rng.bernoulli(0.2) ? 1 : static_cast<std::int64_t>(rng.uniform() * 5e7);
    sends.push_back({Picoseconds(static_cast<std::int64_t>(rng.uniform() * 1e11)), src, dst, bytes});
  }
  if (sends_out) *sends_out = sends;
  return Deliveries(tree, sends);
}

TEST(FlowNetwork, RandomTrafficAllDeliveredNoFasterThanAlone) {
  // Every message is delivered, never before latency + bytes / 1.25 GB/s
  // (its host link's rate, the most it can get), and same-host messages at
  // the send instant.
  std::vector<Send> sends;
  auto t = RandomTraffic(3, &sends);
  for (std::size_t i = 0; i < sends.size(); ++i) {
    ASSERT_GE(t[i].picoseconds(), 0) << "message " << i << " never delivered";
    if (sends[i].src == sends[i].dst) {
      EXPECT_EQ(t[i], sends[i].at);
      continue;
    }
    const Time alone = Seconds(static_cast<double>(sends[i].bytes) / 1.25e9) + Microseconds(2);
    EXPECT_GE((t[i] - sends[i].at).picoseconds(), alone.picoseconds() - kRoundingPs) << "message " << i;
  }
}

TEST(FlowNetwork, SameInputsGiveTheSameTimeline) {
  EXPECT_EQ(RandomTraffic(5), RandomTraffic(5));
}

// Uneven sharing (flow_share_sigma): a server on a star sends S = 100 MB to
// each of p others at once; its uplink (C = 1.25 GB/s) is the bottleneck of
// all p. Fair: all end at 10 us + p S / C. Weighted, the link stays saturated
// (some flow always drains, at the link's full rate in sum), so the last
// still ends at 10 us + p S / C, while the heaviest-weighted ends first.
std::vector<Time> FanOut(std::uint32_t p, double sigma, std::uint64_t seed) {
  topo::Topology star = topo::MakeStar(p + 1, kStarLink);
  std::vector<Send> sends;
  for (EndpointId dst = 1; dst <= p; ++dst) sends.push_back({Time::zero(), 0, dst, k100MB});
  NetworkCalibration calibration;
  calibration.flow_share_sigma = sigma;
  return Deliveries(star, sends, calibration, seed);
}

TEST(FlowNetworkUnevenSharing, FanOutLastEndsAsWhenFairFirstEarlier) {
  for (std::uint32_t p : {2u, 4u, 8u}) {
    const double fair_s = 10e-6 + p * 0.08;  // 10 us + p x 100 MB / 1.25 GB/s
    for (Time t : FanOut(p, 0.0, 3)) ExpectTime(t, fair_s);
    const std::vector<Time> uneven = FanOut(p, 0.5, 3);
    const Time first = *std::min_element(uneven.begin(), uneven.end());
    const Time last = *std::max_element(uneven.begin(), uneven.end());
    // Each of the p - 1 rate changes rounds the remaining drain once.
    EXPECT_NEAR(static_cast<double>(last.picoseconds()), fair_s * 1e12, kRoundingPs * p) << "p = " << p;
    EXPECT_LT(first.seconds(), 0.99 * last.seconds()) << "p = " << p;
    std::printf("p = %u, sigma 0.5, seed 3: first / last = %.3f, last - fair = %lld ps\n", p,
                first.seconds() / last.seconds(),
                static_cast<long long>(last.picoseconds() - std::llround(fair_s * 1e12)));
  }
}

TEST(FlowNetworkUnevenSharing, SameSeedSameTimesOtherSeedsOtherFirstReceiver) {
  EXPECT_EQ(FanOut(4, 0.5, 11), FanOut(4, 0.5, 11));
  // Which receiver ends first depends on the draws: over 20 seeds, more than one.
  std::vector<bool> was_first(5, false);
  int distinct = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<Time> t = FanOut(4, 0.5, seed);
    const auto first = static_cast<std::size_t>(std::min_element(t.begin(), t.end()) - t.begin());
    if (!was_first[first]) ++distinct;
    was_first[first] = true;
  }
  EXPECT_GE(distinct, 2);
}

TEST(FlowNetworkUnevenSharing, FlowShareSeedReplacesTheRunsSeedForTheDrawsAlone) {
  // flow_share_seed = 11 on a network given seed 3 draws as seed 11 would.
  topo::Topology star = topo::MakeStar(5, kStarLink);
  std::vector<Send> sends;
  for (EndpointId dst = 1; dst <= 4; ++dst) sends.push_back({Time::zero(), 0, dst, k100MB});
  NetworkCalibration calibration;
  calibration.flow_share_sigma = 0.5;
  calibration.flow_share_seed = 11;
  EXPECT_EQ(Deliveries(star, sends, calibration, 3), FanOut(4, 0.5, 11));
  EXPECT_NE(Deliveries(star, sends, calibration, 3), FanOut(4, 0.5, 3));
}

TEST(FlowNetworkUnevenSharing, ExplicitWeightsShareInProportion) {
  // h0 -> h2 with weight 1 and h1 -> h2 with weight 3 share sw0->h2 (1.25
  // GB/s): 0.3125 and 0.9375 GB/s. The second drains 100 MB in 0.10667 s,
  // ends at 10 us + 0.10667 s; by then the first has drained 33.3 MB, and
  // drains the rest alone at 1.25 GB/s in 0.05333 s: 10 us + 0.16 s.
  topo::Topology star = topo::MakeStar(4, kStarLink);
  Engine engine;
  FlowNetwork network(engine, star);
  Time light, heavy;
  network.send_weighted(0, 2, Bytes{k100MB}, 1.0, [&] { light = engine.now(); });
  network.send_weighted(1, 2, Bytes{k100MB}, 3.0, [&] { heavy = engine.now(); });
  engine.run();
  ExpectTime(heavy, 10e-6 + 0.1 / 0.9375);
  ExpectTime(light, 0.16001);
  EXPECT_THROW(network.send_weighted(0, 2, Bytes{1}, 0.0, [] {}), std::invalid_argument);
}

TEST(FlowNetworkUnevenSharing, RejectsANegativeSigma) {
  Engine engine;
  topo::Topology star = topo::MakeStar(2, kStarLink);
  NetworkCalibration calibration;
  calibration.flow_share_sigma = -0.1;
  EXPECT_THROW(FlowNetwork(engine, star, calibration), std::invalid_argument);
}

}  // namespace
}  // namespace sim::net
