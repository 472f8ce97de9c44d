// Randomized comparison with an oracle nobody here wrote: SimGrid 3.32's CM02
// model without TCP-gamma and cross-traffic (sim/DESIGN.md, "Measured facts").
// Random flow sets with random sizes and start times run on a star, a k = 4
// fat-tree (2:1, ECMP), a half-duplex star and a torus of 2-device hosts; each
// completion time must match SimGrid's within 1e-6 of the flow's duration.
//
// One catch, read in SimGrid's src/kernel/resource/models/network_cm02.cpp
// (NetworkCm02Model::communicate): a flow's sharing penalty is its route
// latency, so CM02 shares a link in inverse proportion to the flows' latencies
// (RTT unfairness), and is plain max-min only among flows of equal route
// latency. On the star every route has the same latency and SimGrid is given
// the real latencies (this also checks when latency is paid). Elsewhere
// SimGrid gets zero-latency links and each flow starts at its send time plus
// its route latency: then every penalty is equal (1) and the timing is the
// same as ours, latency first and bandwidth after.
//
// That same penalty makes SimGrid an oracle for weighted max-min sharing
// (FlowNetwork's uneven sharing): CM02 is weighted max-min with weight
// 1 / route latency. On a star whose host links have different latencies,
// SimGrid gets the real latencies and our flows are sent with weight
// 1 / route latency (FlowNetwork::send_weighted).
//
// Needs the simgrid_oracle program, built only when pkg-config finds
// simgrid; otherwise the test is skipped, saying so.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace sim::net {
namespace {

// SimGrid works in double seconds with its own precision settings; ours
// rounds each completion to the picosecond. 1e-6 of a duration is far above
// both and far below any modelling difference (a wrong share is >= 1e-2).
constexpr double kRelativeTolerance = 1e-6;

#ifdef SIM_SIMGRID_ORACLE
constexpr const char* kOracle = SIM_SIMGRID_ORACLE;
#else
constexpr const char* kOracle = nullptr;
#endif

struct Flow {
  std::int64_t start_us;
  EndpointId src, dst;
  std::int64_t bytes;
};

std::string Num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// Every directed link becomes a SimGrid link (or, half duplex, every cable
// one link used both ways), and every ordered pair of endpoints an explicit
// route of our own routing: SimGrid then shares exactly our resources.
std::string PlatformXml(const topo::Topology& t, bool half_duplex, bool zero_latency) {
  std::ostringstream x;
  x << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
    << "<platform version=\"4.1\">\n<zone id=\"world\" routing=\"Full\">\n";
  for (EndpointId e = 0; e < t.endpoint_count(); ++e) x << "  <host id=\"e" << e << "\" speed=\"1Gf\"/>\n";
  auto id = [&](topo::LinkId l) {
    const topo::LinkId r = t.link(l).reverse;
    return half_duplex && r != topo::kNoLink && r < l ? r : l;
  };
  for (topo::LinkId l = 0; l < t.link_count(); ++l) {
    if (id(l) != l) continue;
    const auto& p = t.link(l).params;
    x << "  <link id=\"l" << l << "\" bandwidth=\"" << Num(p.bandwidth.value) << "Bps\" latency=\""
      << Num(zero_latency ? 0.0 : p.latency.seconds()) << "s\" sharing_policy=\"SHARED\"/>\n";
  }
  for (EndpointId a = 0; a < t.endpoint_count(); ++a) {
    for (EndpointId b = 0; b < t.endpoint_count(); ++b) {
      if (a == b) continue;
      x << "  <route src=\"e" << a << "\" dst=\"e" << b << "\" symmetrical=\"NO\">";
      for (topo::LinkId l : t.route(a, b)) x << "<link_ctn id=\"l" << id(l) << "\"/>";
      x << "</route>\n";
    }
  }
  x << "</zone>\n</platform>\n";
  return x.str();
}

std::vector<double> OracleTimes(const topo::Topology& t, const std::vector<Flow>& flows, bool half_duplex,
                                bool latency_in_start) {
  const auto dir = std::filesystem::temp_directory_path() / ("sim_simgrid_oracle_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "platform.xml") << PlatformXml(t, half_duplex, latency_in_start);
  {
    std::ofstream f(dir / "flows.txt");
    for (const Flow& fl : flows) {
      Time start = Microseconds(fl.start_us);
      if (latency_in_start) start += t.route_latency(fl.src, fl.dst);
      f << Num(start.seconds()) << " e" << fl.src << " e" << fl.dst << " " << fl.bytes << "\n";
    }
  }
  const std::string cmd = std::string(kOracle) + " " + (dir / "platform.xml").string() + " " +
                          (dir / "flows.txt").string() +
                          " --cfg=network/model:CM02 --cfg=network/TCP-gamma:0 --cfg=network/crosstraffic:0"
                          " --log=root.thres:critical 2>/dev/null";
  std::vector<double> times(flows.size(), -1.0);
  FILE* out = ::popen(cmd.c_str(), "r");
  EXPECT_NE(out, nullptr) << cmd;
  if (!out) return times;
  std::size_t index;
  double when;
  while (std::fscanf(out, "%zu %lf", &index, &when) == 2) {
    if (index < times.size()) times[index] = when;
  }
  EXPECT_EQ(::pclose(out), 0) << cmd;
  std::filesystem::remove_all(dir);
  return times;
}

// weight_by_latency: each flow shares with weight 1 / its route latency, as
// CM02 shares among flows of different latencies.
std::vector<double> OurTimes(const topo::Topology& t, const std::vector<Flow>& flows, bool half_duplex,
                             bool weight_by_latency) {
  Engine engine;
  NetworkCalibration calibration;
  if (half_duplex) calibration.duplex = Duplex::kHalf;
  FlowNetwork network(engine, t, calibration);
  std::vector<double> times(flows.size(), -1.0);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    engine.schedule_at(Microseconds(flows[i].start_us), [&, i] {
      const Flow& f = flows[i];
      auto done = [&, i] { times[i] = engine.now().seconds(); };
      if (weight_by_latency) {
        network.send_weighted(f.src, f.dst, Bytes{f.bytes}, 1.0 / t.route_latency(f.src, f.dst).seconds(), done);
      } else {
        network.send(f.src, f.dst, Bytes{f.bytes}, done);
      }
    });
  }
  engine.run();
  return times;
}

std::vector<Flow> RandomFlows(const topo::Topology& t, std::uint64_t seed, int count) {
  RandomStream rng = NamedStream(seed, "simgrid_oracle_test/flows");
  std::vector<Flow> flows;
  const auto n = t.endpoint_count();
  for (int i = 0; i < count; ++i) {
    auto src = static_cast<EndpointId>(rng.uniform_index(n));
    auto dst = static_cast<EndpointId>(rng.uniform_index(n - 1));
    if (dst >= src) ++dst;
    // Starts over 0..40 ms in whole microseconds (exact in both clocks),
    // 100 kB .. 20 MB: drains of 0.1 .. 20 ms, so flows overlap and share.
    flows.push_back({static_cast<std::int64_t>(rng.uniform_index(40'000)), src, dst,
                     100'000 + static_cast<std::int64_t>(rng.uniform_index(19'900'000))});
  }
  return flows;
}

void CompareWithSimGrid(const topo::Topology& t, bool half_duplex, bool latency_in_start, std::uint64_t seed,
                        bool weight_by_latency = false) {
  const auto flows = RandomFlows(t, seed, 60);
  const auto ours = OurTimes(t, flows, half_duplex, weight_by_latency);
  const auto theirs = OracleTimes(t, flows, half_duplex, latency_in_start);
  double worst = 0.0;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    ASSERT_GE(theirs[i], 0.0) << "SimGrid gave no time for flow " << i;
    const double duration = theirs[i] - static_cast<double>(flows[i].start_us) * 1e-6;
    worst = std::max(worst, std::abs(ours[i] - theirs[i]) / duration);
    EXPECT_NEAR(ours[i], theirs[i], kRelativeTolerance * duration)
        << "flow " << i << ": e" << flows[i].src << " -> e" << flows[i].dst << ", " << flows[i].bytes << " B from "
        << flows[i].start_us << " us";
  }
  std::printf("seed %llu: %zu flows, max |ours - SimGrid| / duration = %.2g\n", static_cast<unsigned long long>(seed),
              flows.size(), worst);
}

const topo::LinkParams kHostLink{GigabytesPerSecond(1.25), Microseconds(5)};

class SimGridOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kOracle == nullptr) {
      GTEST_SKIP() << "SimGrid not found when configuring (pkg-config simgrid): the max-min oracle was not built. "
                      "Install libsimgrid-dev and re-run cmake.";
    }
  }
};

TEST_F(SimGridOracle, RandomFlowsOnAStar) {
  for (std::uint64_t seed : {1, 2, 3}) CompareWithSimGrid(topo::MakeStar(8, kHostLink), false, false, seed);
}

TEST_F(SimGridOracle, RandomFlowsOnAnOversubscribedFatTree) {
  // k = 4, 2:1 at the edge, ECMP: contention at hosts and at uplinks.
  topo::HostOptions ecmp{1, {GigabitsPerSecond(2400), Microseconds(1)}, topo::RoutingPolicy::kEcmp};
  const topo::LinkParams host{GigabitsPerSecond(10.0), Microseconds(1)};
  for (std::uint64_t seed : {4, 5}) CompareWithSimGrid(topo::MakeFatTree({4, host, 2.0, 1.0}, ecmp), false, true, seed);
}

TEST_F(SimGridOracle, RandomFlowsOnAHalfDuplexStar) {
  for (std::uint64_t seed : {6, 7}) CompareWithSimGrid(topo::MakeStar(6, kHostLink), true, false, seed);
}

TEST_F(SimGridOracle, RandomFlowsOnATorusWithDevices) {
  // 2 x 3 torus, 2 devices per host: multi-hop routes and intra-node links.
  topo::HostOptions two{2, {GigabytesPerSecond(30.0), Microseconds(1)}, topo::RoutingPolicy::kShortest};
  CompareWithSimGrid(topo::MakeTorus2D(2, 3, kHostLink, two), false, true, 8);
}

TEST_F(SimGridOracle, WeightedSharingOnAStarOfUnequalLatencies) {
  // Six hosts on one switch, host links of 1.25 GB/s and 1 to 50 us: route
  // latencies 3 to 70 us, so weights 1 / latency differ by up to 23x and
  // every contended link shares unevenly.
  const std::vector<double> latency_us = {1, 2, 5, 10, 20, 50};
  std::vector<std::string> hosts;
  std::vector<topo::EdgeSpec> edges;
  for (std::size_t h = 0; h < latency_us.size(); ++h) {
    hosts.push_back("h" + std::to_string(h));
    edges.push_back({hosts.back(), "sw0", {GigabytesPerSecond(1.25), Microseconds(latency_us[h])}});
  }
  const topo::Topology star = topo::MakeEdgeList(hosts, edges, {"sw0"});
  for (std::uint64_t seed : {9, 10, 11}) CompareWithSimGrid(star, false, false, seed, true);
}

}  // namespace
}  // namespace sim::net
