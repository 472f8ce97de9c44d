// The straggler model's draws against the moments of each distribution.
#include "sim/training/straggler_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sim {
namespace {

constexpr int kDraws = 100'000;

double MeanSlowdown(const scenario::Stragglers& config, std::uint32_t worker = 0, std::uint32_t workers = 4) {
  ScenarioStragglers model(config, workers, 11);
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) sum += model.next_slowdown(worker);
  return sum / kDraws;
}

scenario::Stragglers Config(scenario::StragglerDistribution d, double mean, double shift = 0) {
  scenario::Stragglers s;
  s.set_distribution(d);
  s.set_mean(mean);
  s.set_shift(shift);
  s.set_transient_factor(1);
  return s;
}

TEST(StragglerModel, NoneIsAlwaysOne) {
  ScenarioStragglers model(Config(scenario::NONE, 0), 2, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(model.next_slowdown(1), 1.0);
}

TEST(StragglerModel, ExponentialMeanIsOnePlusMean) {
  // E[1 + X] = 1 + m; the sample mean's standard error is m / sqrt(n).
  EXPECT_NEAR(MeanSlowdown(Config(scenario::EXPONENTIAL, 0.5)), 1.5, 5 * 0.5 / std::sqrt(kDraws));
}

TEST(StragglerModel, ShiftedExponentialAddsTheShift) {
  EXPECT_NEAR(MeanSlowdown(Config(scenario::SHIFTED_EXPONENTIAL, 0.5, 0.25)), 1.75, 5 * 0.5 / std::sqrt(kDraws));
}

TEST(StragglerModel, LogNormalMeanIsExpHalfSigmaSquared) {
  // slowdown = exp(sigma Z): E = exp(sigma^2 / 2); sd = E sqrt(exp(sigma^2) - 1).
  const double sigma = 0.5, mean = std::exp(sigma * sigma / 2);
  const double sd = mean * std::sqrt(std::exp(sigma * sigma) - 1);
  EXPECT_NEAR(MeanSlowdown(Config(scenario::LOGNORMAL, sigma)), mean, 5 * sd / std::sqrt(kDraws));
}

TEST(StragglerModel, PersistentAndTransientFactorsMultiply) {
  auto c = Config(scenario::NONE, 0);
  auto* slow = c.add_slow_workers();
  slow->set_worker(2);
  slow->set_factor(3);
  c.set_transient_probability(0.1);
  c.set_transient_factor(5);
  // Worker 2: 3 x (0.9 x 1 + 0.1 x 5) = 4.2; worker 0: 1.4. Bernoulli sd of
  // the factor: 4 sqrt(0.09) = 1.2 (times 3 for worker 2).
  EXPECT_NEAR(MeanSlowdown(c, 2), 4.2, 5 * 3 * 1.2 / std::sqrt(kDraws));
  EXPECT_NEAR(MeanSlowdown(c, 0), 1.4, 5 * 1.2 / std::sqrt(kDraws));
}

TEST(StragglerModel, AWorkersDrawsDoNotDependOnHowManyWorkersThereAre) {
  auto c = Config(scenario::EXPONENTIAL, 1.0);
  ScenarioStragglers four(c, 4, 9), eight(c, 8, 9);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(four.next_slowdown(3), eight.next_slowdown(3));
}

}  // namespace
}  // namespace sim
