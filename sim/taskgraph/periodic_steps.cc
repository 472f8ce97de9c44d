#include "sim/taskgraph/periodic_steps.h"

#include <algorithm>

namespace sim::taskgraph {
namespace {

// The operations of each step, in the order they were added.
std::vector<std::vector<OpId>> OpsByStep(const TaskGraph& g) {
  std::vector<std::vector<OpId>> steps;
  for (OpId id = 0; id < g.size(); ++id) {
    const std::uint32_t step = g.op(id).step;
    if (steps.size() <= step) steps.resize(step + 1);
    steps[step].push_back(id);
  }
  return steps;
}

bool Alike(const TaskGraph& g, const Op& a, const Op& b) {
  if (a.kind != b.kind || a.category != b.category || a.stream != b.stream || a.duration != b.duration ||
      a.member != b.member) {
    return false;
  }
  if (a.kind == OpKind::kSend) {
    return g.message(a.ref).dst == g.message(b.ref).dst && g.message(a.ref).size == g.message(b.ref).size;
  }
  if (a.kind == OpKind::kMember) {
    const Collective& x = g.collective(a.ref);
    const Collective& y = g.collective(b.ref);
    return x.group == y.group && x.schedules == y.schedules;
  }
  return true;
}

}  // namespace

std::optional<Time> PeriodOfSteps(const TaskGraphRun& run, std::uint32_t first, std::uint32_t last) {
  const TaskGraph& g = run.graph();
  const auto steps = OpsByStep(g);
  if (first < 1 || last < first || last >= steps.size() || !run.done()) return std::nullopt;
  std::optional<Time> period;
  for (std::uint32_t j = first; j <= last; ++j) {
    const std::vector<OpId>& before = steps[j - 1];
    const std::vector<OpId>& now = steps[j];
    if (before.size() != now.size() || now.empty()) return std::nullopt;
    const Time shift = run.start_of(now.front()) - run.start_of(before.front());
    if (period && shift != *period) return std::nullopt;
    period = shift;
    for (std::size_t i = 0; i < now.size(); ++i) {
      if (!Alike(g, g.op(before[i]), g.op(now[i]))) return std::nullopt;
      if (run.start_of(now[i]) - run.start_of(before[i]) != shift) return std::nullopt;
      if (run.end_of(now[i]) - run.end_of(before[i]) != shift) return std::nullopt;
    }
  }
  return period;
}

Time StepStart(const TaskGraphRun& run, std::uint32_t step) {
  Time start = Time::max();
  for (OpId id = 0; id < run.graph().size(); ++id) {
    if (run.graph().op(id).step == step) start = std::min(start, run.start_of(id));
  }
  return start;
}

FinishedSteps StepsFinished(const TaskGraphRun& run) {
  const TaskGraph& g = run.graph();
  std::uint32_t steps = 0;
  for (OpId id = 0; id < g.size(); ++id) steps = std::max(steps, g.op(id).step + 1);
  // Per step: whether all its operations ended, and the last end.
  std::vector<bool> unfinished(steps, false);
  std::vector<Time> last(steps, Time::zero());
  for (OpId id = 0; id < g.size(); ++id) {
    const std::uint32_t step = g.op(id).step;
    if (run.end_of(id) == Time::max()) {
      unfinished[step] = true;
    } else {
      last[step] = std::max(last[step], run.end_of(id));
    }
  }
  FinishedSteps finished;
  while (finished.count < steps && !unfinished[finished.count]) {
    finished.end = std::max(finished.end, last[finished.count]);
    ++finished.count;
  }
  return finished;
}

void AddTimes(std::vector<DeviceTime>& a, const std::vector<DeviceTime>& b, std::int64_t times) {
  const auto scaled = [times](Time t) { return Time(t.picoseconds() * times); };
  a.resize(std::max(a.size(), b.size()));
  for (std::size_t d = 0; d < b.size(); ++d) {
    a[d].compute += scaled(b[d].compute);
    a[d].communicating += scaled(b[d].communicating);
    a[d].exposed += scaled(b[d].exposed);
    a[d].idle += scaled(b[d].idle);
    for (int c = 0; c < kCategories; ++c) {
      a[d].traffic[c] += scaled(b[d].traffic[c]);
      a[d].exposed_by[c] += scaled(b[d].exposed_by[c]);
      a[d].computing[c] += scaled(b[d].computing[c]);
    }
  }
}

}  // namespace sim::taskgraph
