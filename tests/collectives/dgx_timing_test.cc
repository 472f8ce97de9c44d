// DGX-like hosts (8 GPUs on NVSwitches, 8 NICs, one per GPU) on the flow
// network, timed against closed forms: flows across hosts through one NIC
// each or through one shared NIC; a ring all-reduce inside a node, bound by
// NVLink (Patarasuk & Yuan 2009); the hierarchical all-reduce with rails
// (sim/collectives/hierarchical.h) across nodes as the sum of its phases, on
// a star and on rail-optimised and host-major leaf-spines.
//
// Figures of topologies/library/dgx_a100.pbtxt: NVLink 3, 12 links x 25 GB/s
// = 300 GB/s each way per GPU (A100 datasheet: 600 GB/s both ways); HDR
// NICs, 200 Gbit/s = 25 GB/s; PCIe 4.0 x16 = 252.06 Gbit/s; 1 us per hop.
// No per-message overhead, free reductions, full duplex: a message of m bytes
// alone on its links takes its route's latency + m / (its slowest link).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace sim::collectives {
namespace {

const BytesPerSecond kNvlink = GigabitsPerSecond(2400.0);
const BytesPerSecond kNic = GigabitsPerSecond(200.0);
const BytesPerSecond kPcie = GigabitsPerSecond(252.06);
const Time kHop = Microseconds(1);
constexpr std::uint32_t kGpus = 8;
constexpr double kClosedFormTolerance = 0.005;  // as tests/collectives/timing_test.cc
constexpr std::int64_t MiB = 1024 * 1024;

topo::HostOptions Dgx(std::uint32_t nics = kGpus) {
  topo::HostOptions o;
  o.devices_per_host = kGpus;
  o.intra_node = {kNvlink, kHop};
  o.nics_per_host = nics;
  o.pcie = {kPcie, kHop};
  o.routing = topo::RoutingPolicy::kFatTreeTwoLevel;
  return o;
}

topo::Topology DgxStar(std::uint32_t hosts, std::uint32_t nics = kGpus) {
  topo::HostOptions o = Dgx(nics);
  o.routing = topo::RoutingPolicy::kShortest;
  return topo::MakeStar(hosts, {kNic, kHop}, o);
}

double Seconds(Time t) { return t.seconds(); }

struct Flow {
  EndpointId src, dst;
};

// Starts every flow of n bytes at time 0; returns when the last one ends, s.
double LastDelivery(const topo::Topology& topology, const std::vector<Flow>& flows, std::int64_t n) {
  Engine engine;
  net::FlowNetwork network(engine, topology);
  Time last = Time::zero();
  for (const Flow& f : flows) {
    network.send(f.src, f.dst, Bytes{n}, [&] { last = std::max(last, engine.now()); });
  }
  engine.run();
  return last.seconds();
}

double TimeCollective(const topo::Topology& topology, const CollectiveSpec& spec) {
  Engine engine;
  net::FlowNetwork network(engine, topology);
  std::vector<EndpointId> endpoints(spec.ranks);
  for (EndpointId e = 0; e < spec.ranks; ++e) endpoints[e] = e;
  CollectiveRun run(engine, network, std::make_shared<const Schedule>(BuildSchedule(spec)), endpoints);
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  return run.finish_time().seconds();
}

CollectiveSpec Hierarchical(const topo::Topology& t, std::int64_t n) {
  CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kHierarchical,
                      .ranks = static_cast<std::uint32_t>(t.endpoint_count()), .bytes = Bytes{n}};
  for (EndpointId e = 0; e < spec.ranks; ++e) spec.host_of_rank.push_back(t.host_of(e));
  return spec;
}

// --------------------------------------------------- flows between two nodes --

TEST(DgxFlows, EightGpusToEightGpusTakeOneNicsTime) {
  // GPU i of node 0 to GPU i of node 1, all 8 at once: each flow has its own
  // PCIe link, NIC and switch port, so each drains at min(PCIe, NIC) = NIC:
  //   T = (PCIe + NIC cable + NIC cable + PCIe latency) + n / B_nic.
  const std::int64_t n = 256 * MiB;
  const topo::Topology t = DgxStar(2);
  std::vector<Flow> flows;
  for (EndpointId i = 0; i < kGpus; ++i) flows.push_back({i, kGpus + i});
  const double expected = Seconds(kHop * 4) + static_cast<double>(n) / kNic.value;
  const double got = LastDelivery(t, flows, n);
  EXPECT_NEAR(got / expected, 1.0, 1e-9) << got << " vs " << expected;
  // One flow alone takes the same time: the 8 NICs work in parallel.
  EXPECT_NEAR(LastDelivery(t, {{3, kGpus + 3}}, n) / got, 1.0, 1e-9);
}

TEST(DgxFlows, EightFlowsFromOneGpuShareItsNic) {
  // GPU 0 of node 0 to GPUs 0..7 of node 1: all 8 leave through NIC 0 (and
  // GPU 0's PCIe link, 252 > 200 Gbit/s), B_nic / 8 each:
  //   T = 4 hops + 8 n / B_nic, 8x the time of the rail-parallel case.
  const std::int64_t n = 64 * MiB;
  const topo::Topology t = DgxStar(2);
  std::vector<Flow> flows;
  for (EndpointId i = 0; i < kGpus; ++i) flows.push_back({0, kGpus + i});
  const double expected = Seconds(kHop * 4) + kGpus * static_cast<double>(n) / kNic.value;
  EXPECT_NEAR(LastDelivery(t, flows, n) / expected, 1.0, 1e-9);
}

TEST(DgxFlows, OneNicPerHostIsEightTimesSlower) {
  // The same 8 GPU-to-GPU flows on hosts with one NIC (the host's own port,
  // nics_per_host 0): they share that one 200 Gbit/s cable:
  //   T = (NVLink + cable + cable + NVLink) + 8 n / B_nic.
  const std::int64_t n = 64 * MiB;
  const topo::Topology t = DgxStar(2, 0);
  std::vector<Flow> flows;
  for (EndpointId i = 0; i < kGpus; ++i) flows.push_back({i, kGpus + i});
  const double expected = Seconds(kHop * 4) + kGpus * static_cast<double>(n) / kNic.value;
  EXPECT_NEAR(LastDelivery(t, flows, n) / expected, 1.0, 1e-9);
}

// ------------------------------------------------------ inside one node --

TEST(DgxRing, AllReduceInsideANodeIsNvlinkBound) {
  // Patarasuk & Yuan 2009: T = 2(p-1) alpha' + 2 (p-1)/p n / B. Inside a
  // node a message goes GPU -> NVSwitch -> GPU: alpha' = 2 hops = 2 us, and
  // B = 300 GB/s, each GPU's NVLink carrying one flow each way per step. The
  // NICs are never used.
  const std::uint32_t p = kGpus;
  const topo::Topology t = DgxStar(1);
  for (std::int64_t n : {MiB, 64 * MiB, 1024 * MiB}) {
    const double expected = 2.0 * (p - 1) * Seconds(kHop * 2) + 2.0 * (p - 1) / p * n / kNvlink.value;
    const double got =
        TimeCollective(t, {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}});
    EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << "n=" << n << " got " << got << " expected " << expected;
  }
}

// ----------------------------------------------- hierarchical across nodes --

// The phases of the hierarchical all-reduce with rails on H nodes of d GPUs:
//   reduce-scatter in each node: (d-1) steps of (alpha_nv + (n/d) / B_nv);
//   d rails at once, each a ring all-reduce of n/d over H nodes:
//     2(H-1) steps of (alpha_x + (n/(dH)) / B_x);
//   all-gather in each node: as the reduce-scatter.
double HierarchicalPhases(std::uint32_t hosts, std::int64_t n, Time alpha_x, BytesPerSecond b_x) {
  const double d = kGpus;
  const double intra = (d - 1) * (Seconds(kHop * 2) + n / d / kNvlink.value);
  const double across = 2.0 * (hosts - 1) * (Seconds(alpha_x) + n / (d * hosts) / b_x.value);
  return 2.0 * intra + across;
}

TEST(DgxHierarchical, RailsAcrossNodesOnAStarAreTheSumOfThePhases) {
  // With a NIC per GPU, rail j's ring uses NIC j only: B_x = B_nic, and
  // alpha_x = PCIe + 2 cables + PCIe = 4 us.
  const std::uint32_t hosts = 4;
  const std::int64_t n = 256 * MiB;
  const topo::Topology t = DgxStar(hosts);
  const double expected = HierarchicalPhases(hosts, n, kHop * 4, kNic);
  const double got = TimeCollective(t, Hierarchical(t, n));
  EXPECT_NEAR(got / expected, 1.0, kClosedFormTolerance) << got << " vs " << expected;
  // With one NIC per host the 8 rails share it, B_nic / 8 each, and alpha_x
  // = NVLink + 2 cables + NVLink = 4 us.
  const topo::Topology one_nic = DgxStar(hosts, 0);
  const double shared = HierarchicalPhases(hosts, n, kHop * 4, BytesPerSecond{kNic.value / kGpus});
  const double got_shared = TimeCollective(one_nic, Hierarchical(one_nic, n));
  EXPECT_NEAR(got_shared / shared, 1.0, kClosedFormTolerance) << got_shared << " vs " << shared;
}

TEST(DgxHierarchical, RailOptimisedLeafSpineKeepsRailsOffTheSpines) {
  // 4 nodes on a leaf-spine whose spine uplinks are 4:1 oversubscribed
  // (200 / 4 = 50 Gbit/s), 8-port leaves, 8 spines.
  // - Rail-optimised: rail j's 4 NICs share one leaf, so rail j's ring never
  //   climbs: B_x = B_nic, alpha_x = PCIe + 2 cables + PCIe = 4 us.
  // - Host-major: one node per leaf, every rail ring crosses the spines; a
  //   leaf sends rail j up to spine j (destination-mod-k: NIC j is index j
  //   under its leaf), one flow per uplink and per downlink, so B_x = B_nic /
  //   4 and alpha_x = PCIe + 4 cables + PCIe = 6 us.
  const std::uint32_t hosts = 4;
  const std::int64_t n = 256 * MiB;
  const double oversubscription = 4.0;
  const topo::LeafSpineParams rails{{kNic, kHop}, 8, 8, oversubscription, true};
  topo::LeafSpineParams host_major = rails;
  host_major.rail_optimized = false;
  const topo::Topology rail_tree = topo::MakeLeafSpine(hosts, rails, Dgx());
  const topo::Topology host_tree = topo::MakeLeafSpine(hosts, host_major, Dgx());
  const double rail_expected = HierarchicalPhases(hosts, n, kHop * 4, kNic);
  const double host_expected =
      HierarchicalPhases(hosts, n, kHop * 6, BytesPerSecond{kNic.value / oversubscription});
  const double rail_got = TimeCollective(rail_tree, Hierarchical(rail_tree, n));
  const double host_got = TimeCollective(host_tree, Hierarchical(host_tree, n));
  EXPECT_NEAR(rail_got / rail_expected, 1.0, kClosedFormTolerance) << rail_got << " vs " << rail_expected;
  EXPECT_NEAR(host_got / host_expected, 1.0, kClosedFormTolerance) << host_got << " vs " << host_expected;
}

}  // namespace
}  // namespace sim::collectives
