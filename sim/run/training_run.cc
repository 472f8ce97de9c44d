#include "sim/run/training_run.h"

#include <chrono>

#include "models/compute/model_cost.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/result/run_result.h"
#include "sim/scenario/device_resolution.h"
#include "sim/run/layer_wise_run.h"
#include "sim/run/wall_time_limit.h"
#include "sim/strategy/network_communication.h"
#include "sim/strategy/strategy.h"
#include "sim/training/compute_model.h"
#include "sim/training/straggler_model.h"

namespace sim {

namespace {

// The tree along which a synchronous update adds the workers' vectors
// (summation_order.h): the all-reduce's own, where it is modelled.
SummationOrder SummationOf(const StrategySpec& strategy) {
  if (strategy.kind != StrategyKind::kSyncAllReduce && strategy.kind != StrategyKind::kLocalSgd) {
    return SummationOrder::kRankOrder;  // a parameter server adds in rank order
  }
  switch (strategy.allreduce) {
    case collectives::Algorithm::kRing:
      return SummationOrder::kRing;
    case collectives::Algorithm::kHalvingDoubling:
    case collectives::Algorithm::kRecursiveDoubling:
      return SummationOrder::kRecursiveDoubling;
    default:
      return SummationOrder::kRankOrder;
  }
}

}  // namespace

NumericsSpec NumericsSpecOf(const scenario::RunPlan& plan) {
  const scenario::WorkloadPlan& w = plan.workload;
  return NumericsSpec{.model = *w.model,
                      .dataset = *w.dataset,
                      .sharding = w.sharding,
                      .batch_size = w.batch_size,
                      .optimizer = w.optimizer,
                      .compression = plan.strategy.compression,
                      .weight_shapes = w.weight_shapes,
                      .length = w.length,
                      .samples_per_update = plan.samples_per_update(),
                      .summation = SummationOf(plan.strategy),
                      .eval_samples = w.eval_samples,
                      .seed = plan.seed};
}

TrainingRunOutput RunTraining(const scenario::RunPlan& plan, const TrainingRunOptions& options) {
  if (plan.layer_wise) return RunLayerWise(plan, options);
  const auto wall_start = std::chrono::steady_clock::now();
  const std::uint32_t workers = plan.cluster.workers;
  const topo::Topology& topology = *plan.cluster.topology;
  if (options.progress && plan.cluster.device_fallback) *options.progress << "sim: " << plan.cluster.device_note << "\n";

  const bool timing_only = plan.workload.timing_only_workload();
  Numerics numerics = timing_only ? Numerics() : Numerics(NumericsSpecOf(plan), workers, options.data);
  const models::ModelCost cost = timing_only ? *plan.workload.timing_only : models::CostOf(*numerics.model());

  Engine engine;
  net::FlowNetwork network(engine, topology, plan.cluster.network, plan.seed);
  NetworkCommunication communication(engine, network, topology, plan.strategy, plan.placement.workers,
                                     plan.placement.servers, plan.cluster.reduction_rate, plan.cluster.eager_limit);
  auto stragglers = MakeStragglerModel(plan.stragglers, workers, plan.seed);
  ComputeModel compute(models::ComputeTimeOn(plan.cluster.device, cost.flops_per_step(plan.workload.batch_size)),
                       *stragglers);
  WorkerTimeline timeline(workers, options.keep_trace);
  TrainingLog log(plan.workload.target_accuracy, options.series_every);

  const std::uint64_t steps = plan.steps(numerics.training_samples());
  TrainingContext context{
      .engine = engine,
      .communication = communication,
      .compute = compute,
      .numerics = numerics,
      .timeline = timeline,
      .log = log,
      .strategy = plan.strategy,
      .workers = workers,
      .batch_size = plan.workload.batch_size,
      .stop_at_target = plan.workload.stop_at_target,
      .model_bytes = cost.gradient_bytes(),
      .exchange = ExchangeOf(plan.strategy.compression, cost.parameters, plan.workload.weight_shapes,
                             cost.gradient_bytes(), workers, plan.cluster.device),
      .steps = steps,
      .eval_every = plan.workload.eval_every_steps > 0 ? plan.workload.eval_every_steps
                                                       : std::max<std::uint64_t>(1, steps / 10),
      .on_step = options.on_step,
  };
  auto strategy = MakeStrategy(context);
  // --max-wall-time (wall_time_limit.h).
  bool out_of_time = false;
  if (options.max_wall_s > 0) StopAtDeadline(engine, DeadlineAfter(wall_start, options.max_wall_s), out_of_time);
  strategy->start();
  engine.run();
  timeline.finish(engine.now());

  RunSummary summary{plan.name, plan.seed, StrategyName(plan.strategy), strategy->updates(),
                     static_cast<double>(strategy->samples()), engine.now().seconds(), {}};
  for (std::uint32_t w = 0; w < workers; ++w) {
    summary.per_worker.push_back({timeline.computations(w), timeline.total(w, Activity::kCompute).seconds(),
                                  timeline.total(w, Activity::kCommunicate).seconds(),
                                  timeline.total(w, Activity::kWait).seconds()});
  }
  TrainingRunOutput out;
  result::RunResult& r = out.result;
  r = MakeRunResult(summary, log, plan.effective);
  SetDevice(r, scenario::DeviceProfileMessage(plan.cluster.device), plan.cluster.device_note);

  double network_bytes = 0;
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    network_bytes += static_cast<double>(network.link_usage(l).bytes.count);
  }
  r.set_network_bytes(network_bytes);
  for (const auto& link : network.busiest_links(plan.outputs.links_table_rows)) {
    result::LinkLoad* l = r.add_busiest_links();
    l->set_link(link.name);
    l->set_bytes(static_cast<double>(link.bytes.count));
    l->set_busy_s(link.busy_s);
    l->set_utilization(link.utilisation);
  }
  r.set_events(static_cast<double>(engine.events_fired()));
  if (out_of_time) {
    r.set_incomplete(true);
    r.set_incomplete_reason(StoppedAtDeadline(options.max_wall_s, strategy->updates(), steps));
  }
  r.set_wall_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());

  out.series_csv = log.series_csv();
  if (options.keep_trace) out.trace_json = timeline.chrome_trace_json();
  return out;
}

}  // namespace sim
