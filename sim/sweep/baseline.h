// Which point each point's speedup is measured against.
//
// Without --baseline, every point's baseline is point 0 (the first value of
// every axis). `--baseline path=value[,path=value...]` pins some swept paths:
// a point's baseline is the point with the pinned values on those paths and
// the point's own values on the others. So with workers and strategy swept,
// `--baseline cluster.workers=1` measures each strategy against its own
// 1-worker run, and pinning every path names one baseline for all.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sim/sweep/sweep_axis.h"
#include "sim/sweep/sweep_points.h"

namespace sim::sweep {

// baseline[i] is the index of point i's baseline. Throws
// std::invalid_argument when a pinned path is not swept or its value is not
// one of the swept values.
[[nodiscard]] std::vector<std::size_t> BaselinesOf(const std::vector<SweepAxis>& axes,
                                                   const std::vector<SweepPoint>& points, std::string_view spec);

}  // namespace sim::sweep
