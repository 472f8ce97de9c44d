#include "validate/quantile.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sim::validate {

double Quantile(std::vector<double> values, double q) {
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

double Median(std::vector<double> values) { return Quantile(std::move(values), 0.5); }

}  // namespace sim::validate
