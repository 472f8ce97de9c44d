#include "sim/result/worker_timeline.h"

#include <cassert>
#include <cstdio>

namespace sim {

WorkerTimeline::WorkerTimeline(std::uint32_t workers, bool keep_intervals)
    : current_(workers),
      totals_(workers, {Time::zero(), Time::zero(), Time::zero()}),
      computations_(workers, 0),
      keep_intervals_(keep_intervals) {}

void WorkerTimeline::set(std::uint32_t worker, Activity activity, Time now) {
  Open& open = current_[worker];
  assert(now >= open.since);
  if (now > open.since) {
    totals_[worker][static_cast<int>(open.activity)] += now - open.since;
    if (keep_intervals_ && open.activity != Activity::kWait) {
      intervals_.push_back({worker, open.activity, open.since, now});
    }
  }
  if (activity == Activity::kCompute) ++computations_[worker];
  open = {activity, now};
}

void WorkerTimeline::finish(Time end) {
  for (std::uint32_t w = 0; w < current_.size(); ++w) set(w, Activity::kWait, end);
}

Time WorkerTimeline::total(std::uint32_t worker, Activity activity) const {
  return totals_[worker][static_cast<int>(activity)];
}

std::string WorkerTimeline::chrome_trace_json() const {
  std::string out = "{\"traceEvents\":[";
  char line[192];
  bool first = true;
  for (const Interval& i : intervals_) {
    const char* name = i.activity == Activity::kCompute ? "compute" : "communicate";
    std::snprintf(line, sizeof line, "%s\n{\"name\":\"%s\",\"ph\":\"X\",\"pid\":0,\"tid\":%u,\"ts\":%.6f,\"dur\":%.6f}",
                  first ? "" : ",", name, i.worker, i.start.microseconds(), (i.end - i.start).microseconds());
    out += line;
    first = false;
  }
  out += "\n],\"displayTimeUnit\":\"ms\"}\n";
  return out;
}

}  // namespace sim
