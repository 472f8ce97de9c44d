// Flow-level network benchmark (issue 4; sim/DESIGN.md "Max-min sharing is the
// hot path"). BM_FatTreePermutation: N concurrent flows between random host
// pairs (src != dst) on the 1,024-host k = 16 fat-tree of the library
// (100 Gbit/s, two-level routing), sizes uniform in [1 MB, 100 MB], all sent
// at t = 0 and run to completion.
//
//   build/bench_network --benchmark_counters_tabular=true
//
// Counters: recomputations = solves (one per instant with starts or ends),
// recomputations_per_s = solves per wall second, flows_rerated_per_solve =
// mean size of the set S the solver recomputed, rates_changed_per_solve =
// flows whose rate did change (new ones included), reschedules = completion
// events moved because a rate changed, sim_s = simulated makespan. Figures,
// growth curves and SimGrid on the same flows: sim/BENCHMARKS.md.
//
// Growth. There is one solve per completion, so solves grow as N; what grows
// faster is how many rates one completion changes. With N / 1,024 flows per
// host link: N = 1,000, most flows are alone on their links and a completion
// changes about one other rate; N = 10,000, the freed bandwidth cascades
// through saturated host links to ~180 rates; N = 30,000, to ~2,200; N =
// 100,000, to ~14,000. The solver already recomputes little more than those
// (S is 1.04x the changed rates at 30,000 flows), and an exact simulation
// that keeps a rate per flow must make each of these updates: their number,
// not the solver, sets the growth (x37 from 10,000 to 30,000 flows).
#include <benchmark/benchmark.h>

#include <google/protobuf/text_format.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace {

// topologies/library/fat_tree_1024.pbtxt: k = 16, 100 Gbit/s and 1 us per
// link, non-blocking, two-level routing.
sim::topo::Topology FatTree1024() {
  return sim::topo::MakeFatTree({16, {sim::GigabitsPerSecond(100), sim::Microseconds(1)}, 1.0, 1.0},
                                {1, {sim::GigabitsPerSecond(2400), sim::Microseconds(1)},
                                 sim::topo::RoutingPolicy::kFatTreeTwoLevel});
}

struct PermutationFlow {
  sim::EndpointId src = 0;
  sim::EndpointId dst = 0;
  std::int64_t bytes = 0;
};

// The benchmark's flows: random host pairs (src != dst), sizes uniform in [1 MB, 100 MB].
std::vector<PermutationFlow> PermutationFlows(std::uint32_t flows, std::uint64_t hosts) {
  sim::RandomStream rng = sim::NamedStream(1, "bench_network/flows");
  std::vector<PermutationFlow> out;
  for (std::uint32_t i = 0; i < flows; ++i) {
    const auto src = static_cast<sim::EndpointId>(rng.uniform_index(hosts));
    auto dst = static_cast<sim::EndpointId>(rng.uniform_index(hosts - 1));
    if (dst >= src) ++dst;
    const auto bytes = static_cast<std::int64_t>(1e6 + rng.uniform() * 99e6);
    out.push_back({src, dst, bytes});
  }
  return out;
}

void BM_FatTreePermutation(benchmark::State& state) {
  const auto flows = static_cast<std::uint32_t>(state.range(0));
  const sim::topo::Topology topology = FatTree1024();
  const std::vector<PermutationFlow> sends = PermutationFlows(flows, topology.endpoint_count());
  std::uint64_t solves = 0, rerated = 0, reschedules = 0, delivered = 0;
  double makespan_s = 0.0;
  for (auto _ : state) {
    sim::Engine engine;
    sim::net::FlowNetwork network(engine, topology);
    for (const PermutationFlow& f : sends) {
      network.send(f.src, f.dst, sim::Bytes{f.bytes}, [&delivered] { ++delivered; });
    }
    engine.run();
    solves += network.rate_recomputations();
    rerated += network.flows_recomputed();
    reschedules += network.reschedules();
    makespan_s = engine.now().seconds();
  }
  if (delivered != flows * static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("not every flow was delivered");
  const double iterations = static_cast<double>(state.iterations());
  state.counters["recomputations"] = static_cast<double>(solves) / iterations;
  state.counters["recomputations_per_s"] = benchmark::Counter(static_cast<double>(solves), benchmark::Counter::kIsRate);
  state.counters["flows_rerated_per_solve"] = static_cast<double>(rerated) / static_cast<double>(solves);
  state.counters["reschedules"] = static_cast<double>(reschedules) / iterations;
  // Rates that did change per solve: the least an exact simulation with a
  // rate per flow has to update (the solver's S is at most ~1.15x this).
  state.counters["rates_changed_per_solve"] = static_cast<double>(reschedules + delivered) /
                                              static_cast<double>(solves);
  state.counters["sim_s"] = makespan_s;
}
BENCHMARK(BM_FatTreePermutation)->Arg(1'000)->Arg(10'000)->Arg(30'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// 100,000 flows run for tens of minutes or more (see the growth note at the
// top): only with SIM_BENCH_NETWORK_LARGE=1 in the environment.
[[maybe_unused]] const bool kLargeRegistered = [] {
  if (std::getenv("SIM_BENCH_NETWORK_LARGE") != nullptr) {
    benchmark::RegisterBenchmark("BM_FatTreePermutation", BM_FatTreePermutation)
        ->Arg(100'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

// Building the 1,024-host fat-tree's graph: routes come later, on demand.
void BM_BuildFatTree1024(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(FatTree1024().link_count());
}
BENCHMARK(BM_BuildFatTree1024)->Unit(benchmark::kMillisecond);

// Routes between random host pairs on a fresh fat-tree: the first route to
// each destination pays its BFS, later ones only the walk.
void BM_FatTreeRoutes(benchmark::State& state) {
  const auto routes = static_cast<std::uint32_t>(state.range(0));
  std::vector<sim::topo::LinkId> path;
  for (auto _ : state) {
    state.PauseTiming();
    const sim::topo::Topology topology = FatTree1024();
    sim::RandomStream rng = sim::NamedStream(1, "bench_network/routes");
    state.ResumeTiming();
    for (std::uint32_t i = 0; i < routes; ++i) {
      path.clear();
      topology.append_route(static_cast<sim::EndpointId>(rng.uniform_index(1024)),
                            static_cast<sim::EndpointId>(rng.uniform_index(1024)), path);
      benchmark::DoNotOptimize(path.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * routes);
}
BENCHMARK(BM_FatTreeRoutes)->Arg(10'000)->Unit(benchmark::kMillisecond);

// SimGrid on the same work, for the peer figures of BENCHMARKS.md: with
// SIM_BENCH_NETWORK_SIMGRID_DIR=DIR in the environment, writes
// DIR/platform_N.xml and DIR/flows_N.txt for N = 1,000, 10,000 and 30,000 (the
// fat-tree's links and the flows of BM_FatTreePermutation/N, each pair's
// route of our routing explicit) in the formats of
// tests/network/simgrid_oracle.cc, and exits.
void WriteSimGridInputs(const std::string& dir) {
  const sim::topo::Topology topology = FatTree1024();
  for (std::uint32_t n : {1'000u, 10'000u, 30'000u}) {
    const std::vector<PermutationFlow> sends = PermutationFlows(n, topology.endpoint_count());
    std::ofstream flows(dir + "/flows_" + std::to_string(n) + ".txt");
    std::ofstream xml(dir + "/platform_" + std::to_string(n) + ".xml");
    xml.precision(17);
    xml << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
        << "<platform version=\"4.1\">\n<zone id=\"world\" routing=\"Full\">\n";
    for (sim::EndpointId e = 0; e < topology.endpoint_count(); ++e) {
      xml << "<host id=\"e" << e << "\" speed=\"1Gf\"/>\n";
    }
    for (sim::topo::LinkId l = 0; l < topology.link_count(); ++l) {
      const auto& params = topology.link(l).params;
      xml << "<link id=\"l" << l << "\" bandwidth=\"" << params.bandwidth.value
          << "Bps\" latency=\"" << params.latency.seconds() << "s\"/>\n";
    }
    std::set<std::pair<sim::EndpointId, sim::EndpointId>> pairs;
    for (const PermutationFlow& f : sends) {
      flows << "0 e" << f.src << " e" << f.dst << " " << f.bytes << "\n";
      if (!pairs.emplace(f.src, f.dst).second) continue;
      xml << "<route src=\"e" << f.src << "\" dst=\"e" << f.dst << "\" symmetrical=\"NO\">";
      for (sim::topo::LinkId l : topology.route(f.src, f.dst)) {
        xml << "<link_ctn id=\"l" << l << "\"/>";
      }
      xml << "</route>\n";
    }
    xml << "</zone>\n</platform>\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = std::getenv("SIM_BENCH_NETWORK_SIMGRID_DIR");
  if (dir != nullptr && *dir != '\0') {
    WriteSimGridInputs(dir);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
