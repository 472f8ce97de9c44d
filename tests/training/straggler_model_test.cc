// The straggler model's draws against the moments of each distribution.
#include "sim/training/straggler_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sim {
namespace {

constexpr int kDraws = 100'000;

double MeanSlowdown(const StragglerSpec& config, std::uint32_t worker = 0, std::uint32_t workers = 4) {
  SpecStragglers model(config, workers, 11);
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) sum += model.next_slowdown(worker);
  return sum / kDraws;
}

StragglerSpec Config(StragglerDistribution d, double mean, double shift = 0) {
  StragglerSpec s;
  s.distribution = d;
  s.parameters = {mean, shift};
  return s;
}

TEST(StragglerModel, NoneIsAlwaysOne) {
  SpecStragglers model(Config(StragglerDistribution::kNone, 0), 2, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(model.next_slowdown(1), 1.0);
}

TEST(StragglerModel, ExponentialMeanIsOnePlusMean) {
  // E[1 + X] = 1 + m; the sample mean's standard error is m / sqrt(n).
  EXPECT_NEAR(MeanSlowdown(Config(StragglerDistribution::kExponential, 0.5)), 1.5, 5 * 0.5 / std::sqrt(kDraws));
}

TEST(StragglerModel, ShiftedExponentialAddsTheShift) {
  EXPECT_NEAR(MeanSlowdown(Config(StragglerDistribution::kShiftedExponential, 0.5, 0.25)), 1.75, 5 * 0.5 / std::sqrt(kDraws));
}

TEST(StragglerModel, LogNormalMeanIsExpHalfSigmaSquared) {
  // slowdown = exp(sigma Z): E = exp(sigma^2 / 2); sd = E sqrt(exp(sigma^2) - 1).
  const double sigma = 0.5, mean = std::exp(sigma * sigma / 2);
  const double sd = mean * std::sqrt(std::exp(sigma * sigma) - 1);
  EXPECT_NEAR(MeanSlowdown(Config(StragglerDistribution::kLognormal, sigma)), mean, 5 * sd / std::sqrt(kDraws));
}

TEST(StragglerModel, PersistentAndTransientFactorsMultiply) {
  auto c = Config(StragglerDistribution::kNone, 0);
  c.slow_workers.push_back({2, 3.0});
  c.transient_probability = 0.1;
  c.transient_factor = 5;
  // Worker 2: 3 x (0.9 x 1 + 0.1 x 5) = 4.2; worker 0: 1.4. Bernoulli sd of
  // the factor: 4 sqrt(0.09) = 1.2 (times 3 for worker 2).
  EXPECT_NEAR(MeanSlowdown(c, 2), 4.2, 5 * 3 * 1.2 / std::sqrt(kDraws));
  EXPECT_NEAR(MeanSlowdown(c, 0), 1.4, 5 * 1.2 / std::sqrt(kDraws));
}

TEST(StragglerModel, AWorkersDrawsDoNotDependOnHowManyWorkersThereAre) {
  auto c = Config(StragglerDistribution::kExponential, 1.0);
  SpecStragglers four(c, 4, 9), eight(c, 8, 9);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(four.next_slowdown(3), eight.next_slowdown(3));
}

}  // namespace
}  // namespace sim
