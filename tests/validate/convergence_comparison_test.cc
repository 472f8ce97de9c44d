// Staleness and convergence, real against predicted: the Wasserstein-1
// distance between staleness histograms, their summaries, divergence, and
// the comparison over seeds, each on inputs whose answer is worked out by
// hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "validate/comparison.h"
#include "validate/convergence_comparison.h"

namespace sim::validate {
namespace {

constexpr double kTolerance = 1e-12;

TEST(ConvergenceComparison, SummaryOfAHistogram) {
  // 2 gradients at staleness 0, 1 at 1, 1 at 3: mean (0 + 1 + 3) / 4 = 1.
  const StalenessSummary s = Summarize({2, 1, 0, 1});
  EXPECT_DOUBLE_EQ(s.gradients, 4.0);
  EXPECT_DOUBLE_EQ(s.mean, 1.0);
  EXPECT_EQ(s.max, 3u);
  // Trailing empty bins do not make the max.
  EXPECT_EQ(Summarize({1, 1, 0, 0}).max, 1u);
  EXPECT_DOUBLE_EQ(Summarize({}).mean, 0.0);
}

TEST(ConvergenceComparison, WassersteinOfAShiftIsTheShift) {
  // All mass at 0 against all at 2: F = (1, 1, 1) and (0, 0, 1), W1 = 2.
  EXPECT_NEAR(StalenessWasserstein1({1}, {0, 0, 1}), 2.0, kTolerance);
  // Half at 0 and 1 against half at 1 and 2: F = (.5, 1, 1) and (0, .5, 1),
  // W1 = .5 + .5 = 1.
  EXPECT_NEAR(StalenessWasserstein1({1, 1}, {0, 1, 1}), 1.0, kTolerance);
  // Symmetric, and 0 for the same distribution whatever the counts.
  EXPECT_NEAR(StalenessWasserstein1({0, 0, 1}, {1}), 2.0, kTolerance);
  EXPECT_NEAR(StalenessWasserstein1({0, 10}, {0, 1}), 0.0, kTolerance);
}

TEST(ConvergenceComparison, WassersteinSeesTheSpreadThatTheMeanHides) {
  // All at 1 against half at 0 and half at 2: both means 1, but
  // F = (0, 1, 1) and (.5, .5, 1): W1 = .5 + .5 + 0 = 1.
  EXPECT_NEAR(StalenessWasserstein1({0, 1}, {1, 0, 1}), 1.0, kTolerance);
  EXPECT_DOUBLE_EQ(Summarize({0, 1}).mean, Summarize({1, 0, 1}).mean);
}

TEST(ConvergenceComparison, WassersteinRefusesEmptyOrNegativeHistograms) {
  EXPECT_THROW((void)StalenessWasserstein1({}, {1}), std::invalid_argument);
  EXPECT_THROW((void)StalenessWasserstein1({1}, {0, 0}), std::invalid_argument);
  EXPECT_THROW((void)StalenessWasserstein1({1, -1, 1}, {1}), std::invalid_argument);
}

TEST(ConvergenceComparison, PooledAddsBinByBin) {
  const std::vector<double> pooled = Pooled({{1, 2}, {0, 0, 3}});
  ASSERT_EQ(pooled.size(), 3u);
  EXPECT_DOUBLE_EQ(pooled[0], 1.0);
  EXPECT_DOUBLE_EQ(pooled[1], 2.0);
  EXPECT_DOUBLE_EQ(pooled[2], 3.0);
}

TEST(ConvergenceComparison, DivergedMeansFlaggedNonFiniteOrWorseThanTheStart) {
  EXPECT_FALSE((RunEnd{2.3, 2.0, false}.diverged()));
  EXPECT_TRUE((RunEnd{2.3, 2.5, false}.diverged()));
  EXPECT_TRUE((RunEnd{2.3, std::nan(""), false}.diverged()));
  EXPECT_TRUE((RunEnd{2.3, INFINITY, false}.diverged()));
  EXPECT_TRUE((RunEnd{2.3, 1.0, true}.diverged()));
}

// Two seeds of one row. Seed 7: predicted histogram (2, 2), measured (1, 3);
// seed 8: predicted (0, 4), measured (0, 2, 2). Pooled: predicted (2, 6),
// mean 6/8 = 0.75, max 1; measured (1, 5, 2), mean (5 + 4)/8 = 1.125, max 2.
// W1: F = (.25, 1, 1) and (.125, .75, 1): .125 + .25 = .375. Mean error
// 100 x (.75 - 1.125) / 1.125 = -33.33%. Final losses: predicted 1.0 and 3.0
// (from 2.3: the second diverged), measured 2.0 and 21.4 (the second
// diverged): medians 2.0 and 11.7; divergence agrees on both seeds.
std::vector<SeedPair> TwoSeeds() {
  std::vector<SeedPair> seeds(2);
  seeds[0] = {7, {2.3, 1.0, false}, {2.3, 2.0, false}, {2, 2}, {1, 3}};
  seeds[1] = {8, {2.3, 3.0, false}, {2.3, 21.4, false}, {0, 4}, {0, 2, 2}};
  return seeds;
}

TEST(ConvergenceComparison, ComparesPooledStalenessAndLossesOverSeeds) {
  const ConvergenceComparison c = CompareConvergence(TwoSeeds());
  EXPECT_EQ(c.seeds, 2u);
  EXPECT_DOUBLE_EQ(c.predicted_staleness.mean, 0.75);
  EXPECT_EQ(c.predicted_staleness.max, 1u);
  EXPECT_DOUBLE_EQ(c.measured_staleness.mean, 1.125);
  EXPECT_EQ(c.measured_staleness.max, 2u);
  EXPECT_NEAR(c.staleness_w1, 0.375, kTolerance);
  ASSERT_TRUE(c.staleness_mean_error_pct.has_value());
  EXPECT_NEAR(*c.staleness_mean_error_pct, -100.0 / 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(c.predicted_loss_median, 2.0);
  EXPECT_DOUBLE_EQ(c.predicted_loss_min, 1.0);
  EXPECT_DOUBLE_EQ(c.predicted_loss_max, 3.0);
  EXPECT_DOUBLE_EQ(c.measured_loss_median, 11.7);
  EXPECT_DOUBLE_EQ(c.measured_loss_max, 21.4);
  EXPECT_EQ(c.predicted_diverged, 1u);
  EXPECT_EQ(c.measured_diverged, 1u);
  EXPECT_EQ(c.divergence_agrees, 2u);
}

TEST(ConvergenceComparison, ARealRunThatDivergesAloneIsADisagreement) {
  auto seeds = TwoSeeds();
  seeds[0].measured.final_loss = std::nan("");  // seed 7 blew up for real only
  const ConvergenceComparison c = CompareConvergence(seeds);
  EXPECT_EQ(c.measured_diverged, 2u);
  EXPECT_EQ(c.predicted_diverged, 1u);
  EXPECT_EQ(c.divergence_agrees, 1u);
  EXPECT_TRUE(std::isinf(c.measured_loss_max));  // NaN orders as the worst
  EXPECT_THROW((void)CompareConvergence({}), std::invalid_argument);
}

TEST(ConvergenceComparison, SynchronousRowsHaveNoStalenessError) {
  std::vector<SeedPair> seeds(1);
  seeds[0] = {7, {2.3, 1.0, false}, {2.3, 1.0, false}, {4}, {4}};
  const ConvergenceComparison c = CompareConvergence(seeds);
  EXPECT_FALSE(c.staleness_mean_error_pct.has_value());
  EXPECT_DOUBLE_EQ(c.staleness_w1, 0.0);
  // A run of 0 steps applies nothing: no distance, no error.
  seeds[0].measured_staleness.clear();
  EXPECT_TRUE(std::isnan(CompareConvergence(seeds).staleness_w1));
}

ComparisonRow RowWithSeeds() {
  ComparisonRow r;
  r.scenario = "s";
  r.strategy = "ASYNC_PS/1 server";
  r.p = 4;
  r.predicted_step_s = 0.05;
  r.measured_step_s = 0.05;
  r.seeds = TwoSeeds();
  return r;
}

TEST(ConvergenceComparison, CsvCarriesTheHandComputedFigures) {
  ComparisonRow without_seeds = RowWithSeeds();
  without_seeds.seeds.clear();
  EXPECT_EQ(ConvergenceCsv({RowWithSeeds(), without_seeds}),
            "scenario,strategy,p,seeds,predicted_staleness_mean,measured_staleness_mean,staleness_mean_error_pct,"
            "predicted_staleness_max,measured_staleness_max,staleness_w1,predicted_loss_median,measured_loss_median,"
            "predicted_diverged,measured_diverged,divergence_agrees,drawn_staleness_mean,drawn_staleness_error_pct\n"
            "s,ASYNC_PS/1 server,4,2,0.75,1.125,-33.3333,1,2,0.375,2,11.7,1,1,2,,\n");
  const std::string table = ConvergenceTable({RowWithSeeds()});
  EXPECT_NE(table.find("0.75 / 1"), std::string::npos) << table;
  EXPECT_NE(table.find("1.12 / 2"), std::string::npos) << table;
  EXPECT_NE(table.find("-33.3%"), std::string::npos) << table;
  EXPECT_NE(table.find("1/1 (agree 2/2)"), std::string::npos) << table;
}

TEST(ConvergenceComparison, VerdictJudgesStalenessOnlyWhenAsked) {
  const std::vector<ComparisonRow> rows = {RowWithSeeds()};
  EXPECT_TRUE(Verdict(rows, 5.0, 1e-4).empty());
  EXPECT_TRUE(Verdict(rows, 5.0, 1e-4, 40.0).empty());
  const auto problems = Verdict(rows, 5.0, 1e-4, 10.0);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("mean staleness predicted 0.750, measured 1.125 (-33.3%), allowed 10.0%"),
            std::string::npos)
      << problems[0];
}

TEST(ConvergenceComparison, WithDrawsTheMeanStalenessIsJudgedOverThem) {
  // The seeds' own runs predict 0.75 against a measured 1.125 (-33.3%);
  // three flow-share draws give means 1.0, 1.2 and 1.1: median 1.1, -2.2%.
  ComparisonRow r = RowWithSeeds();
  EXPECT_FALSE(StalenessOverDraws(r, CompareConvergence(r.seeds)).has_value());
  r.predicted_staleness_mean_draws = {1.0, 1.2, 1.1};
  const auto d = StalenessOverDraws(r, CompareConvergence(r.seeds));
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(d->predicted_mean, 1.1);
  ASSERT_TRUE(d->error_pct.has_value());
  EXPECT_NEAR(*d->error_pct, 100.0 * (1.1 - 1.125) / 1.125, 1e-9);
  EXPECT_TRUE(Verdict({r}, 5.0, 1e-4, 10.0).empty());
  EXPECT_NE(ConvergenceTable({r}).find("over draws: mean 1.10 (-2.2%)"), std::string::npos) << ConvergenceTable({r});
  EXPECT_NE(ConvergenceCsv({r}).find(",1.1,-2.2222\n"), std::string::npos) << ConvergenceCsv({r});
  r.predicted_staleness_mean_draws = {1.5, 1.5};  // +33.3%: judged on the draws, not the seeds' 0.75
  const auto problems = Verdict({r}, 5.0, 1e-4, 10.0);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("predicted 1.500 (median over draws), measured 1.125 (+33.3%)"), std::string::npos)
      << problems[0];
}

}  // namespace
}  // namespace sim::validate
