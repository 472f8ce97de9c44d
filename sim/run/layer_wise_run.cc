#include "sim/run/layer_wise_run.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

#include "models/layers/training_flops.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/parallelism/data_parallel.h"
#include "sim/run/model_parallel_costs.h"
#include "sim/result/run_result.h"
#include "sim/scenario/device_resolution.h"
#include "sim/taskgraph/chrome_trace.h"
#include "sim/run/isolated_collectives.h"
#include "sim/run/wall_time_limit.h"
#include "sim/taskgraph/exclusive_links.h"
#include "sim/taskgraph/periodic_steps.h"
#include "sim/taskgraph/task_graph_run.h"
#include "sim/taskgraph/time_breakdown.h"

namespace sim {
namespace {

constexpr std::int64_t kAdamBytesPerParameter = 28;

// Steps simulated event by event when a run is long and nothing in it is
// random: the cold first step, three to show the steady state (each the one
// before shifted by one period), and the last (taskgraph/periodic_steps.h).
constexpr std::uint32_t kSimulatedSteps = 5;
constexpr std::uint32_t kFirstSteady = 2;  // steps 1-3 compared: 2 and 3 against the one before
constexpr std::uint32_t kLastSteady = 3;

// What the run's sums stood at when a step began.
struct Snapshot {
  std::uint64_t events = 0;
  std::uint64_t shortcut = 0;
  std::uint64_t simulated = 0;
  std::vector<Time> busy;  // per link: the network's and the shortcut's
};

// One run of a task graph on the plan's network, kept for its results.
struct Simulation {
  Simulation(const scenario::RunPlan& plan, taskgraph::TaskGraph g)
      : graph(std::move(g)),
        network(engine, *plan.cluster.topology, plan.cluster.network, plan.seed),
        timer(*plan.cluster.topology, plan.cluster.network) {}

  Snapshot snapshot() const {
    Snapshot s{engine.events_fired(), run->collectives_shortcut(), run->collectives_simulated(), {}};
    for (topo::LinkId l = 0; l < timer.tally().size(); ++l) s.busy.push_back(network.link_busy(l) + timer.tally()[l].busy);
    return s;
  }

  taskgraph::TaskGraph graph;
  Engine engine;
  net::FlowNetwork network;
  IsolatedCollectives timer;
  std::unique_ptr<taskgraph::TaskGraphRun> run;
  std::vector<Snapshot> snapshots;  // at the start of steps kFirstSteady and kLastSteady
  bool out_of_time = false;         // stopped at the deadline, unfinished
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// `on_step` hears of each step as it begins (its number is then the steps
// begun before it, of `steps`). Past the `deadline` (--max-wall-time,
// wall_time_limit.h) the engine stops and the run is left unfinished.
std::unique_ptr<Simulation> Simulate(const scenario::RunPlan& plan, taskgraph::TaskGraph graph, bool snapshots,
                                     std::uint64_t steps, const OnStep& on_step, const Deadline& deadline) {
  auto sim = std::make_unique<Simulation>(plan, std::move(graph));
  taskgraph::TaskGraphRunOptions options;
  // The shortcut needs a network whose times do not depend on what else was
  // sent: no random share weights.
  if (plan.cluster.network.flow_share_sigma == 0.0) {
    options.timer = &sim->timer;
    options.exclusive = taskgraph::ExclusiveCollectives(sim->graph, *plan.cluster.topology);
  }
  if (snapshots || on_step) {
    options.on_step_start = [s = sim.get(), snapshots, steps, on_step](std::uint32_t step) {
      if (snapshots && (step == kFirstSteady || step == kLastSteady)) s->snapshots.push_back(s->snapshot());
      if (on_step && step > 0) on_step(step, steps, s->engine.now());
    };
  }
  sim->run = std::make_unique<taskgraph::TaskGraphRun>(sim->engine, sim->network, sim->graph, std::move(options));
  if (deadline) StopAtDeadline(sim->engine, *deadline, sim->out_of_time);
  sim->run->start();
  sim->engine.run();
  if (!sim->run->done() && !sim->out_of_time) throw std::logic_error("layer-wise run: the task graph did not finish (a dependency never met)");
  return sim;
}

double Gib(Bytes b) { return InGibibytes(b); }

void SetMemory(result::MemoryUse& m, const models::MemoryBreakdown& memory, Bytes capacity) {
  m.set_capacity_gib(Gib(capacity));
  m.set_peak_gib(Gib(memory.total()));
  for (const models::MemoryPart& part : memory.parts) {
    result::MemoryPart* p = m.add_parts();
    p->set_name(part.name);
    p->set_gib(Gib(part.size));
  }
  m.set_exceeded(!memory.fits_in(capacity));
}

}  // namespace

Time AdamStepTime(std::int64_t parameters, const models::Accelerator& accelerator, double memory_fraction) {
  return TransferTime(Bytes{parameters * kAdamBytesPerParameter},
                      BytesPerSecond{accelerator.memory_bandwidth.value * memory_fraction});
}

namespace {

parallelism::DataParallelConfig DataParallelConfigOf(const scenario::RunPlan& plan) {
  const scenario::LayerWisePlan& lw = *plan.layer_wise;
  const std::vector<models::Layer>& layers = *plan.workload.layers;
  const std::int64_t batch = plan.workload.batch_size;
  const models::DataType type = plan.workload.precision;
  parallelism::DataParallelConfig config;
  config.workers = plan.placement.workers;
  for (const models::Layer& layer : layers) {
    config.layers.push_back(parallelism::LayerCost{
        models::LayerTime(layer, models::Pass::kForward, batch, lw.accelerator, type, lw.roofline),
        models::LayerTime(layer, models::Pass::kBackward, batch, lw.accelerator, type, lw.roofline),
        Bytes{layer.parameters * lw.gradient_element_bytes}, Bytes{layer.parameters * lw.state_bytes.parameters}});
  }
  config.optimizer = AdamStepTime(models::TotalParameters(layers), lw.accelerator, lw.roofline.memory);
  config.bucket_cap = lw.bucket_cap;
  config.overlap = lw.overlap;
  config.zero = lw.zero;
  config.algorithm = plan.strategy.allreduce;
  config.chunk = plan.strategy.ring_chunk;
  for (EndpointId w : plan.placement.workers) config.host_of_rank.push_back(plan.cluster.topology->host_of(w));
  config.reduction_rate = plan.cluster.reduction_rate;
  if (plan.strategy.kind == StrategyKind::kSyncPs) {
    config.servers = plan.placement.servers;
    config.server_apply_rate = plan.strategy.server_apply_rate;
  }
  config.steps = static_cast<std::uint32_t>(plan.steps(0));
  return config;
}

}  // namespace

TrainingRunOutput RunLayerWise(const scenario::RunPlan& plan, const TrainingRunOptions& options) {
  if (!plan.layer_wise) throw std::invalid_argument("RunLayerWise: the plan is not layer-wise");
  const auto wall_start = std::chrono::steady_clock::now();
  const scenario::LayerWisePlan& lw = *plan.layer_wise;
  const std::vector<models::Layer>& layers = *plan.workload.layers;
  const std::int64_t batch = plan.workload.batch_size;
  const models::DataType type = plan.workload.precision;

  const std::uint64_t steps = plan.steps(0);
  const auto build = [&](std::uint64_t n) {
    if (lw.model_parallel) {
      parallelism::HybridConfig config = HybridConfigOf(plan);
      config.steps = static_cast<std::uint32_t>(n);
      return parallelism::BuildHybridParallel(config);
    }
    parallelism::DataParallelConfig config = DataParallelConfigOf(plan);
    config.steps = static_cast<std::uint32_t>(n);
    return parallelism::BuildDataParallel(config);
  };
  // Samples per step over all workers.
  const double global_batch = lw.model_parallel ? static_cast<double>(lw.model_parallel->global_batch)
                                                : static_cast<double>(batch) * plan.cluster.workers;

  // A long run without randomness: a few steps, and the rest repeat the
  // steady one; else (or if no steady state shows) every step.
  const bool repeatable =
      !options.every_step && plan.cluster.network.flow_share_sigma == 0.0 && steps > kSimulatedSteps;
  const std::uint64_t simulated = repeatable ? kSimulatedSteps : steps;
  Deadline deadline;
  if (options.max_wall_s > 0) deadline = DeadlineAfter(wall_start, options.max_wall_s);
  std::unique_ptr<Simulation> sim = Simulate(plan, build(simulated), repeatable, simulated, options.on_step, deadline);
  std::optional<Time> period;
  if (repeatable && !sim->out_of_time) {
    period = taskgraph::PeriodOfSteps(*sim->run, kFirstSteady, kLastSteady);
    if (!period) sim = Simulate(plan, build(steps), false, steps, options.on_step, deadline);
  }
  const taskgraph::TaskGraphRun& run = *sim->run;
  // A run stopped at the deadline describes the steps it finished, up to
  // the end of the last of them; a finished one all `steps`.
  const taskgraph::FinishedSteps finished =
      sim->out_of_time ? taskgraph::StepsFinished(run)
                       : taskgraph::FinishedSteps{static_cast<std::uint32_t>(simulated), run.finish_time()};
  const std::uint64_t steps_done = sim->out_of_time ? finished.count : steps;
  const std::int64_t extra = period ? static_cast<std::int64_t>(steps - kSimulatedSteps) : 0;
  const Time end = finished.end + Time(extra * (period ? period->picoseconds() : 0));

  // Where the time went, per worker: the simulated steps, plus one period's
  // worth for every step not simulated.
  std::vector<taskgraph::DeviceTime> times = taskgraph::BreakDown(run, Time::zero(), finished.end);
  if (period) {
    const Time from = taskgraph::StepStart(run, kFirstSteady);
    taskgraph::AddTimes(times, taskgraph::BreakDown(run, from, from + *period), extra);
  }
  RunSummary summary{plan.name, plan.seed, StrategyName(plan.strategy), steps_done,
                     global_batch * static_cast<double>(steps_done), end.seconds(), {}};
  taskgraph::DeviceTime sum;
  for (EndpointId w : plan.placement.workers) {
    const taskgraph::DeviceTime& t = times.at(w);
    summary.per_worker.push_back({static_cast<std::uint32_t>(steps_done), t.compute.seconds(), t.exposed.seconds(),
                                  t.idle.seconds()});
    sum.compute += t.compute;
    sum.communicating += t.communicating;
    sum.exposed += t.exposed;
    sum.idle += t.idle;
    for (int c = 0; c < taskgraph::kCategories; ++c) {
      sum.traffic[c] += t.traffic[c];
      sum.exposed_by[c] += t.exposed_by[c];
    }
  }
  TrainingRunOutput out;
  result::RunResult& r = out.result;
  r = MakeRunResult(summary, TrainingLog(0.0), plan.effective);
  SetDevice(r, scenario::DeviceProfileMessage(plan.cluster.device), plan.cluster.device_note);

  // Per worker and step (no steps finished: zeros).
  const double per_step =
      steps_done > 0 ? 1.0 / (static_cast<double>(plan.cluster.workers) * static_cast<double>(steps_done)) : 0.0;
  result::LayerWiseResult& l = *r.mutable_layer_wise();
  l.set_device(lw.accelerator.name);
  l.set_precision(std::string(models::DataTypeName(type)));
  l.set_compute_s(sum.compute.seconds() * per_step);
  l.set_exposed_comm_s(sum.exposed.seconds() * per_step);
  l.set_idle_s(sum.idle.seconds() * per_step);
  for (int c = 0; c < taskgraph::kCategories; ++c) {
    const auto category = static_cast<taskgraph::Category>(c);
    if (taskgraph::IsCompute(category) || sum.traffic[c] == Time::zero()) continue;
    result::TrafficTime* t = l.add_traffic();
    t->set_kind(std::string(taskgraph::CategoryName(category)));
    t->set_comm_s(sum.traffic[c].seconds() * per_step);
    t->set_exposed_s(sum.exposed_by[c].seconds() * per_step);
  }
  l.set_hidden_comm_s((sum.communicating - sum.exposed).seconds() * per_step);
  // Model FLOPs per GPU per step over the mean step time.
  const models::Recomputation recomputation =
      lw.model_parallel ? lw.model_parallel->split.recomputation : models::Recomputation::kNone;
  const models::IterationFlops flops = models::TrainingIterationFlops(layers, 1, recomputation);
  const double per_gpu = global_batch / static_cast<double>(plan.cluster.workers);
  const double step_s = steps_done > 0 ? end.seconds() / static_cast<double>(steps_done) : 0.0;
  if (step_s > 0) {
    l.set_tflops_per_gpu(InTeraflopsPerSecond(FlopsPerSecond{flops.model.count * per_gpu / step_s}));
    l.set_mfu(flops.model.count * per_gpu / step_s / lw.accelerator.peak_at(type).value);
  }
  SetMemory(*l.mutable_memory(), lw.memory, lw.accelerator.memory);
  if (lw.model_parallel) {
    const scenario::ModelParallelPlan& mp = *lw.model_parallel;
    const parallelism::ModelSplit& split = mp.split;
    result::ModelParallelResult& m = *l.mutable_model_parallel();
    m.set_tensor(split.tensor);
    m.set_pipeline(split.pipeline);
    m.set_data(split.data);
    m.set_schedule(std::string(parallelism::PipelineScheduleName(split.schedule)));
    m.set_chunks(split.chunks);
    m.set_micro_batch(static_cast<std::uint32_t>(split.micro_batch));
    m.set_micro_batches(split.micro_batches);
    m.set_global_batch(global_batch);
    m.set_recomputation(std::string(models::RecomputationName(split.recomputation)));
    if (step_s > 0) {
      m.set_bubble_share(l.idle_s() / step_s);
      m.set_hardware_tflops_per_gpu(InTeraflopsPerSecond(FlopsPerSecond{flops.hardware.count * per_gpu / step_s}));
    }
    for (std::uint32_t s = 0; s < split.pipeline; ++s) {
      result::StageResult& stage = *m.add_stages();
      stage.set_stage(s);
      std::uint32_t stage_layers = 0;
      for (std::uint32_t c = 0; c < split.chunks; ++c) stage_layers += split.stage_layers.at(c * split.pipeline + s);
      stage.set_layers(stage_layers);
      stage.set_parameters(static_cast<double>(mp.stages[s].parameters));
      stage.set_peak_in_flight(mp.stages[s].peak_in_flight);
      SetMemory(*stage.mutable_memory(), mp.stages[s].breakdown, lw.accelerator.memory);
    }
  }
  // Counts and link sums: the simulated steps', plus per step not
  // simulated what one period added (between the snapshots at the starts of
  // two steady steps); bytes per link are the same every step.
  const auto per_period = [&](auto field) -> std::int64_t {
    if (!period) return 0;
    return extra * static_cast<std::int64_t>(field(sim->snapshots.at(1)) - field(sim->snapshots.at(0)));
  };
  const auto simulated_steps = static_cast<double>(period ? kSimulatedSteps : steps_done);
  l.set_steps_simulated(simulated_steps);
  l.set_collectives_simulated(static_cast<double>(
      static_cast<std::int64_t>(run.collectives_simulated()) + per_period([](const Snapshot& s) { return s.simulated; })));
  l.set_collectives_shortcut(static_cast<double>(
      static_cast<std::int64_t>(run.collectives_shortcut()) + per_period([](const Snapshot& s) { return s.shortcut; })));
  r.set_events(static_cast<double>(static_cast<std::int64_t>(sim->engine.events_fired()) +
                                   per_period([](const Snapshot& s) { return s.events; })));

  const topo::Topology& topology = *plan.cluster.topology;
  // Bytes per link are those of the flows finished; a stopped run's, up to
  // the moment it stopped.
  const Time links_until = sim->out_of_time ? sim->engine.now() : end;
  std::vector<net::LinkUsage> links;
  double network_bytes = 0;
  for (topo::LinkId link = 0; link < topology.link_count(); ++link) {
    double bytes = sim->network.link_finished_bytes(link) + static_cast<double>(sim->timer.tally()[link].bytes);
    if (bytes == 0.0) continue;
    Time busy = sim->network.link_busy(link) + sim->timer.tally()[link].busy;
    if (period) {
      bytes += static_cast<double>(extra) * (bytes / simulated_steps);
      busy += Time(extra * (sim->snapshots[1].busy[link] - sim->snapshots[0].busy[link]).picoseconds());
    }
    net::LinkUsage u;
    u.link = link;
    u.name = topology.link(link).name;
    u.bytes = Bytes{std::llround(bytes)};
    u.busy_s = busy.seconds();
    u.utilisation =
        links_until > Time::zero() ? bytes / (sim->network.usable_capacity(link) * links_until.seconds()) : 0.0;
    network_bytes += bytes;
    links.push_back(std::move(u));
  }
  std::sort(links.begin(), links.end(), [](const net::LinkUsage& a, const net::LinkUsage& b) {
    if (a.utilisation != b.utilisation) return a.utilisation > b.utilisation;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.link < b.link;
  });
  r.set_network_bytes(network_bytes);
  for (std::size_t i = 0; i < links.size() && i < plan.outputs.links_table_rows; ++i) {
    const net::LinkUsage& link = links[i];
    result::LinkLoad* load = r.add_busiest_links();
    load->set_link(link.name);
    load->set_bytes(static_cast<double>(link.bytes.count));
    load->set_busy_s(link.busy_s);
    load->set_utilization(link.utilisation);
  }
  if (sim->out_of_time) {
    r.set_incomplete(true);
    r.set_incomplete_reason(StoppedAtDeadline(options.max_wall_s, steps_done, steps));
  }
  r.set_wall_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
  // The trace shows the steps simulated.
  if (options.keep_trace) out.trace_json = taskgraph::ChromeTraceJson(run);
  return out;
}

}  // namespace sim
