// Data-parallel steps as task graphs, timed on the flow network against
// closed forms: buckets as PyTorch DDP forms them; with overlap, a step is
// the backward pass plus the last bucket's all-reduce when the network is
// fast, and the all-reduces back to back when it is slow; without overlap,
// the whole all-reduce after the backward pass; ZeRO's exchanges; parameter
// servers.
//
// The setting of the cost models: a star of hosts, each on one full-duplex
// cable of bandwidth B and latency alpha per direction, no per-message
// overhead, free reductions. A ring all-reduce of n bytes on p ranks takes
// (Patarasuk & Yuan 2009)
//   t_ar(n) = 2(p-1) (alpha' + n / (p B))      with alpha' = 2 alpha,
// exact when p divides n (every step moves n/p bytes at B, alone on its links).
#include <gtest/gtest.h>

#include "sim/parallelism/data_parallel.h"
#include "tests/parallelism/run_graph.h"
#include "topologies/builders.h"

namespace sim::parallelism {
namespace {

constexpr std::uint32_t kP = 4;
const Time kAlpha = Microseconds(5);

struct StepSetup {
  BytesPerSecond bandwidth;
  std::vector<LayerCost> layers;
  Bytes cap{0};
  bool overlap = true;
  models::ZeroStage zero = models::ZeroStage::kNone;
  Time optimizer = Microseconds(100);
  std::uint32_t servers = 0;
};

// The simulated end of one step.
Time OneStep(const StepSetup& s) {
  const topo::Topology star = topo::MakeStar(kP + s.servers, {s.bandwidth, kAlpha});
  DataParallelConfig c;
  for (EndpointId w = 0; w < kP; ++w) c.workers.push_back(w);
  for (EndpointId e = 0; e < s.servers; ++e) c.servers.push_back(kP + e);
  c.layers = s.layers;
  c.optimizer = s.optimizer;
  c.bucket_cap = s.cap;
  c.overlap = s.overlap;
  c.zero = s.zero;
  return testing::RunGraph(star, BuildDataParallel(c), [](const taskgraph::TaskGraphRun& run) { return run.finish_time(); });
}

// Ring all-reduce (or reduce-scatter / all-gather: half the steps) of n bytes.
Time RingTime(std::int64_t n, BytesPerSecond b, int halves = 2) {
  const Time step = kAlpha * 2 + TransferTime(Bytes{n / kP}, b);
  return step * static_cast<std::int64_t>(halves * (kP - 1));
}

// Four layers: forward 1 ms each, backward 2 ms each, 4 MB of gradient each
// (divisible by p = 4).
std::vector<LayerCost> FourLayers() {
  return std::vector<LayerCost>(4, LayerCost{Microseconds(1000), Microseconds(2000), Bytes{4'000'000}, Bytes{2'000'000}});
}

TEST(Buckets, FilledInReverseOrderAndClosedAtTheCap) {
  // PyTorch DDP: fill from the last parameter, close a bucket once it holds
  // the cap or more. Gradients 4, 4, 4, 4 MB with a 6 MB cap: {3, 2}, {1, 0}.
  const auto b = Buckets(FourLayers(), Bytes{6'000'000});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0], (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(b[1], (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(Buckets(FourLayers(), Bytes{1}).size(), 4u);
  EXPECT_EQ(Buckets(FourLayers(), Bytes{100'000'000}).size(), 1u);
}

TEST(DataParallelStep, FastNetworkHidesAllButTheLastBucket) {
  // 100 Gbit/s: an 8 MB bucket all-reduces in 6 x (10 us + 2 MB / 12.5 GB/s)
  // = 1.02 ms, less than the 4 ms of backward that follow the first bucket,
  // so only the last bucket (layers 1 and 0) shows:
  //   step = 4 x 1 ms forward + 4 x 2 ms backward + t_ar(8 MB) + optimizer.
  const BytesPerSecond b = GigabitsPerSecond(100);
  const Time expected = Microseconds(4000) + Microseconds(8000) + RingTime(8'000'000, b) + Microseconds(100);
  EXPECT_EQ(OneStep({b, FourLayers(), Bytes{8'000'000}}), expected);
}

TEST(DataParallelStep, SlowNetworkRunsTheAllReducesBackToBack) {
  // 1 Gbit/s: t_ar(8 MB) = 6 x (10 us + 16 ms) = 96.06 ms, far longer than
  // the 4 ms of backward left when the first bucket is ready (after layers 3
  // and 2: forward 4 ms + backward 4 ms):
  //   step = 8 ms + 2 t_ar(8 MB) + optimizer.
  const BytesPerSecond b = GigabitsPerSecond(1);
  const Time expected = Microseconds(8000) + RingTime(8'000'000, b) * 2 + Microseconds(100);
  EXPECT_EQ(OneStep({b, FourLayers(), Bytes{8'000'000}}), expected);
}

TEST(DataParallelStep, WithoutOverlapTheWholeGradientFollowsTheBackwardPass) {
  // Today's behaviour: one all-reduce of the 16 MB after the 12 ms of compute.
  const BytesPerSecond b = GigabitsPerSecond(10);
  StepSetup s{b, FourLayers(), Bytes{8'000'000}};
  s.overlap = false;
  EXPECT_EQ(OneStep(s), Microseconds(12000) + RingTime(16'000'000, b) + Microseconds(100));
}

TEST(DataParallelStep, ZeroShardsTheOptimizerAndGathersTheParameters) {
  // ZeRO 1 without overlap: a ring reduce-scatter of the 16 MB gradient
  // (p - 1 steps of n/p), the optimizer on 1/p of the model (100 us / 4),
  // then a ring all-gather of the 8 MB of parameters (p - 1 steps of n/p):
  // the same volume as an all-reduce (Rajbhandari et al. 2020, section 7).
  const BytesPerSecond b = GigabitsPerSecond(10);
  StepSetup s{b, FourLayers(), Bytes{8'000'000}};
  s.overlap = false;
  s.zero = models::ZeroStage::kOptimizerStates;
  EXPECT_EQ(OneStep(s), Microseconds(12000) + RingTime(16'000'000, b, 1) + Microseconds(25) +
                            RingTime(8'000'000, b, 1));
}

TEST(DataParallelStep, ParameterServerPushesAndPullsThroughItsLink) {
  // One server, no overlap: p workers push 16 MB each into the server's
  // link at once (it carries p x 16 MB at B), then it sends 16 MB back to
  // each (p x 16 MB out at B): 2 x (alpha' + p n / B) after the compute
  // (Li et al. 2014's motivation for sharding); the servers hold the
  // optimizer, so no worker step follows.
  const BytesPerSecond b = GigabitsPerSecond(10);
  StepSetup s{b, FourLayers(), Bytes{8'000'000}};
  s.overlap = false;
  s.servers = 1;
  const Time one_way = kAlpha * 2 + TransferTime(Bytes{kP * 16'000'000LL}, b);
  EXPECT_EQ(OneStep(s), Microseconds(12000) + one_way * 2);
}

// Bytes every rank of every collective of one step sends, summed.
std::int64_t BytesSent(models::ZeroStage zero) {
  DataParallelConfig c;
  for (EndpointId w = 0; w < kP; ++w) c.workers.push_back(w);
  // Parameters and gradients at the same width (mixed precision: 2 bytes each).
  c.layers.assign(4, LayerCost{Microseconds(1000), Microseconds(2000), Bytes{4'000'000}, Bytes{4'000'000}});
  c.bucket_cap = Bytes{8'000'000};
  c.zero = zero;
  const taskgraph::TaskGraph g = BuildDataParallel(c);
  std::int64_t sent = 0;
  for (std::uint32_t i = 0; i < g.collectives(); ++i) {
    for (const auto& s : g.collective(i).schedules) {
      for (collectives::Rank r = 0; r < s->ranks(); ++r) sent += s->bytes_sent(r).count;
    }
  }
  return sent;
}

TEST(DataParallelStep, ZeroStagesMoveTheVolumesOfTheZeroPaper) {
  // Rajbhandari et al. 2020, section 7: stages 1 and 2 move what an
  // all-reduce moves (a reduce-scatter of the gradients and an all-gather of
  // the parameters, Psi each, against 2 Psi); stage 3 gathers the parameters
  // in forward and again in backward: 3 Psi, 1.5x data parallelism.
  const double dp = static_cast<double>(BytesSent(models::ZeroStage::kNone));
  EXPECT_DOUBLE_EQ(BytesSent(models::ZeroStage::kOptimizerStates) / dp, 1.0);
  EXPECT_DOUBLE_EQ(BytesSent(models::ZeroStage::kGradients) / dp, 1.0);
  EXPECT_DOUBLE_EQ(BytesSent(models::ZeroStage::kParameters) / dp, 1.5);
}

}  // namespace
}  // namespace sim::parallelism
