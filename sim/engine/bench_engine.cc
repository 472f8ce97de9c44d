// Hold-model benchmark of the event engine (Vaucher & Duval 1975; the workload
// of ns-3's scheduler benchmarks): K timers pending, each firing reschedules
// itself after an exponential delay of mean 1,000 ticks. Every event is a real
// engine event: a callback, with a cancellable handle.
//
//   build/bench_engine --benchmark_format=json
//
// items_per_second is events per second. BM_BareHeapHold is the same workload
// on a bare std::priority_queue of plain structs (the reference
// program of sim/DESIGN.md, "Measured facts"): the ceiling to compare against, measured in the same run.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/engine.h"

namespace {

constexpr double kMeanDelayTicks = 1000.0;
constexpr std::int64_t kEventsPerRun = 2'000'000;

// One timer of the hold model; rescheduling itself is its whole behaviour.
// The run ends when the engine has fired `last_event` events.
struct HoldTimer {
  sim::Engine* engine;
  sim::RandomStream* rng;
  std::uint64_t last_event;
  sim::EventId pending;
  void arm() {
    if (engine->events_fired() >= last_event) {
      engine->stop();
      return;
    }
    auto delay = sim::Picoseconds(1 + static_cast<std::int64_t>(rng->exponential(kMeanDelayTicks)));
    pending = engine->schedule_in(delay, [this] { arm(); });
  }
};

void BM_Hold(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  std::int64_t fired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sim::Engine engine;
    sim::RandomStream rng(1);
    std::vector<HoldTimer> timers(k, HoldTimer{&engine, &rng, kEventsPerRun, {}});
    for (auto& t : timers) t.arm();
    state.ResumeTiming();
    engine.run();
    fired += static_cast<std::int64_t>(engine.events_fired());
    benchmark::DoNotOptimize(engine.now());
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_Hold)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

struct BareEvent {
  std::uint64_t t, seq;
  std::uint32_t who;
};
struct Later {
  bool operator()(const BareEvent& a, const BareEvent& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

void BM_BareHeapHold(benchmark::State& state) {
  const auto k = static_cast<std::uint32_t>(state.range(0));
  std::int64_t fired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sim::RandomStream rng(1);
    std::priority_queue<BareEvent, std::vector<BareEvent>, Later> q;
    std::uint64_t seq = 0;
    for (std::uint32_t i = 0; i < k; ++i) q.push({1 + static_cast<std::uint64_t>(rng.exponential(kMeanDelayTicks)), seq++, i});
    state.ResumeTiming();
    for (std::int64_t n = 0; n < kEventsPerRun; ++n) {
      BareEvent e = q.top();
      q.pop();
      q.push({e.t + 1 + static_cast<std::uint64_t>(rng.exponential(kMeanDelayTicks)), seq++, e.who});
    }
    fired += kEventsPerRun;
    benchmark::DoNotOptimize(q.top().t);
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_BareHeapHold)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
