// A timing-only training context for strategy tests: no numerics, and
// communication that takes no simulated time, so that a strategy's step time
// is compute and waiting alone and can be checked against closed forms.
#pragma once

#include <memory>

#include "sim/engine/engine.h"
#include "sim/result/training_log.h"
#include "sim/result/worker_timeline.h"
#include "sim/scenario/scenario.pb.h"
#include "sim/strategy/communication.h"
#include "sim/strategy/strategy.h"
#include "sim/training/compute_model.h"
#include "sim/training/numerics.h"
#include "sim/training/straggler_model.h"

namespace sim::testing {

// Every callback fires as a new event at the current time.
class FreeCommunication final : public Communication {
 public:
  explicit FreeCommunication(Engine& engine) : engine_(engine) {}
  void all_reduce(Bytes, Done done) override { later(std::move(done)); }
  void push(std::uint32_t, Bytes, Done applied) override { later(std::move(applied)); }
  void pull(std::uint32_t, Bytes, Done done) override { later(std::move(done)); }

 private:
  void later(Done done) { engine_.schedule_in(Time::zero(), std::move(done)); }
  Engine& engine_;
};

// One strategy run with `workers` workers of nominal step `nominal` and the
// stragglers, kind and steps that `scenario` gives.
struct TimingRun {
  TimingRun(const scenario::Scenario& s, Time nominal)
      : scenario(s),
        communication(engine),
        stragglers(MakeStragglerModel(s.stragglers(), s.cluster().workers(), s.seed())),
        compute(nominal, *stragglers),
        timeline(s.cluster().workers()),
        log(0.0),
        context{.engine = engine,
                .communication = communication,
                .compute = compute,
                .numerics = numerics,
                .timeline = timeline,
                .log = log,
                .scenario = scenario,
                .workers = s.cluster().workers(),
                .model_bytes = Bytes{4},
                .steps = s.workload().steps(),
                .eval_every = s.workload().steps()} {
    strategy = MakeStrategy(context);
    strategy->start();
    engine.run();
    timeline.finish(engine.now());
  }

  scenario::Scenario scenario;
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

inline scenario::Scenario TimingScenario(std::uint32_t workers, scenario::StrategyKind kind, std::uint64_t steps,
                                         double straggler_mean) {
  scenario::Scenario s;
  s.set_seed(7);
  s.mutable_cluster()->set_workers(workers);
  s.mutable_workload()->set_batch_size(1);
  s.mutable_workload()->set_steps(steps);
  s.mutable_strategy()->set_kind(kind);
  s.mutable_strategy()->set_servers(1);
  s.mutable_stragglers()->set_distribution(straggler_mean > 0 ? scenario::EXPONENTIAL : scenario::NONE);
  s.mutable_stragglers()->set_mean(straggler_mean);
  s.mutable_stragglers()->set_transient_factor(1.0);
  return s;
}

inline double Harmonic(std::uint32_t n) {
  double h = 0;
  for (std::uint32_t i = 1; i <= n; ++i) h += 1.0 / i;
  return h;
}

}  // namespace sim::testing
