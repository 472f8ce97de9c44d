#include "sim/run/layer_wise_run.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

#include "models/layers/training_flops.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/parallelism/data_parallel.h"
#include "sim/result/run_result.h"
#include "sim/taskgraph/chrome_trace.h"
#include "sim/taskgraph/exclusive_links.h"
#include "sim/taskgraph/task_graph_run.h"
#include "sim/taskgraph/time_breakdown.h"

namespace sim {
namespace {

constexpr std::int64_t kAdamBytesPerParameter = 28;

// What the links carried for collectives timed by the shortcut: their
// flows never reach the run's network, so the run's link statistics add them.
struct LinkTally {
  double bytes = 0;
  double busy_s = 0;
  double load_s = 0;  // bytes / usable capacity: utilisation x elapsed time
};

// Collectives timed alone on an idle network of the same cluster, cached by
// schedule and group, with what each one put on the links.
class IsolatedCollectives final : public taskgraph::CollectiveTimer {
 public:
  IsolatedCollectives(const topo::Topology& topology, const net::NetworkCalibration& calibration)
      : topology_(topology), calibration_(calibration), tally_(topology.link_count()) {}

  Time isolated(const taskgraph::Collective& c, std::span<const EndpointId> endpoints) override {
    auto [it, added] = cache_.try_emplace({c.schedule.get(), c.group});
    Alone& alone = it->second;
    if (added) {
      Engine engine;
      net::FlowNetwork network(engine, topology_, calibration_);
      collectives::CollectiveRun run(engine, network, c.schedule, {endpoints.begin(), endpoints.end()},
                                     collectives::RunOptions{.reduction_rate = c.reduction_rate});
      run.start();
      engine.run();
      alone.time = run.finish_time();
      for (const net::LinkUsage& u : network.busiest_links(topology_.link_count())) {
        alone.links.push_back({u.link, LinkTally{static_cast<double>(u.bytes.count), u.busy_s,
                                                 u.utilisation * alone.time.seconds()}});
      }
    }
    for (const auto& [link, t] : alone.links) {
      tally_[link].bytes += t.bytes;
      tally_[link].busy_s += t.busy_s;
      tally_[link].load_s += t.load_s;
    }
    return alone.time;
  }

  [[nodiscard]] const LinkTally& tally(topo::LinkId link) const { return tally_[link]; }

 private:
  struct Alone {
    Time time;
    std::vector<std::pair<topo::LinkId, LinkTally>> links;
  };
  const topo::Topology& topology_;
  net::NetworkCalibration calibration_;
  std::map<std::pair<const collectives::Schedule*, std::uint32_t>, Alone> cache_;
  std::vector<LinkTally> tally_;
};

// Every link's usage over the run: the network's own plus the shortcut's.
std::vector<net::LinkUsage> LinkUsages(const net::FlowNetwork& network, const IsolatedCollectives& timer,
                                       const topo::Topology& topology, Time end) {
  std::vector<net::LinkUsage> all;
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    net::LinkUsage u = network.link_usage(l);
    const LinkTally& t = timer.tally(l);
    u.bytes = Bytes{u.bytes.count + static_cast<std::int64_t>(t.bytes)};
    u.busy_s += t.busy_s;
    if (end > Time::zero()) u.utilisation += t.load_s / end.seconds();
    if (u.bytes.count > 0) all.push_back(std::move(u));
  }
  std::sort(all.begin(), all.end(), [](const net::LinkUsage& a, const net::LinkUsage& b) {
    if (a.utilisation != b.utilisation) return a.utilisation > b.utilisation;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.link < b.link;
  });
  return all;
}

double Gib(Bytes b) { return InGibibytes(b); }

}  // namespace

Time AdamStepTime(std::int64_t parameters, const models::Accelerator& accelerator, double memory_fraction) {
  return TransferTime(Bytes{parameters * kAdamBytesPerParameter},
                      BytesPerSecond{accelerator.memory_bandwidth.value * memory_fraction});
}

TrainingRunOutput RunLayerWise(const scenario::RunPlan& plan, const TrainingRunOptions& options) {
  if (!plan.layer_wise) throw std::invalid_argument("RunLayerWise: the plan is not layer-wise");
  const auto wall_start = std::chrono::steady_clock::now();
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
  const std::uint64_t steps = plan.steps(0);
  config.steps = static_cast<std::uint32_t>(steps);
  const taskgraph::TaskGraph graph = parallelism::BuildDataParallel(config);

  Engine engine;
  const topo::Topology& topology = *plan.cluster.topology;
  net::FlowNetwork network(engine, topology, plan.cluster.network, plan.seed);
  // The shortcut needs a network whose times do not depend on what else was
  // sent: no random share weights.
  IsolatedCollectives timer(topology, plan.cluster.network);
  taskgraph::TaskGraphRunOptions run_options;
  if (plan.cluster.network.flow_share_sigma == 0.0) {
    run_options.timer = &timer;
    run_options.exclusive = taskgraph::ExclusiveCollectives(graph, topology);
  }
  taskgraph::TaskGraphRun run(engine, network, graph, std::move(run_options));
  run.start();
  engine.run();
  if (!run.done()) throw std::logic_error("layer-wise run: the task graph did not finish (a dependency never met)");
  const Time end = run.finish_time();

  // Where the time went, per worker.
  const std::vector<taskgraph::DeviceTime> times = taskgraph::BreakDown(run, Time::zero(), end);
  RunSummary summary{plan.name, plan.seed, StrategyName(plan.strategy), steps,
                     static_cast<double>(batch) * plan.cluster.workers * static_cast<double>(steps), end.seconds(),
                     {}};
  taskgraph::DeviceTime sum;
  for (EndpointId w : plan.placement.workers) {
    const taskgraph::DeviceTime& t = times.at(w);
    summary.per_worker.push_back({static_cast<std::uint32_t>(steps), t.compute.seconds(), t.exposed.seconds(),
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

  const double per_step = 1.0 / (static_cast<double>(plan.cluster.workers) * static_cast<double>(steps));
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
  const double model_flops = models::TrainingIterationFlops(layers, batch, models::Recomputation::kNone).model.count;
  const double step_s = end.seconds() / static_cast<double>(steps);
  if (step_s > 0) {
    l.set_tflops_per_gpu(InTeraflopsPerSecond(FlopsPerSecond{model_flops / step_s}));
    l.set_mfu(model_flops / step_s / lw.accelerator.peak_at(type).value);
  }
  result::MemoryUse& m = *l.mutable_memory();
  m.set_capacity_gib(Gib(lw.accelerator.memory));
  m.set_peak_gib(Gib(lw.memory.total()));
  for (const models::MemoryPart& part : lw.memory.parts) {
    result::MemoryPart* p = m.add_parts();
    p->set_name(part.name);
    p->set_gib(Gib(part.size));
  }
  m.set_exceeded(!lw.fits);
  l.set_collectives_simulated(static_cast<double>(run.collectives_simulated()));
  l.set_collectives_shortcut(static_cast<double>(run.collectives_shortcut()));

  const std::vector<net::LinkUsage> links = LinkUsages(network, timer, topology, end);
  double network_bytes = 0;
  for (const net::LinkUsage& u : links) network_bytes += static_cast<double>(u.bytes.count);
  r.set_network_bytes(network_bytes);
  for (std::size_t i = 0; i < links.size() && i < plan.outputs.links_table_rows; ++i) {
    const net::LinkUsage& link = links[i];
    result::LinkLoad* load = r.add_busiest_links();
    load->set_link(link.name);
    load->set_bytes(static_cast<double>(link.bytes.count));
    load->set_busy_s(link.busy_s);
    load->set_utilization(link.utilisation);
  }
  r.set_events(static_cast<double>(engine.events_fired()));
  r.set_wall_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
  if (options.keep_trace) out.trace_json = taskgraph::ChromeTraceJson(run);
  return out;
}

}  // namespace sim
