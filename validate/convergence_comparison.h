// What makes an asynchronous run converge or not, real against predicted:
// the staleness of every applied gradient (updates applied between the
// worker's read of the parameters and the server's application of its
// gradient) as a distribution, and the final loss over several seeds as a
// distribution (does the prediction diverge when the real run does?).
//
// Distance between staleness histograms: Wasserstein-1 (earth mover's)
// distance, W1 = sum_s |F_a(s) - F_b(s)| over the integers s, F the
// cumulative distribution (Villani 2009, Optimal Transport, for the
// one-dimensional closed form; Ramdas, Garcia and Cuturi 2017). It is in
// units of staleness (updates): how far, on average, probability mass must
// move to turn one histogram into the other. Staleness is ordinal, so a
// prediction one update off should score better than one twenty off; total
// variation treats both alike (and is 1 whenever the supports are disjoint),
// while W1 grows with the shift (a pure shift by d gives exactly d).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim::validate {

// histogram[s] = gradients applied with staleness s (RunResult's
// staleness_histogram).
struct StalenessSummary {
  double gradients = 0;
  double mean = 0;
  std::uint64_t max = 0;
};
[[nodiscard]] StalenessSummary Summarize(const std::vector<double>& histogram);

// Wasserstein-1 distance between two staleness histograms, each normalised
// to a probability distribution; throws std::invalid_argument when either is
// empty or has a negative count.
[[nodiscard]] double StalenessWasserstein1(const std::vector<double>& a, const std::vector<double>& b);

// Sum of histograms bin by bin (the seeds of one row pooled).
[[nodiscard]] std::vector<double> Pooled(const std::vector<std::vector<double>>& histograms);

// One run's end as the convergence comparison sees it.
struct RunEnd {
  double initial_loss = 0;  // test loss at step 0
  double final_loss = 0;
  // The simulator's own flag (a NaN or infinite loss), or the real run's.
  bool flagged_diverged = false;
  // Diverged: flagged, a non-finite final loss, or a final loss above the
  // initial one (the run ended worse than the untrained model; the real
  // asynchronous run at p = 8 ended at 16-21 from 2.3).
  [[nodiscard]] bool diverged() const;
};

// One seed of one row: the prediction and the real run.
struct SeedPair {
  std::uint64_t seed = 0;
  RunEnd predicted, measured;
  std::vector<double> predicted_staleness, measured_staleness;
};

struct ConvergenceComparison {
  std::size_t seeds = 0;
  StalenessSummary predicted_staleness, measured_staleness;  // pooled over seeds
  double staleness_w1 = 0;  // NaN when a side applied no gradient
  // 100 x (predicted mean - measured mean) / measured mean; absent when the
  // measured mean is 0 (synchronous runs).
  std::optional<double> staleness_mean_error_pct;
  // Final loss over seeds: median, least, greatest; how many diverged.
  double predicted_loss_median = 0, predicted_loss_min = 0, predicted_loss_max = 0;
  double measured_loss_median = 0, measured_loss_min = 0, measured_loss_max = 0;
  std::size_t predicted_diverged = 0, measured_diverged = 0;
  // Seeds where the prediction and the real run agree on diverging or not.
  std::size_t divergence_agrees = 0;
};

// Throws std::invalid_argument for no seeds.
[[nodiscard]] ConvergenceComparison CompareConvergence(const std::vector<SeedPair>& seeds);

}  // namespace sim::validate
