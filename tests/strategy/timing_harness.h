// A timing-only training context for strategy tests: no numerics, and
// communication that takes no simulated time, so that a strategy's step time
// is compute and waiting alone and can be checked against closed forms.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/result/training_log.h"
#include "sim/result/worker_timeline.h"
#include "sim/strategy/communication.h"
#include "sim/strategy/strategy.h"
#include "sim/training/compute_model.h"
#include "sim/training/numerics.h"
#include "sim/training/straggler_model.h"

namespace sim::testing {

// Every callback fires as a new event at the current time, except a pull
// to a worker given a pull time, which takes that long. Counts the pulls
// each worker has in flight, and the most it ever had.
class FreeCommunication final : public Communication {
 public:
  FreeCommunication(Engine& engine, std::uint32_t workers, std::vector<Time> pull_time)
      : engine_(engine), pull_time_(std::move(pull_time)), pulls_in_flight_(workers, 0) {}
  void all_reduce(Bytes, Done done) override { later(Time::zero(), std::move(done)); }
  void all_gather(Bytes, Done done) override { later(Time::zero(), std::move(done)); }
  // Every worker is done when the last has entered, as with all_reduce().
  Enter all_reduce_each(Bytes, WorkerDone worker_done) override { return each(std::move(worker_done)); }
  Enter all_gather_each(Bytes, WorkerDone worker_done) override { return each(std::move(worker_done)); }
  void push(std::uint32_t, Bytes, Done applied) override { later(Time::zero(), std::move(applied)); }
  void pull(std::uint32_t worker, Bytes, Done done) override {
    max_pulls_in_flight_ = std::max(max_pulls_in_flight_, ++pulls_in_flight_.at(worker));
    const Time took = worker < pull_time_.size() ? pull_time_[worker] : Time::zero();
    later(took, [this, worker, done = std::move(done)] {
      --pulls_in_flight_[worker];
      done();
    });
  }
  [[nodiscard]] std::uint32_t max_pulls_in_flight() const noexcept { return max_pulls_in_flight_; }

 private:
  void later(Time after, Done done) { engine_.schedule_in(after, std::move(done)); }
  Enter each(WorkerDone worker_done) {
    auto left = std::make_shared<std::size_t>(pulls_in_flight_.size());
    return [this, left, worker_done = std::move(worker_done)](std::uint32_t) {
      if (--*left > 0) return;
      for (std::uint32_t w = 0; w < pulls_in_flight_.size(); ++w) later(Time::zero(), [worker_done, w] { worker_done(w); });
    };
  }
  Engine& engine_;
  std::vector<Time> pull_time_;
  std::vector<std::uint32_t> pulls_in_flight_;
  std::uint32_t max_pulls_in_flight_ = 0;
};

// What a timing test varies: the workers, the strategy, the run's length,
// the stragglers and the seed of their streams, and the time a worker takes
// to encode and decode a compressed gradient (gradient_exchange.h).
struct TimingSetup {
  std::uint32_t workers = 1;
  StrategySpec strategy;
  std::uint64_t steps = 1;
  StragglerSpec stragglers;
  std::uint64_t seed = 7;
  Time encode = Time::zero();
  Time decode = Time::zero();
  // How long a pull to worker k takes (absent: none).
  std::vector<Time> pull_time;
};

inline GradientExchange TimedExchange(const TimingSetup& s) {
  GradientExchange e = DenseExchange(Bytes{4}, s.workers);
  e.encode = s.encode;
  e.decode = s.decode;
  return e;
}

// One strategy run with `setup.workers` workers of nominal step `nominal`.
struct TimingRun {
  TimingRun(const TimingSetup& s, Time nominal)
      : setup(s),
        communication(engine, s.workers, s.pull_time),
        stragglers(MakeStragglerModel(s.stragglers, s.workers, s.seed)),
        compute(nominal, *stragglers),
        timeline(s.workers),
        log(0.0),
        context{.engine = engine,
                .communication = communication,
                .compute = compute,
                .numerics = numerics,
                .timeline = timeline,
                .log = log,
                .strategy = setup.strategy,
                .workers = s.workers,
                .batch_size = 1,
                .stop_at_target = false,
                .model_bytes = Bytes{4},
                .exchange = TimedExchange(s),
                .steps = s.steps,
                .eval_every = s.steps} {
    strategy = MakeStrategy(context);
    strategy->start();
    engine.run();
    timeline.finish(engine.now());
  }

  TimingSetup setup;
  Engine engine;
  FreeCommunication communication;
  std::unique_ptr<StragglerModel> stragglers;
  ComputeModel compute;
  Numerics numerics;
  WorkerTimeline timeline;
  TrainingLog log;
  TrainingContext context;
  std::unique_ptr<Strategy> strategy;
};

inline TimingSetup TimingScenario(std::uint32_t workers, StrategyKind kind, std::uint64_t steps,
                                  double straggler_mean) {
  TimingSetup s;
  s.workers = workers;
  s.steps = steps;
  s.strategy.kind = kind;
  s.strategy.servers = 1;
  s.stragglers.distribution = straggler_mean > 0 ? StragglerDistribution::kExponential : StragglerDistribution::kNone;
  s.stragglers.parameters.mean = straggler_mean;
  return s;
}

inline double Harmonic(std::uint32_t n) {
  double h = 0;
  for (std::uint32_t i = 1; i <= n; ++i) h += 1.0 / i;
  return h;
}

}  // namespace sim::testing
