// Collectives and parameter servers run on the flow network (sim::net::
// FlowNetwork), timed against the textbook cost models (sim/DESIGN.md,
// "Collectives are schedules": the formulas are the tests, not the
// implementation).
//
// The single-switch setting of the cost models: a star, every host joined to
// the switch by one full-duplex cable of bandwidth B and latency alpha per
// direction, no per-message overhead, free reductions. A message between two
// hosts crosses two links (host -> switch -> host), so its latency is
//   alpha' = 2 alpha,
// and while it is the only flow on its links it drains at B. In the ring and
// in recursive halving-doubling every host sends one message and receives one
// per step, so no two flows share a link and every step of m bytes takes
// exactly alpha' + m / B (FlowNetwork: overhead + route latency + drain).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/parameter_servers.h"
#include "sync_round.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace sim::collectives {
namespace {

// 10 Gbit/s = 1.25e9 B/s and 5 us per link: the scenario schema's default
// host link (scenario.proto, Star).
const BytesPerSecond kB = GigabitsPerSecond(10.0);
const Time kAlpha = Microseconds(5);
const Time kAlphaRoute = kAlpha * 2;  // host -> switch -> host
// The tolerance for the ring.
constexpr double kClosedFormTolerance = 0.005;

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t GiB = 1024 * MiB;

std::vector<EndpointId> FirstEndpoints(std::uint32_t p) {
  std::vector<EndpointId> e(p);
  for (std::uint32_t i = 0; i < p; ++i) e[i] = i;
  return e;
}

// Runs one collective on `topology` with rank i on endpoints[i]; returns the
// simulated time from start to the last rank's completion, in seconds.
double TimeCollective(const topo::Topology& topology, const CollectiveSpec& spec,
                      const std::vector<EndpointId>& endpoints, BytesPerSecond reduction = {}) {
  Engine engine;
  net::FlowNetwork network(engine, topology);
  CollectiveRun run(engine, network, std::make_shared<const Schedule>(BuildSchedule(spec)), endpoints,
                    RunOptions{.reduction_rate = reduction});
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  return run.finish_time().seconds();
}

// alpha' and B of the star, as doubles in seconds and bytes/s.
double AlphaRoute() { return kAlphaRoute.seconds(); }
double B() { return kB.value; }

TEST(RingAllReduceOnAStar, MatchesPatarasukYuanWithinHalfAPercent) {
  // Patarasuk & Yuan 2009 (and Thakur, Rabenseifner & Gropp 2005, ring):
  //   T = 2(p-1) alpha' + 2 (p-1)/p n / B.
  // Grid: p from 2 to 1,024 (powers of two and not), n from 1 KiB to 1 GiB.
  // p = 1,024 runs 2 x 1,023 x 1,024 = 2.1 million flows, so it takes the two
  // ends of the size range only.
  struct Case {
    std::uint32_t p;
    std::int64_t n;
  };
  std::vector<Case> cases;
  for (std::uint32_t p : {2u, 3u, 7u, 16u, 100u, 256u}) {
    for (std::int64_t n : {KiB, MiB, 64 * MiB, GiB}) cases.push_back({p, n});
  }
  cases.push_back({1024, KiB});
  cases.push_back({1024, GiB});
  for (const Case& c : cases) {
    const topo::Topology star = topo::MakeStar(c.p, {kB, kAlpha});
    const double expected = 2.0 * (c.p - 1) * AlphaRoute() + 2.0 * (c.p - 1) / c.p * c.n / B();
    const double got = TimeCollective(
        star, {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = c.p, .bytes = Bytes{c.n}},
        FirstEndpoints(c.p));
    EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << "p=" << c.p << " n=" << c.n << " got " << got
                                                           << " s, expected " << expected << " s";
  }
}

TEST(HalvingDoublingOnAStar, MatchesRabenseifnerForPowersOfTwo) {
  // Thakur, Rabenseifner & Gropp 2005, Rabenseifner's all-reduce:
  //   T = 2 log2(p) alpha' + 2 (p-1)/p n / B.
  for (std::uint32_t p : {2u, 4u, 16u, 128u, 1024u}) {
    for (std::int64_t n : {KiB, MiB, GiB}) {
      const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
      const double expected = 2.0 * std::log2(p) * AlphaRoute() + 2.0 * (p - 1) / p * n / B();
      const double got = TimeCollective(
          star, {.op = Op::kAllReduce, .algorithm = Algorithm::kHalvingDoubling, .ranks = p, .bytes = Bytes{n}},
          FirstEndpoints(p));
      EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << "p=" << p << " n=" << n;
    }
  }
}

TEST(HalvingDoublingOnAStar, NonPowerOfTwoPaysTwoWholeVectorSteps) {
  // Thakur et al. 2005 section 4.4: with p' = 2^floor(log2 p) the extra ranks
  // fold in and out, two more steps each moving the whole vector:
  //   T = 2 log2(p') alpha' + 2 (p'-1)/p' n / B + 2 (alpha' + n / B).
  for (std::uint32_t p : {3u, 6u, 100u}) {
    const std::int64_t n = 64 * MiB;
    const double p2 = std::exp2(std::floor(std::log2(p)));
    const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
    const double expected =
        2.0 * std::log2(p2) * AlphaRoute() + 2.0 * (p2 - 1) / p2 * n / B() + 2.0 * (AlphaRoute() + n / B());
    const double got = TimeCollective(
        star, {.op = Op::kAllReduce, .algorithm = Algorithm::kHalvingDoubling, .ranks = p, .bytes = Bytes{n}},
        FirstEndpoints(p));
    EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << "p=" << p;
  }
}

TEST(RecursiveDoublingOnAStar, MatchesThakurForPowersOfTwoAndPaysTwoFoldStepsOtherwise) {
  // Thakur, Rabenseifner & Gropp 2005, section 4.4, recursive doubling:
  //   T = log2(p) alpha' + log2(p) n / B + log2(p) n / R     (p a power of two)
  // (each step exchanges the whole vector both ways at once over full-duplex
  // cables, then adds it). With p' = 2^floor(log2 p) < p, the extra ranks
  // fold in and are sent the result (Open MPI's recursive doubling): two more
  // whole-vector steps, the fold-in also adding:
  //   T = log2(p') (alpha' + n/B + n/R) + (alpha' + n/B + n/R) + (alpha' + n/B).
  const double R = 2e9;  // reduction rate, bytes/s
  for (std::uint32_t p : {2u, 3u, 4u, 6u, 16u, 100u, 128u}) {
    for (std::int64_t n : {KiB, MiB, 64 * MiB}) {
      const double p2 = std::exp2(std::floor(std::log2(p)));
      const double step = AlphaRoute() + n / B() + n / R;
      const double expected =
          std::log2(p2) * step + (p2 < p ? step + AlphaRoute() + n / B() : 0.0);
      const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
      const double got = TimeCollective(
          star, {.op = Op::kAllReduce, .algorithm = Algorithm::kRecursiveDoubling, .ranks = p, .bytes = Bytes{n}},
          FirstEndpoints(p), BytesPerSecond{R});
      EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << "p=" << p << " n=" << n << " got " << got
                                                             << " s, expected " << expected << " s";
    }
  }
}

TEST(RingAllReduceOnAStar, UnchunkedReductionAddsPMinusOnePiecesAtRateR) {
  // With a reduction rate R, each of the p-1 reduce-scatter steps also adds
  // n/p bytes before the next step can forward them (the all-gather copies):
  //   T = 2(p-1) alpha' + 2 (p-1)/p n / B + (p-1)/p n / R.
  const std::uint32_t p = 8;
  const std::int64_t n = 64 * MiB;
  const BytesPerSecond r = GigabytesPerSecond(2.0);
  const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
  const double expected = 2.0 * (p - 1) * AlphaRoute() + 2.0 * (p - 1) / p * n / B() + (p - 1.0) / p * n / r.value;
  const double got = TimeCollective(
      star, {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}},
      FirstEndpoints(p), r);
  EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance);
}

TEST(RingAllReduceOnAStar, ChunkingHidesTheReductionBehindTheTransfers) {
  // Cut each piece into k chunks: a chunk is forwarded while the next one is
  // still being added, so only about one chunk's reduction per step stays on
  // the critical path, while each chunk pays alpha' (phase_channels.h):
  //   T ~ 2(p-1) k alpha' + 2 (p-1)/p n / B + (p-1)/p n/(k R) (R > B).
  // Here n/p = 8 MiB, k = 8 chunks of 1 MiB: the reduction term drops from
  // 7 x 8 MiB / 2 GB/s = 29 ms to ~3.7 ms; the latency term grows by
  // 2 x 7 x 7 x 10 us = 1 ms. Assert it is faster than unchunked by at least
  // the 29 - 3.7 - 1 = 24 ms the model predicts, minus 10% of that.
  const std::uint32_t p = 8;
  const std::int64_t n = 64 * MiB;
  const BytesPerSecond r = GigabytesPerSecond(2.0);
  const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
  const CollectiveSpec unchunked{.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}};
  CollectiveSpec chunked = unchunked;
  chunked.chunk = Bytes{MiB};
  const double t_unchunked = TimeCollective(star, unchunked, FirstEndpoints(p), r);
  const double t_chunked = TimeCollective(star, chunked, FirstEndpoints(p), r);
  const double predicted_gain = (p - 1.0) / p * n / r.value * (1.0 - 1.0 / 8) - 2.0 * 7 * 7 * AlphaRoute();
  EXPECT_GT(t_unchunked - t_chunked, 0.9 * predicted_gain) << t_unchunked << " vs " << t_chunked;
}

TEST(OtherCollectivesOnAStar, MatchTheirStepCounts) {
  // Each step of these moves one message per host in and out, so each takes
  // alpha' + m / B (Thakur, Rabenseifner & Gropp 2005, section 2's model):
  //   ring reduce-scatter, ring all-gather, pairwise all-to-all:
  //     (p-1) (alpha' + n/(p B));
  //   pipelined chain broadcast / reduce with k chunks of c = n/k:
  //     (p-1 + k-1) (alpha' + c/B);
  //   direct all-to-all: every host sends p-1 pieces of n/p at once, sharing
  //     its link: alpha' + (p-1)/p n / B.
  const std::uint32_t p = 8;
  const std::int64_t n = 8 * MiB;
  const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
  const double piece = static_cast<double>(n) / p / B();
  struct Case {
    Op op;
    Algorithm algorithm;
    std::int64_t chunk;
    double expected;
  };
  const double k = 16;
  const double chain = (p - 1 + k - 1) * (AlphaRoute() + n / k / B());
  const std::vector<Case> cases{
      {Op::kReduceScatter, Algorithm::kRing, 0, (p - 1) * (AlphaRoute() + piece)},
      {Op::kAllGather, Algorithm::kRing, 0, (p - 1) * (AlphaRoute() + piece)},
      {Op::kAllToAll, Algorithm::kRing, 0, (p - 1) * (AlphaRoute() + piece)},
      {Op::kAllToAll, Algorithm::kDirect, 0, AlphaRoute() + (p - 1) * piece},
      {Op::kBroadcast, Algorithm::kRing, n / 16, chain},
      {Op::kReduce, Algorithm::kRing, n / 16, chain},
  };
  for (const Case& c : cases) {
    const double got = TimeCollective(star,
                                      {.op = c.op, .algorithm = c.algorithm, .ranks = p, .bytes = Bytes{n},
                                       .root = 3, .chunk = Bytes{c.chunk}},
                                      FirstEndpoints(p));
    EXPECT_NEAR(got / c.expected, 1.0, kClosedFormTolerance) << Name(c.op) << "/" << Name(c.algorithm);
  }
}

// ------------------------------------------------------ parameter servers --

struct PsTimes {
  double push = 0.0;  // until the last gradient shard reached its server
  double round = 0.0; // until every worker holds every new shard
};

// p workers on hosts 0..p-1 of a star, S dedicated servers on hosts p..p+S-1,
// free applies: one synchronous round.
PsTimes TimePsRound(std::uint32_t p, std::uint32_t servers, std::int64_t n) {
  const topo::Topology star = topo::MakeStar(p + servers, {kB, kAlpha});
  Engine engine;
  net::FlowNetwork network(engine, star);
  std::vector<EndpointId> server_endpoints;
  for (std::uint32_t s = 0; s < servers; ++s) server_endpoints.push_back(p + s);
  ParameterServers ps(engine, network, {.servers = server_endpoints, .apply_rate = {}});
  testing::SyncRound round(ps, FirstEndpoints(p), Bytes{n});
  round.start();
  engine.run();
  EXPECT_TRUE(round.done());
  return {round.last_push_arrival().seconds(), round.finish_time().seconds()};
}

TEST(ParameterServerOnAStar, OneServerIsBoundByItsLink) {
  // Every worker pushes n bytes to one server: p flows share the server's
  // downlink, B/p each, so the push phase takes alpha' + p n / B and is never
  // shorter than p n / B (Li et al. 2014's motivation for sharding). The pull
  // is the mirror image on the server's uplink: the round takes twice that.
  for (std::uint32_t p : {2u, 8u, 64u}) {
    const std::int64_t n = 16 * MiB;
    const PsTimes t = TimePsRound(p, 1, n);
    const double bound = static_cast<double>(p) * n / B();
    EXPECT_GE(t.push, bound) << "p=" << p;
    EXPECT_NEAR(t.push / (AlphaRoute() + bound), 1.0, kClosedFormTolerance) << "p=" << p;
    EXPECT_NEAR(t.round / (2.0 * (AlphaRoute() + bound)), 1.0, kClosedFormTolerance) << "p=" << p;
  }
}

TEST(ParameterServerOnAStar, SServersDivideThePushAndPullTimeByS) {
  // S servers, shards of n/S: each server's downlink carries p shards of n/S
  // (p n / S bytes) while each worker's uplink carries S shards of n/S (n
  // bytes); for p >= S the servers are the bottleneck, rate B/p per flow:
  //   push = alpha' + p n / (S B).
  const std::uint32_t p = 32;
  const std::int64_t n = 16 * MiB;
  const PsTimes one = TimePsRound(p, 1, n);
  for (std::uint32_t servers : {2u, 4u, 8u}) {
    const PsTimes t = TimePsRound(p, servers, n);
    const double bound = static_cast<double>(p) * n / (servers * B());
    EXPECT_GE(t.push, bound) << "S=" << servers;
    EXPECT_NEAR(t.push / (AlphaRoute() + bound), 1.0, kClosedFormTolerance) << "S=" << servers;
    EXPECT_NEAR(one.push / t.push, servers, servers * kClosedFormTolerance) << "S=" << servers;
    EXPECT_NEAR(one.round / t.round, servers, servers * kClosedFormTolerance) << "S=" << servers;
  }
}

TEST(ParameterServerOnAStar, ServersColocatedOnEveryWorkerPushLikeAReduceScatter) {
  // S = p servers, server s on worker s's host: worker w keeps shard w (a
  // message to itself costs nothing) and sends the p-1 others, n/p each,
  // at once: its link is shared by p-1 flows, as is every server's:
  //   push = alpha' + (p-1)/p n / B.
  const std::uint32_t p = 8;
  const std::int64_t n = 64 * MiB;
  const topo::Topology star = topo::MakeStar(p, {kB, kAlpha});
  Engine engine;
  net::FlowNetwork network(engine, star);
  ParameterServers ps(engine, network, {.servers = FirstEndpoints(p), .apply_rate = {}});
  testing::SyncRound round(ps, FirstEndpoints(p), Bytes{n});
  round.start();
  engine.run();
  const double expected = AlphaRoute() + (p - 1.0) / p * n / B();
  EXPECT_NEAR(round.last_push_arrival().seconds() / expected, 1.0, kClosedFormTolerance);
  EXPECT_NEAR(round.finish_time().seconds() / (2 * expected), 1.0, kClosedFormTolerance);
}

// ---------------------------------------------------------------- fat-tree --

// k = 4 fat-tree (Al-Fares et al. 2008): 4 pods of 2 edge switches with 2
// hosts each; hosts 4i..4i+3 are pod i, hosts 2j, 2j+1 share edge switch j.
topo::Topology FatTree4(double edge_oversubscription, double core_oversubscription) {
  topo::FatTreeParams params;
  params.k = 4;
  params.host_link = {kB, Microseconds(1)};
  params.edge_oversubscription = edge_oversubscription;
  params.core_oversubscription = core_oversubscription;
  return topo::MakeFatTree(params, topo::HostOptions{.routing = topo::RoutingPolicy::kFatTreeTwoLevel});
}

TEST(RingOnAFatTree, SpanningPodsIsSlowerByTheCoreOversubscription) {
  // 2:1 oversubscribed at the core: aggregation -> core cables run at B/2.
  // A 4-rank ring inside pod 0 (hosts 0..3) never leaves the pod: every flow
  // gets B. A ring over hosts 0, 4, 8, 12 (one per pod) sends each flow
  // through the core at B/2, one flow per core link (two-level routing), so
  // its bandwidth term 2 (p-1)/p n / rate doubles. With n = 1 GiB the
  // bandwidth term is ~1.3 s against ~50 us of latency: ratio 2 within 0.5%.
  const topo::Topology tree = FatTree4(1.0, 2.0);
  const std::int64_t n = GiB;
  const CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 4, .bytes = Bytes{n}};
  const double in_pod = TimeCollective(tree, spec, {0, 1, 2, 3});
  const double across = TimeCollective(tree, spec, {0, 4, 8, 12});
  EXPECT_NEAR(in_pod / (2.0 * 3 / 4 * n / B()), 1.0, kClosedFormTolerance);
  EXPECT_NEAR(across / in_pod, 2.0, 2.0 * kClosedFormTolerance);
}

TEST(RingOnAFatTree, LeavingTheEdgeSwitchIsSlowerByTheEdgeOversubscription) {
  // 2:1 at the edge: each edge switch's uplinks run at B/2. A 2-rank ring on
  // one edge switch (hosts 0, 1) stays below it at B; hosts 0 and 2 sit under
  // different edge switches of pod 0 and their flows cross an uplink at B/2.
  const topo::Topology tree = FatTree4(2.0, 1.0);
  const std::int64_t n = GiB;
  const CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 2, .bytes = Bytes{n}};
  const double same_edge = TimeCollective(tree, spec, {0, 1});
  const double across_edges = TimeCollective(tree, spec, {0, 2});
  EXPECT_NEAR(across_edges / same_edge, 2.0, 2.0 * kClosedFormTolerance);
}

// ----------------------------------------------------------- hierarchical --

TEST(HierarchicalOnMultiDeviceHosts, IsTheSumOfItsPhases) {
  // H = 4 hosts x d = 4 devices on a star (NIC: B, alpha per link) with
  // intra-node links of B_in = 2,400 Gbit/s and 1 us (scenario.proto default).
  // Rails form, ring everywhere, phases back to back on every rank:
  //  intra reduce-scatter: (d-1) steps of (2 x 1 us + (n/d) / B_in)
  //    (device -> host -> device: two intra-node links, one flow each);
  //  across hosts: d concurrent rings of n/d bytes over H hosts; the d rails
  //    share each NIC, B/d each: 2(H-1) steps of
  //    (alpha_x + (n/(dH)) / (B/d)), alpha_x = 1 + 5 + 5 + 1 us;
  //  intra all-gather: as the reduce-scatter.
  const std::uint32_t hosts = 4;
  const std::uint32_t d = 4;
  const std::int64_t n = 256 * MiB;
  const BytesPerSecond b_in = GigabitsPerSecond(2400.0);
  const topo::Topology star =
      topo::MakeStar(hosts, {kB, kAlpha}, topo::HostOptions{.devices_per_host = d, .intra_node = {b_in, Microseconds(1)}});
  CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kHierarchical, .ranks = hosts * d,
                      .bytes = Bytes{n}};
  for (std::uint32_t e = 0; e < hosts * d; ++e) spec.host_of_rank.push_back(star.host_of(e));
  const double intra = (d - 1) * (2e-6 + static_cast<double>(n) / d / b_in.value);
  const double across = 2.0 * (hosts - 1) * (12e-6 + static_cast<double>(n) / (d * hosts) / (B() / d));
  const double expected = 2.0 * intra + across;
  const double got = TimeCollective(star, spec, FirstEndpoints(hosts * d));
  EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << got << " vs " << expected;
  // And it beats a flat ring over the 16 devices, whose 4 host-crossing flows
  // each get a whole NIC: 2 x 15 x (alpha_x...) + 2 x 15/16 n / B.
  spec.algorithm = Algorithm::kRing;
  const double flat = TimeCollective(star, spec, FirstEndpoints(hosts * d));
  EXPECT_LT(got, flat);
}

TEST(EagerMessagesOnAStar, AnEarlyMessageSharesItsReceiversLinkWithTheOneItIsTaking) {
  // Rank 1 takes m bytes from rank 2, then m from rank 0 (the second depends
  // on the first: a write into the receiver). Rendezvous: one after the
  // other, each alpha' + m/B alone on host 1's link; rank 2 is done at
  // alpha' + m/B, rank 1 at twice that. Eager (MPI's eager protocol, below
  // its limit): rank 0 sends at once, both drain host 1's link at B/2 and
  // arrive at alpha' + 2m/B: rank 2, whose message was there first, is done
  // m/B later than alone, and rank 1 alpha' earlier.
  const std::int64_t m = MiB;
  const topo::Topology star = topo::MakeStar(3, {kB, kAlpha});
  for (const bool eager : {false, true}) {
    Engine engine;
    net::FlowNetwork network(engine, star);
    Schedule s(3, Bytes{m});
    const TransferId first = s.add(2, 1, ByteRange{0, m}, Combine::kReduce);
    s.add(0, 1, ByteRange{0, m}, Combine::kReduce, std::vector<TransferId>{first});
    s.seal();
    std::vector<double> done(3, -1.0);
    CollectiveRun run(engine, network, std::make_shared<const Schedule>(std::move(s)), FirstEndpoints(3),
                      RunOptions{.eager_limit = Bytes{eager ? m : 0},
                                 .on_rank_done = [&](Rank r, Time t) { done[r] = t.seconds(); }});
    run.start();
    engine.run();
    ASSERT_TRUE(run.done());
    const double alone = AlphaRoute() + static_cast<double>(m) / B();
    const double shared = AlphaRoute() + 2.0 * static_cast<double>(m) / B();
    EXPECT_NEAR(done[2] / (eager ? shared : alone), 1.0, 1e-9) << "eager " << eager;
    EXPECT_NEAR(done[1] / (eager ? shared : 2.0 * alone), 1.0, 1e-9) << "eager " << eager;
  }
}

}  // namespace
}  // namespace sim::collectives
