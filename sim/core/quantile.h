// Order statistics of a sample: the median and the q-quantile, one
// definition for the whole project (validate's report of step-time errors,
// final losses and predictions under several flow-share draws; the
// calibrated behaviours of sim/calibration/calibration_spread.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace sim {

// The q-quantile (0 <= q <= 1) of `values`, interpolated linearly between
// order statistics (Hyndman and Fan's type 7, R's and numpy's default):
// position q (n - 1) in the sorted values. NaN for none.
[[nodiscard]] inline double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(at));
  const double fraction = at - static_cast<double>(below);
  // On an order statistic, that value itself (an infinite neighbour would
  // otherwise make 0 x inf); between two, (1 - f) a + f b, which at f = 1/2
  // is (a + b) / 2 to the bit.
  if (fraction == 0.0) return values[below];
  return (1.0 - fraction) * values[below] + fraction * values[below + 1];
}

// Quantile(values, 0.5): the middle value, or the mean of the middle two.
[[nodiscard]] inline double Median(std::vector<double> values) { return Quantile(std::move(values), 0.5); }

}  // namespace sim
