// Pipeline parallelism as task graphs: the schedules' explicit orders, the
// bubble and the activation memory that come out of running them, against
// Narayanan et al. 2021 ("Efficient large-scale language model training on
// GPU clusters using Megatron-LM", section 2.2), and the 3D rank layout.
#include <gtest/gtest.h>

#include "sim/parallelism/hybrid_parallel.h"
#include "sim/parallelism/pipeline_schedule.h"
#include "sim/taskgraph/task_graph_run.h"
#include "sim/taskgraph/time_breakdown.h"
#include "tests/parallelism/run_graph.h"
#include "topologies/builders.h"

namespace sim::parallelism {
namespace {

// The tolerance for the bubble.
constexpr double kBubbleTolerance = 0.01;

TEST(PipelineSchedule, OneForwardOneBackwardWarmsUpByTheStagesBelow) {
  // p = 4, m = 6, stage 1: warm-up p - s - 1 = 2 forward passes, then 1F1B.
  const auto passes = StagePasses(PipelineScheduleKind::kOneForwardOneBackward, 4, 1, 6);
  std::string order;
  for (const auto& p : passes) order += (p.forward ? "F" : "B") + std::to_string(p.micro_batch) + " ";
  EXPECT_EQ(order, "F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 B4 B5 ");
}

TEST(PipelineSchedule, PeakActivationsGPipeHoldsMOneFOneBAtMostP) {
  // Narayanan et al. 2021, section 2.2.1: GPipe keeps the activations of all
  // m micro-batches; 1F1B at most p (stage 0; stage s holds p - s).
  const std::uint32_t p = 8, m = 32;
  for (std::uint32_t s = 0; s < p; ++s) {
    EXPECT_EQ(PeakInFlight(StagePasses(PipelineScheduleKind::kGPipe, p, s, m)), m);
    EXPECT_EQ(PeakInFlight(StagePasses(PipelineScheduleKind::kOneForwardOneBackward, p, s, m)), p - s);
  }
}

TEST(PipelineSchedule, InterleavedRunsEveryChunkOfEveryMicroBatchOnce) {
  const std::uint32_t p = 4, m = 8, v = 3;
  for (std::uint32_t s = 0; s < p; ++s) {
    const auto passes = StagePasses(PipelineScheduleKind::kInterleaved, p, s, m, v);
    ASSERT_EQ(passes.size(), 2u * m * v);
    std::vector<int> seen(2 * m * v, 0);
    for (const auto& pass : passes) ++seen[(pass.forward ? 0 : m * v) + pass.chunk * m + pass.micro_batch];
    for (int count : seen) EXPECT_EQ(count, 1);
  }
  EXPECT_THROW((void)StagePasses(PipelineScheduleKind::kInterleaved, 4, 0, 6, 2), std::invalid_argument);
}

// Simulated step of a pipeline of p equal stages, m micro-batches, free
// communication (no bytes between stages, no latency), one replica, no
// tensor parallelism: forward 1 ms and backward 2 ms per micro-batch and
// stage (divided among v chunks). Returns (step, busy) of stage 0.
struct PipelineRun {
  Time step;
  Time busy;
};
PipelineRun Pipeline(PipelineScheduleKind kind, std::uint32_t p, std::uint32_t m, std::uint32_t v = 1) {
  const topo::Topology star = topo::MakeStar(p, {GigabitsPerSecond(100), Time::zero()});
  HybridConfig c;
  for (EndpointId e = 0; e < p; ++e) c.devices.push_back(e);
  c.pipeline = p;
  c.chunks = v;
  c.schedule = kind;
  c.micro_batches = m;
  c.stages.assign(p * v, ChunkCost{Microseconds(1000.0 / v), Time::zero(), Microseconds(2000.0 / v), {}, {}, Bytes{0},
                                   Bytes{0}, Bytes{0}});
  c.optimizer.assign(p, Time::zero());
  return testing::RunGraph(star, BuildHybridParallel(c), [](const taskgraph::TaskGraphRun& run) {
    const auto times = taskgraph::BreakDown(run, Time::zero(), run.finish_time());
    return PipelineRun{run.finish_time(), times[0].compute};
  });
}

TEST(PipelineBubble, GPipeAndOneFOneBAreThePaperFormula) {
  // Bubble share (p - 1) / (m + p - 1): idle over the step.
  for (auto kind : {PipelineScheduleKind::kGPipe, PipelineScheduleKind::kOneForwardOneBackward}) {
    for (std::uint32_t p : {2u, 4u, 8u}) {
      for (std::uint32_t m : {1u, 4u, 8u, 32u}) {
        const PipelineRun r = Pipeline(kind, p, m);
        const double bubble = 1.0 - r.busy / r.step;
        EXPECT_NEAR(bubble, (p - 1.0) / (m + p - 1.0), kBubbleTolerance)
            << PipelineScheduleName(kind) << " p=" << p << " m=" << m;
      }
    }
  }
}

TEST(PipelineBubble, InterleavedDividesItByTheChunks) {
  // (p - 1) / (v m + p - 1).
  for (std::uint32_t p : {2u, 4u, 8u}) {
    for (std::uint32_t v : {2u, 4u}) {
      for (std::uint32_t m : {8u, 32u}) {
        const PipelineRun r = Pipeline(PipelineScheduleKind::kInterleaved, p, m, v);
        const double bubble = 1.0 - r.busy / r.step;
        EXPECT_NEAR(bubble, (p - 1.0) / (v * m + p - 1.0), kBubbleTolerance) << "p=" << p << " v=" << v << " m=" << m;
      }
    }
  }
}

TEST(RankLayout, TensorInnermostByDefault) {
  // "tpd": rank = t + T (s + P r).
  HybridConfig c;
  c.tensor = 8;
  c.pipeline = 4;
  c.data = 2;
  EXPECT_EQ(RankOf(c, {3, 2, 1}), 3u + 8u * (2u + 4u * 1u));
  const RankCoordinates back = CoordinatesOf(c, 3 + 8 * (2 + 4 * 1));
  EXPECT_EQ(back.tensor, 3u);
  EXPECT_EQ(back.stage, 2u);
  EXPECT_EQ(back.replica, 1u);
  c.order = "dtp";
  EXPECT_EQ(RankOf(c, {3, 2, 1}), 1u + 2u * (3u + 8u * 2u));
}

}  // namespace
}  // namespace sim::parallelism
