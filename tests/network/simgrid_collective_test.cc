// Collectives against an oracle nobody here wrote: SimGrid 3.32 runs the
// schedule's transfers with their dependencies (simgrid_collective.cc) on a
// platform of the same topology and routes, and every rank must finish when
// CollectiveRun on FlowNetwork says, within 1e-6 of the collective's time.
//
// Two cases: the ring all-reduce of bench_collective's BM_RingAllReduce
// (the 1,024-host fat-tree, ranks on hosts 0..p-1) at p = 8 and 16, where
// ring flows never share a link and each step waits for its neighbour's
// previous one; and a chunked ring on an oversubscribed k = 4 fat-tree with
// the ranks in a shuffled order, where flows of different ranks do share
// uplinks, so that the max-min rates and the pipelining both count.
//
// Needs the simgrid_collective program, built only when pkg-config finds
// simgrid; otherwise the test is skipped, saying so.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/simgrid_inputs.h"
#include "sim/core/random.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace sim::collectives {
namespace {

#ifdef SIM_SIMGRID_COLLECTIVE
constexpr const char* kProgram = SIM_SIMGRID_COLLECTIVE;
#else
constexpr const char* kProgram = nullptr;
#endif

// SimGrid keeps time in double seconds with its own precision settings
// (1e-9 s timing, 1e-5 work amounts); ours rounds each event to the
// picosecond. Over the tens of dependent steps here both stay far below
// 1e-6 of the collective's time, and far below what a wrong dependency or
// rate would cost (a step: 1/(2(p-1)) of it, 3% at p = 16).
constexpr double kRelativeTolerance = 1e-6;

struct Finish {
  std::vector<double> rank_s;  // when each rank's last transfer is delivered
  double all_s = 0.0;
};

Finish Ours(const topo::Topology& t, std::shared_ptr<const Schedule> schedule, const std::vector<EndpointId>& at) {
  Engine engine;
  net::FlowNetwork network(engine, t);
  CollectiveRun run(engine, network, schedule, at);
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  Finish f;
  for (Rank r = 0; r < schedule->ranks(); ++r) f.rank_s.push_back(run.rank_finish_time(r).seconds());
  f.all_s = run.finish_time().seconds();
  return f;
}

Finish SimGrids(const topo::Topology& t, const Schedule& schedule, const std::vector<EndpointId>& at) {
  const auto dir = std::filesystem::temp_directory_path() / ("sim_simgrid_collective_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream xml(dir / "platform.xml");
    WriteSimGridPlatform(t, schedule, at, xml);
    std::ofstream transfers(dir / "transfers.txt");
    WriteSimGridTransfers(t, schedule, at, transfers);
  }
  const std::string cmd = std::string(kProgram) + " " + (dir / "platform.xml").string() + " " +
                          (dir / "transfers.txt").string() +
                          " --cfg=network/model:CM02 --cfg=network/TCP-gamma:0 --cfg=network/crosstraffic:0"
                          " --log=root.thres:critical 2>/dev/null";
  std::vector<double> delivered(schedule.size(), -1.0);
  FILE* out = ::popen(cmd.c_str(), "r");
  EXPECT_NE(out, nullptr) << cmd;
  if (out != nullptr) {
    std::size_t index;
    double when;
    while (std::fscanf(out, "%zu %lf", &index, &when) == 2) {
      if (index < delivered.size()) delivered[index] = when;
    }
    EXPECT_EQ(::pclose(out), 0) << cmd;
  }
  std::filesystem::remove_all(dir);
  Finish f;
  f.rank_s.assign(schedule.ranks(), 0.0);
  for (TransferId id = 0; id < schedule.size(); ++id) {
    EXPECT_GE(delivered[id], 0.0) << "SimGrid gave no time for transfer " << id;
    const Transfer& tr = schedule.transfer(id);
    f.rank_s[tr.src] = std::max(f.rank_s[tr.src], delivered[id]);
    f.rank_s[tr.dst] = std::max(f.rank_s[tr.dst], delivered[id]);
    f.all_s = std::max(f.all_s, delivered[id]);
  }
  return f;
}

void ExpectSameFinish(const topo::Topology& t, const CollectiveSpec& spec, const std::vector<EndpointId>& at) {
  auto schedule = std::make_shared<const Schedule>(BuildSchedule(spec));
  const Finish ours = Ours(t, schedule, at);
  const Finish theirs = SimGrids(t, *schedule, at);
  ASSERT_GT(ours.all_s, 0.0);
  const double tolerance = kRelativeTolerance * ours.all_s;
  EXPECT_NEAR(ours.all_s, theirs.all_s, tolerance);
  double worst = 0.0;
  for (Rank r = 0; r < spec.ranks; ++r) {
    worst = std::max(worst, std::abs(ours.rank_s[r] - theirs.rank_s[r]));
    EXPECT_NEAR(ours.rank_s[r], theirs.rank_s[r], tolerance) << "rank " << r << " on endpoint " << at[r];
  }
  std::printf("p = %u, %zu transfers: finish %.9f s (SimGrid %.9f s), max |ours - SimGrid| over ranks %.2g s\n",
              spec.ranks, schedule->size(), ours.all_s, theirs.all_s, worst);
}

class SimGridCollective : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kProgram == nullptr) {
      GTEST_SKIP() << "SimGrid not found when configuring (pkg-config simgrid): simgrid_collective was not built. "
                      "Install libsimgrid-dev and re-run cmake.";
    }
  }
};

TEST_F(SimGridCollective, RingAllReduceOnTheBenchmarksFatTree) {
  // bench_collective's FatTree1024: k = 16, 100 Gbit/s and 1 us per link,
  // two-level routing; 16 MB instead of 1 GB, for time.
  topo::FatTreeParams params;
  params.k = 16;
  params.host_link = {GigabitsPerSecond(100.0), Microseconds(1)};
  const topo::Topology tree =
      topo::MakeFatTree(params, topo::HostOptions{.routing = topo::RoutingPolicy::kFatTreeTwoLevel});
  for (std::uint32_t p : {8u, 16u}) {
    std::vector<EndpointId> at(p);
    for (std::uint32_t i = 0; i < p; ++i) at[i] = i;
    ExpectSameFinish(tree, {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{16'000'000}},
                     at);
  }
}

TEST_F(SimGridCollective, ChunkedRingWithSharedUplinks) {
  // k = 4 (16 hosts), 2:1 at the edge, ECMP; the ring visits the hosts in a
  // shuffled order, so most of its flows cross pods and meet on uplinks.
  topo::HostOptions ecmp{1, {GigabitsPerSecond(2400), Microseconds(1)}, topo::RoutingPolicy::kEcmp};
  const topo::Topology tree = topo::MakeFatTree({4, {GigabitsPerSecond(10.0), Microseconds(1)}, 2.0, 1.0}, ecmp);
  std::vector<EndpointId> at(16);
  for (std::uint32_t i = 0; i < 16; ++i) at[i] = i;
  RandomStream rng = NamedStream(1, "simgrid_collective_test/placement");
  for (std::uint32_t i = 15; i > 0; --i) std::swap(at[i], at[rng.uniform_index(i + 1)]);
  ExpectSameFinish(tree,
                   {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 16, .bytes = Bytes{8'000'000},
                    .chunk = Bytes{100'000}},
                   at);
}

}  // namespace
}  // namespace sim::collectives
