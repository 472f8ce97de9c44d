#include "sim/training/run.h"

#include <chrono>
#include <cmath>

#include "models/compute/device_profiles.h"
#include "models/compute/model_cost.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/strategy/network_communication.h"
#include "sim/strategy/strategy.h"
#include "sim/training/compute_model.h"
#include "sim/training/numerics.h"
#include "sim/training/run_length.h"
#include "sim/training/straggler_model.h"
#include "topologies/cluster.h"

namespace sim {

TrainingRunOutput RunTraining(const scenario::LoadedScenario& loaded, const TrainingRunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const scenario::Scenario& s = loaded.scenario;
  const std::uint32_t workers = s.cluster().workers();

  const topo::Topology topology = topo::BuildTopology(s.cluster(), loaded.directory);
  const models::ResolvedDevice device = models::ResolveDevice(s.cluster());
  if (options.progress && device.fallback) *options.progress << "sim: " << device.note << "\n";

  const bool timing_only = s.workload().model().has_timing_only();
  Numerics numerics = timing_only ? Numerics() : Numerics(s, workers, options.data);
  const models::ModelCost cost = timing_only ? models::CostOfModel(s.workload().model(), 0, 0)
                                             : models::CostOf(*numerics.model());

  Engine engine;
  net::FlowNetwork network(engine, topology, s.cluster().network(), s.seed());
  NetworkCommunication communication(engine, network, topology, s, workers, cost.gradient_bytes());
  auto stragglers = MakeStragglerModel(s.stragglers(), workers, s.seed());
  ComputeModel compute(models::ComputeTimeOn(device.profile, cost.flops_per_step(s.workload().batch_size())),
                       *stragglers);
  WorkerTimeline timeline(workers, options.keep_trace);
  TrainingLog log(s.workload().target_accuracy());

  const std::uint64_t steps = StepsOf(s, numerics.training_samples());
  TrainingContext context{
      .engine = engine,
      .communication = communication,
      .compute = compute,
      .numerics = numerics,
      .timeline = timeline,
      .log = log,
      .scenario = s,
      .workers = workers,
      .model_bytes = cost.gradient_bytes(),
      .steps = steps,
      .eval_every = s.workload().eval_every_steps() > 0 ? s.workload().eval_every_steps()
                                                        : std::max<std::uint64_t>(1, steps / 10),
  };
  auto strategy = MakeStrategy(context);
  strategy->start();
  engine.run();
  timeline.finish(engine.now());

  TrainingRunOutput out;
  result::RunResult& r = out.result;
  r.set_scenario(s.name());
  r.set_version(SIM_VERSION);
  r.set_seed(s.seed());
  r.set_workers(workers);
  r.set_strategy(StrategyName(s.strategy()));
  r.set_steps(static_cast<std::uint32_t>(strategy->updates()));
  r.set_samples(static_cast<double>(strategy->samples()));
  const double sim_s = engine.now().seconds();
  r.set_sim_time_s(sim_s);
  r.set_mean_step_s(r.steps() > 0 ? sim_s / r.steps() : 0.0);
  r.set_samples_per_s(sim_s > 0 ? r.samples() / sim_s : 0.0);

  double compute_s = 0, comm_s = 0, wait_s = 0;
  for (std::uint32_t w = 0; w < workers; ++w) {
    result::WorkerTime* wt = r.add_per_worker();
    wt->set_worker(w);
    wt->set_computations(timeline.computations(w));
    wt->set_compute_s(timeline.total(w, Activity::kCompute).seconds());
    wt->set_comm_s(timeline.total(w, Activity::kCommunicate).seconds());
    wt->set_wait_s(timeline.total(w, Activity::kWait).seconds());
    compute_s += wt->compute_s();
    comm_s += wt->comm_s();
    wait_s += wt->wait_s();
  }
  r.set_compute_s(compute_s / workers);
  r.set_comm_s(comm_s / workers);
  r.set_wait_s(wait_s / workers);

  if (!log.evaluations().empty()) {
    r.set_final_loss(log.evaluations().back().loss);
    r.set_final_accuracy(log.evaluations().back().accuracy);
  }
  if (auto t = log.time_to_target()) {
    r.set_time_to_target_s(t->seconds());
    r.set_steps_to_target(static_cast<std::uint32_t>(*log.steps_to_target()));
  }
  r.set_diverged(log.diverged());
  if (auto step = log.diverged_at_step()) r.set_diverged_at_step(static_cast<std::uint32_t>(*step));
  r.set_staleness_mean(log.staleness_mean());
  r.set_staleness_max(static_cast<std::uint32_t>(log.staleness_max()));
  for (std::uint64_t n : log.staleness_histogram()) r.add_staleness_histogram(static_cast<double>(n));

  double network_bytes = 0;
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    network_bytes += static_cast<double>(network.link_usage(l).bytes.count);
  }
  r.set_network_bytes(network_bytes);
  for (const auto& link : network.busiest_links(s.outputs().links_table_rows())) {
    result::LinkLoad* l = r.add_busiest_links();
    l->set_link(link.name);
    l->set_bytes(static_cast<double>(link.bytes.count));
    l->set_busy_s(link.busy_s);
    l->set_utilization(link.utilisation);
  }
  r.set_events(static_cast<double>(engine.events_fired()));
  *r.mutable_effective_scenario() = s;
  r.set_wall_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());

  out.series_csv = log.series_csv();
  if (options.keep_trace) out.trace_json = timeline.chrome_trace_json();
  return out;
}

}  // namespace sim
