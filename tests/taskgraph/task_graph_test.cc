// The task-graph executor: streams serialize, different streams overlap, a
// collective ends for all its members at once, the time breakdown adds up,
// and the shortcut for collectives on links of their own gives exactly the
// times of the full simulation.
#include <gtest/gtest.h>

#include <map>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/parallelism/data_parallel.h"
#include "sim/taskgraph/exclusive_links.h"
#include "sim/taskgraph/task_graph_run.h"
#include "sim/taskgraph/time_breakdown.h"
#include "topologies/builders.h"

namespace sim::taskgraph {
namespace {

// 10 Gbit/s (1.25 GB/s), 5 us per link: a message between two hosts pays
// 10 us of latency and drains at 1.25 GB/s while alone.
const BytesPerSecond kB = GigabitsPerSecond(10.0);
const Time kAlpha = Microseconds(5);

std::shared_ptr<const collectives::Schedule> Ring(std::uint32_t p, std::int64_t bytes,
                                                  collectives::Op op = collectives::Op::kAllReduce) {
  return std::make_shared<const collectives::Schedule>(
      collectives::BuildSchedule({.op = op, .algorithm = collectives::Algorithm::kRing, .ranks = p,
                                  .bytes = Bytes{bytes}}));
}

// Times collectives alone on a fresh network of `topology`, as the
// layer-wise run does.
class Alone final : public CollectiveTimer {
 public:
  explicit Alone(const topo::Topology& t) : t_(t) {}
  Time isolated(const Collective& c, std::span<const EndpointId> endpoints) override {
    Engine engine;
    net::FlowNetwork network(engine, t_);
    collectives::CollectiveRun run(engine, network, c.schedule, {endpoints.begin(), endpoints.end()},
                                   collectives::RunOptions{.reduction_rate = c.reduction_rate});
    run.start();
    engine.run();
    ++calls;
    return run.finish_time();
  }
  int calls = 0;

 private:
  const topo::Topology& t_;
};

struct Outcome {
  std::vector<Time> start, end;
  std::uint64_t shortcut = 0, simulated = 0;
};

Outcome RunGraph(const TaskGraph& g, const topo::Topology& t, bool shortcut) {
  Engine engine;
  net::FlowNetwork network(engine, t);
  Alone alone(t);
  TaskGraphRunOptions options;
  if (shortcut) {
    options.timer = &alone;
    options.exclusive = ExclusiveCollectives(g, t);
  }
  TaskGraphRun run(engine, network, g, options);
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  Outcome o{{}, {}, run.collectives_shortcut(), run.collectives_simulated()};
  for (OpId id = 0; id < g.size(); ++id) {
    o.start.push_back(run.start_of(id));
    o.end.push_back(run.end_of(id));
  }
  return o;
}

TEST(TaskGraph, AStreamRunsItsOperationsInOrderAndStreamsOverlap) {
  const topo::Topology star = topo::MakeStar(2, {kB, kAlpha});
  TaskGraph g;
  const StreamId compute = g.add_stream(0, "compute");
  const StreamId other = g.add_stream(0, "other");
  const OpId a = g.add_compute(compute, Category::kForward, Microseconds(3), {}, 0);
  const OpId b = g.add_compute(compute, Category::kBackward, Microseconds(4), {}, 0);  // after a: same stream
  const OpId c = g.add_compute(other, Category::kForward, Microseconds(5), {}, 0);     // alongside a
  const OpId deps[] = {b, c};
  const OpId d = g.add_compute(other, Category::kOptimizer, Microseconds(1), deps, 0);
  g.seal();
  const Outcome o = RunGraph(g, star, false);
  EXPECT_EQ(o.end[a], Microseconds(3));
  EXPECT_EQ(o.start[b], Microseconds(3));
  EXPECT_EQ(o.end[b], Microseconds(7));
  EXPECT_EQ(o.end[c], Microseconds(5));
  EXPECT_EQ(o.start[d], Microseconds(7));  // after b (7 us) and c (5 us)
}

TEST(TaskGraph, ACollectiveEndsForEveryMemberWhenItsLastRankIsDone) {
  // Rank 1 enters 100 us after rank 0: the 2-rank ring all-reduce of 1,000
  // bytes (two steps of 500 bytes, Patarasuk & Yuan: 2 x (10 us + 500 / 1.25e9 s))
  // starts when both have entered and ends for both at 100 + 2 x 10.4 us.
  const topo::Topology star = topo::MakeStar(2, {kB, kAlpha});
  TaskGraph g;
  const StreamId s0 = g.add_stream(0, "compute"), s1 = g.add_stream(1, "compute");
  const StreamId c0 = g.add_stream(0, "dp"), c1 = g.add_stream(1, "dp");
  const OpId late = g.add_compute(s1, Category::kBackward, Microseconds(100), {}, 0);
  const std::uint32_t group = g.add_group({0, 1});
  const StreamId streams[] = {c0, c1};
  const std::vector<std::vector<OpId>> deps = {{}, {late}};
  const OpId first = g.add_collective(Ring(2, 1000), group, streams, Category::kDataParallel, deps, 0);
  (void)s0;
  g.seal();
  const Outcome o = RunGraph(g, star, false);
  EXPECT_EQ(o.start[first], Time::zero());
  EXPECT_EQ(o.start[first + 1], Microseconds(100));
  const Time expected = Microseconds(100) + 2 * (Microseconds(10) + TransferTime(Bytes{500}, kB));
  EXPECT_EQ(o.end[first], expected);
  EXPECT_EQ(o.end[first + 1], expected);
}

// A data-parallel graph over `workers` hosts of a star, 6 layers, buckets of
// two layers' gradients.
TaskGraph DataParallel(std::uint32_t workers, std::uint32_t steps) {
  parallelism::DataParallelConfig c;
  for (EndpointId w = 0; w < workers; ++w) c.workers.push_back(w);
  for (int l = 0; l < 6; ++l) {
    c.layers.push_back({Microseconds(200 + 10 * l), Microseconds(400 + 20 * l), Bytes{3'000'000}, Bytes{1'500'000}});
  }
  c.optimizer = Microseconds(50);
  c.bucket_cap = Bytes{5'000'000};
  c.steps = steps;
  return parallelism::BuildDataParallel(c);
}

TEST(Shortcut, EqualsTheFullSimulationForCollectivesOnLinksOfTheirOwn) {
  // Pure data parallelism on a star: one communicator, nothing else on its
  // links, every rank entering each bucket's all-reduce at the same instant.
  const topo::Topology star = topo::MakeStar(4, {kB, kAlpha});
  const TaskGraph g = DataParallel(4, 3);
  const std::vector<bool> exclusive = ExclusiveCollectives(g, star);
  for (bool e : exclusive) EXPECT_TRUE(e);
  const Outcome full = RunGraph(g, star, false);
  const Outcome fast = RunGraph(g, star, true);
  EXPECT_EQ(full.shortcut, 0u);
  EXPECT_GT(fast.shortcut, 0u);
  EXPECT_EQ(fast.simulated, 0u);
  EXPECT_EQ(full.start, fast.start);
  EXPECT_EQ(full.end, fast.end);
}

TEST(Shortcut, IsNotTakenWhenMembersEnterAtDifferentTimes) {
  // Worker 3 computes 37 us longer before the first all-reduce: its rank
  // enters late, so that one runs on the network. It ends for every member
  // at once, so they all enter the second one together: that one takes the
  // shortcut. Either way, the times are those of the full simulation.
  const topo::Topology star = topo::MakeStar(4, {kB, kAlpha});
  TaskGraph g;
  std::vector<StreamId> compute, dp;
  for (EndpointId w = 0; w < 4; ++w) {
    compute.push_back(g.add_stream(w, "compute"));
    dp.push_back(g.add_stream(w, "data-parallel"));
  }
  const std::uint32_t group = g.add_group({0, 1, 2, 3});
  std::vector<std::vector<OpId>> deps(4);
  for (EndpointId w = 0; w < 4; ++w) {
    deps[w] = {g.add_compute(compute[w], Category::kBackward, Microseconds(w == 3 ? 137 : 100), {}, 0)};
  }
  const OpId first = g.add_collective(Ring(4, 2'000'000), group, dp, Category::kDataParallel, deps, 0);
  for (EndpointId w = 0; w < 4; ++w) {
    const OpId after[] = {first + w};
    deps[w] = {g.add_compute(compute[w], Category::kBackward, Microseconds(50), after, 0)};
  }
  g.add_collective(Ring(4, 2'000'000), group, dp, Category::kDataParallel, deps, 0);
  g.seal();
  const Outcome full = RunGraph(g, star, false);
  const Outcome fast = RunGraph(g, star, true);
  EXPECT_EQ(fast.simulated, 1u);
  EXPECT_EQ(fast.shortcut, 1u);
  EXPECT_EQ(full.start, fast.start);
  EXPECT_EQ(full.end, fast.end);
}

TEST(Shortcut, CommunicatorsSharingLinksAreNotExclusive) {
  // Two groups on the same star both cross the switch's links of hosts 0 and
  // 1: neither is exclusive. A third, on hosts 2 and 3 alone, is.
  const topo::Topology star = topo::MakeStar(4, {kB, kAlpha});
  TaskGraph g;
  std::vector<StreamId> s;
  for (EndpointId e = 0; e < 4; ++e) s.push_back(g.add_stream(e, "a"));
  std::vector<StreamId> t;
  for (EndpointId e = 0; e < 4; ++e) t.push_back(g.add_stream(e, "b"));
  const std::uint32_t g01 = g.add_group({0, 1}), g23 = g.add_group({2, 3});
  const std::vector<std::vector<OpId>> none(2);
  const StreamId a01[] = {s[0], s[1]}, b01[] = {t[0], t[1]}, a23[] = {s[2], s[3]};
  g.add_collective(Ring(2, 1000), g01, a01, Category::kDataParallel, none, 0);
  g.add_collective(Ring(2, 1000), g01, b01, Category::kTensorParallel, none, 0);
  g.add_collective(Ring(2, 1000), g23, a23, Category::kDataParallel, none, 0);
  g.seal();
  const std::vector<bool> e = ExclusiveCollectives(g, star);
  EXPECT_EQ(e, (std::vector<bool>{false, false, true}));
  const Outcome full = RunGraph(g, star, false);
  const Outcome fast = RunGraph(g, star, true);
  EXPECT_EQ(fast.shortcut, 1u);  // the one on hosts 2 and 3
  EXPECT_EQ(full.end, fast.end);
}

TEST(TimeBreakdown, ComputeExposedAndIdleAddUpToTheWindow) {
  // Device 0 computes 0-10 us; a 2-rank all-reduce between 5 and its end: 5 us
  // of it hidden, the rest exposed; device 1 waits 0-5 us (idle).
  const topo::Topology star = topo::MakeStar(2, {kB, kAlpha});
  TaskGraph g;
  const StreamId c0 = g.add_stream(0, "compute"), c1 = g.add_stream(1, "compute");
  const StreamId d0 = g.add_stream(0, "dp"), d1 = g.add_stream(1, "dp");
  const OpId work = g.add_compute(c0, Category::kBackward, Microseconds(10), {}, 0);
  const OpId start = g.add_compute(c1, Category::kBackward, Microseconds(5), {}, 0);
  const OpId half = g.add_compute(c0, Category::kBackward, Time::zero(), {}, 0);
  (void)half;
  const std::uint32_t group = g.add_group({0, 1});
  const StreamId streams[] = {d0, d1};
  const std::vector<std::vector<OpId>> deps = {{}, {start}};
  g.add_collective(Ring(2, 1'000'000), group, streams, Category::kDataParallel, deps, 0);
  (void)work;
  g.seal();
  Engine engine;
  net::FlowNetwork network(engine, star);
  TaskGraphRun run(engine, network, g);
  run.start();
  engine.run();
  const Time end = run.finish_time();
  const std::vector<DeviceTime> t = BreakDown(run, Time::zero(), end);
  // The all-reduce starts at 5 us (both entered) and lasts 2 x (10 us + 400 us).
  EXPECT_EQ(end, Microseconds(5) + 2 * (Microseconds(10) + TransferTime(Bytes{500'000}, kB)));
  const int dp = static_cast<int>(Category::kDataParallel);
  EXPECT_EQ(t[0].compute, Microseconds(10));
  EXPECT_EQ(t[0].traffic[dp], end);                             // device 0 entered at 0
  EXPECT_EQ(t[0].exposed_by[dp], end - Microseconds(10));       // hidden 0-10 us
  EXPECT_EQ(t[0].exposed, end - Microseconds(10));
  EXPECT_EQ(t[0].idle, Time::zero());
  EXPECT_EQ(t[1].compute, Microseconds(5));
  EXPECT_EQ(t[1].exposed, end - Microseconds(5));
  for (const DeviceTime& d : t) EXPECT_EQ(d.compute + d.exposed + d.idle, end);
}

}  // namespace
}  // namespace sim::taskgraph
