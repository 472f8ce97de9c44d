// What a compressed gradient costs a strategy (gradient_exchange.h): its
// bytes in the encodings of models/compression/wire_size.h, the collective
// that carries it, timed on the flow network against the textbook cost
// models, and the time of encoding and decoding at the device's rate, added
// to each strategy's step as a closed form says.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/compression/wire_size.h"
#include "sim/network/flow_network.h"
#include "sim/strategy/gradient_exchange.h"
#include "sim/strategy/network_communication.h"
#include "timing_harness.h"
#include "topologies/builders.h"

namespace sim {
namespace {

using models::CompressionScheme;
using models::ExchangeCollective;

// MLP 784 -> 256 -> 10 on Fashion-MNIST: 784 x 256 + 256 + 256 x 10 + 10.
constexpr std::int64_t kN = 203'530;
// A device of 1 TFLOP/s peak at half of it, with a step overhead that a
// codec, running within the step, does not pay again.
const models::DeviceProfile kDevice{"half-tflop", TeraflopsPerSecond(1.0), 0.5, 100.0};
constexpr double kRate = 0.5e12;  // FLOP/s sustained

TEST(GradientExchange, WithoutCompressionIsOneDenseAllReduceAndNoCodec) {
  const GradientExchange e = ExchangeOf({.scheme = CompressionScheme::kNone}, kN, {}, Bytes{4 * kN}, 16, kDevice);
  ASSERT_EQ(e.phases.size(), 1u);
  EXPECT_EQ(e.phases[0].collective, ExchangeCollective::kAllReduce);
  EXPECT_EQ(e.phases[0].per_worker, Bytes{4 * kN});
  EXPECT_EQ(e.push, Bytes{4 * kN});
  EXPECT_EQ(e.encode, Time::zero());
  EXPECT_EQ(e.decode, Time::zero());
  // A timing_only model's gradient keeps its own bytes per parameter (fp16).
  EXPECT_EQ(ExchangeOf({}, kN, {}, Bytes{2 * kN}, 16, kDevice).phases.size(), 1u);
  EXPECT_EQ(DenseExchange(Bytes{2 * kN}, 16).push, Bytes{2 * kN});
}

TEST(GradientExchange, TopKAtOnePercentSendsOnePercentOfTheValuesAndTheirIndices) {
  // k = round(0.01 n) = round(2,035.3) = 2,035 entries, each an fp32 value
  // and a uint32 index (DGC, Lin et al. 2018): 8k = 16,280 bytes, against
  // 4n = 814,120 dense; by all-gather, each of W = 16 workers sends
  // (W - 1) 8k = 244,200 bytes.
  const models::CompressionOptions top_k{.scheme = CompressionScheme::kTopK, .ratio = 0.01, .error_feedback = true};
  const GradientExchange e = ExchangeOf(top_k, kN, {}, Bytes{4 * kN}, 16, kDevice);
  constexpr std::int64_t k = 2035;
  EXPECT_EQ(e.push, Bytes{8 * k});
  ASSERT_EQ(e.phases.size(), 1u);
  EXPECT_EQ(e.phases[0].collective, ExchangeCollective::kAllGather);
  EXPECT_EQ(e.phases[0].per_worker, Bytes{8 * k});
  EXPECT_EQ(e.phases[0].sent_per_worker, Bytes{15 * 8 * k});
  // Encoding: n magnitudes, the expected comparisons of Hoare's selection
  // S(n, k) = 2n + 2k ln(n/k) + 2(n-k) ln(n/(n-k)) (Knuth 1971), and 2n of
  // error feedback (p = g + e, e = p - C(p)); decoding: k adds per code
  // received, 15 codes. At 0.5 TFLOP/s, no step overhead.
  const double n = kN;
  const double selection = 2 * n + 2 * k * std::log(n / k) + 2 * (n - k) * std::log(n / (n - k));
  EXPECT_NEAR(e.encode.seconds(), (n + selection + 2 * n) / kRate, 1e-12);
  EXPECT_NEAR(e.decode.seconds(), 15.0 * k / kRate, 1e-12);
}

TEST(GradientExchange, PowerSgdAllReducesItsFactorsAndDecodesOnce) {
  // Rank 2 of W1 784 x 256 and W2 256 x 10: P has 2 (784 + 256) = 2,080
  // entries and rides with the 266 biases, Q 2 (256 + 10) = 532 (Vogels et
  // al. 2019); one decode of P Q^T, 2 r m c per matrix, plus the biases.
  const std::vector<models::MatrixShape> shapes = models::MlpWeightShapes(784, {256}, 10);
  const models::CompressionOptions power{.scheme = CompressionScheme::kPowerSgd, .rank = 2, .error_feedback = true};
  const GradientExchange e = ExchangeOf(power, kN, shapes, Bytes{4 * kN}, 16, kDevice);
  ASSERT_EQ(e.phases.size(), 2u);
  EXPECT_EQ(e.phases[0].collective, ExchangeCollective::kAllReduce);
  EXPECT_EQ(e.phases[0].per_worker, Bytes{4 * (2080 + 266)});
  EXPECT_EQ(e.phases[1].per_worker, Bytes{4 * 532});
  EXPECT_NEAR(e.decode.seconds(), (2.0 * 2 * (784 * 256 + 256 * 10) + 266) / kRate, 1e-12);
}

// One collective of `strategy`'s family on a star of `p` hosts at `bandwidth`
// and `latency` per link; the time it ends.
Time TimeOnAStar(std::uint32_t p, const StrategySpec& strategy, bool gather, Bytes size) {
  const topo::Topology star = topo::MakeStar(p, {GigabitsPerSecond(1.0), Microseconds(5)});
  Engine engine;
  net::FlowNetwork network(engine, star);
  std::vector<EndpointId> workers(p);
  for (std::uint32_t i = 0; i < p; ++i) workers[i] = i;
  NetworkCommunication communication(engine, network, star, strategy, workers, {}, BytesPerSecond{0.0});
  Time end = Time::zero();
  const auto done = [&] { end = engine.now(); };
  if (gather) {
    communication.all_gather(size, done);
  } else {
    communication.all_reduce(size, done);
  }
  engine.run();
  return end;
}

TEST(GradientExchange, TheCompressedExchangeOnTheNetworkShrinksAsItsBytesDo) {
  // A star at B = 1 Gbit/s, alpha = 5 us a link, a message crossing two
  // (alpha' = 10 us); each ring step moves one piece per host, no link
  // shared (tests/collectives/timing_test.cc):
  //   all-gather of c bytes a rank   T = (p - 1)(alpha' + c / B)
  //   all-reduce of m bytes          T = 2 (p - 1)(alpha' + m / (p B))
  //       (Patarasuk & Yuan 2009)
  // and recursive doubling, the all-gather of the halving-doubling family,
  // T = log2(p) alpha' + (p - 1) c / B (Thakur et al. 2005, section 4.4).
  constexpr std::uint32_t p = 8;
  const double b = GigabitsPerSecond(1.0).value, alpha = 10e-6;
  const double c = 8 * 2035, m = 4 * kN;  // top-k 1% code, dense gradient
  StrategySpec ring;
  const double gather = TimeOnAStar(p, ring, true, Bytes{8 * 2035}).seconds();
  const double reduce = TimeOnAStar(p, ring, false, Bytes{4 * kN}).seconds();
  EXPECT_NEAR(gather, (p - 1) * (alpha + c / b), 1e-9);
  EXPECT_NEAR(reduce, 2 * (p - 1) * (alpha + m / (p * b)), 1e-9);
  // Bytes a worker sends: (p - 1) c against 2 (p - 1) m / p, 8% here;
  // latency keeps the time ratio above it.
  EXPECT_LT(gather / reduce, 0.1);
  StrategySpec halving;
  halving.allreduce = collectives::Algorithm::kHalvingDoubling;
  EXPECT_NEAR(TimeOnAStar(p, halving, true, Bytes{8 * 2035}).seconds(), 3 * alpha + (p - 1) * c / b, 1e-9);
}

const Time kNominal = Microseconds(10);
const Time kEncode = Microseconds(3);
const Time kDecode = Microseconds(2);

testing::TimingSetup WithCodec(testing::TimingSetup s) {
  s.encode = kEncode;
  s.decode = kDecode;
  return s;
}

TEST(CompressedStrategies, SyncAllReduceStepIsComputeEncodeExchangeDecode) {
  // Free communication: a step lasts T + E + D; encoding and decoding are
  // the exchange's, so they count as communication.
  testing::TimingRun run(WithCodec(testing::TimingScenario(4, StrategyKind::kSyncAllReduce, 20, 0.0)), kNominal);
  EXPECT_EQ(run.engine.now(), (kNominal + kEncode + kDecode) * 20);
  EXPECT_EQ(run.timeline.total(0, Activity::kCompute), kNominal * 20);
  EXPECT_EQ(run.timeline.total(0, Activity::kCommunicate), (kEncode + kDecode) * 20);
  EXPECT_EQ(run.timeline.total(0, Activity::kWait), Time::zero());
  EXPECT_EQ(run.timeline.computations(0), 20u);
}

TEST(CompressedStrategies, ParameterServerWorkersEncodeBeforeEachPush) {
  // Async: every worker loops pull, compute T, encode E, push; equal workers
  // share the 40 updates, 10 cycles of T + E each. The servers decode
  // within their apply cost: no decode at the worker.
  testing::TimingRun async(WithCodec(testing::TimingScenario(4, StrategyKind::kAsyncPs, 40, 0.0)), kNominal);
  EXPECT_EQ(async.engine.now(), (kNominal + kEncode) * 10);
  EXPECT_EQ(async.timeline.total(1, Activity::kCommunicate), kEncode * 10);
  // Sync with a backup worker: the 10x straggler is cut short, so every step
  // is T + E, with N - b = 3 gradients.
  auto backup = WithCodec(testing::TimingScenario(4, StrategyKind::kSyncBackup, 25, 0.0));
  backup.strategy.backup_workers = 1;
  backup.stragglers.slow_workers.push_back({2, 10.0});
  testing::TimingRun cut(backup, kNominal);
  EXPECT_EQ(cut.engine.now(), (kNominal + kEncode) * 25);
  EXPECT_EQ(cut.log.staleness_histogram().at(0), 3u * 25);
}

TEST(CompressedStrategies, LocalSgdEncodesOncePerAverage) {
  // H = 5, 23 local steps: rounds of 5, 5, 5, 5, 3, each ending with one
  // encode, exchange and decode: 23 T + 5 (E + D).
  auto s = WithCodec(testing::TimingScenario(3, StrategyKind::kLocalSgd, 23, 0.0));
  s.strategy.local_steps = 5;
  testing::TimingRun run(s, kNominal);
  EXPECT_EQ(run.engine.now(), kNominal * 23 + (kEncode + kDecode) * 5);
  EXPECT_EQ(run.numerics.version(), 5u);
}

TEST(CompressedStrategies, ACodecAddsOneEventPerEncodeAndDecodeOnly) {
  // A zero-time codec is called at once, not scheduled, so a run without
  // compression fires the events it fired before compression existed (the
  // pinned results check their bits); with one, each encode and each decode
  // is one event more. 4 workers, 40 updates: sync, 40 x (4 encodes + 1
  // decode); async, 40 encodes; local SGD, 5 rounds of H = 8, 5 x (4 + 1).
  const std::vector<std::pair<StrategyKind, std::uint64_t>> cases = {
      {StrategyKind::kSyncAllReduce, 200}, {StrategyKind::kAsyncPs, 40}, {StrategyKind::kLocalSgd, 25}};
  for (const auto& [kind, more] : cases) {
    testing::TimingRun dense(testing::TimingScenario(4, kind, 40, 0.5), kNominal);
    testing::TimingRun coded(WithCodec(testing::TimingScenario(4, kind, 40, 0.5)), kNominal);
    EXPECT_EQ(coded.engine.events_fired() - dense.engine.events_fired(), more) << Entry(kind).name;
  }
}

}  // namespace
}  // namespace sim
