// What goes on the wire (models/compression/wire_size.h), which collective
// carries it and what each worker sends (compressed_exchange.h), the work
// formulas (compression_work.h), and the options' problems, each naming its
// field as the scenario spells it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/compression/compressed_exchange.h"
#include "models/compression/compression_work.h"
#include "models/compression/make_compressor.h"
#include "models/compression/power_sgd.h"
#include "models/compression/wire_size.h"
#include "models/nn/mlp.h"

namespace sim::models {
namespace {

CompressionOptions Options(CompressionScheme scheme) {
  CompressionOptions o;
  o.scheme = scheme;
  return o;
}

TEST(WireSize, TopKAtOnePercentSendsOnePercentOfValuesPlusTheirIndices) {
  // Aji & Heafield 2017 drop 99%: of n = 100,000 floats, k = round(0.01 n) =
  // 1,000 (index, value) pairs in DGC's encoding (Lin et al. 2018): 1,000 x 4
  // bytes of fp32 values + 1,000 x 4 bytes of uint32 indices = 8,000 bytes,
  // 2% of the dense 400,000 (the indices double the 1%).
  constexpr Eigen::Index kN = 100'000;
  CompressionOptions o = Options(CompressionScheme::kTopK);
  o.ratio = 0.01;
  EXPECT_EQ(KeptEntries(o.ratio, kN), 1'000);
  const WireSize wire = EncodedSize(o, kN);
  EXPECT_EQ(wire.values.count, 4'000);
  EXPECT_EQ(wire.indices.count, 4'000);
  EXPECT_EQ(wire.scales.count, 0);
  EXPECT_EQ(wire.total().count, 8'000);
  EXPECT_EQ(EncodedSize(Options(CompressionScheme::kNone), kN).total().count, 400'000);
  // Past 2^32 entries an index takes 8 bytes: n = 2^33, k = 2^33 / 100 rounded.
  const Eigen::Index huge = Eigen::Index{1} << 33;
  const Eigen::Index k_huge = KeptEntries(0.01, huge);
  EXPECT_EQ(k_huge, std::llround(0.01 * static_cast<double>(huge)));
  EXPECT_EQ(EncodedSize(o, huge).indices.count, 8 * k_huge);
  // The compressor reports the same size.
  std::unique_ptr<Compressor> c = MakeCompressor(o, kN, NamedStream(1, "test/wire"));
  Eigen::VectorXf applied;
  EXPECT_EQ(c->compress(Eigen::VectorXf::Ones(kN), applied).wire.total().count, 8'000);
}

TEST(WireSize, QuantisedSchemes) {
  // n = 1,000 in buckets of 256: 4 buckets (256, 256, 256, 232), 4 fp32 scales.
  //   qsgd s = 16: bit_width(16) = 5 level bits + 1 sign bit = 6 bits:
  //                ceil(6,000 / 8) = 750 + 16 = 766 bytes
  //   qsgd s = 15: 4 + 1 = 5 bits: 625 + 16 = 641 (4-bit levels 0..15)
  //   int8:        1,000 + 16 = 1,016
  //   scaled_sign: ceil(1,000 / 8) = 125 + 16 = 141
  // Without buckets: one scale, 4 bytes.
  constexpr Eigen::Index kN = 1'000;
  CompressionOptions o = Options(CompressionScheme::kQsgd);
  o.bucket_size = 256;
  o.levels = 16;
  EXPECT_EQ(EncodedSize(o, kN).values.count, 750);
  EXPECT_EQ(EncodedSize(o, kN).scales.count, 16);
  o.levels = 15;
  EXPECT_EQ(EncodedSize(o, kN).total().count, 641);
  o.scheme = CompressionScheme::kInt8;
  EXPECT_EQ(EncodedSize(o, kN).total().count, 1'016);
  o.scheme = CompressionScheme::kScaledSign;
  EXPECT_EQ(EncodedSize(o, kN).total().count, 141);
  o.bucket_size = 0;
  EXPECT_EQ(EncodedSize(o, kN).total().count, 129);
}

TEST(WireSize, PowerSgdOnAnMlp) {
  // MLP 784 -> 256 -> 10 (models/nn/mlp.h): W1 784 x 256 at 0, b1 (256) at
  // 200,704, W2 256 x 10 at 200,960, b2 (10) at 203,520; n = 203,530.
  // Rank 2: P factors 2 (784 + 256) = 2,080 floats, Q factors 2 (256 + 10) =
  // 532, biases 266 sent whole: 4 (2,080 + 532 + 266) = 11,512 bytes per
  // worker, against 814,120 dense (1.4%).
  const std::vector<MatrixShape> shapes = MlpWeightShapes(784, {256}, 10);
  ASSERT_EQ(shapes.size(), 2u);
  EXPECT_EQ(shapes[1].offset, 200'960);
  const Mlp mlp(784, {256}, 10);
  EXPECT_EQ(mlp.parameter_count(), 203'530);
  EXPECT_EQ(EntriesOutsideMatrices(shapes, mlp.parameter_count()), 266);
  CompressionOptions o = Options(CompressionScheme::kPowerSgd);
  o.rank = 2;
  EXPECT_EQ(EncodedSize(o, mlp.parameter_count(), shapes).total().count, 11'512);
  // Two power iterations send the factors twice, the biases once: 4 (2 x
  // 2,612 + 266) = 21,960.
  o.power_iterations = 2;
  EXPECT_EQ(EncodedSize(o, mlp.parameter_count(), shapes).total().count, 21'960);
}

TEST(Exchange, WhichCollectiveCarriesWhat) {
  using enum ExchangeCollective;
  EXPECT_EQ(CollectivesFor(CompressionScheme::kPowerSgd), std::vector<ExchangeCollective>{kAllReduce});
  for (CompressionScheme s : {CompressionScheme::kTopK, CompressionScheme::kRandomK, CompressionScheme::kQsgd,
                              CompressionScheme::kInt8, CompressionScheme::kScaledSign}) {
    const std::vector<ExchangeCollective> c = CollectivesFor(s);
    EXPECT_EQ(c.front(), kAllGather) << Name(s);
    EXPECT_EQ(std::count(c.begin(), c.end(), kAllReduce), 0) << Name(s) << " cannot be summed in its code";
  }
  EXPECT_EQ(CollectivesFor(CompressionScheme::kNone).front(), kAllReduce);
}

TEST(Exchange, BytesEachWorkerSends) {
  // 8 workers. Dense n = 100,000: ring all-reduce of 400,000 bytes sends
  // 2 x 7 / 8 x 400,000 = 700,000 per worker (Patarasuk & Yuan 2009).
  // Top-k 1%: all-gather of 8,000-byte pieces sends 7 x 8,000 = 56,000.
  constexpr std::uint32_t kWorkers = 8;
  const auto dense = ExchangePhases(Options(CompressionScheme::kNone), 100'000, {}, kWorkers);
  ASSERT_EQ(dense.size(), 1u);
  EXPECT_EQ(dense[0].collective, ExchangeCollective::kAllReduce);
  EXPECT_EQ(dense[0].sent_per_worker.count, 700'000);
  CompressionOptions top_k = Options(CompressionScheme::kTopK);
  const auto sparse = ExchangePhases(top_k, 100'000, {}, kWorkers);
  ASSERT_EQ(sparse.size(), 1u);
  EXPECT_EQ(sparse[0].collective, ExchangeCollective::kAllGather);
  EXPECT_EQ(sparse[0].per_worker.count, 8'000);
  EXPECT_EQ(sparse[0].sent_per_worker.count, 56'000);
  // PowerSGD rank 2 on the MLP above: all-reduce of P and the biases, 4 x
  // (2,080 + 266) = 9,384 bytes, sending ceil(14 x 9,384 / 8) = 16,422; then
  // of Q, 4 x 532 = 2,128 bytes, sending 14 x 2,128 / 8 = 3,724.
  CompressionOptions power = Options(CompressionScheme::kPowerSgd);
  power.rank = 2;
  const std::vector<MatrixShape> shapes = MlpWeightShapes(784, {256}, 10);
  const auto phases = ExchangePhases(power, 203'530, shapes, kWorkers);
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].per_worker.count, 9'384);
  EXPECT_EQ(phases[0].sent_per_worker.count, 16'422);
  EXPECT_EQ(phases[1].per_worker.count, 2'128);
  EXPECT_EQ(phases[1].sent_per_worker.count, 3'724);
  // A lone worker sends nothing.
  EXPECT_EQ(AllReduceBytesSent(Bytes{1'000}, 1).count, 0);
  EXPECT_EQ(AllGatherBytesSent(Bytes{1'000}, 1).count, 0);
  // The all-reduce figure rounds up when p does not divide 2 (p - 1) m:
  // 2 x 2 x 10 / 3 = 13.33 -> 14.
  EXPECT_EQ(AllReduceBytesSent(Bytes{10}, 3).count, 14);
}

TEST(Work, SelectionAndPowerIterationCounts) {
  // Knuth 1971: S(n, k) = 2n + 2k ln(n/k) + 2(n-k) ln(n/(n-k)); at k = n/2
  // it is 2n (1 + ln 2) = 3.386n; at k = n, 2n (the (n-k) term vanishes).
  EXPECT_NEAR(SelectionComparisons(1'000, 500), 2'000 * (1 + std::log(2.0)), 1e-9);
  EXPECT_NEAR(SelectionComparisons(1'000, 1'000), 2'000, 1e-9);
  // Top-k 1% of 100,000 with error feedback: n + S(n, 1,000) + 2n.
  CompressionOptions top_k = Options(CompressionScheme::kTopK);
  const CompressionWork w = WorkOf(top_k, 100'000);
  EXPECT_NEAR(w.compress.flops.count, 3e5 + SelectionComparisons(1e5, 1e3), 1e-6);
  EXPECT_NEAR(w.decompress.flops.count, 1'000, 1e-9);
  // PowerSGD rank 2, one iteration, no error feedback, on a 784 x 256
  // matrix alone: 4 x 784 x 256 x 2 + 4 x 784 x 2^2 = 1,605,632 + 12,544.
  CompressionOptions power = Options(CompressionScheme::kPowerSgd);
  power.error_feedback = false;
  const MatrixShape m{784, 256, 0};
  const CompressionWork p = WorkOf(power, m.size(), std::span<const MatrixShape>(&m, 1));
  EXPECT_NEAR(p.compress.flops.count, 1'605'632 + 12'544, 1e-6);
  EXPECT_NEAR(p.decompress.flops.count, 2.0 * 784 * 256 * 2, 1e-6);
}

// Whether some problem names `field`.
bool Names(const std::vector<std::string>& problems, const std::string& field) {
  for (const auto& p : problems) {
    if (p.find(field) != std::string::npos) return true;
  }
  return false;
}

TEST(CompressionProblems, EachNamesItsField) {
  CompressionOptions o = Options(CompressionScheme::kTopK);
  for (double bad : {0.0, -0.5, 1.5, std::nan("")}) {
    o.ratio = bad;
    const auto problems = CompressionProblems(o, 100);
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_TRUE(Names(problems, "strategy.compression.ratio")) << problems[0];
  }
  o.ratio = 1.0;  // the whole vector is a valid, if pointless, choice
  EXPECT_TRUE(CompressionProblems(o, 100).empty());
  o.scheme = CompressionScheme::kRandomK;
  o.ratio = 0.0;
  EXPECT_TRUE(Names(CompressionProblems(o, 100), "strategy.compression.ratio"));

  CompressionOptions q = Options(CompressionScheme::kQsgd);
  q.levels = 0;
  q.bucket_size = -1;
  const auto qsgd = CompressionProblems(q, 100);
  EXPECT_EQ(qsgd.size(), 2u);
  EXPECT_TRUE(Names(qsgd, "strategy.compression.levels"));
  EXPECT_TRUE(Names(qsgd, "strategy.compression.bucket_size"));
  // A field the scheme does not read is not checked.
  q.scheme = CompressionScheme::kScaledSign;
  EXPECT_EQ(CompressionProblems(q, 100).size(), 1u);

  CompressionOptions p = Options(CompressionScheme::kPowerSgd);
  p.rank = 9;
  const std::vector<MatrixShape> shapes = {{8, 16, 0}, {20, 30, 128}};
  const auto too_high = CompressionProblems(p, 1'000, shapes);
  ASSERT_EQ(too_high.size(), 1u);  // 9 > 8 for the first matrix only
  EXPECT_TRUE(Names(too_high, "strategy.compression.rank"));
  EXPECT_TRUE(Names(too_high, "smaller dimension 8 of weight matrix 0"));
  p.rank = 0;
  p.power_iterations = 0;
  const auto zeros = CompressionProblems(p, 1'000, shapes);
  EXPECT_EQ(zeros.size(), 2u);
  EXPECT_TRUE(Names(zeros, "strategy.compression.rank"));
  EXPECT_TRUE(Names(zeros, "strategy.compression.power_iterations"));
  // Shapes that overlap or overflow are the model's error, reported too.
  p.rank = 2;
  p.power_iterations = 1;
  const std::vector<MatrixShape> bad_shapes = {{8, 16, 0}, {4, 4, 100}, {10, 10, 990}};
  const auto shape_problems = CompressionProblems(p, 1'000, bad_shapes);
  EXPECT_EQ(shape_problems.size(), 2u);
  EXPECT_TRUE(Names(shape_problems, "overlaps"));
  EXPECT_TRUE(Names(shape_problems, "does not fit"));

  // The constructors throw with every problem in the message.
  try {
    (void)MakeCompressor({.scheme = CompressionScheme::kTopK, .ratio = 2.0}, 100, NamedStream(1, "x"));
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("strategy.compression.ratio"), std::string::npos) << e.what();
  }
  try {
    PowerSgd power({.scheme = CompressionScheme::kPowerSgd, .rank = 9}, 1'000, shapes, 2, NamedStream(1, "x"));
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("strategy.compression.rank"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)MakeCompressor(Options(CompressionScheme::kPowerSgd), 100, NamedStream(1, "x")),
               std::invalid_argument);
}

TEST(MatrixShapes, MlpLayoutLeavesTheBiasesOut) {
  // MLP 5 -> 4 -> 3 -> 2: W1 5 x 4 at 0, b1 at 20; W2 4 x 3 at 24, b2 at 36;
  // W3 3 x 2 at 39, b3 at 45; n = 47, biases 4 + 3 + 2 = 9.
  const std::vector<MatrixShape> shapes = MlpWeightShapes(5, {4, 3}, 2);
  ASSERT_EQ(shapes.size(), 3u);
  EXPECT_EQ(shapes[1].offset, 24);
  EXPECT_EQ(shapes[2].offset, 39);
  EXPECT_EQ(Mlp(5, {4, 3}, 2).parameter_count(), 47);
  EXPECT_TRUE(MatrixShapeProblems(shapes, 47).empty());
  EXPECT_EQ(EntriesOutsideMatrices(shapes, 47), 9);
  using Range = std::pair<Eigen::Index, Eigen::Index>;
  EXPECT_EQ(RangesOutsideMatrices(shapes, 47), (std::vector<Range>{{20, 24}, {36, 39}, {45, 47}}));
}

}  // namespace
}  // namespace sim::models
