#include "sim/sweep/baseline.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

namespace sim::sweep {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string all;
  for (const auto& item : items) all += (all.empty() ? "" : ",") + item;
  return all;
}

}  // namespace

std::vector<std::size_t> BaselinesOf(const std::vector<SweepAxis>& axes, const std::vector<SweepPoint>& points,
                                     std::string_view spec) {
  // Position of the pinned value within each axis, if pinned.
  std::vector<std::optional<std::size_t>> pinned(axes.size());
  std::size_t start = 0;
  while (!spec.empty() && start <= spec.size()) {
    // "path=value" items, split at commas outside brackets (a list value).
    std::size_t end = start;
    for (int depth = 0; end < spec.size() && (depth > 0 || spec[end] != ','); ++end) {
      if (spec[end] == '[') ++depth;
      if (spec[end] == ']') --depth;
    }
    const std::string item(spec.substr(start, end - start));
    start = end + 1;
    const auto equals = item.find('=');
    if (equals == std::string::npos) {
      throw std::invalid_argument("--baseline '" + item + "' is not path=value (e.g. cluster.workers=1)");
    }
    const std::string path = item.substr(0, equals);
    std::string value = item.substr(equals + 1);
    if (value.size() >= 2 && value.front() == '[' && value.back() == ']') value = value.substr(1, value.size() - 2);
    const auto axis = std::find_if(axes.begin(), axes.end(), [&](const SweepAxis& a) { return a.path == path; });
    if (axis == axes.end()) {
      std::vector<std::string> swept;
      for (const auto& a : axes) swept.push_back(a.path);
      throw std::invalid_argument("--baseline " + path + ": not a swept path (the sweep varies " + Join(swept) + ")");
    }
    const auto at = std::find(axis->values.begin(), axis->values.end(), value);
    if (at == axis->values.end()) {
      throw std::invalid_argument("--baseline " + item + ": " + value + " is not one of the swept values " +
                                  Join(axis->values));
    }
    pinned[static_cast<std::size_t>(axis - axes.begin())] = static_cast<std::size_t>(at - axis->values.begin());
  }

  std::vector<std::size_t> baselines(points.size(), 0);
  if (spec.empty()) return baselines;
  for (const SweepPoint& point : points) {
    // The point's own index, re-read digit by digit with the pinned digits
    // replaced (the numbering of PointsOf: last axis least significant).
    std::size_t index = 0;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const auto own = static_cast<std::size_t>(
          std::find(axes[a].values.begin(), axes[a].values.end(), point.values[a]) - axes[a].values.begin());
      index = index * axes[a].values.size() + pinned[a].value_or(own);
    }
    baselines[point.index] = index;
  }
  return baselines;
}

}  // namespace sim::sweep
