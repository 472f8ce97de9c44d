// Strategies under exponential stragglers with free communication, against
// the order-statistics results of the straggler literature.
//
// A worker's step lasts T (1 + X) with X ~ Exp(mean m) (straggler_model.h).
// Choosing m large (here m = 1000) makes T (1 + X) an exponential of mean
// T (1 + m) shifted by T, i.e. within 0.1% of a pure exponential of rate
// mu = 1 / (T m); the shift is subtracted exactly where the formula allows.
#include <gtest/gtest.h>

#include <cmath>

#include "timing_harness.h"

namespace sim {
namespace {

using testing::Harmonic;
using testing::TimingRun;
using testing::TimingScenario;

const Time kNominal = Microseconds(1);
constexpr double kMean = 1000.0;   // E[X]; 1/mu = T x m = 1 ms
constexpr double kTolerance = 0.02;  // the 2%

TEST(StragglerClosedForms, SyncStepIsMaxOfNExponentials) {
  // Sync SGD waits for the slowest of N: E[max of N Exp(mu)] = H_N / mu
  // (e.g. Dutta et al. 2018, sec. 4). Per step: T + T m H_N.
  for (std::uint32_t n : {1u, 4u, 16u}) {
    TimingRun run(TimingScenario(n, StrategyKind::kSyncAllReduce, 20'000, kMean), kNominal);
    ASSERT_EQ(run.strategy->updates(), 20'000u);
    const double mean_step = run.engine.now().seconds() / 20'000;
    const double predicted = kNominal.seconds() * (1 + kMean * Harmonic(n));
    EXPECT_NEAR(mean_step / predicted, 1.0, kTolerance) << "N = " << n;
  }
}

TEST(StragglerClosedForms, BackupWorkersWaitForTheNMinusBthArrival) {
  // With b backups a step ends at the (N-b)-th order statistic of N
  // exponentials: E = (H_N - H_b) / mu (Chen et al. 2016; Dutta et al. 2018).
  // Stragglers are cut short, so every step redraws all N times.
  constexpr std::uint32_t n = 16;
  for (std::uint32_t b : {1u, 4u}) {
    auto s = TimingScenario(n, StrategyKind::kSyncBackup, 20'000, kMean);
    s.strategy.backup_workers = b;
    TimingRun run(s, kNominal);
    const double mean_step = run.engine.now().seconds() / 20'000;
    const double predicted = kNominal.seconds() * (1 + kMean * (Harmonic(n) - Harmonic(b)));
    EXPECT_NEAR(mean_step / predicted, 1.0, kTolerance) << "b = " << b;
  }
}

TEST(StragglerClosedForms, SyncParameterServerWithoutBackupsEqualsSyncStep) {
  TimingRun run(TimingScenario(8, StrategyKind::kSyncPs, 20'000, kMean), kNominal);
  const double mean_step = run.engine.now().seconds() / 20'000;
  EXPECT_NEAR(mean_step / (kNominal.seconds() * (1 + kMean * Harmonic(8))), 1.0, kTolerance);
}

TEST(StragglerClosedForms, AsyncThroughputIsNMuAndStalenessAveragesNMinus1) {
  // Async: each worker cycles independently, so updates arrive at N / E[cycle]
  // = N mu; with memoryless compute times the other N-1 workers each push
  // once, on average, while one worker computes: mean staleness N - 1
  // (Dutta et al. 2018, "Slow and stale gradients can win the race").
  for (std::uint32_t n : {4u, 16u}) {
    TimingRun run(TimingScenario(n, StrategyKind::kAsyncPs, 40'000, kMean), kNominal);
    ASSERT_EQ(run.strategy->updates(), 40'000u);
    const double throughput = 40'000 / run.engine.now().seconds();
    const double n_mu = n / (kNominal.seconds() * (1 + kMean));
    EXPECT_NEAR(throughput / n_mu, 1.0, kTolerance) << "N = " << n;
    EXPECT_NEAR(run.log.staleness_mean() / (n - 1), 1.0, kTolerance) << "N = " << n;
  }
}

TEST(StragglerClosedForms, NoStragglersMeansEveryStepIsNominal) {
  TimingRun run(TimingScenario(8, StrategyKind::kSyncAllReduce, 100, 0.0), kNominal);
  EXPECT_EQ(run.engine.now(), kNominal * 100);
  for (std::uint32_t w = 0; w < 8; ++w) {
    EXPECT_EQ(run.timeline.total(w, Activity::kCompute), kNominal * 100);
    EXPECT_EQ(run.timeline.total(w, Activity::kWait), Time::zero());
  }
}

}  // namespace
}  // namespace sim
