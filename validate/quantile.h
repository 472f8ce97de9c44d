// Order statistics of a sample: the median and the q-quantile, one
// definition for the whole report (step-time errors, final losses, the
// predictions under several flow-share draws).
#pragma once

#include <vector>

namespace sim::validate {

// The q-quantile (0 <= q <= 1) of `values`, interpolated linearly between
// order statistics (Hyndman and Fan's type 7, R's and numpy's default):
// position q (n - 1) in the sorted values. NaN for none.
[[nodiscard]] double Quantile(std::vector<double> values, double q);

// Quantile(values, 0.5): the middle value, or the mean of the middle two.
[[nodiscard]] double Median(std::vector<double> values);

}  // namespace sim::validate
