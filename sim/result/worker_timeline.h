// Where each worker's simulated time goes. A worker is always in exactly one
// activity; switching activity closes the previous interval, so compute +
// communicate + wait adds up to the worker's whole simulated time, by
// construction. Optionally keeps every interval for a Chrome/Perfetto trace.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/time.h"

namespace sim {

enum class Activity : std::uint8_t { kWait = 0, kCompute = 1, kCommunicate = 2 };

class WorkerTimeline {
 public:
  explicit WorkerTimeline(std::uint32_t workers, bool keep_intervals = false);

  // From `now` on, `worker` does `activity`.
  void set(std::uint32_t worker, Activity activity, Time now);
  // Closes every worker's open interval at `end`.
  void finish(Time end);

  [[nodiscard]] Time total(std::uint32_t worker, Activity activity) const;
  // Times `worker` switched to kCompute: the computations it began.
  [[nodiscard]] std::uint32_t computations(std::uint32_t worker) const { return computations_[worker]; }
  [[nodiscard]] std::uint32_t workers() const noexcept { return static_cast<std::uint32_t>(current_.size()); }

  // Chrome trace event format ("X" complete events, microseconds), one track
  // per worker; empty array when intervals were not kept.
  [[nodiscard]] std::string chrome_trace_json() const;

 private:
  struct Interval {
    std::uint32_t worker;
    Activity activity;
    Time start, end;
  };
  struct Open {
    Activity activity = Activity::kWait;
    Time since = Time::zero();
  };
  std::vector<Open> current_;
  std::vector<std::array<Time, 3>> totals_;
  std::vector<std::uint32_t> computations_;
  bool keep_intervals_;
  std::vector<Interval> intervals_;
};

}  // namespace sim
