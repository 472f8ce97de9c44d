#include "validate/convergence_comparison.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/core/quantile.h"

namespace sim::validate {
namespace {

double Total(const std::vector<double>& histogram, const char* which) {
  double total = 0;
  for (double n : histogram) {
    if (!(n >= 0)) throw std::invalid_argument(std::string(which) + " staleness histogram has a negative count");
    total += n;
  }
  if (!(total > 0)) throw std::invalid_argument(std::string(which) + " staleness histogram is empty");
  return total;
}

}  // namespace

StalenessSummary Summarize(const std::vector<double>& histogram) {
  StalenessSummary s;
  double sum = 0;
  for (std::size_t k = 0; k < histogram.size(); ++k) {
    s.gradients += histogram[k];
    sum += static_cast<double>(k) * histogram[k];
    if (histogram[k] > 0) s.max = k;
  }
  s.mean = s.gradients > 0 ? sum / s.gradients : 0.0;
  return s;
}

double StalenessWasserstein1(const std::vector<double>& a, const std::vector<double>& b) {
  const double total_a = Total(a, "first"), total_b = Total(b, "second");
  // W1 on the integers: the sum over s of |F_a(s) - F_b(s)|; beyond the
  // longer histogram both cumulative distributions are 1.
  double cumulative_a = 0, cumulative_b = 0, distance = 0;
  for (std::size_t s = 0; s < std::max(a.size(), b.size()); ++s) {
    cumulative_a += s < a.size() ? a[s] / total_a : 0.0;
    cumulative_b += s < b.size() ? b[s] / total_b : 0.0;
    distance += std::abs(cumulative_a - cumulative_b);
  }
  return distance;
}

std::vector<double> Pooled(const std::vector<std::vector<double>>& histograms) {
  std::vector<double> sum;
  for (const auto& h : histograms) {
    if (sum.size() < h.size()) sum.resize(h.size(), 0.0);
    for (std::size_t s = 0; s < h.size(); ++s) sum[s] += h[s];
  }
  return sum;
}

bool RunEnd::diverged() const { return flagged_diverged || !std::isfinite(final_loss) || final_loss > initial_loss; }

ConvergenceComparison CompareConvergence(const std::vector<SeedPair>& seeds) {
  if (seeds.empty()) throw std::invalid_argument("convergence comparison: no seeds");
  ConvergenceComparison c;
  c.seeds = seeds.size();
  std::vector<std::vector<double>> predicted_histograms, measured_histograms;
  std::vector<double> predicted_losses, measured_losses;
  for (const SeedPair& s : seeds) {
    predicted_histograms.push_back(s.predicted_staleness);
    measured_histograms.push_back(s.measured_staleness);
    // A NaN loss (a diverged run) orders as the worst.
    predicted_losses.push_back(std::isnan(s.predicted.final_loss) ? INFINITY : s.predicted.final_loss);
    measured_losses.push_back(std::isnan(s.measured.final_loss) ? INFINITY : s.measured.final_loss);
    c.predicted_diverged += s.predicted.diverged() ? 1 : 0;
    c.measured_diverged += s.measured.diverged() ? 1 : 0;
    c.divergence_agrees += s.predicted.diverged() == s.measured.diverged() ? 1 : 0;
  }
  const std::vector<double> predicted = Pooled(predicted_histograms), measured = Pooled(measured_histograms);
  c.predicted_staleness = Summarize(predicted);
  c.measured_staleness = Summarize(measured);
  // A side that applied no gradient at all (0 steps) has no distribution.
  c.staleness_w1 = c.predicted_staleness.gradients > 0 && c.measured_staleness.gradients > 0
                       ? StalenessWasserstein1(predicted, measured)
                       : std::nan("");
  if (c.measured_staleness.mean > 0) {
    c.staleness_mean_error_pct =
        100.0 * (c.predicted_staleness.mean - c.measured_staleness.mean) / c.measured_staleness.mean;
  }
  const auto [pmin, pmax] = std::minmax_element(predicted_losses.begin(), predicted_losses.end());
  const auto [mmin, mmax] = std::minmax_element(measured_losses.begin(), measured_losses.end());
  c.predicted_loss_min = *pmin;
  c.predicted_loss_max = *pmax;
  c.measured_loss_min = *mmin;
  c.measured_loss_max = *mmax;
  c.predicted_loss_median = Median(predicted_losses);
  c.measured_loss_median = Median(measured_losses);
  return c;
}

}  // namespace sim::validate
