#include "sim/taskgraph/time_breakdown.h"

#include <algorithm>
#include <utility>

namespace sim::taskgraph {
namespace {

using Interval = std::pair<Time, Time>;

// Sorts and merges overlapping intervals.
std::vector<Interval> Union(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const Interval& i : v) {
    if (i.second <= i.first) continue;
    if (!out.empty() && i.first <= out.back().second) {
      out.back().second = std::max(out.back().second, i.second);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

Time Length(const std::vector<Interval>& merged) {
  Time total = Time::zero();
  for (const auto& [a, b] : merged) total += b - a;
  return total;
}

// Length of `a` minus `b`, both merged.
Time LengthMinus(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  Time total = Time::zero();
  std::size_t j = 0;
  for (const auto& [start, end] : a) {
    Time at = start;
    while (j < b.size() && b[j].second <= at) ++j;
    for (std::size_t k = j; k < b.size() && b[k].first < end; ++k) {
      if (b[k].first > at) total += b[k].first - at;
      at = std::max(at, b[k].second);
      if (at >= end) break;
    }
    if (at < end) total += end - at;
  }
  return total;
}

}  // namespace

std::vector<DeviceTime> BreakDown(const TaskGraphRun& run, Time from, Time to) {
  const TaskGraph& g = run.graph();
  EndpointId devices = 0;
  for (StreamId s = 0; s < g.streams(); ++s) devices = std::max(devices, g.stream(s).device + 1);
  std::vector<std::vector<Interval>> compute(devices);
  std::vector<std::array<std::vector<Interval>, kCategories>> traffic(devices);
  std::vector<DeviceTime> out(devices);
  for (OpId id = 0; id < g.size(); ++id) {
    const Time start = std::max(run.start_of(id), from);
    const Time end = std::min(run.end_of(id), to);
    if (end <= start) continue;
    const Op& op = g.op(id);
    const EndpointId d = g.device_of(id);
    if (IsCompute(op.category)) {
      compute[d].push_back({start, end});
      out[d].computing[static_cast<int>(op.category)] += end - start;
    } else {
      traffic[d][static_cast<int>(op.category)].push_back({start, end});
    }
  }
  for (EndpointId d = 0; d < devices; ++d) {
    const auto busy = Union(std::move(compute[d]));
    std::vector<Interval> all;
    DeviceTime& t = out[d];
    for (int c = 0; c < kCategories; ++c) {
      const auto merged = Union(std::move(traffic[d][c]));
      t.traffic[c] = Length(merged);
      t.exposed_by[c] = LengthMinus(merged, busy);
      all.insert(all.end(), merged.begin(), merged.end());
    }
    t.compute = Length(busy);
    const auto communicating = Union(std::move(all));
    t.communicating = Length(communicating);
    t.exposed = LengthMinus(communicating, busy);
    t.idle = (to - from) - t.compute - t.exposed;
  }
  return out;
}

}  // namespace sim::taskgraph
