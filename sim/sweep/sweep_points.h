// The points of a sweep: the cartesian product of its axes, numbered in the
// order of nested loops over the axes as given, the first --sweep outermost
// (so the last --sweep varies fastest). That number is a point's place in the
// table, whatever order the points run in.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/sweep/sweep_axis.h"

namespace sim::sweep {

struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::string> values;  // one per axis, in axis order
};

// Throws std::invalid_argument when the same path is swept twice or the
// product would exceed kMaxSweepPoints.
[[nodiscard]] std::vector<SweepPoint> PointsOf(const std::vector<SweepAxis>& axes);

inline constexpr std::size_t kMaxSweepPoints = 1'000'000;

// "cluster.workers=4, strategy.kind=SYNC_PS": how errors and progress name a point.
[[nodiscard]] std::string Label(const std::vector<SweepAxis>& axes, const SweepPoint& point);

// The --set assignments of a point: `fixed` (the command's --set) first, then
// one "path=value" per axis, so that a swept value wins over a --set of the
// same path.
[[nodiscard]] std::vector<std::string> OverridesOf(const std::vector<SweepAxis>& axes, const SweepPoint& point,
                                                   const std::vector<std::string>& fixed);

}  // namespace sim::sweep
