// Tensor x pipeline x data-parallel steps as task graphs, timed on the flow
// network against closed forms, and the shortcut for collectives on links of
// their own against the full simulation on a 3D split of DGX-like nodes.
//
// The setting of the closed forms: a star of hosts, one device each, on
// full-duplex cables of bandwidth B and latency alpha per direction. A
// message of n bytes alone takes 2 alpha + n / B (two cables). A ring
// all-reduce of n bytes over p ranks takes 2(p-1)(2 alpha + n/(pB))
// (Patarasuk & Yuan 2009), a reduce-scatter or all-gather half of it; exact
// when p divides n.
#include <gtest/gtest.h>

#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/parallelism/hybrid_parallel.h"
#include "sim/taskgraph/exclusive_links.h"
#include "sim/taskgraph/task_graph_run.h"
#include "tests/parallelism/run_graph.h"
#include "topologies/builders.h"

namespace sim::parallelism {
namespace {

const BytesPerSecond kB = GigabitsPerSecond(10);  // 1.25e9 B/s
const Time kAlpha = Microseconds(5);
const Time kF = Microseconds(1000), kBwd = Microseconds(2000), kOpt = Microseconds(100);

Time Message(std::int64_t n) { return kAlpha + kAlpha + TransferTime(Bytes{n}, kB); }
Time Ring(std::int64_t n, std::uint32_t p, int halves = 2) {
  return Time((halves * static_cast<std::int64_t>(p - 1)) *
              (kAlpha + kAlpha + TransferTime(Bytes{n / p}, kB)).picoseconds());
}

// One device per host on a star; stage costs all equal.
HybridConfig Config(std::uint32_t t, std::uint32_t p, std::uint32_t d, ChunkCost cost) {
  HybridConfig c;
  for (EndpointId e = 0; e < t * p * d; ++e) {
    c.devices.push_back(e);
    c.host_of_device.push_back(e);
  }
  c.tensor = t;
  c.pipeline = p;
  c.data = d;
  c.stages.assign(p, cost);
  c.optimizer.assign(p, kOpt);
  return c;
}

Time Step(const HybridConfig& c) {
  const topo::Topology star = topo::MakeStar(static_cast<std::uint32_t>(c.devices.size()), {kB, kAlpha});
  return testing::RunGraph(star, BuildHybridParallel(c), [](const taskgraph::TaskGraphRun& run) { return run.finish_time(); });
}

ChunkCost Compute() {
  ChunkCost cost;
  cost.forward = kF;
  cost.backward = kBwd;
  return cost;
}

TEST(HybridStep, TwoStagesSendActivationsForwardAndTheirGradientBack) {
  // p = 2, one micro-batch: f, send, f, b, send back, b, optimizer.
  ChunkCost cost = Compute();
  cost.activations_out = Bytes{1'000'000};
  const Time step = Step(Config(1, 2, 1, cost));
  EXPECT_EQ(step, kF + Message(1'000'000) + kF + kBwd + Message(1'000'000) + kBwd + kOpt);
}

TEST(HybridStep, ReplicasAllReduceTheirGradientsAfterTheLastPass) {
  // d = 4, one stage: f + b, a ring all-reduce of the gradient, optimizer.
  ChunkCost cost = Compute();
  cost.gradient = Bytes{4'000'000};
  cost.parameters = Bytes{4'000'000};
  HybridConfig c = Config(1, 1, 4, cost);
  EXPECT_EQ(Step(c), kF + kBwd + Ring(4'000'000, 4) + kOpt);
  // ZeRO-1: reduce-scatter, a quarter of the optimizer, all-gather.
  c.zero = models::ZeroStage::kOptimizerStates;
  EXPECT_EQ(Step(c), kF + kBwd + Ring(4'000'000, 4, 1) + Time(kOpt.picoseconds() / 4) + Ring(4'000'000, 4, 1));
}

TEST(HybridStep, TensorParallelAllReducesBlockTheComputeStream) {
  // t = 4, m = 2: each pass is its compute, then its two all-reduces
  // (Shoeybi et al. 2019: g after attention and after the MLP forward, f's
  // conjugates backward).
  ChunkCost cost = Compute();
  const std::int64_t x = 4'000'000;
  cost.tensor_forward = {{collectives::Op::kAllReduce, Bytes{x}}, {collectives::Op::kAllReduce, Bytes{x}}};
  cost.tensor_backward = cost.tensor_forward;
  HybridConfig c = Config(4, 1, 1, cost);
  c.micro_batches = 2;
  const Time pass_comm = Ring(x, 4) + Ring(x, 4);
  EXPECT_EQ(Step(c), 2 * (kF + pass_comm + kBwd + pass_comm) + kOpt);
}

// A 3D split on nodes of 4 GPUs with NVSwitch and a NIC per GPU: tensor
// groups inside nodes (links nobody else uses), pipeline and data-parallel
// traffic through the NICs. Every operation's start and end, with the
// shortcut and without.
struct Timeline {
  std::vector<Time> start, end;
  std::uint64_t shortcut = 0;
};

class Alone final : public taskgraph::CollectiveTimer {
 public:
  explicit Alone(const topo::Topology& t) : t_(t) {}
  Time isolated(const std::shared_ptr<const collectives::Schedule>& schedule, const taskgraph::Collective& c,
                std::span<const EndpointId> endpoints) override {
    Engine engine;
    net::FlowNetwork network(engine, t_);
    collectives::CollectiveRun run(engine, network, schedule, {endpoints.begin(), endpoints.end()},
                                   collectives::RunOptions{.reduction_rate = c.reduction_rate});
    run.start();
    engine.run();
    return run.finish_time();
  }

 private:
  const topo::Topology& t_;
};

Timeline Run3d(const topo::Topology& topology, const HybridConfig& c, bool shortcut) {
  const taskgraph::TaskGraph g = BuildHybridParallel(c);
  Alone timer(topology);
  taskgraph::TaskGraphRunOptions options;
  if (shortcut) {
    options.timer = &timer;
    options.exclusive = taskgraph::ExclusiveCollectives(g, topology);
  }
  return testing::RunGraph(
      topology, g,
      [&g](const taskgraph::TaskGraphRun& run) {
        Timeline t;
        for (taskgraph::OpId id = 0; id < g.size(); ++id) {
          t.start.push_back(run.start_of(id));
          t.end.push_back(run.end_of(id));
        }
        t.shortcut = run.collectives_shortcut();
        return t;
      },
      std::move(options));
}

TEST(HybridStep, ShortcutForTensorGroupsEqualsTheFullSimulation) {
  // t = 4, p = 2, d = 2 on 4 nodes of 4 GPUs ("tpd": a node is one tensor
  // group), 1F1B with m = 4, 2 steps, ZeRO-1; all-reduces as a ring,
  // hierarchical asked for (a ring inside a node, across nodes one member
  // each).
  topo::HostOptions host;
  host.devices_per_host = 4;
  host.nics_per_host = 4;
  const topo::Topology nodes = topo::MakeStar(4, {GigabitsPerSecond(100), Microseconds(2)}, host);
  ChunkCost cost = Compute();
  cost.tensor_forward = {{collectives::Op::kAllReduce, Bytes{8'000'000}},
                         {collectives::Op::kAllReduce, Bytes{8'000'000}}};
  cost.tensor_backward = cost.tensor_forward;
  cost.activations_out = Bytes{2'000'000};
  cost.gradient = Bytes{40'000'000};
  cost.parameters = Bytes{40'000'000};
  HybridConfig c;
  for (EndpointId e = 0; e < 16; ++e) {
    c.devices.push_back(e);
    c.host_of_device.push_back(nodes.host_of(e));
  }
  c.tensor = 4;
  c.pipeline = 2;
  c.data = 2;
  c.micro_batches = 4;
  c.stages.assign(2, cost);
  c.optimizer.assign(2, kOpt);
  c.zero = models::ZeroStage::kOptimizerStates;
  c.algorithm = collectives::Algorithm::kHierarchical;
  c.steps = 2;
  const Timeline full = Run3d(nodes, c, false);
  const Timeline fast = Run3d(nodes, c, true);
  EXPECT_GT(fast.shortcut, 0u);
  ASSERT_EQ(full.start.size(), fast.start.size());
  for (std::size_t i = 0; i < full.start.size(); ++i) {
    ASSERT_EQ(full.start[i], fast.start[i]) << "operation " << i;
    ASSERT_EQ(full.end[i], fast.end[i]) << "operation " << i;
  }
}

TEST(HybridConfig, ProblemsAreListedTogether) {
  HybridConfig c = Config(2, 2, 1, Compute());
  c.devices.pop_back();
  c.order = "tpp";
  c.zero = models::ZeroStage::kParameters;
  const auto problems = HybridProblems(c);
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_THROW((void)BuildHybridParallel(c), std::invalid_argument);
}

}  // namespace
}  // namespace sim::parallelism
