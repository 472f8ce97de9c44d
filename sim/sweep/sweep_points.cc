#include "sim/sweep/sweep_points.h"

#include <stdexcept>

namespace sim::sweep {

std::vector<SweepPoint> PointsOf(const std::vector<SweepAxis>& axes) {
  std::size_t count = 1;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    for (std::size_t b = 0; b < a; ++b) {
      if (axes[a].path == axes[b].path) throw std::invalid_argument("--sweep " + axes[a].path + " is given twice");
    }
    if (axes[a].values.empty()) throw std::invalid_argument("--sweep " + axes[a].path + " has no values");
    if (count > kMaxSweepPoints / axes[a].values.size()) {
      throw std::invalid_argument("the sweep has more than " + std::to_string(kMaxSweepPoints) + " points");
    }
    count *= axes[a].values.size();
  }
  if (axes.empty()) count = 0;
  std::vector<SweepPoint> points(count);
  for (std::size_t i = 0; i < count; ++i) {
    points[i].index = i;
    points[i].values.resize(axes.size());
    // Mixed-radix digits of i, the last axis the least significant.
    std::size_t rest = i;
    for (std::size_t a = axes.size(); a-- > 0;) {
      points[i].values[a] = axes[a].values[rest % axes[a].values.size()];
      rest /= axes[a].values.size();
    }
  }
  return points;
}

std::string Label(const std::vector<SweepAxis>& axes, const SweepPoint& point) {
  std::string label;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (a > 0) label += ", ";
    label += axes[a].path + "=" + point.values[a];
  }
  return label;
}

std::vector<std::string> OverridesOf(const std::vector<SweepAxis>& axes, const SweepPoint& point,
                                     const std::vector<std::string>& fixed) {
  std::vector<std::string> overrides = fixed;
  for (std::size_t a = 0; a < axes.size(); ++a) overrides.push_back(axes[a].path + "=" + point.values[a]);
  return overrides;
}

}  // namespace sim::sweep
