// bench_collective: wall time to simulate collectives on a 1,024-host
// fat-tree (k = 16, 100 Gbit/s, 1 us per link: topologies/library's
// fat_tree_1024 built directly), ranks on hosts 0..p-1.
//
// BM_RingAllReduce/p is the target: a 1 GB ring all-reduce, schedule
// building included, p = 1,024 in under 1 s of wall time (SimGrid on the same
// transfers and platform: sim/BENCHMARKS.md). A ring all-reduce is 2(p-1)p
// transfers, so the cost is expected to grow as p^2 at fixed n; the counters
// say how many transfers and simulated seconds each case is. Per transfer it
// is not flat (~0.2 us at p = 256, ~0.3 us at p = 1,024 in Dec 2026 on a
// 2-core VM): at p = 1,024 the schedule's 75 MB stream through the cache
// once per run and evict the engine's heap and the solver's resources
// between the events of one transfer.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/simgrid_inputs.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace {

using namespace sim;
using namespace sim::collectives;

constexpr std::int64_t kGigabyte = 1'000'000'000;

const topo::Topology& FatTree1024() {
  static const topo::Topology tree = [] {
    topo::FatTreeParams params;
    params.k = 16;
    params.host_link = {GigabitsPerSecond(100.0), Microseconds(1)};
    return topo::MakeFatTree(params, topo::HostOptions{.routing = topo::RoutingPolicy::kFatTreeTwoLevel});
  }();
  return tree;
}

// Memory the schedule's contents take, counted from them (not from vector
// capacities): per transfer its StoredTransfer, its dependency and dependent
// index entries (4 bytes each) and exchange partner (if any); per dependency
// edge 4 bytes, stored once each way; per distinct range its ByteRange.
double ScheduleBytes(const Schedule& schedule) {
  double edges = 0.0;
  for (TransferId id = 0; id < schedule.size(); ++id) {
    edges += static_cast<double>(schedule.deps(id).size() + schedule.dependents(id).size());
  }
  const double per_transfer = sizeof(StoredTransfer) + 2.0 * sizeof(std::uint32_t) +
                              (schedule.has_exchanges() ? sizeof(TransferId) : 0.0);
  return static_cast<double>(schedule.size()) * per_transfer + edges * sizeof(TransferId) +
         static_cast<double>(schedule.range_count()) * sizeof(ByteRange);
}

void RunOnFatTree(benchmark::State& state, Algorithm algorithm) {
  const auto p = static_cast<std::uint32_t>(state.range(0));
  const topo::Topology& tree = FatTree1024();
  std::vector<EndpointId> endpoints(p);
  for (std::uint32_t i = 0; i < p; ++i) endpoints[i] = i;
  double simulated = 0.0;
  std::size_t transfers = 0;
  double events = 0.0;
  double schedule_mb = 0.0;
  for (auto _ : state) {
    auto schedule = std::make_shared<const Schedule>(
        BuildSchedule({.op = Op::kAllReduce, .algorithm = algorithm, .ranks = p, .bytes = Bytes{kGigabyte}}));
    Engine engine;
    net::FlowNetwork network(engine, tree);
    CollectiveRun run(engine, network, schedule, endpoints);
    run.start();
    engine.run();
    if (!run.done()) state.SkipWithError("collective did not finish");
    simulated = run.finish_time().seconds();
    transfers = schedule->size();
    events = static_cast<double>(engine.events_fired());
    schedule_mb = ScheduleBytes(*schedule) / 1e6;
  }
  state.counters["schedule_MB"] = schedule_mb;
  state.counters["events_per_transfer"] = events / static_cast<double>(transfers);
  state.counters["transfers"] = static_cast<double>(transfers);
  state.counters["simulated_s"] = simulated;
  state.counters["transfers_per_s"] =
      benchmark::Counter(static_cast<double>(transfers), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RingAllReduce(benchmark::State& state) { RunOnFatTree(state, Algorithm::kRing); }
BENCHMARK(BM_RingAllReduce)->RangeMultiplier(4)->Range(16, 1024)->Unit(benchmark::kMillisecond);

void BM_HalvingDoublingAllReduce(benchmark::State& state) { RunOnFatTree(state, Algorithm::kHalvingDoubling); }
BENCHMARK(BM_HalvingDoublingAllReduce)->Arg(1024)->Unit(benchmark::kMillisecond);

void BM_DoubleBinaryTreeAllReduce(benchmark::State& state) { RunOnFatTree(state, Algorithm::kDoubleBinaryTree); }
BENCHMARK(BM_DoubleBinaryTreeAllReduce)->Arg(1024)->Unit(benchmark::kMillisecond);

// The same ring with its schedule compiled once, outside the timed loop, as a
// training run does (one all-reduce schedule reused every step).
void BM_RingAllReduceSimulateOnly(benchmark::State& state) {
  const auto p = static_cast<std::uint32_t>(state.range(0));
  const topo::Topology& tree = FatTree1024();
  std::vector<EndpointId> endpoints(p);
  for (std::uint32_t i = 0; i < p; ++i) endpoints[i] = i;
  auto schedule = std::make_shared<const Schedule>(
      BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{kGigabyte}}));
  for (auto _ : state) {
    Engine engine;
    net::FlowNetwork network(engine, tree);
    CollectiveRun run(engine, network, schedule, endpoints);
    run.start();
    engine.run();
    if (!run.done()) state.SkipWithError("collective did not finish");
  }
  state.counters["transfers"] = static_cast<double>(schedule->size());
}
BENCHMARK(BM_RingAllReduceSimulateOnly)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// Compiling the schedule alone, to separate it from simulating it.
void BM_BuildRingSchedule(benchmark::State& state) {
  const auto p = static_cast<std::uint32_t>(state.range(0));
  for (auto _ : state) {
    Schedule s = BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p,
                                .bytes = Bytes{kGigabyte}});
    benchmark::DoNotOptimize(s.size());
  }
}
BENCHMARK(BM_BuildRingSchedule)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

// SimGrid on the same work, for the peer figure of BENCHMARKS.md: with
// SIM_BENCH_COLLECTIVE_SIMGRID_DIR=DIR in the environment, writes, for the
// 1 GB ring all-reduce of BM_RingAllReduce/p, p = 16, 64, 256 and 1,024,
// DIR/ring_p.xml and DIR/ring_p.txt (simgrid_inputs.h: the fat-tree, the
// ring's routes, its transfers and their dependencies), prints our finish
// time for each, and exits.
int WriteSimGridInputs(const std::string& dir) {
  for (std::uint32_t p : {16u, 64u, 256u, 1024u}) {
    std::vector<EndpointId> endpoints(p);
    for (std::uint32_t i = 0; i < p; ++i) endpoints[i] = i;
    auto schedule = std::make_shared<const Schedule>(
        BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{kGigabyte}}));
    const std::string name = dir + "/ring_" + std::to_string(p);
    std::ofstream xml(name + ".xml");
    WriteSimGridPlatform(FatTree1024(), *schedule, endpoints, xml);
    std::ofstream transfers(name + ".txt");
    WriteSimGridTransfers(FatTree1024(), *schedule, endpoints, transfers);
    if (!xml || !transfers) {
      std::fprintf(stderr, "bench_collective: cannot write %s.xml / .txt\n", name.c_str());
      return 1;
    }
    Engine engine;
    net::FlowNetwork network(engine, FatTree1024());
    CollectiveRun run(engine, network, schedule, endpoints);
    run.start();
    engine.run();
    std::printf("ring_%u: %zu transfers, finish %.17g s\n", p, schedule->size(), run.finish_time().seconds());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = std::getenv("SIM_BENCH_COLLECTIVE_SIMGRID_DIR");
  if (dir != nullptr && *dir != '\0') return WriteSimGridInputs(dir);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
