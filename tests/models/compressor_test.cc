// The per-worker compressors (models/compression/): what they keep, their
// statistics against the papers' lemmas, and error feedback's bookkeeping.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "models/compression/make_compressor.h"
#include "models/compression/top_k.h"
#include "sim/core/random.h"

namespace sim::models {
namespace {

// Unit roundoff of float, round to nearest: 2^-24.
constexpr double kUnitRoundoff = 0x1.0p-24;

Eigen::VectorXf Normal(Eigen::Index n, RandomStream& rng) {
  Eigen::VectorXf v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(rng.normal());
  return v;
}

CompressionOptions Options(CompressionScheme scheme, bool error_feedback) {
  CompressionOptions o;
  o.scheme = scheme;
  o.error_feedback = error_feedback;
  return o;
}

TEST(TopK, KeepsTheLargestMagnitudesExactly) {
  // Aji & Heafield 2017: k = 1,000 of 100,000 normal draws (all distinct, none
  // 0): exactly 1,000 nonzeros, each equal to its input, and none smaller in
  // magnitude than any entry dropped.
  constexpr Eigen::Index kN = 100'000;
  RandomStream rng = NamedStream(3, "test/top_k");
  const Eigen::VectorXf g = Normal(kN, rng);
  TopK top_k({.scheme = CompressionScheme::kTopK, .ratio = 0.01, .error_feedback = false}, kN);
  Eigen::VectorXf applied;
  top_k.compress(g, applied);
  Eigen::Index kept = 0;
  float smallest_kept = INFINITY, largest_dropped = 0.0f;
  for (Eigen::Index i = 0; i < kN; ++i) {
    if (applied[i] != 0.0f) {
      ++kept;
      EXPECT_EQ(applied[i], g[i]);
      smallest_kept = std::min(smallest_kept, std::abs(g[i]));
    } else {
      largest_dropped = std::max(largest_dropped, std::abs(g[i]));
    }
  }
  EXPECT_EQ(kept, 1'000);
  EXPECT_GE(smallest_kept, largest_dropped);
  EXPECT_EQ(top_k.residual().squaredNorm(), 0.0f);  // no error feedback, no residual
}

TEST(TopK, TiesGoToTheLowerIndexAndNanIsKept) {
  // |x| = 2 at indices 1, 3 and 4 for k = 2 of 5 with a NaN at 2: the NaN
  // (counted as the largest) and index 1.
  TopK top_k({.scheme = CompressionScheme::kTopK, .ratio = 0.4, .error_feedback = false}, 5);
  Eigen::VectorXf g(5);
  g << 1.0f, -2.0f, NAN, 2.0f, -2.0f;
  Eigen::VectorXf applied;
  top_k.compress(g, applied);
  EXPECT_EQ(applied[1], -2.0f);
  EXPECT_TRUE(std::isnan(applied[2]));
  EXPECT_EQ(applied[0], 0.0f);
  EXPECT_EQ(applied[3], 0.0f);
  EXPECT_EQ(applied[4], 0.0f);
}

TEST(Qsgd, UnbiasedWithinTheVarianceBoundOfLemma31) {
  // Alistarh et al. 2017, Lemma 3.1: E[Q(v)] = v and
  //   E||Q(v) - v||^2 <= min(n / s^2, sqrt(n) / s) ||v||^2 =: B.
  // n = 64, s = 4: min(4, 2) = 2, B = 2 ||v||^2. The mean of N = 20,000
  // independent draws has E||mean - v||^2 = E||Q(v) - v||^2 / N <= B / N, so
  // by Markov's inequality ||mean - v||^2 > 100 B / N = 0.01 ||v||^2 has
  // probability <= 1% (and the stream is fixed). Rounding to nearest instead
  // (biased) misses by about n (||v|| / s)^2 / 12 = 0.33 ||v||^2, checked below.
  constexpr Eigen::Index kN = 64;
  constexpr int kLevels = 4, kDraws = 20'000;
  RandomStream data = NamedStream(4, "test/qsgd/v");
  const Eigen::VectorXf v = Normal(kN, data);
  const double norm2 = v.cast<double>().squaredNorm();
  const double bound =
      std::min(static_cast<double>(kN) / (kLevels * kLevels), std::sqrt(static_cast<double>(kN)) / kLevels) * norm2;
  std::unique_ptr<Compressor> qsgd =
      MakeCompressor({.scheme = CompressionScheme::kQsgd, .levels = kLevels, .error_feedback = false}, kN,
                     NamedStream(4, "test/qsgd/worker/0"));
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(kN);
  double squared_error = 0.0;
  Eigen::VectorXf q;
  for (int d = 0; d < kDraws; ++d) {
    qsgd->compress(v, q);
    sum += q.cast<double>();
    squared_error += (q - v).cast<double>().squaredNorm();
  }
  const Eigen::VectorXd mean = sum / kDraws;
  const double mean_error = (mean - v.cast<double>()).squaredNorm();
  const double variance = squared_error / kDraws;
  std::printf("qsgd n=64 s=4: ||mean - v||^2 = %.3g (tolerance %.3g), E||Q - v||^2 = %.3f ||v||^2 (bound %.3f)\n",
              mean_error, 100.0 * bound / kDraws, variance / norm2, bound / norm2);
  EXPECT_LT(mean_error, 100.0 * bound / kDraws);
  EXPECT_LE(variance, bound);
  EXPECT_GT(variance, 0.0);
  // The same tolerance rejects deterministic rounding to the nearest level.
  const double norm = std::sqrt(norm2);
  double biased_error = 0.0;
  for (Eigen::Index i = 0; i < kN; ++i) {
    const double nearest = std::copysign(norm * std::round(std::abs(v[i]) / norm * kLevels) / kLevels, v[i]);
    biased_error += (nearest - v[i]) * (nearest - v[i]);
  }
  EXPECT_GT(biased_error, 100.0 * bound / kDraws);
}

TEST(RandomK, RescaledIsUnbiased) {
  // Without error feedback random-k sends (n/k) x_i on k of n entries:
  // E[C(x)_i] = (k/n)(n/k) x_i = x_i, Var = (n/k - 1) x_i^2 (Wangni et al.
  // 2018). n = 20, k = 5, N = 20,000 draws: the mean's standard deviation is
  // sqrt(3 / N) |x_i| = 0.0122 |x_i|; tolerance 5 of them.
  constexpr Eigen::Index kN = 20;
  constexpr int kDraws = 20'000;
  RandomStream data = NamedStream(5, "test/random_k/x");
  const Eigen::VectorXf x = Normal(kN, data);
  std::unique_ptr<Compressor> random_k = MakeCompressor(
      {.scheme = CompressionScheme::kRandomK, .ratio = 0.25, .error_feedback = false}, kN, NamedStream(5, "w"));
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(kN);
  Eigen::VectorXf c;
  for (int d = 0; d < kDraws; ++d) {
    random_k->compress(x, c);
    EXPECT_EQ((c.array() != 0.0f).count(), 5);
    sum += c.cast<double>();
  }
  for (Eigen::Index i = 0; i < kN; ++i) {
    EXPECT_NEAR(sum[i] / kDraws, x[i], 5.0 * std::sqrt(3.0 / kDraws) * std::abs(x[i])) << i;
  }
}

TEST(Int8, WithinOneStepOfMaxNormScale) {
  // scale = max |x| / 127 per bucket: every entry lands on a neighbouring
  // multiple of the scale (error < scale), and the largest on 127 x scale.
  constexpr Eigen::Index kN = 1'000;
  RandomStream data = NamedStream(6, "test/int8/x");
  const Eigen::VectorXf x = Normal(kN, data);
  std::unique_ptr<Compressor> int8 = MakeCompressor(
      {.scheme = CompressionScheme::kInt8, .bucket_size = 100, .error_feedback = false}, kN, NamedStream(6, "w"));
  Eigen::VectorXf c;
  int8->compress(x, c);
  for (Eigen::Index b = 0; b < kN; b += 100) {
    Eigen::Index largest = 0;
    const float max = x.segment(b, 100).cwiseAbs().maxCoeff(&largest);
    const double scale = max / 127.0;
    EXPECT_NEAR(c[b + largest], x[b + largest], 1e-6 * max);
    for (Eigen::Index i = b; i < b + 100; ++i) {
      EXPECT_LT(std::abs(c[i] - x[i]), scale + 1e-6 * max) << i;  // + the float rounding of c
      const double code = c[i] / scale;
      EXPECT_NEAR(code, std::round(code), 1e-3) << i;  // on the grid
    }
  }
}

TEST(ScaledSign, SendsTheMeanMagnitudeWithEachSign) {
  // Karimireddy et al. 2019: C(v) = ||v||_1 / d sign(v), per bucket of 2:
  // (3, -1) -> 2 (1, -1); (0, -4) -> 2 (+1, -1) (sign(0) = +1).
  std::unique_ptr<Compressor> sign = MakeCompressor(
      {.scheme = CompressionScheme::kScaledSign, .bucket_size = 2, .error_feedback = false}, 4, NamedStream(1, "w"));
  Eigen::VectorXf v(4), c;
  v << 3.0f, -1.0f, 0.0f, -4.0f;
  sign->compress(v, c);
  EXPECT_EQ(c[0], 2.0f);
  EXPECT_EQ(c[1], -2.0f);
  EXPECT_EQ(c[2], 2.0f);
  EXPECT_EQ(c[3], -2.0f);
}

// Error feedback (Stich et al. 2018; Karimireddy et al. 2019): p_t = g_t +
// e_t, a_t = C(p_t), e_{t+1} = p_t - a_t, so sum_t a_t + e_{T+1} = sum_t g_t.
// In float each p_t and e_{t+1} is rounded once (relative error <= u =
// 2^-24), so per entry
//   |sum_t a_t + e_{T+1} - sum_t g_t| <= sum_t u (|g_t| + |e_t| + (1 + 2u) |e_{t+1}|)
// plus the double sums' own rounding, 2^-52 T sum_t (|a_t| + |g_t|).
void ExpectErrorFeedbackTelescopes(const CompressionOptions& options) {
  constexpr Eigen::Index kN = 50;
  constexpr int kSteps = 20;
  RandomStream data = NamedStream(7, "test/error_feedback/g");
  std::unique_ptr<Compressor> c = MakeCompressor(options, kN, NamedStream(7, "test/error_feedback/worker/0"));
  Eigen::ArrayXd applied_sum = Eigen::ArrayXd::Zero(kN), raw_sum = Eigen::ArrayXd::Zero(kN);
  Eigen::ArrayXd bound = Eigen::ArrayXd::Zero(kN), magnitudes = Eigen::ArrayXd::Zero(kN);
  Eigen::VectorXf a;
  for (int t = 0; t < kSteps; ++t) {
    const Eigen::VectorXf g = Normal(kN, data);
    const Eigen::ArrayXd e_before = c->residual().cast<double>().array();
    c->compress(g, a);
    const Eigen::ArrayXd e_after = c->residual().cast<double>().array();
    applied_sum += a.cast<double>().array();
    raw_sum += g.cast<double>().array();
    bound +=
        kUnitRoundoff * (g.cast<double>().array().abs() + e_before.abs() + (1 + 2 * kUnitRoundoff) * e_after.abs());
    magnitudes += a.cast<double>().array().abs() + g.cast<double>().array().abs();
  }
  bound += 0x1.0p-52 * kSteps * magnitudes;
  const Eigen::ArrayXd gap = (applied_sum + c->residual().cast<double>().array() - raw_sum).abs();
  EXPECT_TRUE((gap <= bound).all()) << c->name() << ": largest gap " << gap.maxCoeff() << ", its bound "
                                    << bound.maxCoeff();
  // Not vacuous: something was held back, and forgetting it breaks the sum.
  EXPECT_GT(c->residual().norm(), 0.1f) << c->name();
  EXPECT_GT((applied_sum - raw_sum).abs().maxCoeff(), 100 * bound.maxCoeff()) << c->name();
}

TEST(ErrorFeedback, AppliedPlusResidualIsTheSumOfGradients) {
  ExpectErrorFeedbackTelescopes({.scheme = CompressionScheme::kTopK, .ratio = 0.1, .error_feedback = true});
  ExpectErrorFeedbackTelescopes({.scheme = CompressionScheme::kRandomK, .ratio = 0.1, .error_feedback = true});
  ExpectErrorFeedbackTelescopes({.scheme = CompressionScheme::kScaledSign, .error_feedback = true});
  ExpectErrorFeedbackTelescopes({.scheme = CompressionScheme::kScaledSign, .bucket_size = 7, .error_feedback = true});
}

TEST(ErrorFeedback, ResetForgetsTheResidual) {
  std::unique_ptr<Compressor> c = MakeCompressor(
      {.scheme = CompressionScheme::kTopK, .ratio = 0.5, .error_feedback = true}, 4, NamedStream(1, "w"));
  Eigen::VectorXf g(4), a;
  g << 4.0f, 3.0f, 2.0f, 1.0f;
  c->compress(g, a);
  EXPECT_EQ(c->residual()[2], 2.0f);  // 2 and 1 held back
  EXPECT_EQ(c->residual()[3], 1.0f);
  c->compress(Eigen::VectorXf::Zero(4), a);
  EXPECT_EQ(a[2], 2.0f);  // then sent
  c->reset();
  EXPECT_EQ(c->residual().squaredNorm(), 0.0f);
  EXPECT_THROW(c->compress(Eigen::VectorXf::Zero(5), a), std::invalid_argument);
  EXPECT_THROW(c->compress(g, g), std::invalid_argument);
}

TEST(Compressors, SameStreamSameBits) {
  // Randomness comes only from the stream given: two compressors built alike
  // give the same bits; another stream gives others.
  RandomStream data = NamedStream(8, "test/determinism/g");
  const Eigen::VectorXf g = Normal(200, data);
  for (CompressionScheme s : {CompressionScheme::kRandomK, CompressionScheme::kQsgd, CompressionScheme::kInt8}) {
    const CompressionOptions o = Options(s, false);
    auto a = MakeCompressor(o, 200, NamedStream(8, "worker/0"));
    auto b = MakeCompressor(o, 200, NamedStream(8, "worker/0"));
    auto c = MakeCompressor(o, 200, NamedStream(8, "worker/1"));
    Eigen::VectorXf ya, yb, yc;
    a->compress(g, ya);
    b->compress(g, yb);
    c->compress(g, yc);
    EXPECT_TRUE((ya.array() == yb.array()).all()) << Name(s);
    EXPECT_FALSE((ya.array() == yc.array()).all()) << Name(s);
  }
}

}  // namespace
}  // namespace sim::models
